"""flake8's everyday flags in ``ssot-check``, through the real command line, compared with flake8 itself.

For the same tree and ``--select``, ``ssot-check FLAGS`` and ``flake8 FLAGS``
print the same bytes and exit with the same status: ``--count``,
``--statistics``, ``--show-source``, ``-q``, ``-qq``, ``--exit-zero`` and
``--output-file`` mean what they mean in flake8.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.expectations import run_flake8, run_ssot_check

FILES = {
    "app/settings.py": 'import os\n\nTOKEN = os.environ["TOKEN"]\nHOME = os.getenv("HOME")\n',
    "app/more.py": "import os\n\n\ndef f():\n\tif True:\n\t\treturn os.environ\n",
    "tests/test_broken.py": "def test_x(:\n",
}
# flake8 runs pycodestyle and pyflakes too: select what both tools report.
SELECT = ("--isolated", "--select", "SOT,E9")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flags")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


FLAGS = {
    "count": ["--count"],
    "statistics": ["--statistics"],
    "show-source": ["--show-source"],
    "all three": ["--count", "--statistics", "--show-source"],
    "quiet": ["-q"],
    "quiet twice": ["-qq", "--count"],
    "exit-zero": ["--exit-zero", "--count"],
}


@pytest.mark.slow
@pytest.mark.parametrize("flags", FLAGS.values(), ids=FLAGS.keys())
def test_output_and_status_are_flake8s(tree: Path, flags: list[str]) -> None:
    ours = run_ssot_check(*SELECT, "--no-cache", *flags, ".", cwd=tree)
    theirs = run_flake8(*SELECT, *flags, ".", cwd=tree)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, "")


@pytest.mark.slow
def test_output_file_takes_the_report_and_count_stays_on_stdout(tree: Path, tmp_path: Path) -> None:
    ours = run_ssot_check(*SELECT, "--no-cache", "--count", "--statistics", "--output-file", str(tmp_path / "ours"),
                          ".", cwd=tree)
    theirs = run_flake8(*SELECT, "--count", "--statistics", "--output-file", str(tmp_path / "theirs"), ".", cwd=tree)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout) == (1, "4\n")
    assert (tmp_path / "ours").read_text() == (tmp_path / "theirs").read_text()
    tee = run_ssot_check(*SELECT, "--no-cache", "--output-file", str(tmp_path / "tee"), "--tee", ".", cwd=tree)
    assert tee.stdout == (tmp_path / "tee").read_text() != ""


def test_an_unwritable_output_file_is_one_line_and_exit_2(tree: Path, tmp_path: Path) -> None:
    result = run_ssot_check(*SELECT, "--no-cache", "--output-file", str(tmp_path / "no" / "such" / "file"), ".",
                            cwd=tree)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("flake8-ssot: cannot write ") and result.stderr.count("\n") == 1


def test_statistics_count_per_code_with_the_first_message(tree: Path) -> None:
    result = run_ssot_check(*SELECT, "--no-cache", "--statistics", "-qq", ".", cwd=tree)
    assert result.stdout.splitlines() == [
        "1     E999 SyntaxError: invalid syntax",
        "2     SOT301 os.environ accessed directly; go through the project's isolated-environment module (name it "
        "in ssot-environ-allowed-paths)",
        "1     SOT302 os.getenv touches the process environment; go through the project's isolated-environment "
        "module (name it in ssot-environ-allowed-paths)",
    ]


def on_terminal(*args: str, cwd: Path) -> tuple[int, bytes, bytes]:
    """Run ssot-check with its standard error on a terminal: (status, stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "flake8_ssot.cli", *args],
                                cwd=cwd, stdout=subprocess.PIPE, stderr=follower, timeout=300)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    return result.returncode, result.stdout, shown


def test_progress_line_on_a_terminal_only_for_many_files(tmp_path: Path) -> None:
    for number in range(210):
        (tmp_path / f"module_{number}.py").write_text("VALUE = 1\n", encoding="utf-8")
    piped = run_ssot_check("--isolated", "--no-cache", ".", cwd=tmp_path)
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, "", "")
    status, out, shown = on_terminal("--isolated", "--no-cache", ".", cwd=tmp_path)
    assert (status, out) == (0, b"")
    assert b"ssot-check: checked 210/210 files" in shown and shown.endswith(b"\r\x1b[K")
    assert on_terminal("--isolated", "--no-cache", "module_1.py", "module_2.py", cwd=tmp_path) == (0, b"", b"")
