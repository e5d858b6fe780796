"""The README's quick start can be pasted as shown, from the repository root, one command after the other."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest

from flake8_ssot.registry import RULES
from tests.expectations import parse_report, run_flake8

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
COMMANDS = [command.strip() for command in re.findall(r"```console\n(.+?)\n\s*```", QUICK_START)]


def test_two_commands_that_never_change_directory() -> None:
    assert len(COMMANDS) == 2
    for command in COMMANDS:
        words = shlex.split(command.strip())
        assert "cd" not in words and "pushd" not in words, command


def test_ci_runs_command_2_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert COMMANDS[1].strip() in ci


def test_the_hook_snippets_pin_a_commit_not_a_missing_tag() -> None:
    for text in (README, (ROOT / "hooks" / "README.md").read_text(encoding="utf-8")):
        revisions = re.findall(r"^\s*rev: (\S+)", text, re.MULTILINE)
        ours = [rev for rev in revisions if rev != "7.5.0"]  # 7.5.0: flake8's own hook, a real tag
        assert ours and all(re.fullmatch(r"[0-9a-f]{40}", rev) for rev in ours), ours
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_usage_lines_do_not_hide_syntax_errors() -> None:
    for line in re.findall(r"^flake8 .*--select[ =](\S+)", README, re.MULTILINE):
        assert "E9" in line.split(","), line


@pytest.mark.slow
def test_command_1_from_the_root_reports_every_default_family() -> None:
    words = shlex.split(COMMANDS[0].split("&&")[-1].strip())
    assert words[:1] == [".venv/bin/flake8"]
    result = run_flake8(*words[1:], cwd=ROOT)  # this interpreter's flake8 for the one in .venv
    assert result.returncode == 1, result.stderr
    found = {code for findings in parse_report(result.stdout).values() for _line, code in findings}
    assert {code[:4] for code in found} >= {"SOT1", "SOT2", "SOT3", "SOT4"}
    assert found <= {code for code, rule in RULES.items() if rule.default_enabled}
    assert all(path.startswith("examples/") for path in parse_report(result.stdout)), sys.executable
