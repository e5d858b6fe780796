"""ssot-lsp end to end: a real LSP client (pytest-lsp's) drives the server over stdio.

Each test is one session on a small project in a temporary directory:
open, edit and save documents, apply the code actions the server offers,
hover, change the configuration.  Nothing here calls a handler directly.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

pytest.importorskip("pygls")
pytest_lsp_client = pytest.importorskip("pytest_lsp.client")

from lsprotocol import types  # noqa: E402

pytestmark = pytest.mark.slow  # real subprocess runs

BVJ = '''"""Order tests.

Business Value Justification (BVJ):
- Segment: Mid
- Business Goal: Retention
- Value Impact: orders survive a restart
- Strategic Impact: revenue
"""
'''
ORDERS = BVJ + '''from unittest.mock import MagicMock


def test_orders():
    client = MagicMock()
    assert client
'''
MOCK_LINE = 12  # 0-based line of "client = MagicMock()"
TIMEOUT = 20


class Session:
    """A client session with the server started as ``python -m flake8_ssot.server``."""

    def __init__(self, root: Path, debounce_ms: int = 50) -> None:
        self.root = root
        self.debounce_ms = debounce_ms
        self.client = pytest_lsp_client.make_test_lsp_client()
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.registrations: list[types.Registration] = []

        @self.client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "flake8_ssot.server")
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
            ),
        )
        await self.client.initialize_session(types.InitializeParams(
            capabilities=capabilities, root_uri=self.root.as_uri(),
            initialization_options={"debounceMs": self.debounce_ms},
        ))

    async def stop(self) -> None:
        await self.client.shutdown_session()
        await self.client.stop()

    async def diagnostics_after(self, uri: str, send: Callable[[], None]) -> list[types.Diagnostic]:
        """Send something, then wait for the diagnostics published for ``uri``."""
        async def wait() -> list[types.Diagnostic]:
            while True:
                params = await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
                if params.uri == uri:
                    return list(params.diagnostics)
        waiting = asyncio.ensure_future(wait())
        await asyncio.sleep(0)  # the wait is registered before anything is sent
        send()
        return await asyncio.wait_for(waiting, TIMEOUT)

    async def open(self, relative: str, text: str | None = None) -> tuple[str, list[types.Diagnostic]]:
        path = self.root / relative
        uri = path.as_uri()
        text = path.read_text() if text is None else text
        self.versions[uri], self.texts[uri] = 1, text
        item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        found = await self.diagnostics_after(
            uri, lambda: self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item)))
        return uri, found

    def send_change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        ))

    async def change(self, uri: str, text: str) -> list[types.Diagnostic]:
        return await self.diagnostics_after(uri, lambda: self.send_change(uri, text))

    async def save(self, uri: str) -> list[types.Diagnostic]:
        params = types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        return await self.diagnostics_after(uri, lambda: self.client.text_document_did_save(params))

    async def actions(self, uri: str, diagnostic: types.Diagnostic,
                      only: list[str] | None = None) -> list[types.CodeAction]:
        found = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        ))
        return list(found or [])

    async def apply(self, uri: str, action: types.CodeAction) -> list[types.Diagnostic]:
        """Apply the action's edits to the buffer, as an editor does, and send the new text."""
        assert action.edit is not None and action.edit.changes is not None
        return await self.change(uri, apply_edits(self.texts[uri], action.edit.changes[uri]))

    async def hover(self, uri: str, line: int, character: int) -> str | None:
        found = await self.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character),
        ))
        return None if found is None else found.contents.value


def apply_edits(text: str, edits: Any) -> str:
    """``text`` with LSP text edits applied (ASCII text: UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character if position.line < len(lines) else len(text)

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def run(root: Path, scenario: Callable[[Session], Awaitable[None]], debounce_ms: int = 50) -> None:
    async def session() -> None:
        lsp = Session(root, debounce_ms)
        await lsp.start()
        try:
            await scenario(lsp)
        finally:
            await lsp.stop()
    asyncio.run(session())


def project(tmp_path: Path, config: str = "[flake8]\nselect = SOT\n") -> Path:
    (tmp_path / "setup.cfg").write_text(config)
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    (tmp_path / "tests" / "unit").mkdir()
    (tmp_path / "tests" / "integration" / "test_orders_integration.py").write_text(ORDERS)
    return tmp_path


def app_package(root: Path) -> Path:
    """``app/core/``, a package whose ``settings`` module the SOT501 fix can import absolutely."""
    package = root / "app" / "core"
    package.mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text("NAME = 'x'\n")
    return package


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diagnostics]


def test_open_edit_save_noqa_and_hover(tmp_path: Path) -> None:
    root = project(tmp_path)

    async def scenario(lsp: Session) -> None:
        uri, found = await lsp.open("tests/integration/test_orders_integration.py")
        assert codes(found) == ["SOT101"]
        mock = found[0]
        assert (mock.range.start.line, mock.range.start.character) == (MOCK_LINE, 13)
        assert (mock.range.end.line, mock.range.end.character) == (MOCK_LINE, 24)  # MagicMock()
        assert mock.source == "flake8-ssot" and mock.severity == types.DiagnosticSeverity.Warning
        assert "integration scope" in mock.message
        assert mock.code_description is not None and mock.code_description.href.endswith("/docs/rules/SOT101.md")

        hover = await lsp.hover(uri, MOCK_LINE, 16)
        assert hover is not None and "SOT101" in hover and "Why is this bad?" in hover

        # An edit: a second mock; the buffer is checked, not the file on disk.
        two = "    other = (MagicMock(), MagicMock())\n    assert client and other\n"
        edited = ORDERS.replace("    assert client\n", two)
        assert [d.range.start.line for d in await lsp.change(uri, edited)] == [MOCK_LINE] + [MOCK_LINE + 1] * 2

        # The noqa action, applied: its finding is gone, the other stays.
        first = lsp.client.diagnostics[uri][0]
        titles = {action.title: action for action in await lsp.actions(uri, first)}
        assert "Add `# noqa: SOT101`" in titles
        left = await lsp.apply(uri, titles["Add `# noqa: SOT101`"])
        assert [d.range.start.line for d in left] == [MOCK_LINE + 1] * 2
        assert lsp.texts[uri].splitlines()[MOCK_LINE].endswith("MagicMock()  # noqa: SOT101")

        # Hover on the code inside the noqa comment.
        column = lsp.texts[uri].splitlines()[MOCK_LINE].index("SOT101")
        hover = await lsp.hover(uri, MOCK_LINE, column + 2)
        assert hover is not None and "A mock object is created" in hover

        # Saving checks again and publishes the same.
        both = await lsp.save(uri)
        assert [d.range.start.line for d in both] == [MOCK_LINE + 1] * 2
        # Two findings of one code on one line: one noqa action for both.
        line = types.Diagnostic(range=types.Range(start=both[0].range.start, end=both[1].range.end), message="")
        noqa = [action for action in await lsp.actions(uri, line) if action.title.startswith("Add `# noqa")]
        assert len(noqa) == 1 and list(noqa[0].diagnostics or []) == both

        # An unsaved buffer's scope comes from its path: the same text is a
        # finding in an integration folder and none in a unit folder.
        _, integration = await lsp.open("tests/integration/test_new_integration.py", ORDERS)
        _, unit = await lsp.open("tests/unit/test_new.py", ORDERS)
        assert codes(integration) == ["SOT101"] and unit == []

    run(root, scenario)


def test_configuration_changes_are_read_again_and_bad_ones_shown(tmp_path: Path) -> None:
    root = project(tmp_path)
    config = root / "setup.cfg"

    def changed(lsp: Session) -> Callable[[], None]:
        return lambda: lsp.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))

    async def scenario(lsp: Session) -> None:
        uri, found = await lsp.open("tests/integration/test_orders_integration.py")
        assert codes(found) == ["SOT101"]
        # The server asked the client to watch the configuration files.
        assert [r.method for r in lsp.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]

        config.write_text("[flake8]\nselect = SOT\nextend-ignore = SOT101\n")
        assert await lsp.diagnostics_after(uri, changed(lsp)) == []

        config.write_text("[flake8]\nselect = SOT\nssot-bases = 1bad\n")
        assert await lsp.diagnostics_after(uri, changed(lsp)) == []
        errors = [m for m in lsp.client.messages if m.type == types.MessageType.Error]
        assert len(errors) == 1 and "ssot-bases" in errors[0].message and "1bad" in errors[0].message
        # Still serving: an edit under the bad configuration is no crash and shows the error only once.
        assert await lsp.change(uri, ORDERS + "\n") == []
        assert len([m for m in lsp.client.messages if m.type == types.MessageType.Error]) == 1

        config.write_text("[flake8]\nselect = SOT\n")
        assert codes(await lsp.diagnostics_after(uri, changed(lsp))) == ["SOT101"]

        config.write_text("[flake8]\nselect = SOT\nextend-exclude = tests/integration/*\n")
        assert await lsp.diagnostics_after(uri, changed(lsp)) == []  # excluded: as ssot-check, no findings

        # Saving the config file in the editor re-reads it too.
        config.write_text("[flake8]\nselect = SOT\nper-file-ignores = tests/integration/*: SOT1\n")
        assert await lsp.diagnostics_after(uri, lambda: lsp.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri())))) == []

    run(root, scenario)


def test_bvj_skeleton_action_and_syntax_errors(tmp_path: Path) -> None:
    root = project(tmp_path, "[flake8]\n")  # the default selection: SOT codes and E999
    source = '#!/usr/bin/env python\nimport pytest\n\n\n@pytest.mark.integration\ndef test_x():\n    assert 1\n'
    (root / "tests" / "unit" / "test_plain.py").write_text(source)

    async def scenario(lsp: Session) -> None:
        uri, found = await lsp.open("tests/unit/test_plain.py")
        assert codes(found) == ["SOT201"]
        assert (found[0].range.start.line, found[0].range.end.line) == (0, 0)
        assert found[0].range.end.character == len("#!/usr/bin/env python")
        titles = {action.title: action for action in await lsp.actions(uri, found[0])}
        # No "Add # noqa": on the shebang line it would become the interpreter's argument (as --add-noqa).
        assert set(titles) == {"Insert a BVJ skeleton into the module docstring"}
        left = await lsp.apply(uri, titles["Insert a BVJ skeleton into the module docstring"])
        # A starting point: every field is a placeholder until the author fills it in.
        assert codes(left) == ["SOT204"] * 4
        assert lsp.texts[uri].startswith('#!/usr/bin/env python\n"""\nBusiness Value Justification (BVJ):\n')

        # Typing: a change followed at once by another is checked once, at the last one.
        filled = lsp.texts[uri]
        broken = await lsp.diagnostics_after(uri, lambda: (
            lsp.send_change(uri, filled + "\n"), lsp.send_change(uri, filled + "def broken(:\n")))
        assert codes(broken) == ["E999"] and broken[0].severity == types.DiagnosticSeverity.Error

    run(root, scenario, debounce_ms=300)


def test_rule_fixes_as_quick_fixes_and_fix_all(tmp_path: Path) -> None:
    root = project(tmp_path, "[flake8]\nselect = SOT\nssot-environ-accessor = shared.isolated_environment.get_env\n")
    package = app_package(root)
    (package / "config.py").write_text(
        "import os\n\nfrom .settings import NAME\n\nVALUE = os.environ.get('VALUE', NAME)\n")

    async def scenario(lsp: Session) -> None:
        uri, found = await lsp.open("app/core/config.py")
        assert codes(found) == ["SOT501", "SOT301"]
        original = lsp.texts[uri]

        relative = {action.title: action for action in await lsp.actions(uri, found[0])}
        safe = relative["Fix SOT501 (relative-import)"]
        assert safe.kind == types.CodeActionKind.QuickFix and safe.is_preferred
        environ = {action.title: action for action in await lsp.actions(uri, found[1])}
        assert "Fix SOT301 (direct-environ-access) (unsafe)" in environ

        # Fix all: the safe fix only.
        fix_all = await lsp.actions(uri, found[0], only=["source.fixAll"])
        assert [action.kind for action in fix_all] == ["source.fixAll.ssot"]
        left = await lsp.apply(uri, fix_all[0])
        assert codes(left) == ["SOT301"]
        assert "from app.core.settings import NAME" in lsp.texts[uri]

        # The unsafe quick fix, applied on the original text, adds its import.
        await lsp.change(uri, original)
        assert codes(await lsp.apply(uri, environ["Fix SOT301 (direct-environ-access) (unsafe)"])) == ["SOT501"]
        assert "get_env().get('VALUE', NAME)" in lsp.texts[uri]
        assert "from shared.isolated_environment import get_env" in lsp.texts[uri]

    run(root, scenario)


def test_fix_all_fixes_what_the_baseline_does_not_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from flake8_ssot import cli

    root = project(tmp_path, "[flake8]\nselect = SOT\nssot-baseline = base.json\n")
    package = app_package(root)
    recorded = "from .settings import NAME\n\nVALUE = NAME\n"
    (package / "config.py").write_text(recorded)
    monkeypatch.chdir(root)
    assert cli.main(["-j", "1", "--write-baseline", "base.json", "app"]) == 0
    capsys.readouterr()

    async def scenario(lsp: Session) -> None:
        uri, found = await lsp.open("app/core/config.py")
        assert found == []  # recorded in the baseline
        # A second occurrence is new: reported, and fix-all fixes it (and only it).
        found = await lsp.change(uri, recorded + "from .settings import NAME\n")
        assert codes(found) == ["SOT501"] and found[0].range.start.line == 3
        fix_all = await lsp.actions(uri, found[0], only=["source.fixAll"])
        assert [action.kind for action in fix_all] == ["source.fixAll.ssot"]
        assert await lsp.apply(uri, fix_all[0]) == []
        assert lsp.texts[uri] == recorded + "from app.core.settings import NAME\n"

    run(root, scenario)


def test_pyproject_settings_apply_below_the_project_root(tmp_path: Path) -> None:
    """``[tool.flake8]`` in the root's pyproject.toml counts for a document in tests/, as for ``ssot-check`` run
    from the root (Flake8-pyproject reads the pyproject.toml of the directory flake8 runs in)."""
    (tmp_path / "pyproject.toml").write_text('[tool.flake8]\nselect = ["SOT"]\nssot-max-module-lines = 7\n')
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_long.py").write_text(ORDERS)

    async def scenario(lsp: Session) -> None:
        _, found = await lsp.open("tests/unit/test_long.py")
        assert codes(found) == ["SOT502"]

    run(tmp_path, scenario)
