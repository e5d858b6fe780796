"""``[tool.flake8]`` in pyproject.toml: read by every entry point as Flake8-pyproject reads it.

A project configured only through pyproject.toml gets the same findings from
``flake8`` (with Flake8-pyproject installed), ``ssot-check`` and
``ssot-report``; a typo or a bad value stops each of them with one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ssot import plugin
from tests.expectations import run_flake8, run_ssot_check

PYPROJECT = """\
[build-system]
requires = ["setuptools"]

[tool.flake8]
select = ["SOT", "E9"]
extend-exclude = ["backups"]
ssot-integration-paths = ["integration", "service_tests"]
ssot-environ-allowed-paths = "shared/env.py"
ssot-max-module-lines = 5
ssot-double-class-words = ["Mock", "Fake"]
per-file-ignores = ["app/legacy.py: SOT301"]
"""
FILES = {
    "shared/env.py": "import os\n\nVALUE = os.environ.get('X')\n",
    "app/settings.py": "import os\n\nTOKEN = os.environ['TOKEN']\n",
    "app/legacy.py": "import os\n\nTOKEN = os.environ['TOKEN']\n",
    "app/long.py": "A = 1\n" * 6,
    "backups/old.py": "import os\n\nTOKEN = os.environ['TOKEN']\n",
    "service_tests/test_api.py": '"""No BVJ."""\nfrom unittest.mock import MagicMock\n\n\n'
                                 "def test_api():\n    assert MagicMock()\n",
    "integration/conftest.py": "",  # so that every ssot-integration-paths entry matches a checked file
}
EXPECTED = [
    "./app/long.py:1:1: SOT502 module has 6 lines, more than ssot-max-module-lines (5); split it",
    "./app/settings.py:3:9: SOT301 os.environ accessed directly; go through the isolated-environment module "
    "(shared/env.py)",
    "./service_tests/test_api.py:1:1: SOT201 test module has no Business Value Justification (BVJ) in its docstring",
    "./service_tests/test_api.py:1:1: SOT502 module has 6 lines, more than ssot-max-module-lines (5); split it",
    "./service_tests/test_api.py:6:12: SOT101 MagicMock() creates a mock in integration scope "
    "(service_tests/ in the path); exercise the real service",
]


def make_project(root: Path, pyproject: str = PYPROJECT) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def test_ssot_check_reads_tool_flake8(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = run_ssot_check("--no-cache", ".", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == EXPECTED


def test_tool_flake8_replaces_the_other_config_files_as_in_flake8_pyproject(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = SOT5\nssot-max-module-lines = 100\n", encoding="utf-8")
    (tmp_path / "other.cfg").write_text("[flake8]\nselect = SOT5\n", encoding="utf-8")
    for extra in ([], ["--config", "other.cfg"], ["--append-config", "other.cfg"], ["--isolated"]):
        assert run_ssot_check("--no-cache", *extra, ".", cwd=tmp_path).stdout.splitlines() == EXPECTED, extra
    # a pyproject.toml without the table leaves setup.cfg in charge
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n", encoding="utf-8")
    assert run_ssot_check("--no-cache", ".", cwd=tmp_path).stdout == ""


def test_only_the_working_directory_or_toml_config_is_read(tmp_path: Path) -> None:
    make_project(tmp_path)
    # from a subdirectory, Flake8-pyproject reads no pyproject.toml: defaults apply
    below = run_ssot_check("--no-cache", "--isolated", ".", cwd=tmp_path / "app")
    default = "go through the project's isolated-environment module (name it in ssot-environ-allowed-paths)"
    assert below.stdout.splitlines() == [
        f"./legacy.py:3:9: SOT301 os.environ accessed directly; {default}",
        f"./settings.py:3:9: SOT301 os.environ accessed directly; {default}",
    ]
    named = run_ssot_check("--no-cache", "--toml-config", "../pyproject.toml", "long.py", cwd=tmp_path / "app")
    assert named.stdout.startswith("long.py:1:1: SOT502 ")
    missing = run_ssot_check("--toml-config", "nope.toml", ".", cwd=tmp_path)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == "flake8-ssot: the TOML config file does not exist: nope.toml\n"


BAD = {
    "typo": ("ssot-mock-alowed-targets = ['openai.*']\n",
             "flake8-ssot: unknown option ssot-mock-alowed-targets in pyproject.toml "
             "(did you mean ssot-mock-allowed-targets?)"),
    "bad value": ("ssot-max-sleep = 'soon'\n",
                  "flake8-ssot: invalid value for ssot-max-sleep: 'soon' (expected a number)"),
    "wrong type": ("ssot-bases = 3\n", "flake8-ssot: invalid value for ssot-bases: '3' ('3' is not a Python name)"),
    "a table": ("ssot-bases = {a = 1}\n", "flake8-ssot: invalid value for ssot-bases in pyproject.toml: expected a "
                                          "string, a number, a boolean or a list of strings"),
    "bad ignore code": ("extend-ignore = ['sot1']\n",
                        "flake8-ssot: unknown code 'sot1' in extend-ignore: not a code or prefix: codes match "
                        "^[A-Z]{1,3}[0-9]{0,3}$ (did you mean SOT1?)"),
}


@pytest.mark.parametrize(("line", "message"), BAD.values(), ids=BAD.keys())
def test_a_bad_key_or_value_is_one_line_and_exit_2(tmp_path: Path, line: str, message: str) -> None:
    make_project(tmp_path, "[tool.flake8]\n" + line)
    for command in ("flake8_ssot.cli", "flake8_ssot.report"):
        result = subprocess.run([sys.executable, "-m", command, "."], cwd=tmp_path, capture_output=True, text=True,
                                timeout=300)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n"), command


@pytest.mark.parametrize("text", ["[tool.flake8\n", "[tool]\nflake8 = 1\n", "a = 'x\n"])
def test_a_broken_pyproject_is_one_line_and_exit_2(tmp_path: Path, text: str) -> None:
    make_project(tmp_path, text)
    result = run_ssot_check(".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("flake8-ssot: ") and result.stderr.count("\n") == 1, result.stderr


def test_show_settings_names_each_value_and_where_it_came_from(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = run_ssot_check("--show-settings", "--ssot-max-sleep", "2", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == f"config file: {tmp_path / 'pyproject.toml'} [tool.flake8]"
    assert lines[1] == f"project root: {tmp_path} (the config file's directory)"
    shown = {line.split(" = ")[0].strip(): line.split(" = ", 1)[1] for line in lines if " = " in line}
    assert shown["ssot-max-module-lines"] == "5  (pyproject.toml)"
    assert shown["ssot-integration-paths"] == "integration, service_tests  (pyproject.toml)"
    assert shown["ssot-max-sleep"] == "2  (command line)"
    assert shown["ssot-e2e-paths"] == "e2e  (default)"
    assert shown["select"] == "SOT, E9  (pyproject.toml)"
    assert shown["ssot-mock-allowed-targets"] == "(none)  (default)"
    isolated = run_ssot_check("--show-settings", cwd=tmp_path / "app").stdout.splitlines()
    assert isolated[0] == "config file: (none; defaults and the command line only)"


def test_ssot_report_reads_tool_flake8(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = subprocess.run([sys.executable, "-m", "flake8_ssot.report", "--format", "json", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    codes = {row["code"]: row["findings"] for row in json.loads(result.stdout)["codes"] if row["findings"]}
    assert codes == {"SOT101": 1, "SOT201": 1, "SOT301": 1, "SOT502": 2}


@pytest.mark.slow
def test_flake8_with_flake8_pyproject_agrees_with_ssot_check(tmp_path: Path) -> None:
    make_project(tmp_path)
    flake8 = run_flake8(".", cwd=tmp_path)
    assert (flake8.returncode, flake8.stderr) == (1, "")
    assert flake8.stdout.splitlines() == EXPECTED
    bad = make_project(tmp_path / "bad", "[tool.flake8]\n" + BAD["typo"][0])
    result = run_flake8(".", cwd=bad)
    assert result.returncode != 0 and result.stderr.strip().splitlines()[-1] == BAD["typo"][1]
    assert "Traceback" not in result.stderr


def test_the_plugin_warns_when_flake8_cannot_read_tool_flake8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    plugin._warn_if_pyproject_is_ignored()
    assert capsys.readouterr().err == (
        "flake8-ssot: warning: flake8 ignores [tool.flake8] in pyproject.toml without the Flake8-pyproject plugin "
        "(pip install Flake8-pyproject); ssot-check reads it\n")
    (tmp_path / "pyproject.toml").write_text("[tool.black]\n", encoding="utf-8")
    plugin._warn_if_pyproject_is_ignored()
    assert capsys.readouterr().err == ""


def test_show_settings_names_the_appended_file_a_value_came_from(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = SOT\nssot-max-sleep = 1\n", encoding="utf-8")
    (tmp_path / "more.cfg").write_text("[flake8]\nssot_max_sleep = 2\n", encoding="utf-8")
    result = run_ssot_check("--show-settings", "--append-config", "more.cfg", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == f"config file: {tmp_path / 'setup.cfg'} [flake8], then {tmp_path / 'more.cfg'}"
    assert any(line.startswith("select ") and line.endswith("= SOT  (setup.cfg)") for line in lines)
    assert any(line.startswith("ssot-max-sleep ") and line.endswith("= 2  (more.cfg)") for line in lines)
