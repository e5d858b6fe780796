"""``ssot-lsp``: the flake8-ssot rules as a Language Server Protocol server over stdio.

One long-lived process keeps the open documents in memory and checks a
document's current text, saved or not, with the checking core of
``ssot-check`` (:func:`flake8_ssot.runner.check_lines`) under the
document's project configuration (:mod:`flake8_ssot.server.projects`).
The document's path is its display name, so its path decides its scope
(integration, e2e) and ``per-file-ignores``, as on disk.

- Diagnostics on open and save, and on change after a pause
  (``debounceMs``, default 150): ranges from :mod:`~flake8_ssot.server.ranges`,
  the code, a link to the rule page, source ``flake8-ssot``, severity
  Warning (Error for a file that does not parse or cannot be read).
- Code actions (:mod:`~flake8_ssot.server.actions`): add ``# noqa: CODE``,
  SOT201's BVJ skeleton, and the rule's fix where flake8-ssot has fixes.
- Hover on a finding, or on a code in a ``# noqa:`` comment: the rule's
  summary and why (:mod:`~flake8_ssot.server.docs`).
- A saved, created or deleted configuration file (``setup.cfg``,
  ``tox.ini``, ``.flake8``, ``pyproject.toml``, the pytest files) re-reads
  the configuration and re-checks every open document.  A bad configuration
  is shown once (``window/showMessage``) and nothing is checked under it.

Initialization options (all optional): ``debounceMs``; ``ruleDocsBaseUrl``,
a URL the rule pages are below (``.../docs/rules``), for the links.
"""

from __future__ import annotations

import ast
import asyncio
import gc
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from flake8_ssot import __version__
from flake8_ssot.config import ConfigError
from flake8_ssot.noqa import INLINE
from flake8_ssot.project import expand_paths
from flake8_ssot.registry import FILE_ERRORS, Finding
from flake8_ssot.runner import check_lines
from flake8_ssot.server import actions
from flake8_ssot.server.docs import hover_markdown, rule_link
from flake8_ssot.server.projects import Project, Projects, is_config_file
from flake8_ssot.server.ranges import Lines, Span, finding_span

SOURCE = "flake8-ssot"
DEBOUNCE_SECONDS = 0.15
FIX_ALL_KIND = "source.fixAll.ssot"
_CODE = re.compile(r"[A-Z]+[0-9]+")
_PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_GLOB = "**/{setup.cfg,tox.ini,.flake8,pyproject.toml,pytest.ini,.pytest.ini,pytest.toml,.pytest.toml}"

logger = logging.getLogger(__name__)


@dataclass
class Checked:
    """One check of one version of a document."""

    uri: str
    version: int | None
    display_name: str
    lines: Lines
    checked: list[str]  # the lines as the checker read them
    project: Project
    findings: list[Finding]  # the reported ones: without those the baseline records
    spans: list[Span]
    diagnostics: list[types.Diagnostic]
    all_findings: list[Finding] = field(default_factory=list)  # before the baseline's filter
    tree: ast.Module | None = None
    parsed: bool = False

    def syntax_tree(self) -> ast.Module | None:
        if not self.parsed:
            self.parsed = True
            try:
                self.tree = ast.parse("".join(self.checked))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self.tree = None
        return self.tree


@dataclass
class _State:
    projects: Projects = field(default_factory=Projects)
    checked: dict[str, Checked] = field(default_factory=dict)
    timers: dict[str, asyncio.TimerHandle] = field(default_factory=dict)
    shown_errors: set[str] = field(default_factory=set)
    delay: float = DEBOUNCE_SECONDS
    docs_base_url: str | None = None


class SsotLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ssot-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = _State()

    # ------------------------------------------------------------ checking
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or "utf-16")

    def check(self, uri: str) -> Checked | None:
        """Check the document's current text and publish its diagnostics."""
        self.cancel_timer(uri)
        state = self.state
        document = self.workspace.get_text_document(uri)
        path = document.path if uri.startswith("file:") else None
        if not (document.language_id == "python" or (path or "").endswith(_PYTHON_SUFFIXES)):
            return None
        root = self.workspace.root_path or os.getcwd()
        try:
            project = state.projects.for_document(path or os.path.join(root, "untitled.py"))
        except ConfigError as error:
            self._show_error(str(error))
            state.checked.pop(uri, None)
            self.publish(uri, document.version, [])
            return None
        lines = Lines(document.source, self.encoding())
        checked_lines = lines.checked()
        display_name = path or "stdin"
        settings = project.settings
        if path is not None and not list(expand_paths([path], settings)):
            all_findings: list[Finding] = []  # excluded by the project's exclude / extend-exclude
            findings = all_findings
        else:
            all_findings = check_lines(display_name, checked_lines, settings)
            findings = project.reported(display_name, all_findings, checked_lines)
        result = Checked(uri, document.version, display_name, lines, checked_lines, project, findings, [], [],
                         all_findings=all_findings)
        result.spans = [finding_span(f, checked_lines) for f in findings]
        result.diagnostics = [self._diagnostic(f, span, lines) for f, span in zip(findings, result.spans)]
        state.checked[uri] = result
        self.publish(uri, document.version, result.diagnostics)
        return result

    def current(self, uri: str) -> Checked | None:
        """The check of the document's current version, checking it now if need be."""
        found = self.state.checked.get(uri)
        document = self.workspace.get_text_document(uri)
        if found is None or found.version != document.version or found.lines.text != document.source:
            found = self.check(uri)
        return found

    def _diagnostic(self, finding: Finding, span: Span, lines: Lines) -> types.Diagnostic:
        link = rule_link(finding.code, self.state.docs_base_url)
        error = finding.code in FILE_ERRORS
        return types.Diagnostic(
            range=to_range(span, lines),
            message=finding.message,
            severity=types.DiagnosticSeverity.Error if error else types.DiagnosticSeverity.Warning,
            code=finding.code,
            code_description=types.CodeDescription(href=link) if link else None,
            source=SOURCE,
        )

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version),
        )

    def _show_error(self, message: str) -> None:
        if message in self.state.shown_errors:
            return
        self.state.shown_errors.add(message)
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def schedule(self, uri: str) -> None:
        """Check ``uri`` once its text has not changed for the debounce delay."""
        self.cancel_timer(uri)
        loop = asyncio.get_running_loop()
        self.state.timers[uri] = loop.call_later(self.state.delay, self._check_safely, uri)

    def _check_safely(self, uri: str) -> None:
        self.state.timers.pop(uri, None)
        try:
            self.check(uri)
        except Exception:  # noqa: BLE001 - a timer callback has no caller to report to
            logger.exception("flake8-ssot: checking %s failed", uri)

    def cancel_timer(self, uri: str) -> None:
        timer = self.state.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def configuration_changed(self) -> None:
        """Re-read every configuration and re-check every open document."""
        self.state.projects.forget()
        self.state.shown_errors.clear()
        for uri in list(self.workspace.text_documents):
            self.check(uri)


def to_range(span: Span, lines: Lines) -> types.Range:
    return types.Range(
        start=types.Position(line=span.start_line, character=lines.units(span.start_line, span.start_char)),
        end=types.Position(line=span.end_line, character=lines.units(span.end_line, span.end_char)),
    )


def from_position(position: types.Position, lines: Lines) -> tuple[int, int]:
    return position.line, lines.chars(position.line, position.character)


server = SsotLanguageServer()


@server.feature(types.INITIALIZE)
def initialize(ls: SsotLanguageServer, params: types.InitializeParams) -> None:
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    delay = options.get("debounceMs")
    if isinstance(delay, (int, float)) and delay >= 0:
        ls.state.delay = delay / 1000
    base_url = options.get("ruleDocsBaseUrl")
    if isinstance(base_url, str) and base_url:
        ls.state.docs_base_url = base_url


@server.feature(types.INITIALIZED)
def initialized(ls: SsotLanguageServer, params: types.InitializedParams) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if watched is None or not watched.dynamic_registration:
        return  # config changes are then noticed on save only
    ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
        id="flake8-ssot-config-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=CONFIG_GLOB)],
        ),
    )]))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SsotLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SsotLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SsotLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri.startswith("file:") and is_config_file(to_fs_path(uri) or ""):
        ls.configuration_changed()
    else:
        ls.check(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SsotLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.cancel_timer(uri)
    ls.state.checked.pop(uri, None)
    ls.publish(uri, None, [])


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: SsotLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(change.uri.startswith("file:") and is_config_file(to_fs_path(change.uri) or "")
           for change in params.changes):
        ls.configuration_changed()


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
)
def code_action(ls: SsotLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    checked = ls.current(params.text_document.uri)
    if checked is None:
        return None
    lines = checked.lines
    start = from_position(params.range.start, lines)
    end = from_position(params.range.end, lines)
    return actions.code_actions(checked, start, end, params.context.only) or None


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: SsotLanguageServer, params: types.HoverParams) -> types.Hover | None:
    checked = ls.current(params.text_document.uri)
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines = checked.lines if checked is not None else Lines(document.source, ls.encoding())
    at = from_position(params.position, lines)
    codes: list[str] = []
    hover_range = None
    if checked is not None:
        for finding, span in zip(checked.findings, checked.spans):
            if (span.start_line, span.start_char) <= at <= (span.end_line, span.end_char) \
                    and finding.code not in codes:
                codes.append(finding.code)
                hover_range = hover_range or to_range(span, lines)
    if not codes:
        found = _noqa_code_at(lines, *at)
        if found is not None:
            code, span = found
            codes, hover_range = [code], to_range(span, lines)
    texts = [text for text in (hover_markdown(code, ls.state.docs_base_url) for code in codes) if text]
    if not texts:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(texts)),
        range=hover_range,
    )


def _noqa_code_at(lines: Lines, line: int, char: int) -> tuple[str, Span] | None:
    """The code under the cursor in a ``# noqa:`` comment, and its span."""
    match = INLINE.search(lines.content(line))
    if match is None or match.group("codes") is None:
        return None
    for code in _CODE.finditer(match.group("codes")):
        start, end = match.start("codes") + code.start(), match.start("codes") + code.end()
        if start <= char <= end:
            return code.group(), Span(line, start, line, end)
    return None


def main(argv: Any = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="ssot-lsp", description="The flake8-ssot language server (stdio).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--stdio", action="store_true", help="talk over standard input and output (the default)")
    parser.add_argument("--log-file", metavar="FILE", help="write the server's log to FILE")
    args = parser.parse_args(argv)
    if args.log_file:
        logging.basicConfig(filename=args.log_file, level=logging.INFO)
    # As runner.py does for a run: a parse builds large short-lived acyclic
    # trees that the default threshold rescans many times; what is loaded
    # now lives as long as the server and needs no scanning.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    server.start_io(sys.stdin.buffer, sys.stdout.buffer)
    return 0
