"""ssot-check: the runner gives flake8's findings without flake8.

The parity tests run real flake8 and ssot-check over the same tree with the
same configuration and compare the output byte for byte (flake8's other
plugins' codes filtered out).  The building blocks (selection, per-file-ignores,
noqa, decoding, the walk) are also compared with flake8's own functions.
"""

from __future__ import annotations

import argparse
import io
import json
import linecache
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flake8 import style_guide as flake8_style_guide
from flake8 import utils as flake8_utils
from flake8.discover_files import expand_paths as flake8_expand_paths
from flake8.processor import FileProcessor
from flake8.violation import Violation
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_ssot import cli, noqa
from flake8_ssot.config import ConfigError
from flake8_ssot.project import FLAKE8_EXCLUDE, expand_paths, load_settings
from flake8_ssot.runner import decode_lines
from flake8_ssot.selection import Decider, matches_filename, parse_per_file_ignores
from tests.expectations import render_setup_cfg, run_flake8, run_ssot_check

BVJ = '''"""Payment tests.

Business Value Justification (BVJ):
- Segment: Enterprise
- Business Goal: Payments succeed
- Value Impact: Customers can pay
- Strategic Impact: Revenue
"""
'''

# A project whose files exercise every way flake8 and the runner could part:
# noqa spellings, multi-line strings, encodings, newlines, syntax errors,
# file-level noqa, excluded directories and names.
CORPUS: dict[str, bytes] = {
    "tests/integration/test_payments.py": (BVJ + '''import os
from unittest import mock
from unittest.mock import MagicMock, patch


def test_charge(mocker):
    gateway = MagicMock()  # noqa: SOT101
    other = mock.Mock()  # NOQA:SOT1,SOT3
    third = mock.Mock()  # noqa:sot101
    fourth = mock.Mock()  # noqa : SOT999
    with patch("payments.gateway.charge"):  # noqa: E501 SOT3
        assert gateway and other and third and fourth
    text = """
    multi-line
    """ + os.environ["KEY"]  # noqa
    assert text
''').encode(),
    "tests/unit/test_legacy.py": (BVJ + '''import os
import unittest


class TestLegacy(unittest.TestCase):
    def test_home(self):
        self.assertTrue(os.getenv("HOME"))
''').encode(),
    "app/settings.py": b'import os\r\n\r\nDEBUG = os.environ.get("DEBUG")\r\nHOME = os.getenv("HOME")  # noqa\r\n',
    "app/latin.py": '# -*- coding: latin-1 -*-\nimport os\nx = "\xe9\xe9"; os.environ["A"]\n'.encode("latin-1"),
    "app/undecodable.py": b'import os\n# caf\xe9\nos.environ["A"]\n',
    "app/bad_cookie.py": b'# -*- coding: no-such-codec -*-\nimport os\nos.environ["A"]\n',
    "app/bom.py": b'\xef\xbb\xbfimport os\nos.environ["A"]\n',
    "app/old_mac.py": b'import os\rX = os.environ["A"]\r',
    "app/broken.py": b'import os\nos.environ["A"]\nx = (\n',
    "app/indented.py": b'def f():\n  x = 1\n    y = 2\n',
    "app/nul.py": b'import os\nos.environ["A"]\n\x00\n',
    "app/skipped.py": b'import os\nos.environ["A"]\n# flake8: noqa\n',
    "app/not_skipped.py": b'import os\nos.environ["A"]  # flake8: noqa\n',
    "app/relative.py": b'from . import settings\n',
    "app/gen_pb2.py": b'import os\nos.environ["A"]\n',
    "build/generated.py": b'import os\nos.environ["A"]\n',
    "vendor/lib.py": b'import os\nos.environ["A"]\n',
    "app/script": b'import os\nos.environ["A"]\n',
}
EXPLICIT = ["app/settings.py", "vendor/lib.py", "app/gen_pb2.py", "app/script", "missing.py", "app/broken.py"]
OUR_CODES = re.compile(r"^[^:]+:\d+:\d+: (SOT\d+|E999|E902) ")

CONFIGS = {
    "defaults": {},
    "select-and-per-file": {
        "select": "SOT,E9",
        "per-file-ignores": "tests/unit/*: SOT401\n    app/settings.py:SOT302 app/latin.py: SOT",
    },
    "bandit-prefix-hides-ours": {"extend-ignore": "S", "extend-select": "SOT1"},
    "optional-codes": {"extend-select": "SOT5", "ignore": "SOT502, E9"},
    "longest-prefix": {"select": "SOT3", "extend-select": "SOT301", "ignore": "SOT30", "extend-ignore": "SOT302"},
    "excludes-and-paths": {
        "exclude": "vendor, *_pb2.py, .git",
        "extend-exclude": "build/",
        "ssot-integration-paths": "tests/integration/",
        "ssot-environ-allowed-paths": "app/settings.py",
    },
    "disable-noqa": {"disable-noqa": "true", "filename": "*.py, script"},
}


def ours(output: str) -> str:
    return "".join(line + "\n" for line in output.splitlines() if OUR_CODES.match(line))


def write_project(root: Path, options: dict[str, str]) -> None:
    for relative, data in CORPUS.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (root / "setup.cfg").write_text(render_setup_cfg(options), encoding="utf-8")


def run_main(argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --- parity with real flake8 -------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("options", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("paths", [["."], EXPLICIT], ids=["walk", "explicit"])
def test_same_output_as_flake8(tmp_path: Path, options: dict[str, str], paths: list[str],
                               monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, options)
    flake8 = run_flake8(*paths, cwd=tmp_path)
    assert flake8.returncode in (0, 1) and not flake8.stderr, flake8.stderr
    expected = ours(flake8.stdout)
    status, out, err = run_main(["--full-parse", *paths], tmp_path, monkeypatch, capsys)
    assert (out, err) == (expected, "")
    assert status == (1 if expected else 0)
    assert expected, "the corpus must produce findings under every configuration"
    # The fast path may leave out only syntax errors (of files no rule can report in: test_fast_path.py).
    fast = run_main(paths, tmp_path, monkeypatch, capsys)[1].splitlines()
    assert fast == [line for line in expected.splitlines() if line in fast or " E999 " not in line]


@pytest.mark.slow
@pytest.mark.parametrize("display_name", ["stdin", "tests/integration/test_piped.py", "app/gen_pb2.py"])
def test_stdin_same_as_flake8(tmp_path: Path, display_name: str,
                              monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, CONFIGS["excludes-and-paths"])
    source = CORPUS["tests/integration/test_payments.py"]
    args = ["--stdin-display-name", display_name, "-"]
    expected = ours(subprocess.run([sys.executable, "-m", "flake8", *args], cwd=tmp_path, input=source,
                                   capture_output=True).stdout.decode())
    assert run_main(args, tmp_path, monkeypatch, capsys, stdin=source)[1] == expected


@pytest.mark.slow
def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    write_project(tmp_path, {})
    result = run_ssot_check("--select=SOT3", "app/bom.py", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == "app/bom.py:2:1: SOT301 os.environ accessed directly; go through the " \
                            "project's isolated-environment module (name it in ssot-environ-allowed-paths)\n"


def test_flake8_is_not_imported(tmp_path: Path) -> None:
    write_project(tmp_path, {})
    probe = ("import sys; from flake8_ssot.cli import main; main(['-j', '2', '.']); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flake8', 'pycodestyle', 'pyflakes')))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "[]"


# --- command line behaviour ----------------------------------------------------------------------

def test_exit_zero_when_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clean.py").write_text("VALUE = 1\n")
    assert run_main([], tmp_path, monkeypatch, capsys) == (0, "", "")


def test_jobs_do_not_change_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, {})
    for number in range(40):
        (tmp_path / "tests" / "integration" / f"test_copy_{number:02}.py").write_bytes(
            CORPUS["tests/integration/test_payments.py"])
    serial = run_main(["-j", "1"], tmp_path, monkeypatch, capsys)
    assert serial[0] == 1 and serial[1].count("\n") > 40
    assert run_main(["-j", "2"], tmp_path, monkeypatch, capsys) == serial
    assert run_main(["--jobs", "auto"], tmp_path, monkeypatch, capsys) == serial
    lines = serial[1].splitlines()
    keys = [(line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2])) for line in lines]
    assert keys == sorted(keys)


def test_json_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, {"ssot-environ-allowed-paths": "shared/env.py"})  # named in SOT301's message
    status, out, _ = run_main(["--format", "json", "app/bom.py", "app/broken.py"], tmp_path, monkeypatch, capsys)
    assert status == 1
    assert json.loads(out) == [
        {"path": "app/bom.py", "line": 2, "column": 1, "code": "SOT301",
         "message": "os.environ accessed directly; go through the isolated-environment module (shared/env.py)"},
        {"path": "app/broken.py", "line": 3, "column": 6, "code": "E999",
         "message": "SyntaxError: '(' was never closed"},
    ]


@pytest.mark.parametrize(("output_format", "line"), [
    ("pylint", "app/bom.py:2: [SOT301] os.environ accessed directly; go through the isolated-environment module "
               "(shared/env.py)"),
    ("%(code)s@%(row)d,%(col)d %(path)s", "SOT301@2,1 app/bom.py"),
])
def test_other_formats(tmp_path: Path, output_format: str, line: str,
                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, {"ssot-environ-allowed-paths": "shared/env.py"})
    assert run_main(["--format", output_format, "app/bom.py"], tmp_path, monkeypatch, capsys) == (1, line + "\n", "")


def test_unreadable_and_unparsable_files_do_not_stop_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, {})
    status, out, _ = run_main(["missing.py", "app/broken.py", "app/bom.py"], tmp_path, monkeypatch, capsys)
    assert status == 1
    assert [line.split(" ")[:2] for line in out.splitlines()] == [
        ["app/bom.py:2:1:", "SOT301"], ["app/broken.py:3:6:", "E999"], ["missing.py:0:1:", "E902"],
    ]


def test_stdin_display_name_gives_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    source = (BVJ + "from unittest.mock import MagicMock\n\n\ndef test_it():\n    assert MagicMock()\n").encode()
    named = ["--stdin-display-name", "tests/integration/test_it.py", "-"]
    status, out, _ = run_main(named, tmp_path, monkeypatch, capsys, stdin=source)
    assert (status, [line.split(" ")[:2] for line in out.splitlines()]) == (
        1, [["tests/integration/test_it.py:13:12:", "SOT101"]])
    assert run_main(["-"], tmp_path, monkeypatch, capsys, stdin=source) == (0, "", "")


def test_config_option_and_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, {"select": "SOT5"})
    (tmp_path / "other.cfg").write_text(render_setup_cfg({"select": "SOT3"}))
    found = {
        name: {line.split(" ")[1] for line in run_main(args, tmp_path, monkeypatch, capsys)[1].splitlines()}
        for name, args in {
            "discovered": ["app/"], "named": ["--config", "other.cfg", "app/"], "isolated": ["--isolated", "app/"],
            "appended": ["--append-config", "other.cfg", "app/"],
            "command line wins": ["--select", "E9", "app/"],
        }.items()
    }
    assert found == {
        "discovered": {"SOT501"}, "named": {"SOT301"}, "isolated": {"SOT301", "SOT501", "E999"}, "appended": {"SOT301"},
        "command line wins": {"E999"},
    }


@pytest.mark.parametrize(("options", "args", "message"), [
    ({"ssot-bases": "1bad"}, [], "flake8-ssot: invalid value for ssot-bases: '1bad' ('1bad' is not a Python name)"),
    ({"ssot-e2e-pathz": "e2e"}, [], "flake8-ssot: unknown option ssot-e2e-pathz in setup.cfg "
                                    "(did you mean ssot-e2e-paths?)"),
    ({"per-file-ignores": "tests/*.py"}, [], "flake8-ssot: per-file-ignores must map file patterns to codes "
                                             "('pattern: CODE ...'), got 'tests/*.py'"),
    ({"extend-ignore": "sot101"}, [], "flake8-ssot: unknown code 'sot101' in extend-ignore: not a code or prefix: "
                                      "codes match ^[A-Z]{1,3}[0-9]{0,3}$ (did you mean SOT101?)"),
    ({}, ["--select=sot1"], "flake8-ssot: unknown code 'sot1' in select: not a code or prefix: "
                            "codes match ^[A-Z]{1,3}[0-9]{0,3}$ (did you mean SOT1?)"),
    ({"extend-select": "SOT6"}, [], "flake8-ssot: unknown code 'SOT6' in extend-select: no flake8-ssot rule has "
                                    "this code (flake8-ssot's codes are SOT1xx, SOT2xx, SOT3xx, SOT4xx, SOT5xx, "
                                    "SOT9xx; see the rules table)"),
    ({"per-file-ignores": "tests/*: SOT77"}, [],
     "flake8-ssot: unknown code 'SOT77' in per-file-ignores: no flake8-ssot rule has this code (flake8-ssot's "
     "codes are SOT1xx, SOT2xx, SOT3xx, SOT4xx, SOT5xx, SOT9xx; see the rules table)"),
    ({}, ["--select=XYZ"], "flake8-ssot: nothing to check: select = XYZ selects none of the codes flake8-ssot "
                           "reports (SOT..., E902, E999)"),
    ({"disable-noqa": "maybe"}, [], "flake8-ssot: invalid value for disable-noqa: 'maybe' (expected true or false)"),
    ({}, ["--config", "nowhere.cfg"], "flake8-ssot: the config file does not exist: nowhere.cfg"),
    ({}, ["--ssot-max-sleep", "soon"], "flake8-ssot: invalid value for ssot-max-sleep: 'soon' (expected a number)"),
])
def test_configuration_errors_are_one_line_and_exit_2(
        tmp_path: Path, options: dict[str, str], args: list[str], message: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(tmp_path, options)
    assert run_main(args, tmp_path, monkeypatch, capsys) == (2, "", message + "\n")


@pytest.mark.parametrize("args", [["--jobs", "many"], ["--format", "%(nonsense)s"], ["--no-such-flag"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        run_main(args, tmp_path, monkeypatch, capsys)
    assert raised.value.code == 2
    assert "error:" in capsys.readouterr().err


# --- building blocks against flake8's own functions ------------------------------------------------

PREFIXES = ["E", "E9", "E999", "E902", "S", "SO", "SOT", "SOT1", "SOT10", "SOT101", "SOT3", "SOT301", "SOT5", "W"]
CODES = ["E999", "E902", "SOT101", "SOT102", "SOT301", "SOT505", "SOT999"]
maybe_list = st.none() | st.lists(st.sampled_from(PREFIXES), max_size=3)


@settings(max_examples=400, deadline=None)
@given(select=maybe_list, extend_select=maybe_list, ignore=maybe_list, extend_ignore=maybe_list)
def test_decider_agrees_with_flake8(select: list[str] | None, extend_select: list[str] | None,
                                    ignore: list[str] | None, extend_ignore: list[str] | None) -> None:
    options = argparse.Namespace(
        select=select, extend_select=extend_select, ignore=ignore, extend_ignore=extend_ignore,
        # flake8 with only this plugin: its entry-point names extend the default selection
        extended_default_select=["C90", "E", "F", "SOT", "W"], extended_default_ignore=[],
    )
    engine = flake8_style_guide.DecisionEngine(options)
    decider = Decider(select, extend_select or (), ignore, extend_ignore or ())
    for code in CODES:
        expected = engine.decision_for(code) is flake8_style_guide.Decision.Selected
        assert decider.reports(code) == expected, code


@pytest.mark.parametrize("value", [
    "", "tests/*: SOT1", "a.py,b.py:SOT1,SOT2 c.py: E9", "a.py:SOT1\n  b.py:\n c.py:SOT3",
    "a.py b.py : SOT101 SOT3", "a.py:SOT1 b.py", "a.py", "a.py:SOT1:SOT2", "SOT:SOT1", ":SOT1", "a.py:sot1",
])
def test_per_file_ignores_parsed_like_flake8(value: str) -> None:
    try:
        expected: object = flake8_utils.parse_files_to_codes_mapping(value)
    except Exception:  # noqa: BLE001 - flake8 raises its ExecutionError
        expected = "error"
    try:
        found: object = parse_per_file_ignores(value)
    except ConfigError:
        found = "error"
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(comment=st.text(alphabet=" #:,noqaNOQAsotSOT1350E9\t", max_size=24))
def test_noqa_comment_read_like_flake8(comment: str) -> None:
    line = f"x = 1  {comment}\n"
    for code in ("SOT101", "SOT301", "E999"):
        violation = Violation(code, "f.py", 1, 1, "text", line)
        assert noqa.comment_silences(line, code) == violation.is_inline_ignored(disable_noqa=False)


@pytest.mark.parametrize("source", [
    'import os\nx = """\na\n""" + os.environ["A"]  # noqa\ny = (\n    1,\n)\n',
    'def f():\n    return """\n    x\n    """\n',
    "x = (\n",  # tokenize fails: flake8 then reads the file itself
    "",
])
def test_noqa_lines_like_flake8(tmp_path: Path, source: str) -> None:
    path = tmp_path / "module.py"
    path.write_text(source)
    options = argparse.Namespace(hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None,
                                 verbose=0, stdin_display_name="stdin")
    processor = FileProcessor(str(path), options)
    lines = noqa.NoqaLines(decode_lines(path.read_bytes()), str(path))
    for number in range(len(source.splitlines()) + 2):
        # where flake8 has no mapping it reads the line from the file (linecache)
        expected = processor.noqa_line_for(number) or linecache.getline(str(path), number)
        assert lines.line_for(number) == expected, number


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_lines_decoded_like_flake8(tmp_path: Path, name: str) -> None:
    path = tmp_path / "module.py"
    path.write_bytes(CORPUS[name])
    options = argparse.Namespace(hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None,
                                 verbose=0, stdin_display_name="stdin")
    assert decode_lines(CORPUS[name]) == FileProcessor(str(path), options).lines


def test_walk_and_excludes_like_flake8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, CONFIGS["excludes-and-paths"])
    monkeypatch.chdir(tmp_path)
    project_settings = load_settings()
    exclude = [flake8_utils.normalize_path(p, str(tmp_path)) for p in ["vendor", "*_pb2.py", ".git", "build/"]]
    assert project_settings.exclude == tuple(exclude)
    for paths in (["."], EXPLICIT, ["app", "./tests/", "-"]):
        expected = flake8_expand_paths(paths=paths, stdin_display_name="stdin", filename_patterns=["*.py"],
                                       exclude=exclude)
        assert sorted(expand_paths(paths, project_settings)) == sorted(expected), paths


def test_default_excludes_are_flake8s() -> None:
    from flake8 import defaults

    assert FLAKE8_EXCLUDE == defaults.EXCLUDE


@pytest.mark.parametrize("path", ["./app/x_pb2.py", "build", "./build/gen.py", "vendor", "a/vendor/b.py", ".", ".."])
def test_matches_filename_like_flake8(tmp_path: Path, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    patterns = [flake8_utils.normalize_path(p) for p in ["*_pb2.py", "build/", "vendor", ".."]]
    log = logging.getLogger(__name__)
    expected = flake8_utils.matches_filename(path, patterns, log_message="%(path)s%(whether)s", logger=log)
    assert matches_filename(path, patterns) == expected


def test_ssot_path_options_normalised_like_flake8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"ssot-integration-paths": "integration, svc/, ./x, .."})
    monkeypatch.chdir(tmp_path / "app")
    assert load_settings().config.integration_paths == tuple(
        flake8_utils.normalize_path(p, str(tmp_path)) for p in ["integration", "svc/", "./x", ".."])
    assert os.path.isabs(load_settings().config.integration_paths[1])
