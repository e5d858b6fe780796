"""What pytest collects decides what a test is: the project's pytest configuration.

Each directory under tests/fixtures/projects/ is a small project with its own
pytest configuration file(s) and annotated modules (``# expect:`` beside the
lines, as in the other fixtures).  It is copied as it is and checked by the
core, by real flake8 and by ``ssot-check``, from the project's root and
from a subdirectory.  The unit tests below pin down how the configuration
is found and read, as pytest finds and reads it.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from flake8_ssot.checker import check_tree
from flake8_ssot.config import ConfigError
from flake8_ssot.project import load_settings
from flake8_ssot.pytest_config import DEFAULT_CLASSES, DEFAULT_FILES, TestNames, find_test_names
from flake8_ssot.report import main as report_main
from tests.expectations import parse_fixture, parse_report, run_flake8, run_ssot_check, write_tree

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
PROJECT_NAMES = sorted(path.name for path in PROJECTS.iterdir() if path.is_dir())
SELECT = "--select=SOT"


def _materialise(name: str, root: Path) -> dict[str, frozenset[tuple[int, str]]]:
    """Copy a project, annotations removed; its expected findings by path."""
    shutil.copytree(PROJECTS / name, root)
    expected = {}
    for source in sorted((PROJECTS / name).rglob("*.py")):
        fixture = parse_fixture(source)
        assert fixture.virtual_path == source.relative_to(PROJECTS / name).as_posix()
        (root / fixture.virtual_path).write_text(fixture.text, encoding="utf-8")
        expected[fixture.virtual_path] = fixture.expected
    return expected


def _found(output: str, prefix: str = "") -> dict[str, frozenset[tuple[int, str]]]:
    return {prefix + path: frozenset(found) for path, found in parse_report(output).items()}


@pytest.mark.parametrize("name", PROJECT_NAMES)
def test_core_follows_the_projects_pytest_configuration(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    expected = _materialise(name, root)
    settings = load_settings(cwd=str(root), paths=[str(root)], isolated=True)
    for path, codes in expected.items():
        text = (root / path).read_text(encoding="utf-8")
        found = check_tree(ast.parse(text), text.splitlines(True), str(root / path), settings.config)
        assert {(f.line, f.code) for f in found} == codes, path


@pytest.mark.slow
@pytest.mark.parametrize("name", PROJECT_NAMES)
@pytest.mark.parametrize("command", [run_flake8, run_ssot_check], ids=["flake8", "ssot-check"])
def test_command_line_follows_the_projects_pytest_configuration(name: str, command, tmp_path: Path) -> None:
    root = tmp_path / name
    expected = {path: codes for path, codes in _materialise(name, root).items() if codes}
    result = command(SELECT, ".", cwd=root)
    assert (result.returncode, result.stderr) == (1, "")
    assert _found(result.stdout) == expected
    # From a subdirectory the configuration is still found upwards (pytest's rule).
    subdirectory = next(path for path in expected if "/" in path).rsplit("/", 1)[0]
    result = command(SELECT, ".", cwd=root / subdirectory)
    assert _found(result.stdout, subdirectory + "/") == {
        path: codes for path, codes in expected.items() if path.startswith(subdirectory + "/")
    }


def test_the_report_counts_what_pytest_collects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "star_tests"
    _materialise("star_tests", root)
    monkeypatch.chdir(root)
    assert report_main(["--format", "json", "--isolated", "."]) == 0
    document = json.loads(capsys.readouterr().out)
    # orders_tests.py and ledger_tests.py are test modules; helpers.py is not.
    assert document["files"]["test_modules"] == 2
    # OrderFlowTests, CheckoutTestCase, RefundTests, LedgerTests; not TestData, TestSupport, OrderBuilder.
    assert document["tests"]["test_classes"] == 4
    assert document["tests"]["test_functions"] == 4


# ---------------------------------------------------------------- discovery
@pytest.mark.parametrize(("files", "decides"), [
    ({"pytest.ini": "[pytest]\npython_classes = Check\n", "pyproject.toml":
      '[tool.pytest.ini_options]\npython_classes = ["*Tests"]\n'}, "pytest.ini"),
    # pytest.ini decides even without a [pytest] section; tox.ini and setup.cfg need theirs
    ({"pytest.ini": "", "tox.ini": "[pytest]\npython_classes = Check\n"}, "pytest.ini"),
    ({"tox.ini": "[tox]\nenvlist = py\n", "setup.cfg": "[tool:pytest]\npython_classes = Check\n"}, "setup.cfg"),
    ({"pyproject.toml": "[tool.black]\n", "tox.ini": "[pytest]\npython_classes = Check\n"}, "tox.ini"),
    ({".pytest.toml": '[pytest]\npython_classes = ["Check"]\n', "pytest.ini": "[pytest]\n"}, ".pytest.toml"),
    ({"pyproject.toml": '[tool.pytest]\npython_classes = ["Check"]\n'}, "pyproject.toml"),
])
def test_the_first_file_that_matches_decides(tmp_path: Path, files: dict[str, str], decides: str) -> None:
    names = find_test_names(str(write_tree(tmp_path, files)))
    assert names.config_file == str(tmp_path / decides)


def test_the_nearest_directory_decides_and_options_are_never_merged(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "setup.cfg": "[tool:pytest]\npython_files = check_*.py\npython_classes = Check\n",
        "service/pytest.ini": "[pytest]\npython_classes = *Tests Test\n",
        "service/tests/unit/x.py": "",
    })
    names = find_test_names(str(tmp_path / "service" / "tests" / "unit"))
    assert names.config_file == str(tmp_path / "service" / "pytest.ini")
    assert (names.files, names.classes) == (DEFAULT_FILES, ("*Tests", "Test"))
    assert names.origins == ("pytest's default", names.config_file, "pytest's default")
    assert find_test_names(str(tmp_path)).files == ("check_*.py",)


def test_no_configuration_means_pytests_defaults(tmp_path: Path) -> None:
    assert find_test_names(str(tmp_path)) == TestNames()


@pytest.mark.parametrize(("value", "classes"), [
    ('"Test *Tests"', ("Test", "*Tests")),  # an ini-style string, split like pytest's args
    ('["Test", "*Suite"]', ("Test", "*Suite")),
])
def test_values_are_split_as_pytest_splits_them(tmp_path: Path, value: str, classes: tuple[str, ...]) -> None:
    write_tree(tmp_path, {"pyproject.toml": f"[tool.pytest.ini_options]\npython_classes = {value}\n"})
    assert find_test_names(str(tmp_path)).classes == classes


@pytest.mark.parametrize(("name", "collected"), [
    ("TestOrders", True), ("OrderTests", True), ("Testimony", True),  # prefixes match as prefixes
    ("OrdersTest", False), ("tests", False),
])
def test_class_names_match_as_prefix_or_glob(name: str, collected: bool) -> None:
    assert TestNames(classes=("Test", "*Tests")).is_test_class_name(name) is collected


@pytest.mark.parametrize(("basename", "absolute", "collected"), [
    ("test_x.py", "/p/test_x.py", True), ("x_test.py", "/p/x_test.py", True), ("conftest.py", "/p/conftest.py", True),
    ("x_tests.py", "/p/x_tests.py", False), ("test_x.txt", "/p/test_x.txt", False),
])
def test_default_file_names(basename: str, absolute: str, collected: bool) -> None:
    assert TestNames().is_test_file(basename, absolute) is collected


def test_a_file_pattern_with_a_slash_matches_the_end_of_the_path() -> None:
    names = TestNames(files=("checks/*.py",))
    assert names.is_test_file("orders.py", "/repo/checks/orders.py")
    assert not names.is_test_file("orders.py", "/repo/app/orders.py")


@pytest.mark.parametrize("files", [
    {"pyproject.toml": "[tool.pytest.ini_options\npython_classes = 1\n"},  # malformed TOML
    {"pyproject.toml": "[tool.pytest.ini_options]\npython_classes = 1\n"},  # not a string or list
    {"pytest.ini": "[pytest]\npython_files = 'unclosed\n"},  # shlex cannot split it
    {"pytest.ini": "[pytest]\npython_files =\n"},  # empty: pytest would collect nothing
    {"tox.ini": "python_files = test_*.py\n"},  # no section header
])
def test_a_malformed_pytest_configuration_is_one_clear_line(tmp_path: Path, files: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        find_test_names(str(write_tree(tmp_path, files)))
    message = str(raised.value)
    assert message.startswith("flake8-ssot: ") and "\n" not in message and str(tmp_path) in message


@pytest.mark.slow
def test_the_command_line_reports_a_malformed_pytest_configuration(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pytest.ini": "[pytest\npython_files = test_*.py\n", "tests/test_x.py": ""})
    result = run_ssot_check(".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("flake8-ssot: cannot read pytest configuration ")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_options_override_the_pytest_configuration(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pytest.ini": "[pytest]\npython_classes = *Tests\n"})
    settings = load_settings({"ssot-python-classes": "Check"}, cwd=str(tmp_path), paths=["."], isolated=True)
    names = settings.config.test_names
    assert (names.classes, names.files) == (("Check",), DEFAULT_FILES)
    assert names.origins[1] == "option ssot-python-classes"
    assert names.classes != DEFAULT_CLASSES
