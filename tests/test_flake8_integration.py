"""Real flake8 runs in a temporary project: the plugin as users meet it."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_ssot import __version__
from tests.expectations import all_fixtures, materialise, parse_report, render_setup_cfg, run_flake8

pytestmark = pytest.mark.slow

BVJ = '''"""Payment flow tests.

Business Value Justification (BVJ):
- Segment: Enterprise
- Business Goal: Payments succeed
- Value Impact: Customers can pay
- Strategic Impact: Revenue
"""
'''
# In real-service scope: one SOT101, one SOT102 and one SOT301; in unit
# scope only the SOT301.
MOCKING_TEST = BVJ + '''import os
from unittest.mock import MagicMock, patch


def test_payment():
    gateway = MagicMock()
    with patch("payments.gateway.charge"):
        assert os.environ["STRIPE_KEY"] and gateway
'''
MARKED_TEST = BVJ + '''import pytest
from unittest.mock import MagicMock

pytestmark = pytest.mark.integration


def test_payment():
    assert MagicMock()
'''


def line_of(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.splitlines(), 1) if text in line)


MOCK_LINE = line_of(MOCKING_TEST, "MagicMock()")
PATCH_LINE = line_of(MOCKING_TEST, "with patch(")
ENVIRON_LINE = line_of(MOCKING_TEST, "os.environ")


def write(root: Path, files: dict[str, str], options: dict[str, str] | None = None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    root.joinpath("setup.cfg").write_text(render_setup_cfg(options or {}), encoding="utf-8")
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def findings(*args: str, cwd: Path, stdin: str | None = None) -> dict[str, set[tuple[int, str]]]:
    """{path as printed: {(line, code)}} of a flake8 run that must not crash."""
    result = run_flake8(*args, cwd=cwd, stdin=stdin)
    assert result.returncode in (0, 1), result.stderr
    assert not result.stderr
    return {path: set(found) for path, found in parse_report(result.stdout).items()}


ALL_THREE = {(MOCK_LINE, "SOT101"), (PATCH_LINE, "SOT102"), (ENVIRON_LINE, "SOT301")}


def test_version_lists_the_plugin(tmp_path: Path) -> None:
    result = run_flake8("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert f"flake8-ssot: {__version__}" in result.stdout


def test_findings_without_any_select(tmp_path: Path) -> None:
    write(tmp_path, {"tests/integration/test_pay.py": MOCKING_TEST})
    found = findings("tests", cwd=tmp_path)["tests/integration/test_pay.py"]
    assert {item for item in found if item[1].startswith("SOT")} == ALL_THREE


def test_noqa(tmp_path: Path) -> None:
    source = MOCKING_TEST.replace("MagicMock()\n", "MagicMock()  # noqa: SOT101\n").replace(
        '"payments.gateway.charge"):', '"payments.gateway.charge"):  # noqa').replace(
        '["STRIPE_KEY"] and gateway', '["STRIPE_KEY"] and gateway  # noqa: E501')
    write(tmp_path, {"tests/integration/test_pay.py": source})
    found = findings("--select=SOT", "tests", cwd=tmp_path)
    assert found == {"tests/integration/test_pay.py": {(ENVIRON_LINE, "SOT301")}}


def test_per_file_ignores(tmp_path: Path) -> None:
    files = {"tests/integration/test_pay.py": MOCKING_TEST, "tests/e2e/test_pay.py": MOCKING_TEST}
    write(tmp_path, files, {"per-file-ignores": "\n    tests/integration/*: SOT101,SOT3"})
    found = findings("--select=SOT", ".", cwd=tmp_path)
    assert found == {
        "tests/integration/test_pay.py": {(PATCH_LINE, "SOT102")},
        "tests/e2e/test_pay.py": ALL_THREE,
    }


@pytest.mark.parametrize(("options", "args", "expected"), [
    ({}, ["--select=SOT3"], {(ENVIRON_LINE, "SOT301")}),
    ({}, ["--select=SOT101,SOT102"], {(MOCK_LINE, "SOT101"), (PATCH_LINE, "SOT102")}),
    ({}, ["--select=SOT", "--ignore=SOT1"], {(ENVIRON_LINE, "SOT301")}),
    ({"select": "E501"}, ["--extend-select=SOT102"], {(PATCH_LINE, "SOT102")}),
    ({"select": "SOT", "extend-ignore": "SOT101"}, [], {(PATCH_LINE, "SOT102"), (ENVIRON_LINE, "SOT301")}),
], ids=["select-family", "select-codes", "ignore", "extend-select", "config-extend-ignore"])
def test_selection(tmp_path: Path, options: dict[str, str], args: list[str],
                   expected: set[tuple[int, str]]) -> None:
    write(tmp_path, {"tests/integration/test_pay.py": MOCKING_TEST}, options)
    assert findings(*args, "tests", cwd=tmp_path) == {"tests/integration/test_pay.py": expected}


def test_allowed_targets_from_setup_cfg(tmp_path: Path) -> None:
    write(tmp_path, {"tests/integration/test_pay.py": MOCKING_TEST, "tests/e2e/test_pay.py": MOCKING_TEST},
          {"ssot-mock-allowed-targets": "payments.gateway.*"})
    found = findings("--select=SOT1", ".", cwd=tmp_path)
    assert found == {
        "tests/integration/test_pay.py": {(MOCK_LINE, "SOT101")},
        "tests/e2e/test_pay.py": {(MOCK_LINE, "SOT101"), (PATCH_LINE, "SOT102")},  # e2e allows nothing
    }


def test_integration_paths_from_setup_cfg(tmp_path: Path) -> None:
    files = {"tests/contract/test_pay.py": MOCKING_TEST, "tests/integration/test_pay.py": MOCKING_TEST}
    write(tmp_path, files, {"ssot-integration-paths": "tests/contract"})
    found = findings("--select=SOT1", ".", cwd=tmp_path)
    assert found == {"tests/contract/test_pay.py": {(MOCK_LINE, "SOT101"), (PATCH_LINE, "SOT102")}}


@pytest.mark.parametrize("options", [{}, {"ssot-integration-paths": "tests/integration"}],
                         ids=["bare-default", "relative-to-config"])
def test_scope_when_run_from_a_subdirectory(tmp_path: Path, options: dict[str, str]) -> None:
    write(tmp_path, {"tests/integration/test_pay.py": MOCKING_TEST}, options)
    found = findings("--select=SOT1", "test_pay.py", cwd=tmp_path / "tests" / "integration")
    assert found == {"test_pay.py": {(MOCK_LINE, "SOT101"), (PATCH_LINE, "SOT102")}}


def test_explicit_config_file_resolves_paths_against_its_directory(tmp_path: Path) -> None:
    write(tmp_path / "project", {"tests/contract/test_pay.py": MOCKING_TEST})
    (tmp_path / "project" / "lint.cfg").write_text(
        render_setup_cfg({"ssot-integration-paths": "tests/contract"}), encoding="utf-8")
    found = findings("--select=SOT1", "--config", "project/lint.cfg", "project/tests", cwd=tmp_path)
    assert found == {"project/tests/contract/test_pay.py": {(MOCK_LINE, "SOT101"), (PATCH_LINE, "SOT102")}}


def test_absolute_path(tmp_path: Path) -> None:
    write(tmp_path, {"tests/e2e/test_pay.py": MOCKING_TEST})
    absolute = str(tmp_path / "tests" / "e2e" / "test_pay.py")
    assert findings("--select=SOT", absolute, cwd=tmp_path) == {absolute: ALL_THREE}


def test_stdin_with_display_name(tmp_path: Path) -> None:
    write(tmp_path, {})
    args = ("--select=SOT", "--stdin-display-name", "tests/e2e/test_pay.py", "-")
    assert findings(*args, cwd=tmp_path, stdin=MOCKING_TEST) == {"tests/e2e/test_pay.py": ALL_THREE}
    unit = findings("--select=SOT", "--stdin-display-name", "tests/unit/test_pay.py", "-",
                    cwd=tmp_path, stdin=MOCKING_TEST)
    assert unit == {"tests/unit/test_pay.py": {(ENVIRON_LINE, "SOT301")}}


def test_plain_stdin_is_scoped_by_pytestmark(tmp_path: Path) -> None:
    write(tmp_path, {})
    marked = findings("--select=SOT", "-", cwd=tmp_path, stdin=MARKED_TEST)
    assert marked == {"stdin": {(line_of(MARKED_TEST, "assert MagicMock()"), "SOT101")}}
    # Without a name or a marker, nothing says the code is a real-service test.
    assert findings("--select=SOT", "-", cwd=tmp_path, stdin=MOCKING_TEST) == {"stdin": {(ENVIRON_LINE, "SOT301")}}


@pytest.mark.parametrize("where", ["setup.cfg", "command line"])
def test_bad_option_value_is_one_line_without_traceback(tmp_path: Path, where: str) -> None:
    options = {"ssot-bases": "1bad"} if where == "setup.cfg" else {}
    write(tmp_path, {"tests/test_pay.py": MOCKING_TEST}, options)
    args = ["--ssot-bases=1bad"] if where == "command line" else []
    result = run_flake8(*args, "tests", cwd=tmp_path)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    assert "ssot-bases" in output
    assert "1bad" in output


def test_syntax_error_gives_e999_and_other_files_are_checked(tmp_path: Path) -> None:
    broken = BVJ + "def test_broken(:\n    pass\n"
    write(tmp_path, {"tests/integration/test_broken.py": broken, "tests/integration/test_pay.py": MOCKING_TEST})
    found = findings("--select=SOT,E999", "tests", cwd=tmp_path)
    assert {code for _line, code in found["tests/integration/test_broken.py"]} == {"E999"}
    assert found["tests/integration/test_pay.py"] == ALL_THREE


def test_jobs_two_equals_jobs_one(tmp_path: Path) -> None:
    write(tmp_path, {})
    named = [fixture for fixture in all_fixtures() if not fixture.is_stdin]
    for copy in ("first", "second"):
        materialise(named, tmp_path / copy)
    assert len(list(tmp_path.rglob("*.py"))) >= 60
    # Our plugin alone: flake8's others would be most of the time and change nothing we print.
    serial = run_flake8("--select=SOT", "--jobs", "1", ".", cwd=tmp_path, plugins="ssot")
    parallel = run_flake8("--select=SOT", "--jobs", "2", ".", cwd=tmp_path, plugins="ssot")
    assert serial.returncode == parallel.returncode == 1
    assert not serial.stderr
    assert not parallel.stderr
    assert sorted(parallel.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    assert len(serial.stdout.splitlines()) > 100


@pytest.mark.slow
def test_the_project_lints_itself_clean() -> None:
    """We run our own plugin (and pyflakes, pycodestyle, bugbear) over our code:
    those plugins only, as the others' codes are not selected."""
    root = Path(__file__).resolve().parent.parent
    result = run_flake8("--select=E,F,W,B,SOT", "flake8_ssot", "benchmarks", "hooks", "tests", cwd=root,
                        plugins="core+ssot+flake8-bugbear")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
