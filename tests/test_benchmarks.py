"""The benchmark tooling works; the numbers themselves are never asserted."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.expectations import load_benchmark

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


generate_suite = load_benchmark("generate_suite")


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    for root, seed in ((first, 7), (second, 7), (other, 8)):
        root.mkdir()
        generate_suite.generate(str(root), 120, seed)
    assert tree_bytes(first) == tree_bytes(second)
    assert tree_bytes(first) != tree_bytes(other)


def test_the_generated_suite_looks_like_a_monorepo(tmp_path: Path) -> None:
    written = generate_suite.generate(str(tmp_path), 400)
    assert len(written) == 400 and len(set(written)) == 400
    assert (tmp_path / "setup.cfg").is_file()
    names = [Path(path) for path in written]
    assert {"unit", "integration", "e2e", "app", "backups"} <= {part for name in names for part in name.parts}
    assert any(name.name == "conftest.py" for name in names)
    assert any(name.name.endswith(".py.backup") for name in names)

    unparsable = latin1 = 0
    for path in written:
        data = (tmp_path / path).read_bytes()
        latin1 += data.startswith(b"# -*- coding: latin-1 -*-")
        try:
            ast.parse(data)
        except SyntaxError:
            unparsable += 1
    assert 0 < unparsable < 20 and latin1 > 0
    lines = [(tmp_path / path).read_bytes().count(b"\n") for path in written if "conftest" not in path]
    assert min(lines) >= 25 and sorted(lines)[len(lines) // 2] >= 100


@pytest.mark.parametrize("share", [0, 22, 50])
def test_the_share_of_application_modules_is_chosen(share: float) -> None:
    planned = generate_suite.plan(2000, 0, share)
    applications = sum(kind.startswith("app:") for _path, kind in planned)
    assert abs(applications / len(planned) - share / 100) < 0.04


@pytest.mark.slow
def test_quick_run_prints_every_comparison() -> None:
    result = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 8, result.stdout  # the header and seven comparisons
    assert all(row.count("|") == 8 for row in rows)


@pytest.mark.slow
def test_history_benchmark_prints_its_ratios() -> None:
    result = subprocess.run([sys.executable, str(BENCHMARKS / "history.py"), "--files", "60", "--commits", "2"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 5, result.stdout  # the header and four comparisons


@pytest.mark.slow
def test_lsp_latency_prints_every_ratio() -> None:
    pytest.importorskip("pygls")
    module = BENCHMARKS.parent / "examples" / "tests" / "integration" / "test_thread_creation_integration.py"
    result = subprocess.run([sys.executable, str(BENCHMARKS / "lsp_latency.py"), "--file", str(module),
                             "--edits", "3", "--repeat", "1"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "findings), 3 edits timed" in lines[0] and lines[1].startswith("edit -> diagnostics")
    assert sum("ssot-lsp / this = " in line for line in lines) == 3, result.stdout
