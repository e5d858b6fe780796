"""Checking code never runs it, survives hostile trees, and writes nothing.

* Nothing from the checked code is imported or executed: files whose import
  would leave a marker file (module-level code, ``conftest.py``,
  ``__init__.py``) are checked by the core, flake8 and ssot-check, and the
  marker never appears; running one of them directly does create it, so
  the test would notice.
* Directory walking survives a symlink loop, a symlink to itself, a dangling
  symlink and a file without read permission (readable anyway as root);
  names with spaces and non-ASCII letters are reported as they are.
* Neither flake8 with the plugin nor ssot-check writes any file in the
  checked project: ssot-check's cache goes where SSOT_CACHE_DIR points.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ssot.checker import check_tree
from flake8_ssot.config import build_config
from tests.expectations import run_flake8, run_ssot_check_process

SELECT = "--select=SOT,E9"


def _leaves_marker(marker: Path) -> str:
    """Module code that writes ``marker`` when it is imported or run."""
    return (
        '"""Business Value Justification: Segment: Platform"""\n'
        "import pathlib\n\n"
        f"pathlib.Path({str(marker)!r}).write_text('executed')\n\n\n"
        "def test_side_effect():\n"
        "    assert True\n"
    )


def _ssot_check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cache = cwd.parent / "ssot cache"  # the configured cache, outside the checked tree
    return run_ssot_check_process(*args, cwd=cwd, timeout=120,
                                  env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "SSOT_CACHE_DIR": str(cache)})


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every entry, directories included (a file written
    and removed again changes its directory's mtime); symlinks not followed."""
    entries = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in [".", *dirnames, *filenames]:
            path = os.path.join(directory, name)
            status = os.lstat(path)
            entries[os.path.relpath(path, root)] = (status.st_size, status.st_mtime_ns)
    return entries


@pytest.fixture()
def booby_trapped(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "marker"
    root = tmp_path / "project"
    package = root / "tests" / "integration"
    package.mkdir(parents=True)
    (root / "setup.cfg").write_text("[flake8]\n", encoding="utf-8")
    for name in ("conftest.py", "__init__.py", "test_side_effect.py"):
        (package / name).write_text(_leaves_marker(marker), encoding="utf-8")
    (root / "tests" / "conftest.py").write_text(_leaves_marker(marker), encoding="utf-8")
    return root, marker


def test_checked_code_is_never_imported_or_run(booby_trapped: tuple[Path, Path]) -> None:
    root, marker = booby_trapped
    files = sorted(root.rglob("*.py"))
    config = build_config({}, str(root))
    for path in files:
        source = path.read_text(encoding="utf-8")
        check_tree(ast.parse(source), source.splitlines(keepends=True), str(path), config)
    assert not marker.exists(), "the checker core ran checked code"
    flake8 = run_flake8(SELECT, ".", cwd=root)
    assert flake8.returncode in (0, 1) and not flake8.stderr, flake8.stderr
    assert not marker.exists(), "flake8 with the plugin ran checked code"
    ssot_check = _ssot_check(SELECT, ".", cwd=root)
    assert ssot_check.returncode in (0, 1) and not ssot_check.stderr, ssot_check.stderr
    assert not marker.exists(), "ssot-check ran checked code"
    # The trap works: importing or running the file does leave the marker.
    subprocess.run([sys.executable, str(files[0])], check=True, timeout=60)
    assert marker.exists()


@pytest.fixture()
def hostile_tree(tmp_path: Path) -> Path:
    root = tmp_path / "hostile tree ü"
    tests = root / "tests" / "integration"
    tests.mkdir(parents=True)
    (root / "setup.cfg").write_text("[flake8]\n", encoding="utf-8")
    (tests / "test_ünïcode name.py").write_text(
        "import os\n\n\ndef test_home():\n    assert os.environ['HOME']\n", encoding="utf-8",
    )
    (root / "tests" / "loop").symlink_to("..", target_is_directory=True)
    (tests / "test_self.py").symlink_to("test_self.py")
    (tests / "test_dangling.py").symlink_to("missing.py")
    locked = tests / "test_locked.py"
    locked.write_text("import os\nHOME = os.environ['HOME']\n", encoding="utf-8")
    locked.chmod(0)
    return root


@pytest.mark.slow
def test_hostile_tree_is_walked_and_reported(hostile_tree: Path) -> None:
    before = _snapshot(hostile_tree)
    flake8 = run_flake8(SELECT, ".", cwd=hostile_tree)
    ssot_check = _ssot_check(SELECT, ".", cwd=hostile_tree)
    for result in (flake8, ssot_check):
        assert result.returncode == 1 and not result.stderr, result.stderr
    assert ssot_check.stdout == flake8.stdout
    lines = flake8.stdout.splitlines()
    assert "./tests/integration/test_ünïcode name.py:5:12: SOT301" in "\n".join(lines)
    assert any(line.startswith("./tests/integration/test_self.py:0:1: E902 ") for line in lines)
    assert any(line.startswith("./tests/integration/test_dangling.py:0:1: E902 ") for line in lines)
    locked = [line for line in lines if line.startswith("./tests/integration/test_locked.py:")]
    expected = "2:8: SOT301" if os.geteuid() == 0 else "0:1: E902"  # root reads it anyway
    assert len(locked) == 1 and expected in locked[0], locked
    assert not any("/loop/" in line for line in lines), "the symlink loop was followed"
    assert _snapshot(hostile_tree) == before, "a run wrote into the checked project"
