"""CI formats: GitHub workflow annotations, SARIF 2.1.0, JSON; from ssot-check and flake8 alike.

The SARIF schema is not available offline, so the log is checked against
the properties SARIF 2.1.0 requires and code-scanning consumers read
(required members, types, 1-based regions, rule ids and indexes, URI base
ids), and its fingerprints against the baseline file's keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from flake8_ssot import cli
from flake8_ssot.formats import Result, github, github_annotation, sarif
from flake8_ssot.registry import RULES
from tests.expectations import PAYMENT_TESTS, run_flake8, run_ssot_check

SOURCE = '''"""Payment flow against the real gateway."""
''' + PAYMENT_TESTS
PAYMENTS = "tests/integration/test_payments.py"
LEVELS = {"none", "note", "warning", "error"}
FINGERPRINT = re.compile(r"^[0-9a-f]{32}:[1-9][0-9]*$")


def make_project(root: Path, source: str = SOURCE) -> None:
    (root / "setup.cfg").write_text("[flake8]\nselect = SOT,E9\n", encoding="utf-8")
    target = root / PAYMENTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")


def ssot_check(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.chdir(root)
    cli.main(["-j", "1", *args])
    return capsys.readouterr().out


# --------------------------------------------------------------------- GitHub
@pytest.mark.parametrize(("result", "expected"), [
    (Result("./tests/test_x.py", 3, 5, "SOT101", "MagicMock() creates a mock"),
     "::error file=tests/test_x.py,line=3,col=5,title=SOT101::MagicMock() creates a mock"),
    # GitHub's toolkit escapes %, CR and LF in the message, and also : and , in properties
    (Result("a,b:c%.py", 1, 1, "SOT202", "BVJ is missing Value Impact, 100%\r\nfix: it"),
     "::error file=a%2Cb%3Ac%25.py,line=1,col=1,title=SOT202::BVJ is missing Value Impact, 100%25%0D%0Afix: it"),
    # a file that cannot be read has no line
    (Result("gone.py", 0, 1, "E902", "FileNotFoundError: x"), "::error file=gone.py,title=E902::FileNotFoundError: x"),
])
def test_github_annotations_are_escaped(result: Result, expected: str) -> None:
    assert github_annotation(result) == expected
    assert github([result, result]) == f"{expected}\n{expected}\n"


def test_ssot_check_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path)
    assert ssot_check(tmp_path, monkeypatch, capsys, "--format", "github").splitlines() == [
        f"::error file={PAYMENTS},line=1,col=1,title=SOT201::test module has no Business Value "
        "Justification (BVJ) in its docstring",
        f"::error file={PAYMENTS},line=7,col=15,title=SOT101::MagicMock() creates a mock in integration scope "
        "(tests/integration/ in the path); exercise the real service",
        f"::error file={PAYMENTS},line=12,col=13,title=SOT301::os.environ accessed directly; "
        "go through the project's isolated-environment module (name it in ssot-environ-allowed-paths)",
    ]


# ---------------------------------------------------------------------- SARIF
def check_sarif(log: dict[str, Any]) -> list[dict[str, Any]]:
    """The properties SARIF 2.1.0 requires (and consumers rely on); returns the results."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://") and "sarif" in log["$schema"]
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "flake8-ssot" and isinstance(driver["version"], str)
    assert urlparse(driver["informationUri"]).scheme == "https"
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)) and set(RULES) <= set(ids)
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert isinstance(rule[key]["text"], str) and rule[key]["text"], (rule["id"], key)
        assert rule["defaultConfiguration"]["level"] in LEVELS
        assert "helpUri" not in rule or urlparse(rule["helpUri"]).scheme
    for code, rule in RULES.items():
        entry = rules[ids.index(code)]
        assert (entry["name"], entry["shortDescription"]["text"]) == (rule.name, rule.summary)
        assert entry["defaultConfiguration"]["enabled"] == rule.default_enabled
    bases = run["originalUriBaseIds"]
    for base in bases.values():
        assert urlparse(base["uri"]).scheme == "file" and base["uri"].endswith("/")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS and isinstance(result["message"]["text"], str)
        location = result["locations"][0]["physicalLocation"]
        artifact = location["artifactLocation"]
        if "uriBaseId" in artifact:
            assert artifact["uriBaseId"] in bases and not urlparse(artifact["uri"]).scheme
        else:
            assert urlparse(artifact["uri"]).scheme == "file"
        region = location.get("region", {"startLine": 1, "startColumn": 1})
        assert all(type(region[key]) is int and region[key] >= 1 for key in ("startLine", "startColumn"))
        assert all(FINGERPRINT.match(value) for value in result.get("partialFingerprints", {}).values())
    return run["results"]


def located(results: list[dict[str, Any]]) -> list[tuple[str, str, int, int, str]]:
    return [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"],
         r["locations"][0]["physicalLocation"]["region"]["startColumn"], r["partialFingerprints"]["ssotBaseline/v1"])
        for r in results
    ]


def test_sarif_log_is_well_formed_and_matches_the_json_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path)
    (tmp_path / "app").mkdir()
    # a test module: ssot-check parses it whatever it contains (see triggers.py)
    (tmp_path / "app" / "broken_test.py").write_text("def f(:\n", encoding="utf-8")
    results = check_sarif(json.loads(ssot_check(tmp_path, monkeypatch, capsys, "--format", "sarif")))
    rows = json.loads(ssot_check(tmp_path, monkeypatch, capsys, "--format", "json"))
    assert [(r["ruleId"], r["message"]["text"]) for r in results] == [(row["code"], row["message"]) for row in rows]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in results] == [
        (row["path"].removeprefix("./"), row["line"], row["column"]) for row in rows]
    assert [r["ruleId"] for r in results] == ["E999", "SOT201", "SOT101", "SOT301"]


def test_fingerprints_are_the_baseline_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path, SOURCE.replace("    gateway = MagicMock()\n", "    gateway = MagicMock()\n" * 2))
    ssot_check(tmp_path, monkeypatch, capsys, "--write-baseline", "base.json")
    entries = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))["findings"]
    expected = [f"{entry['fingerprint']}:{n}" for entry in entries for n in range(1, entry["count"] + 1)]
    results = check_sarif(json.loads(ssot_check(tmp_path, monkeypatch, capsys, "--format", "sarif")))
    assert sorted(r["partialFingerprints"]["ssotBaseline/v1"] for r in results) == sorted(expected)


def test_fingerprints_survive_moves_and_tell_duplicates_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    make_project(tmp_path)
    before = located(check_sarif(json.loads(ssot_check(tmp_path, monkeypatch, capsys, "--format", "sarif"))))
    ssot_check(tmp_path, monkeypatch, capsys, "--write-baseline", "base.json")
    moved = "# Copyright\n\n" + SOURCE.replace("    gateway = MagicMock()\n", "    gateway = MagicMock()\n" * 2)
    (tmp_path / PAYMENTS).write_text(moved, encoding="utf-8")
    after = located(check_sarif(json.loads(ssot_check(tmp_path, monkeypatch, capsys, "--format", "sarif"))))
    mock_before = next(item for item in before if item[0] == "SOT101")
    mocks_after = [item for item in after if item[0] == "SOT101"]
    assert [item[4] for item in mocks_after] == [mock_before[4], mock_before[4].replace(":1", ":2")]
    assert mocks_after[0][2] == mock_before[2] + 2  # moved down, same fingerprint
    # with the baseline applied only the copy is reported, with the same fingerprint as without it
    new = located(check_sarif(json.loads(ssot_check(tmp_path, monkeypatch, capsys, "--format", "sarif",
                                                    "--baseline", "base.json"))))
    assert [item for item in new if item[0] == "SOT101"] == mocks_after[1:]


def test_a_file_outside_the_root_has_an_absolute_uri(tmp_path: Path) -> None:
    root = tmp_path / "project"
    outside = tmp_path / "elsewhere" / "x y.py"
    log = json.loads(sarif([Result(str(outside), 2, 1, "SOT301", "m"), Result(str(root / "a b.py"), 2, 1, "X1", "m")],
                           str(root)))
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert locations == [{"uri": outside.as_uri()}, {"uri": "a%20b.py", "uriBaseId": "%SRCROOT%"}]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[-1]["id"] == "X1"  # a code from another plugin gets a rule too


# ---------------------------------------------------------------- under flake8
@pytest.mark.slow
@pytest.mark.parametrize("name", ["github", "json"])
def test_flake8_formatters_print_what_ssot_check_prints(tmp_path: Path, name: str) -> None:
    make_project(tmp_path)
    flake8 = run_flake8(f"--format=ssot-{name}", "--select=SOT", "tests", cwd=tmp_path)
    ours = run_ssot_check(f"--format={name}", "--select=SOT", "tests", cwd=tmp_path)
    assert (flake8.returncode, flake8.stdout) == (ours.returncode, ours.stdout) == (1, ours.stdout), flake8.stderr
    assert ours.stdout.count("SOT") == 3


@pytest.mark.slow
def test_flake8_sarif_has_ssot_checks_fingerprints_with_and_without_a_baseline(tmp_path: Path) -> None:
    make_project(tmp_path)
    run_ssot_check("--write-baseline", "base.json", cwd=tmp_path)
    (tmp_path / PAYMENTS).write_text(SOURCE.replace("    gateway = MagicMock()\n", "    gateway = MagicMock()\n" * 2),
                                     encoding="utf-8")
    for flake8_args, our_args, reported in (([], [], 4), (["--ssot-baseline=base.json"], ["--baseline=base.json"], 1)):
        flake8 = run_flake8("--format=ssot-sarif", "--select=SOT", *flake8_args, "tests", cwd=tmp_path)
        ours = run_ssot_check("--format=sarif", "--select=SOT", *our_args, "tests", cwd=tmp_path)
        assert flake8.returncode == ours.returncode == 1, flake8.stderr
        flake8_results = located(check_sarif(json.loads(flake8.stdout)))
        assert flake8_results == located(check_sarif(json.loads(ours.stdout)))
        assert len(flake8_results) == reported
    assert flake8_results[0][0] == "SOT101" and flake8_results[0][4].endswith(":2")
