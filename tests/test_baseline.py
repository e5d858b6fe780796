"""Baselines: today's findings recorded, only new ones reported, by ssot-check and flake8 alike.

Each scenario edits a real project between a ``--write-baseline`` run and a
``--baseline`` run the way a developer would: code moves, lines are
re-indented, copied, fixed.  A baseline that cannot be used stops the run
with one line; it never passes silently.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from flake8_ssot import baseline as baseline_module
from flake8_ssot import cli
from flake8_ssot.baseline import Baseline, Key, keys_of, write_baseline
from flake8_ssot.config import ConfigError
from flake8_ssot.registry import Finding
from tests.expectations import PAYMENT_TESTS, parse_report, run_flake8, run_ssot_check

PAYMENTS = "tests/integration/test_payments.py"
SOURCE = '''"""Payment flow against the real gateway.

Business Value Justification:
- Segment: Enterprise
- Business Goal: Payments succeed
- Value Impact: Customers can pay
- Strategic Impact: Revenue
"""
''' + PAYMENT_TESTS
MOCK_LINE = "    gateway = MagicMock()\n"
ENVIRON_LINE = '    token = os.environ["GATEWAY_TOKEN"]\n'


def make_project(root: Path, config: str = "") -> Path:
    (root / "setup.cfg").write_text("[flake8]\n" + config, encoding="utf-8")
    target = root / PAYMENTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SOURCE, encoding="utf-8")
    return target


def ssot_check(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    monkeypatch.chdir(root)
    status = cli.main(["-j", "1", *args])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def codes(lines: list[str]) -> list[str]:
    return [line.split(": ", 1)[1].split()[0] for line in lines]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def invoke(*args: str) -> tuple[int, list[str], str]:
        return ssot_check(tmp_path, *args, monkeypatch=monkeypatch, capsys=capsys)
    return invoke


# --------------------------------------------------------------- the workflow
def test_baselined_findings_are_not_reported(tmp_path: Path, run) -> None:
    make_project(tmp_path)
    status, out, _ = run()
    assert (status, codes(out)) == (1, ["SOT101", "SOT301"])
    status, out, err = run("--write-baseline", "ssot-baseline.json")
    assert (status, out) == (0, [])
    assert err == ("flake8-ssot: recorded 2 findings in ssot-baseline.json\n"
                   "       1 SOT101 mock-object-created\n"
                   "       1 SOT301 direct-environ-access\n")
    assert run("--baseline", "ssot-baseline.json") == (0, [], "")


def test_moving_and_reindenting_code_keeps_findings_baselined(tmp_path: Path, run) -> None:
    target = make_project(tmp_path)
    run("--write-baseline", "base.json")
    moved = SOURCE.replace("import os\n", "import os\nimport json\n\n\nHEADERS = {}\n")
    moved = moved.replace(MOCK_LINE, "    if True:\n        gateway  =   MagicMock()\n")  # deeper, spaced out
    target.write_text(moved, encoding="utf-8")
    out = run()[1]
    assert codes(out) == ["SOT101", "SOT301"] and ":14:" not in out[0]  # still there, on other lines
    assert run("--baseline", "base.json") == (0, [], "")


def test_a_copy_of_a_baselined_line_is_new(tmp_path: Path, run) -> None:
    target = make_project(tmp_path)
    run("--write-baseline", "base.json")
    target.write_text(SOURCE.replace(MOCK_LINE, MOCK_LINE * 2), encoding="utf-8")
    status, out, _ = run("--baseline", "base.json")
    assert status == 1
    assert out == [f"./{PAYMENTS}:15:15: SOT101 MagicMock() creates a mock in integration scope "
                   "(tests/integration/ in the path); exercise the real service"]


def test_an_edited_line_is_new(tmp_path: Path, run) -> None:
    target = make_project(tmp_path)
    run("--write-baseline", "base.json")
    target.write_text(SOURCE.replace(MOCK_LINE, "    client = MagicMock()\n"), encoding="utf-8")
    assert codes(run("--baseline", "base.json")[1]) == ["SOT101"]


def test_fixed_findings_drop_out_when_the_baseline_is_rewritten(tmp_path: Path, run) -> None:
    target = make_project(tmp_path)
    run("--write-baseline", "base.json")
    target.write_text(SOURCE.replace(MOCK_LINE, "    gateway = RealGateway()\n"), encoding="utf-8")
    assert run("--baseline", "base.json") == (0, [], "")  # fixing never fails the run
    run("--write-baseline", "base.json")
    entries = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))["findings"]
    assert [entry["code"] for entry in entries] == ["SOT301"]
    target.write_text(SOURCE, encoding="utf-8")  # the fixed finding comes back: it is new again
    assert codes(run("--baseline", "base.json")[1]) == ["SOT101"]


def test_the_file_is_sorted_keyed_without_line_numbers_and_counted(tmp_path: Path, run) -> None:
    target = make_project(tmp_path)
    target.write_text(SOURCE.replace(ENVIRON_LINE, ENVIRON_LINE * 3), encoding="utf-8")
    (tmp_path / "baselines").mkdir()
    run("--write-baseline", "baselines/ssot.json")
    document = json.loads((tmp_path / "baselines" / "ssot.json").read_text(encoding="utf-8"))
    assert document["tool"] == "flake8-ssot" and document["schema_version"] == 2
    path = "../" + PAYMENTS  # relative to the baseline's directory
    mock_key = Key(path, "SOT101", "test_charge: gateway = MagicMock")
    environ_key = Key(path, "SOT301", "test_refund: token = os . environ [ s'GATEWAY_TOKEN' ]")
    assert document["findings"] == [
        {"path": path, "code": "SOT101", "text": mock_key.text, "count": 1, "fingerprint": mock_key.fingerprint},
        {"path": path, "code": "SOT301", "text": environ_key.text, "count": 3, "fingerprint": environ_key.fingerprint},
    ]
    assert run("--baseline", "baselines/ssot.json")[0] == 0
    target.write_text(SOURCE.replace(ENVIRON_LINE, ENVIRON_LINE * 4), encoding="utf-8")
    assert codes(run("--baseline", "baselines/ssot.json")[1]) == ["SOT301"]  # the fourth


def test_broken_files_are_baselined_by_file_and_code(tmp_path: Path, run) -> None:
    make_project(tmp_path)
    (tmp_path / "app").mkdir()
    # test modules: ssot-check parses them whatever they contain (see triggers.py)
    (tmp_path / "app" / "broken_test.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "app" / "latin_test.py").write_bytes(b"# -*- coding: nosuchcodec -*-\n")
    status, _, err = run("--write-baseline", "base.json")
    assert status == 0 and "       1 E999 syntax-error\n" in err
    entries = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))["findings"]
    assert {"path": "app/broken_test.py", "code": "E999", "text": ""} in [
        {key: entry[key] for key in ("path", "code", "text")} for entry in entries]
    assert run("--baseline", "base.json") == (0, [], "")
    # the syntax error moves: still the same broken file
    (tmp_path / "app" / "broken_test.py").write_text("\n\nx = 1\ndef f(:\n", encoding="utf-8")
    assert run("--baseline", "base.json") == (0, [], "")
    # a file that breaks after the baseline was written is new
    (tmp_path / "app" / "other_test.py").write_text("class C(\n", encoding="utf-8")
    status, out, _ = run("--baseline", "base.json")
    assert (status, codes(out)) == (1, ["E999"]) and "other_test.py" in out[0]


def test_a_version_1_baseline_still_matches_by_line_text(tmp_path: Path, run) -> None:
    target = make_project(tmp_path)
    path = PAYMENTS
    (tmp_path / "base.json").write_text(json.dumps({"tool": "flake8-ssot", "schema_version": 1, "findings": [
        {"path": path, "code": "SOT101", "text": "gateway = MagicMock()", "count": 1},
        {"path": path, "code": "SOT301", "text": 'token = os.environ["GATEWAY_TOKEN"]', "count": 1},
    ]}), encoding="utf-8")
    assert run("--baseline", "base.json") == (0, [], "")
    target.write_text(SOURCE.replace(MOCK_LINE, "    gateway = MagicMock(  )\n"), encoding="utf-8")
    assert codes(run("--baseline", "base.json")[1]) == ["SOT101"]  # version 1 keys are line text


def test_ssot_baseline_in_the_config_is_applied_and_overridden(tmp_path: Path, run) -> None:
    make_project(tmp_path, "ssot-baseline = base.json\n")
    (tmp_path / "other.json").write_text(json.dumps({"tool": "flake8-ssot", "schema_version": 1, "findings": []}))
    run("--write-baseline", "base.json")
    assert run() == (0, [], "")
    assert codes(run("--baseline", "other.json")[1]) == ["SOT101", "SOT301"]


def test_the_config_path_is_relative_to_the_config_file(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    make_project(tmp_path, "ssot-baseline = base.json\n")
    run("--write-baseline", "base.json")
    status, out, err = ssot_check(tmp_path / "tests", ".", monkeypatch=monkeypatch, capsys=capsys)
    assert (status, out, err) == (0, [], "")


# ---------------------------------------------------- baselines that cannot be used
BAD_BASELINES = {
    "not json": ("{", "is not valid JSON"),
    "another tool": (json.dumps({"tool": "ruff", "schema_version": 1, "findings": []}),
                     "is not a flake8-ssot baseline"),
    "future schema": (json.dumps({"tool": "flake8-ssot", "schema_version": 3, "findings": []}), "schema_version is 3"),
    "findings not a list": (json.dumps({"tool": "flake8-ssot", "schema_version": 1, "findings": {}}), "must be a list"),
    "entry without count": (json.dumps({"tool": "flake8-ssot", "schema_version": 1, "findings": [
        {"path": "a.py", "code": "SOT101", "text": "x"}]}), 'findings[0] must have "path"'),
    "zero count": (json.dumps({"tool": "flake8-ssot", "schema_version": 1, "findings": [
        {"path": "a.py", "code": "SOT101", "text": "x", "count": 0}]}), "count a positive integer"),
    "repeated entry": (json.dumps({"tool": "flake8-ssot", "schema_version": 1, "findings": [
        {"path": "a.py", "code": "SOT101", "text": "x", "count": 1}] * 2}), "findings[1] repeats an earlier entry"),
    "not utf-8": (b'{"tool": "flake8-ssot\xff"}', "cannot read baseline"),
}


@pytest.mark.parametrize(("content", "message"), BAD_BASELINES.values(), ids=BAD_BASELINES.keys())
def test_a_malformed_baseline_is_one_line_and_exit_2(tmp_path: Path, run, content: str | bytes, message: str) -> None:
    make_project(tmp_path)
    data = content if isinstance(content, bytes) else content.encode()
    (tmp_path / "base.json").write_bytes(data)
    status, out, err = run("--baseline", "base.json")
    assert (status, out) == (2, [])
    assert err.startswith("flake8-ssot: ") and message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("name", ["missing.json", "a_directory"])
def test_a_missing_or_unreadable_baseline_is_one_line_and_exit_2(tmp_path: Path, run, name: str) -> None:
    make_project(tmp_path)
    (tmp_path / "a_directory").mkdir()
    status, out, err = run("--baseline", name)
    assert (status, out) == (2, [])
    assert err.startswith("flake8-ssot: ") and name in err and err.count("\n") == 1, err


def test_a_broken_configured_baseline_can_still_be_rewritten(tmp_path: Path, run) -> None:
    make_project(tmp_path, "ssot-baseline = base.json\n")
    (tmp_path / "base.json").write_text("{", encoding="utf-8")
    assert run()[0] == 2
    assert run("--write-baseline", "base.json")[0] == 0
    assert run() == (0, [], "")


# -------------------------------------------------------------- atomic writes
FINDING = Finding(1, 0, "SOT101", "m")


def test_the_file_is_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "base.json"
    write_baseline(str(target), [("x.py", [FINDING], ["m = Mock()\n"])])
    before = target.read_bytes()

    def fail(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(baseline_module.os, "replace", fail)
    with pytest.raises(ConfigError, match=r"^flake8-ssot: cannot write baseline .*No space left on device$"):
        write_baseline(str(target), [("y.py", [FINDING], ["m = Mock()\n"])])
    assert target.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["base.json"]  # no temporary file left


def test_the_written_file_has_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_baseline(str(tmp_path / "base.json"), [])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "base.json").stat().st_mode) == 0o644


def test_an_unwritable_location_is_one_line_and_exit_2(tmp_path: Path, run) -> None:
    make_project(tmp_path)
    status, out, err = run("--write-baseline", "no/such/dir/base.json")
    assert (status, out) == (2, [])
    assert err.startswith("flake8-ssot: cannot write baseline no/such/dir/base.json: ") and err.count("\n") == 1


# ------------------------------------------------------------------- the API
def test_keys_normalise_whitespace_and_use_posix_paths(tmp_path: Path) -> None:
    path = os.path.join(str(tmp_path), "tests", "test_x.py")
    lines = ["\tgateway  =\tMagicMock()   # noqa: E501\n"]
    assert keys_of(path, [FINDING, Finding(0, 0, "E902", "x")], lines, str(tmp_path), version=1) == [
        Key("tests/test_x.py", "SOT101", "gateway = MagicMock() # noqa: E501"),
        Key("tests/test_x.py", "E902", ""),
    ]
    assert keys_of(path, [FINDING, Finding(0, 0, "E902", "x")], lines, str(tmp_path)) == [
        Key("tests/test_x.py", "SOT101", "gateway = MagicMock"),
        Key("tests/test_x.py", "E902", ""),
    ]


def test_new_findings_keeps_the_first_count_occurrences(tmp_path: Path) -> None:
    key = Key("x.py", "SOT101", "m = Mock")
    loaded = Baseline(str(tmp_path / "base.json"), {key: 2})
    findings = [Finding(line, 0, "SOT101", "m") for line in (1, 2, 3)]
    lines = ["m = Mock()\n"] * 3
    assert loaded.new_findings(str(tmp_path / "x.py"), findings, lines) == findings[2:]
    assert loaded.new_findings(str(tmp_path / "y.py"), findings, lines) == findings  # another file


# ------------------------------------------------------------- under flake8
def flake8_findings(output: str) -> dict[str, set[tuple[int, str]]]:
    return {path: set(found) for path, found in parse_report(output).items()}


@pytest.mark.slow
def test_flake8_applies_the_same_baseline(tmp_path: Path) -> None:
    target = make_project(tmp_path, "select = SOT\nssot-baseline = ssot-baseline.json\n")
    assert run_ssot_check("--write-baseline", "ssot-baseline.json", cwd=tmp_path).returncode == 0
    flake8 = run_flake8(".", cwd=tmp_path)
    assert (flake8.returncode, flake8.stdout, flake8.stderr) == (0, "", "")
    # moved, duplicated and new: both tools report exactly the new ones
    target.write_text("\n\n" + SOURCE.replace(MOCK_LINE, MOCK_LINE * 2) + "\n\ndef test_env():\n"
                      "    assert os.environ\n", encoding="utf-8")
    flake8 = run_flake8(".", cwd=tmp_path)
    ours = run_ssot_check(".", cwd=tmp_path)
    assert flake8.stdout == ours.stdout
    assert flake8_findings(flake8.stdout) == {PAYMENTS: {(17, "SOT101"), (27, "SOT301")}}
    # a bare name on flake8's command line is relative to the working directory
    run_ssot_check("--write-baseline", "tests/all.json", cwd=tmp_path)
    from_tests = run_flake8("--ssot-baseline", "all.json", ".", cwd=tmp_path / "tests")
    assert (from_tests.returncode, from_tests.stdout) == (0, "")


@pytest.mark.slow
def test_flake8_stops_on_a_missing_baseline(tmp_path: Path) -> None:
    make_project(tmp_path, "ssot-baseline = gone.json\n")
    result = run_flake8(".", cwd=tmp_path)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].startswith("flake8-ssot: baseline file not found: ")
    assert "Traceback" not in result.stderr
