"""ssot-report: every number is a count over a small project with known answers,
and agrees with what ssot-check prints for the same project."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flake8_ssot import cli, report
from flake8_ssot.progress import Progress
from flake8_ssot.registry import RULES

BVJ = '''"""{title}.

Business Value Justification:
- Segment: Enterprise
- Business Goal: Payments succeed
- Value Impact: {value}
- Strategic Impact: Revenue
"""
'''
# Each file says what it contributes; the expected report is spelled out below.
PROJECT = {
    "setup.cfg": "[flake8]\nssot-environ-allowed-paths = shared/env.py\n",
    # allowed to read the environment: no finding
    "shared/env.py": "import os\n\n\ndef get_env(key):\n    return os.environ.get(key)\n",
    "app/settings.py": 'import os\n\nDEBUG = os.getenv("DEBUG")\n',  # SOT302
    # unit: a plain test class (no SSOT base, which unit scope does not require), 3 tests
    "tests/unit/test_models.py": BVJ.format(title="Models", value="Data stays valid") + '''

def test_defaults():
    assert True


class TestModel:
    def test_name(self):
        assert True

    def test_age(self):
        assert True
''',
    # no BVJ (SOT201), a unittest.TestCase (SOT401) and a class on an SSOT base: 2 tests
    "tests/unit/test_legacy.py": '''"""Legacy tests."""
import unittest

from test_framework.ssot.base_test_case import SSotBaseTestCase


class TestLegacy(unittest.TestCase):
    def test_old(self):
        self.assertTrue(True)


class TestOnBase(SSotBaseTestCase):
    def test_new(self):
        assert True
''',
    # integration: a placeholder field (SOT204), a mock (SOT101), os.environ (SOT301); 2 tests
    "tests/integration/test_payments.py": BVJ.format(title="Payments", value="TBD") + '''import os
from unittest.mock import MagicMock

from test_framework.ssot.base_test_case import SSotAsyncTestCase


class TestPayments(SSotAsyncTestCase):
    async def test_charge(self):
        assert MagicMock()

    async def test_token(self):
        assert os.environ["TOKEN"]
''',
    # a real-service test module with no tests, so no BVJ needed
    "tests/integration/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef gateway():\n    return object()\n",
    # e2e: a class on an imported base the checker cannot follow, and one on no base (SOT402)
    "tests/e2e/test_flow.py": BVJ.format(title="Flow", value="Users finish checkout") + '''
from tests.e2e.helpers import BaseE2E


class TestFlow(BaseE2E):
    def test_checkout(self):
        assert True


class TestRaw:
    def test_raw(self):
        assert True
''',
    # a unit file with one e2e-marked test that requests mocker (SOT103): real-service by marker
    "tests/unit/test_marked.py": BVJ.format(title="Marked", value="Agents answer") + '''import pytest


@pytest.mark.e2e
def test_agent(mocker):
    assert mocker


def test_plain():
    assert True
''',
    # SOT505 is off by default
    "tests/unit/test_sleep.py": BVJ.format(title="Sleep", value="Jobs finish") + '''import time


def test_waits():
    time.sleep(1)
    assert True
''',
    "tests/unit/test_broken.py": "def test_broken(:\n    pass\n",  # E999
    "tests/unit/test_skipped.py": "# flake8: noqa\nimport os\nos.environ['X']\n",  # skipped by flake8
}

EXPECTED_FILES = {
    "python_files": 11, "checked": 9, "skipped": 1, "not_parsed": 1, "not_checked": 0,
    "test_modules": 7, "test_modules_with_tests": 6,
    "real_service_modules": 4, "e2e_modules": 2, "integration_modules": 2,
}
EXPECTED_TESTS = {
    "test_functions": 12, "test_classes": 6, "test_classes_on_ssot_base": 3, "test_classes_base_unresolved": 1,
}
EXPECTED_FINDINGS = {
    "SOT101": 1, "SOT103": 1, "SOT201": 1, "SOT204": 1, "SOT301": 1, "SOT302": 1, "SOT401": 1, "SOT402": 1,
    "E999": 1,
}
EXPECTED_SHARES = {  # numerator, denominator, percent (rounded down)
    "bvj_complete": (4, 6, 66.6),  # test_legacy (SOT201) and test_payments (SOT204) fail it
    "doubles_free": (2, 4, 50.0),  # test_payments (SOT101) and test_marked (SOT103) fail it
    "ssot_base": (3, 6, 50.0),  # TestOnBase, TestPayments, TestFlow (unresolved base)
    "environ_clean": (7, 9, 77.7),  # app/settings.py and test_payments fail it
}


def make_project(root: Path) -> None:
    for relative, text in PROJECT.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def run_report(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    status = report.main(["-j", "1", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def json_report(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                *args: str) -> dict[str, Any]:
    status, out, err = run_report(root, monkeypatch, capsys, "--format", "json", *args)
    assert (status, err) == (0, "")
    return json.loads(out)


def ssot_check_rows(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                    *args: str) -> list[dict[str, Any]]:
    monkeypatch.chdir(root)
    cli.main(["-j", "1", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_project(tmp_path)
    return tmp_path


# ------------------------------------------------------------ known answers
def test_counts_and_shares_are_the_known_answers(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    document = json_report(project, monkeypatch, capsys)
    assert document["schema_version"] == 1
    assert document["files"] == EXPECTED_FILES
    assert document["tests"] == EXPECTED_TESTS
    assert {row["code"]: row["findings"] for row in document["codes"] if row["findings"]} == EXPECTED_FINDINGS
    assert document["findings"] == {"total": 9, "files": 6}
    shares = {name: (s["numerator"], s["denominator"], s["percent"]) for name, s in document["shares"].items()}
    assert shares == EXPECTED_SHARES
    assert document["not_parsed"] == [
        {"path": "./tests/unit/test_broken.py", "reason": "line 1: SyntaxError: invalid syntax"}]
    assert document["not_checked"] == []
    assert document["directories"] == [
        {"path": "tests/unit", "findings": 4, "files": 3},
        {"path": "tests/integration", "findings": 3, "files": 1},
        {"path": "app", "findings": 1, "files": 1},
        {"path": "tests/e2e", "findings": 1, "files": 1},
    ]
    off = {row["code"] for row in document["codes"] if not row["checked"]}
    assert off == {code for code, rule in RULES.items() if not rule.default_enabled}


def test_every_number_agrees_with_ssot_check(project: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    document = json_report(project, monkeypatch, capsys)
    rows = ssot_check_rows(project, monkeypatch, capsys)
    assert document["findings"]["total"] == len(rows)
    assert document["findings"]["files"] == len({row["path"] for row in rows})
    by_code = Counter(row["code"] for row in rows)
    files_by_code = {code: len({row["path"] for row in rows if row["code"] == code}) for code in by_code}
    for entry in document["codes"]:
        assert (entry["findings"], entry["files"]) == (by_code[entry["code"]], files_by_code.get(entry["code"], 0))
    for family in document["families"]:
        members = [row for row in rows if (RULES[row["code"]].family if row["code"] in RULES else "flake8")
                   == family["family"]]
        assert (family["findings"], family["files"]) == (len(members), len({row["path"] for row in members}))
    by_directory = Counter(row["path"].rsplit("/", 1)[0].removeprefix("./") for row in rows)
    assert {d["path"]: d["findings"] for d in document["directories"]} == by_directory
    files = document["files"]
    assert files["checked"] + files["skipped"] + files["not_parsed"] + files["not_checked"] == files["python_files"]
    assert files["e2e_modules"] + files["integration_modules"] == files["real_service_modules"]
    assert [item["path"] for item in document["not_parsed"]] == [row["path"] for row in rows if row["code"] == "E999"]
    # every file ssot-check names with a share's code is outside that share's numerator
    for share in ("bvj_complete", "doubles_free", "environ_clean"):
        entry = document["shares"][share]
        failing = {row["path"] for row in rows if row["code"] in entry["codes"]}
        assert entry["numerator"] == entry["denominator"] - len(failing)


def test_the_walk_is_ssot_checks(project: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (project / "setup.cfg").write_text(PROJECT["setup.cfg"] + "extend-exclude = tests/e2e\n", encoding="utf-8")
    document = json_report(project, monkeypatch, capsys)
    assert document["files"]["python_files"] == 10
    assert document["files"]["e2e_modules"] == 1  # test_marked only
    document = json_report(project, monkeypatch, capsys, "tests/unit")
    assert document["files"]["python_files"] == 6


def test_a_share_whose_codes_are_off_is_not_checked(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    document = json_report(project, monkeypatch, capsys, "--extend-ignore", "SOT204", "--extend-select", "SOT5")
    assert document["shares"]["bvj_complete"] == {
        "title": "test modules with a complete BVJ", "codes": ["SOT201", "SOT202", "SOT204"], "checked": False,
        "numerator": None, "denominator": 6, "percent": None,
    }
    codes = {row["code"]: row for row in document["codes"]}
    assert not codes["SOT204"]["checked"] and codes["SOT204"]["findings"] == 0
    assert codes["SOT505"]["checked"] and codes["SOT505"]["findings"] == 1
    assert document["shares"]["environ_clean"]["percent"] == 77.7


def test_only_a_complete_share_shows_100() -> None:
    assert report._percent(9999, 10000) == 99.9
    assert report._percent(10000, 10000) == 100.0
    assert report._percent(0, 0) is None


# ------------------------------------------------------------- the formats
def test_table(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_report(project, monkeypatch, capsys)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert re.search(r"^test modules with a complete BVJ\s+66\.6%\s+4 / 6$", out, re.M)
    assert re.search(r"^test classes on an SSOT base\s+50\.0%\s+3 / 6$", out, re.M)
    assert re.search(r"^Python files\s+11$", out, re.M)
    assert re.search(r"^SOT505 sleep-in-test\s+off$", out, re.M)
    assert re.search(r"^SOT101 mock-object-created\s+1\s+1$", out, re.M)
    assert "Files that did not parse (1)" in lines
    assert "  ./tests/unit/test_broken.py: line 1: SyntaxError: invalid syntax" in lines


def test_markdown(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_report(project, monkeypatch, capsys, "--format", "markdown")
    assert status == 0
    assert "| real-service modules free of test doubles | 50.0% | 2 / 4 |" in out
    assert "| `SOT402` missing-ssot-base | 1 | 1 |" in out
    assert "| `SOT302` direct-getenv | 1 | 1 |" in out
    assert "| `tests/unit` | 4 | 3 |" in out
    assert "- `./tests/unit/test_broken.py`: line 1: SyntaxError: invalid syntax" in out
    assert "| ↳ with tests | 6 |" in out


def test_json_keys_are_documented(project: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "report.md").read_text(encoding="utf-8")
    document = json_report(project, monkeypatch, capsys)
    for group in ("tool", "files", "tests", "findings"):
        for key in document[group]:
            assert f"{group}.{key}" in docs
    for name, share in document["shares"].items():
        assert f"`{name}`" in docs
        assert all(f".{key}" in docs for key in share)
    for group in ("families", "codes", "directories", "not_parsed", "not_checked"):
        assert f"{group}[]" in docs
        assert all(f".{key}" in docs for item in document[group] for key in item)


# ------------------------------------------------------------ the command
def test_progress_is_shown_on_a_terminal_only(project: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run_report(project, monkeypatch, capsys)[2] == ""  # captured stderr is no terminal
    stream = io.StringIO()
    progress = Progress(stream, "ssot-report")
    for done in range(1, 4):
        progress(done, 3)
    progress.finish()
    assert stream.getvalue().startswith("\rssot-report: checked 1/3 files")
    assert "\rssot-report: checked 3/3 files" in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_usage_and_configuration_errors_exit_2(project: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_report(project, monkeypatch, capsys, "-")
    assert (status, out) == (2, "") and "not standard input" in err
    status, out, err = run_report(project, monkeypatch, capsys, "--ssot-max-sleep", "soon")
    assert (status, out) == (2, "")
    assert err == "flake8-ssot: invalid value for ssot-max-sleep: 'soon' (expected a number)\n"


@pytest.mark.slow
def test_runs_in_a_subprocess_with_workers(project: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "flake8_ssot.report", "--format", "json", "-j", "2"],
                               cwd=project, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["files"] == EXPECTED_FILES
