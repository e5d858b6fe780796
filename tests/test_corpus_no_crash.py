"""No real code crashes the plugin or ssot-check, and their output is the same however they are run.

The corpus is every ``.py`` file of the running Python: the standard library
and site-packages (``sysconfig`` paths ``stdlib`` and ``purelib``, walked
whole, so the base interpreter's own site-packages count too).  Each file is
checked as if it were an integration test module, so every rule family runs
on it.  The default run takes a deterministic twelfth of the corpus (by a
hash of each file's path, so the same files on every machine of one image:
about 1,300 files and 15 MB with the test extra installed), split into
shards that pytest-xdist runs side by side; ``SSOT_FULL_CORPUS=1`` walks all
of it (15,000 files, several minutes).

check_tree turns any exception into one SOT999 finding, so "no crash" is
"no SOT999": no file of the corpus is known to need one.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import subprocess
import sysconfig
import tokenize
import zlib
from pathlib import Path
from typing import NamedTuple

import pytest

from flake8_ssot.checker import analyse_tree, check_tree
from flake8_ssot.config import build_config
from flake8_ssot.paths import file_path
from flake8_ssot.plugin import SSOTChecker
from flake8_ssot.registry import RULES
from flake8_ssot.triggers import Source
from tests.expectations import run_flake8, run_ssot_check_process

FULL = os.environ.get("SSOT_FULL_CORPUS") == "1"
SAMPLE_ONE_IN = 12
SHARDS = 4  # each in-process corpus test runs as this many cases, so that parallel workers share it
# Where the corpus files pretend to live: integration scope, test module.
VIRTUAL_ROOT = "/corpus"
ALL_CODES = tuple(sorted({code[:4] for code in RULES}))  # four characters switch optional codes on


@functools.cache
def corpus() -> list[tuple[str, str]]:
    """(path relative to its root, absolute path) of every .py file, sorted;
    walked on first use, so that a worker that runs no corpus test skips it.
    Plain strings: 15,000 Path objects cost more than the walk."""
    found: dict[str, str] = {}
    for root in sorted({sysconfig.get_paths()[key] for key in ("stdlib", "purelib")}):
        prefix = os.path.join(root, "")
        for dirpath, _dirnames, filenames in os.walk(root):  # does not follow symlinks
            for name in filenames:
                if name.endswith(".py"):
                    path = os.path.join(dirpath, name)
                    found.setdefault(path, path[len(prefix):])
    return sorted((relative, path) for path, relative in found.items())


def _sample(files: list[tuple[str, str]], one_in: int) -> list[tuple[str, Path]]:
    # Hash of the relative path: the same files on every machine of one image.
    return [(relative, Path(path)) for relative, path in files if zlib.crc32(relative.encode()) % one_in == 0]


def _parse(path: Path) -> tuple[ast.Module, list[str]] | None:
    """The tree and lines flake8 would hand the plugin, or None when Python
    itself cannot read the file (flake8 reports E902/E999 and skips plugins)."""
    try:
        with tokenize.open(path) as handle:  # honours the coding cookie, as flake8 does
            source = handle.read()
        return ast.parse(source, str(path)), source.splitlines(keepends=True)
    except (SyntaxError, ValueError, LookupError, RecursionError, MemoryError, OSError):  # ValueError: undecodable
        return None


@functools.cache
def checked_files() -> list[tuple[str, Path]]:
    return _sample(corpus(), 1 if FULL else SAMPLE_ONE_IN)


def test_corpus_is_real() -> None:
    """A walk that found nothing would pass vacuously."""
    assert len(corpus()) > 1000
    assert len(checked_files()) > (len(corpus()) // SAMPLE_ONE_IN) // 2


class Parsed(NamedTuple):
    index: int  # in checked_files()
    relative: str
    path: Path
    tree: ast.Module
    lines: list[str]


@pytest.fixture(scope="module", params=range(SHARDS))
def shard(request: pytest.FixtureRequest) -> list[Parsed]:
    """A shard's files (every SHARDS-th), parsed once for both properties
    below: pytest runs a shard's tests one after the other, so a worker that
    gets both parses the shard once (parsing is most of their time)."""
    shard_files = [(index, *item) for index, item in enumerate(checked_files()) if index % SHARDS == request.param]
    parsed = [Parsed(index, relative, path, *tree_and_lines)
              for index, relative, path in shard_files if (tree_and_lines := _parse(path)) is not None]
    assert len(parsed) > len(shard_files) * 0.9, "most corpus files should parse"
    return parsed


def test_every_corpus_file_is_checked_without_error(monkeypatch: pytest.MonkeyPatch, shard: list[Parsed]) -> None:
    """Through the flake8 entry point (which calls check_tree) with every code on."""
    config = build_config({"ssot_mock_allowed_targets": "openai.*"}, VIRTUAL_ROOT, ALL_CODES)
    monkeypatch.setattr(SSOTChecker, "config", config)
    failures = []
    for file in shard:
        virtual = f"{VIRTUAL_ROOT}/tests/integration/test_{file.path.stem}.py"
        try:
            results = list(SSOTChecker(file.tree, virtual, file.lines).run())
        except Exception as error:  # noqa: BLE001 - collect every failure, not only the first
            failures.append(f"{file.relative}: raised {type(error).__name__}: {error}")
            continue
        failures += [f"{file.relative}:{line}: {text}" for line, _col, text, _type in results
                     if text.startswith("SOT999")]
    assert not failures, "\n".join(failures)


def test_triggers_change_no_result(shard: list[Parsed]) -> None:
    """Rules left out by their triggers, and statements walked without their
    expressions, change no finding and no fact: the checker with triggers
    against every enabled rule on the full walk.  Files take turns as an
    integration test module (every family has work) or where they are (most
    rules have none), with every code on or the default ones (SOT506 and
    SOT507 need every statement's expressions; the others only some)."""
    every_code = build_config({}, VIRTUAL_ROOT, ALL_CODES)
    default_codes = build_config({}, VIRTUAL_ROOT, ["SOT", "SOT505"])
    differences = []
    for file in shard:
        config = every_code if file.index % 4 < 2 else default_codes
        name = (f"{VIRTUAL_ROOT}/tests/integration/test_{file.path.stem}.py" if file.index % 2
                else f"{VIRTUAL_ROOT}/{file.relative}")
        source = Source.of(file.lines, file_path(name, config.root))
        triggered = analyse_tree(file.tree, file.lines, source, config, with_facts=True)
        if triggered != analyse_tree(file.tree, file.lines, source, config, with_facts=True, use_triggers=False):
            differences.append(file.relative)
    assert not differences, differences[:10]


def run_ssot_check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_ssot_check_process(*args, cwd=cwd, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, timeout=600)


@pytest.mark.slow
def test_every_corpus_file_through_ssot_check(tmp_path: Path) -> None:
    """At their real paths, read and decoded by the runner itself (a smaller
    sample: the checking core is the same as above)."""
    paths = [str(path) for _relative, path in (checked_files() if FULL else _sample(corpus(), 32))]
    result = run_ssot_check("--isolated", "--jobs", "2", f"--select={','.join(ALL_CODES)},E9", *paths, cwd=tmp_path)
    assert result.returncode in (0, 1) and not result.stderr, result.stderr
    assert "SOT999" not in result.stdout
    assert result.stdout.count("\n") > 100, "the corpus should produce findings"


def test_checking_does_not_depend_on_the_path_spelling() -> None:
    """The real absolute path and the same path relative to the cwd give the same result."""
    config = build_config({}, "/")
    for _relative, path in _sample(corpus(), 100):
        parsed = _parse(path)
        if parsed is None:
            continue
        tree, lines = parsed
        assert check_tree(tree, lines, str(path), config) == \
            check_tree(tree, lines, os.path.relpath(path), config), path


# ------------------------------------------------------------- determinism
# A small stdlib sample copied into integration scope: the stdlib is the
# same on every machine of one image, and these files carry findings.
def determinism_sample() -> list[Path]:
    return [path for _relative, path in _sample(corpus(), 240) if "site-packages" not in path.parts and _parse(path)]


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus sample")  # a space in the path, on purpose
    (root / "setup.cfg").write_text("[flake8]\nssot-mock-allowed-targets = openai.*\n", encoding="utf-8")
    target = root / "tests" / "integration"
    target.mkdir(parents=True)
    for index, path in enumerate(determinism_sample()):
        shutil.copyfile(path, target / f"test_{index:03d}_{path.name}")
    return root


@pytest.mark.slow
def test_output_is_identical_across_runs_and_jobs(sample_project: Path) -> None:
    select = f"--select={','.join(ALL_CODES)}"
    # flake8 with our plugin alone: the others would be two thirds of these runs and change nothing we print.
    runs = {
        "flake8 -j 1": run_flake8(select, "-j", "1", ".", cwd=sample_project, plugins="ssot"),
        "flake8 -j 1 again": run_flake8(select, "-j", "1", ".", cwd=sample_project, plugins="ssot"),
        "flake8 -j 2": run_flake8(select, "-j", "2", ".", cwd=sample_project, plugins="ssot"),
        "ssot-check -j 1": run_ssot_check(select, "-j", "1", ".", cwd=sample_project),
        "ssot-check -j 2": run_ssot_check(select, "-j", "2", ".", cwd=sample_project),
    }
    for name, result in runs.items():
        assert result.returncode == 1 and not result.stderr, f"{name}: {result.returncode}\n{result.stderr}"
    outputs = {name: result.stdout for name, result in runs.items()}
    reference = outputs["flake8 -j 1"]
    assert reference.count("\n") > 20, "the sample should produce findings"
    assert {name for name, output in outputs.items() if output != reference} == set()


@pytest.mark.slow
def test_flake8_reports_what_the_core_finds(sample_project: Path) -> None:
    result = run_flake8(f"--select={','.join(ALL_CODES)}", ".", cwd=sample_project)
    config = build_config({"ssot_mock_allowed_targets": "openai.*"}, str(sample_project), ALL_CODES)
    expected = []
    for path in sorted((sample_project / "tests" / "integration").iterdir()):
        parsed = _parse(path)
        assert parsed is not None
        shown = "./" + path.relative_to(sample_project).as_posix()
        expected += [f"{shown}:{f.line}:{f.col + 1}: {f.text}" for f in check_tree(*parsed, str(path), config)]
    assert sorted(result.stdout.splitlines()) == sorted(expected)
