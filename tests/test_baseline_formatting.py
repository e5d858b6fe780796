"""A baseline survives the formatter: black or ``ruff format`` over the whole tree leaves it green.

The tree is the example project plus every fixture module (findings of every
code, in every layout the fixtures exercise) and a file that does not parse.
A baseline is written, the tree is reformatted (black at 40 columns, so
that statements are split and parenthesised, then ``ruff format``), and the
baseline must still account for every finding.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.expectations import run_ssot_check

ROOT = Path(__file__).resolve().parent.parent
SELECT = ("--no-cache", "--extend-select", "SOT5,E9")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "examples", root)
    # Not the fixes' before/after trees: their `# noqa` comments are what a formatter moves off the line.
    shutil.copytree(ROOT / "tests" / "fixtures", root / "tests" / "fixture_modules",
                    ignore=shutil.ignore_patterns("fixes"))
    (root / "tests" / "unit" / "test_broken.py").write_text("def test_x(:\n    pass\n", encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): path.read_text(encoding="utf-8") for path in sorted(root.rglob("*.py"))}


def reformat(root: Path, *command: str) -> None:
    before = snapshot(root)
    result = subprocess.run([*command, "."], cwd=root, capture_output=True, text=True, timeout=600)
    # black exits 123 and ruff 2 for test_broken.py, which they cannot parse; both format the rest
    assert result.returncode in (0, 1, 2, 123), result.stderr
    changed = [name for name, text in snapshot(root).items() if before[name] != text]
    assert len(changed) >= 10, changed  # the formatter really rewrote the tree


@pytest.mark.slow
def test_black_and_ruff_format_leave_the_baseline_green(tree: Path) -> None:
    before = run_ssot_check(*SELECT, ".", cwd=tree)
    assert before.returncode == 1 and "E999" in before.stdout
    written = run_ssot_check(*SELECT, "--write-baseline", "ssot-baseline.json", ".", cwd=tree)
    assert written.returncode == 0 and "E999 syntax-error" in written.stderr
    recorded = sum(entry["count"] for entry in json.loads((tree / "ssot-baseline.json").read_text())["findings"])
    assert recorded == len(before.stdout.splitlines()) > 50

    reformat(tree, sys.executable, "-m", "black", "-q", "--line-length", "40")
    after_black = run_ssot_check(*SELECT, ".", cwd=tree)
    assert len(after_black.stdout.splitlines()) == recorded  # the same findings, on other lines
    assert after_black.stdout != before.stdout
    assert run_ssot_check(*SELECT, "--baseline", "ssot-baseline.json", ".", cwd=tree).stdout == ""

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    reformat(tree, ruff, "format", "-q", "--line-length", "120")
    checked = run_ssot_check(*SELECT, "--baseline", "ssot-baseline.json", ".", cwd=tree)
    assert (checked.returncode, checked.stdout) == (0, "")


@pytest.mark.slow
def test_editing_a_baselined_statement_still_makes_it_new(tree: Path) -> None:
    assert run_ssot_check(*SELECT, "--write-baseline", "base.json", ".", cwd=tree).returncode == 0
    target = tree / "netra_backend" / "app" / "settings.py"
    text = target.read_text(encoding="utf-8")
    assert "os.environ" in text
    target.write_text(text.replace("os.environ", "os.environ  # reformatted\n", 0) + "\nX = os.environ\n",
                      encoding="utf-8")
    result = run_ssot_check(*SELECT, "--baseline", "base.json", ".", cwd=tree)
    assert (result.returncode, len(result.stdout.splitlines())) == (1, 1)
    assert "settings.py" in result.stdout and "SOT301" in result.stdout
