"""Fixes: before/after trees per rule through the real command line, and the guarantees.

Each case under ``tests/fixtures/fixes/<case>/`` is a small project: ``before/``
(with its setup.cfg) is copied to a temporary directory, ``ssot-check`` fixes
it, and the result must be ``before/`` with the files in ``after/`` (the ones
the fix changes) byte for byte: the fixed spans changed, everything else
(comments, formatting, files the run does not check, findings without a fix)
as it was.  Fixing again changes nothing.
"""

from __future__ import annotations

import difflib
import io
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from flake8_ssot import cli
from flake8_ssot.fixes import FIXABLE
from flake8_ssot.fixes import environ as environ_fixes
from flake8_ssot.fixes.edits import Document, Edit, Fix, apply, choose, import_edit
from flake8_ssot.fixes.hygiene import package_of
from flake8_ssot.paths import file_path
from flake8_ssot.registry import RULES
from tests.expectations import run_ssot_check

CASES_DIR = Path(__file__).parent / "fixtures" / "fixes"
# Per case: the options that fix it, and the codes the fix removes.
CASES = {
    "relative_imports": (["--fix"], set()),  # scripts/run.py is in no package: no fix
    "bases": (["--fix", "--unsafe-fixes"], {"SOT401"}),
    "environ": (["--fix", "--unsafe-fixes"], set()),  # some SOT301/SOT302 stay: writes, keywords
    "add_noqa": (["--add-noqa"], {"SOT202", "SOT203", "SOT301", "SOT302", "SOT501"}),
}


def tree_of(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file() and ".ssot_cache" not in path.parts}


def fixed_tree(case: str) -> dict[str, bytes]:
    """What fixing a case gives: its ``before/`` tree with the files of ``after/``."""
    return {**tree_of(CASES_DIR / case / "before"), **tree_of(CASES_DIR / case / "after")}


def copy_case(case: str, tmp_path: Path) -> Path:
    project = tmp_path / case
    shutil.copytree(CASES_DIR / case / "before", project)
    return project


def run_main(argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    status = cli.main(["--no-cache", "-j", "1", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixing_gives_the_after_tree_and_fixing_again_nothing(case: str, tmp_path: Path) -> None:
    args, gone = CASES[case]
    project = copy_case(case, tmp_path)
    first = run_ssot_check("--no-cache", *args, ".", cwd=project)
    assert first.returncode in (0, 1), first.stderr
    assert tree_of(project) == fixed_tree(case)
    for name, data in tree_of(project).items():
        if name.endswith(".py"):
            compile(data, name, "exec")  # still parses
    assert not any(f" {code} " in line for line in first.stdout.splitlines() for code in gone), first.stdout
    assert "[*]" not in first.stdout
    assert "--unsafe-fixes" not in args or "[unsafe-fix]" not in first.stdout
    again = run_ssot_check("--no-cache", *args, ".", cwd=project)
    assert tree_of(project) == fixed_tree(case)
    assert again.stdout == first.stdout
    diff = run_ssot_check("--no-cache", "--diff", *args[1:], ".", cwd=project)
    assert (diff.returncode, diff.stdout) == (0, "")


def test_diff_prints_what_fix_would_do_and_changes_nothing(tmp_path: Path) -> None:
    project = copy_case("relative_imports", tmp_path)
    result = run_ssot_check("--no-cache", "--diff", ".", cwd=project)
    assert result.returncode == 1
    assert tree_of(project) == tree_of(CASES_DIR / "relative_imports" / "before")
    expected = ""
    for name in ("app/core/__init__.py", "app/core/config.py"):  # sorted, as the findings are
        before = (CASES_DIR / "relative_imports" / "before" / name).read_text().splitlines(True)
        after = (CASES_DIR / "relative_imports" / "after" / name).read_text().splitlines(True)
        expected += "".join(difflib.unified_diff(before, after, f"./{name}", f"./{name}"))
    assert result.stdout == expected
    assert result.stderr == "Would fix 6 findings.\n"


def test_unsafe_fixes_wait_for_unsafe_fixes_and_say_so(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("bases", tmp_path)
    status, out, err = run_main(["--fix", "."], project, monkeypatch, capsys)
    assert tree_of(project) == tree_of(CASES_DIR / "bases" / "before")
    assert status == 1
    assert out.count(" SOT401 [unsafe-fix] ") == 5, out
    assert err == "Found 5 findings (0 fixed, 5 remaining).\n5 fixable with --fix --unsafe-fixes.\n"


def test_findings_with_a_fix_are_marked_in_text_output_only(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("relative_imports", tmp_path)
    status, out, err = run_main([], project, monkeypatch, capsys)
    assert (status, err) == (1, "")
    assert "./app/core/config.py:4:1: SOT501 [*] relative import from '..'; use an absolute import\n" in out
    assert "./scripts/run.py:1:1: SOT501 relative import from '.helpers'; use an absolute import\n" in out
    status, out, err = run_main(["--format", "json"], project, monkeypatch, capsys)
    assert "[*]" not in out
    project = copy_case("bases", tmp_path)
    _status, out, _err = run_main(["--format", "pylint"], project, monkeypatch, capsys)
    assert "tests/test_accounts.py:16: [SOT401] [unsafe-fix] TestAccounts derives from unittest.TestCase" in out


def test_stdin_fix_prints_the_fixed_source_and_findings_on_stderr(tmp_path: Path) -> None:
    project = copy_case("relative_imports", tmp_path)
    source = (project / "app/core/config.py").read_text()
    result = run_ssot_check("--fix", "--stdin-display-name", "app/core/config.py", "-", cwd=project, stdin=source)
    assert result.stdout == (CASES_DIR / "relative_imports/after/app/core/config.py").read_text()
    assert result.stderr == "Found 5 findings (5 fixed, 0 remaining).\n"
    assert (project / "app/core/config.py").read_text() == source  # the file on disk is not the input
    result = run_ssot_check("--fix", "--stdin-display-name", "scripts/run.py", "-", cwd=project,
                            stdin="from .helpers import main\n")
    assert result.stdout == "from .helpers import main\n"
    assert "scripts/run.py:1:1: SOT501 relative import" in result.stderr


def test_encoding_bom_and_crlf_are_kept(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("environ", tmp_path)
    target = project / "app/settings.py"
    text = target.read_text().replace("# Settings", "# Réglages")
    target.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    run_main(["--fix", "--unsafe-fixes", "app/settings.py"], project, monkeypatch, capsys)
    expected = (CASES_DIR / "environ/after/app/settings.py").read_text().replace("# Settings", "# Réglages")
    assert target.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode("utf-8")
    latin = "# -*- coding: latin-1 -*-\n# café\nimport os\nX = os.getenv('X')\n"
    (project / "app/latin.py").write_bytes(latin.encode("latin-1"))
    run_main(["--fix", "--unsafe-fixes", "app/latin.py"], project, monkeypatch, capsys)
    assert (project / "app/latin.py").read_bytes() == latin.replace(
        "import os\n", "import os\nfrom shared.isolated_environment import get_env\n",
    ).replace("os.getenv", "get_env().get").encode("latin-1")


def test_a_file_changed_on_disk_during_the_run_is_not_overwritten(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("relative_imports", tmp_path)
    target = project / "app/core/config.py"
    from flake8_ssot.fixes import run as fix_run
    real = fix_run.fix_source

    def meanwhile(data, display_name, *args, **kwargs):
        outcome = real(data, display_name, *args, **kwargs)
        if display_name.endswith("config.py"):
            target.write_text("# edited by someone else\n" + data.decode())
        return outcome

    monkeypatch.setattr(fix_run, "fix_source", meanwhile)
    status, out, err = run_main(["--fix", "app"], project, monkeypatch, capsys)
    assert target.read_text().startswith("# edited by someone else\nfrom __future__") is False
    assert target.read_text() == "# edited by someone else\n" + (
        CASES_DIR / "relative_imports/before/app/core/config.py").read_text()
    assert "app/core/config.py changed while it was being fixed; not written" in err
    assert "config.py:4:1: SOT501" in out  # its findings stand
    assert (project / "app/core/__init__.py").read_text() == "from app.core import config  # re-export\n"


def test_a_fix_that_would_break_the_syntax_is_not_applied(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("environ", tmp_path)

    def broken(ctx, document, codes):
        for position, fix in real(ctx, document, codes):
            yield position, fix._replace(edits=tuple(edit._replace(replacement="get_env((") for edit in fix.edits))

    real = environ_fixes.fixes
    monkeypatch.setattr(environ_fixes, "fixes", broken)
    status, _out, err = run_main(["--fix", "--unsafe-fixes", "app/settings.py"], project, monkeypatch, capsys)
    assert status == 1
    assert (project / "app/settings.py").read_bytes() == (CASES_DIR / "environ/before/app/settings.py").read_bytes()
    assert "fixes not applied: the fixed source would not parse" in err


def test_overlapping_edits_are_never_applied_in_one_pass() -> None:
    text = "x = os.getenv(os.getenv('A'))\n"
    outer = Fix("unsafe", (Edit(4, 29, "get_env().get(...)"),))
    inner = Fix("unsafe", (Edit(14, 23, "get_env().get"),))
    beside = Fix("unsafe", (Edit(0, 1, "y"),))
    assert choose([outer, inner, beside]) == [outer, beside]
    assert apply(text, [e for fix in choose([inner, outer, beside]) for e in fix.edits]) == \
        "y = os.getenv(get_env().get('A'))\n"
    with pytest.raises(ValueError, match="overlapping edits"):
        apply(text, [Edit(4, 10, "a"), Edit(8, 12, "b")])
    assert Edit(3, 3, "a").overlaps(Edit(3, 3, "b"))  # two insertions at one point
    assert not Edit(3, 3, "a").overlaps(Edit(3, 5, "b"))  # an insertion before a replacement
    assert Edit(4, 4, "a").overlaps(Edit(3, 5, "b"))  # an insertion inside a replacement
    assert not Edit(5, 5, "a").overlaps(Edit(3, 5, "b"))


@pytest.mark.parametrize(("source", "expected"), [
    ('"""Doc."""\nX = 1\n', '"""Doc."""\nfrom m import a\nX = 1\n'),
    ("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nX = 1\n",
     "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nfrom m import a\nX = 1\n"),
    ("import os", "import os\nfrom m import a\n"),
    ("", "from m import a\n"),
    ("import os\r\n@dec\r\ndef f(): pass\r\n", "import os\r\nfrom m import a\r\n@dec\r\ndef f(): pass\r\n"),
])
def test_imports_go_after_the_imports_block(source: str, expected: str) -> None:
    import ast
    document = Document(source)
    edit = import_edit(document, ast.parse(source), [("m", "a"), ("m", "a")], before_line=99)
    assert apply(source, [edit]) == expected


def test_an_import_goes_above_its_first_use_at_module_level() -> None:
    import ast
    source = "import os\nX = os.getenv('X')\nimport sys\n"
    edit = import_edit(Document(source), ast.parse(source), [("m", "get_env")], before_line=2)
    assert apply(source, [edit]) == "import os\nfrom m import get_env\nX = os.getenv('X')\nimport sys\n"


def test_the_package_comes_from_init_files_up_to_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "src/app/core").mkdir(parents=True)
    for directory in ("src", "src/app", "src/app/core"):
        (tmp_path / directory / "__init__.py").write_text("")
    module = str(tmp_path / "src/app/core/x.py")
    assert package_of(file_path(module, str(tmp_path)), str(tmp_path)) == ["src", "app", "core"]
    assert package_of(file_path(module, str(tmp_path / "src")), str(tmp_path / "src")) == ["app", "core"]
    assert package_of(file_path(str(tmp_path / "y.py"), str(tmp_path)), str(tmp_path)) is None
    assert package_of(file_path("stdin", str(tmp_path)), str(tmp_path)) is None
    (tmp_path / "tests/unit").mkdir(parents=True)  # a namespace package: no __init__.py
    test = file_path(str(tmp_path / "tests/unit/test_x.py"), str(tmp_path))
    assert package_of(test, str(tmp_path)) is None
    assert package_of(test, str(tmp_path), (".",)) == ["tests", "unit"]
    assert package_of(file_path(module, str(tmp_path)), str(tmp_path), ("src", ".")) == ["app", "core"]
    assert package_of(file_path(str(tmp_path / "src/top.py"), str(tmp_path)), str(tmp_path), ("src",)) is None


def test_marks_read_without_parsing_agree_with_the_fixes(tmp_path: Path) -> None:
    import ast

    from flake8_ssot.fixes import fixes_for, quick_safeties
    from flake8_ssot.project import load_settings
    from flake8_ssot.runner import check_lines, decode_lines
    project = copy_case("relative_imports", tmp_path)
    (project / "app/core/deep.py").write_text("from .... import x\nfrom . import (y)\n")
    settings = load_settings(config=str(project / "setup.cfg"), cwd=str(project))
    for path in sorted(project.rglob("*.py")):
        lines = decode_lines(path.read_bytes())
        found = check_lines(str(path), lines, settings)
        text = "".join(lines)
        full = fixes_for(ast.parse(text), lines, Document(text), str(path), settings.config, found)
        quick = quick_safeties(found, lines, str(path), settings.config)
        if path.name == "config.py":
            assert quick is None  # "from \\" puts the dots on the next line: parsed
        else:
            assert quick == {f: fix.safety for f, fix in full.items()}, path


def test_fix_then_add_noqa_silences_only_what_is_left(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("environ", tmp_path)
    status, out, err = run_main(["--fix", "--unsafe-fixes", "--add-noqa", "."], project, monkeypatch, capsys)
    assert (status, out) == (0, "")
    assert err == "Found 7 findings (7 fixed, 0 remaining).\nAdded 5 noqa comments.\n"
    text = (project / "app/settings.py").read_text()
    assert 'HOME = get_env().get("HOME")\n' in text  # fixed, so no comment
    assert 'TOKEN = os.environ["TOKEN"]  # noqa: SOT301\n' in text
    assert run_main(["."], project, monkeypatch, capsys) == (0, "", "")


def test_stdin_diff_names_the_display_name(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("relative_imports", tmp_path)
    status, out, err = run_main(["--diff", "--stdin-display-name", "app/core/__init__.py", "-"], project,
                                monkeypatch, capsys, stdin=b"from . import config\n")
    assert status == 1
    assert out == ("--- app/core/__init__.py\n+++ app/core/__init__.py\n@@ -1 +1 @@\n"
                   "-from . import config\n+from app.core import config\n")
    assert err == "Would fix 1 finding.\n"


def test_findings_a_baseline_holds_back_are_not_fixed(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("relative_imports", tmp_path)
    run_main(["--write-baseline", "baseline.json", "app/core/__init__.py"], project, monkeypatch, capsys)
    status, out, err = run_main(["--fix", "--baseline", "baseline.json", "app"], project, monkeypatch, capsys)
    assert (project / "app/core/__init__.py").read_text() == "from . import config  # re-export\n"
    after = CASES_DIR / "relative_imports/after/app/core/config.py"
    assert (project / "app/core/config.py").read_bytes() == after.read_bytes()
    assert (status, out, err) == (0, "", "Found 5 findings (5 fixed, 0 remaining).\n")


def test_add_noqa_never_touches_a_shebang(tmp_path: Path, monkeypatch, capsys) -> None:
    script = tmp_path / "tests/test_script.py"
    script.parent.mkdir()
    source = "#!/usr/bin/env python3\nimport os\nX = os.environ['A']\n\n\ndef test_x():\n    assert X\n"
    script.write_text(source)
    status, out, err = run_main(["--isolated", "--add-noqa", "."], tmp_path, monkeypatch, capsys)
    assert script.read_text() == source.replace("['A']\n", "['A']  # noqa: SOT301\n")
    assert (status, err) == (1, "Added 1 noqa comment.\n")
    assert out.startswith("./tests/test_script.py:1:1: SOT201 ")  # left: its line is the shebang


def test_every_rule_fixture_fixes_to_valid_idempotent_code(tmp_path: Path) -> None:
    """Every fixture of every rule, fixed with all fixes configured: the result
    parses, has no fixable finding left, and fixing it again changes nothing."""
    from flake8_ssot.fixes.apply import fix_source
    from flake8_ssot.project import load_settings
    from tests.expectations import FIXTURE_OPTIONS, all_fixtures, materialise, render_setup_cfg
    fixtures = [fixture for fixture in all_fixtures() if not fixture.is_stdin]
    materialise(fixtures, tmp_path)
    for directory in {(tmp_path / fixture.virtual_path).parent for fixture in fixtures}:
        for package in (directory, *directory.parents):
            if package == tmp_path:
                break
            (package / "__init__.py").touch()  # every fixture in a package: SOT501 fixable
    (tmp_path / "setup.cfg").write_text(render_setup_cfg({
        **FIXTURE_OPTIONS, "extend-select": "SOT",
        "ssot-environ-accessor": "shared.isolated_environment.get_env",
        "ssot-base-imports": "SSotBaseTestCase = test_framework.ssot.base_test_case, "
                             "SSotAsyncTestCase = test_framework.ssot.base_test_case",
    }))
    settings = load_settings(cwd=str(tmp_path))
    fixed_somewhere = set()
    for fixture in fixtures:
        path = str(tmp_path / fixture.virtual_path)
        data = fixture.text.encode()
        once = fix_source(data, path, settings, safeties=("safe", "unsafe"))
        compile(once.data, path, "exec")
        assert not once.available, (fixture.id, once.available)
        again = fix_source(once.data, path, settings, safeties=("safe", "unsafe"))
        assert again.data == once.data, fixture.id
        assert again.fixed == 0, fixture.id
        before, after = Counter(f.code for f in once.original), Counter(f.code for f in once.findings)
        fixed_somewhere.update(code for code in before if after[code] < before[code])
    assert {"SOT301", "SOT302", "SOT401", "SOT501"} <= fixed_somewhere


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_page_states_the_fix_safety_the_code_has(code: str) -> None:
    page = (Path(__file__).parent.parent / RULES[code].docs_path).read_text(encoding="utf-8")
    section = page.split("\n## Fix safety\n\n", 1)[1]
    if code in FIXABLE:
        assert section.startswith(f"**{FIXABLE[code][0].capitalize()}**, and available *sometimes*")
    else:
        assert section.startswith("No fix: ")


def test_a_fix_that_fails_costs_its_fixes_not_the_run(tmp_path: Path, monkeypatch, capsys) -> None:
    project = copy_case("environ", tmp_path)

    def failing(ctx, document, codes):
        raise KeyError("bug")
        yield  # a generator, as the real producers are

    monkeypatch.setattr(environ_fixes, "fixes", failing)
    status, out, err = run_main(["--fix", "--unsafe-fixes", "app"], project, monkeypatch, capsys)
    assert status == 1
    assert " SOT301 " in out
    assert "app/settings.py: no fixes: internal error KeyError: 'bug'" in err
    assert tree_of(project) == tree_of(CASES_DIR / "environ/before")
