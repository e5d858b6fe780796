"""Measure flake8-ssot side by side with its baselines and print the ratios.

    python benchmarks/run.py [--files 2000] [--repeat 3] [--corpus {stdlib,synthetic}] [--quick]

For each corpus (Python's own ``test`` package, and a synthetic monorepo
suite from ``generate_suite.py``) every comparison runs both commands as
subprocesses, alternating B, A, B, A so that drift in machine load hits
both sides alike, and reports the ratio of the medians.  Both wall and CPU
time (user + system, children included) are shown; a target is judged on
CPU time, which other work on a shared machine disturbs less, except for
parallelism, which is about wall time.  Peak memory is the largest
resident set of any process in the run.

Comparisons (target in brackets):

* flake8's default run with the plugin / without it            [<= 1.03]
* ``ssot-check -j 1`` / reading and ``ast.parse``-ing the files  [<= 1.30]
* ``flake8 --select=SOT -j 1`` / ``ssot-check -j 1``            [>= 15]
* ``ssot-check -j 1`` / ``ssot-check -j 2`` (wall time)         [>= 1.7]
* a re-run over unchanged files / the first run (cache)        [<= 0.10]
* the first run with the cache / with ``--no-cache``           [informative]
* peak memory over every file given 4 times / once             [<= 1.10]

"flake8" is flake8 with only its own default plugins (see ``flake8_core.py``).
POSIX only: peak memory comes from ``os.wait4``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import generate_suite

from flake8_ssot import __version__
from flake8_ssot.project import expand_paths, load_settings

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable
FLAKE8 = [PYTHON, os.path.join(HERE, "flake8_core.py")]
SSOT_CHECK = [PYTHON, "-m", "flake8_ssot.cli"]
FLOOR = [PYTHON, os.path.join(HERE, "parse_floor.py")]
# ru_maxrss is in kilobytes on Linux, bytes on macOS.
RSS_UNIT = 1 if sys.platform == "darwin" else 1024


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system, the process and its children
    rss: int  # bytes, the largest resident set in the process tree


def run(command: Sequence[str], cwd: str) -> Sample:
    """Run to completion with output discarded; exit 0 or 1 (findings) only."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} exited {process.returncode} in {cwd}:\n"
                             f"{errors.read().decode(errors='replace')[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * RSS_UNIT)


@dataclass(frozen=True)
class Side:
    label: str
    command: Sequence[str]
    before: Callable[[], None] = lambda: None  # runs untimed before each sample


# What a comparison's ratio is taken of.
MEASURES = {"cpu": "CPU time", "wall": "wall time", "rss": "peak memory"}


@dataclass(frozen=True)
class Comparison:
    label: str
    a: Side
    b: Side
    target: str  # e.g. "<= 1.03"; empty for an informative row
    # CPU time unless the point is parallelism (wall time) or memory: on a
    # shared machine it is the less disturbed of the two clocks.
    measure: str = "cpu"

    def ratio(self, a: Sequence[Sample], b: Sequence[Sample]) -> float:
        """Median of A over median of B."""
        def median(samples: Sequence[Sample]) -> float:
            return statistics.median(getattr(sample, self.measure) for sample in samples)
        return median(a) / median(b)

    def met(self, ratio: float) -> str:
        if not self.target:
            return ""
        operator, bound = self.target.split()
        return "yes" if (ratio <= float(bound) if operator == "<=" else ratio >= float(bound)) else "**no**"


@dataclass(frozen=True)
class Corpus:
    name: str
    root: str
    files: list[str]  # as ssot-check discovers them, relative to root

    def describe(self) -> str:
        lines = size = 0
        for path in self.files:
            with open(os.path.join(self.root, path), "rb") as source:
                data = source.read()
            size += len(data)
            lines += data.count(b"\n")
        return f"{len(self.files)} files, {lines:,} lines, {size / 1e6:.1f} MB"


def discover(name: str, root: str) -> Corpus:
    settings = load_settings(cwd=root)
    files = sorted(os.path.relpath(path, root) for path in expand_paths([root], settings))
    return Corpus(name, root, files)


def comparisons(corpus: Corpus, listing: str, cache: str) -> list[Comparison]:
    """``listing`` names the corpus files one a line; ``cache`` is a scratch cache directory."""
    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    uncached = [*SSOT_CHECK, "--no-cache"]
    return [
        Comparison("flake8 default run: with the plugin / without",
                   Side("flake8 + flake8-ssot", [*FLAKE8, "core+ssot", "."]),
                   Side("flake8", [*FLAKE8, "core", "."]), "<= 1.03"),
        Comparison("ssot-check -j1 / read + ast.parse",
                   Side("ssot-check -j1", [*uncached, "-j1", "."]),
                   Side("parse floor", [*FLOOR, listing]), "<= 1.30"),
        Comparison("flake8 --select=SOT -j1 / ssot-check -j1",
                   Side("flake8 --select=SOT -j1", [*FLAKE8, "core+ssot", "--select=SOT", "-j1", "."]),
                   Side("ssot-check -j1", [*uncached, "-j1", "."]), ">= 15"),
        Comparison("ssot-check -j1 / -j2",
                   Side("ssot-check -j1", [*uncached, "-j1", "."]),
                   Side("ssot-check -j2", [*uncached, "-j2", "."]), ">= 1.7", measure="wall"),
        Comparison("re-run on unchanged files / first run",
                   Side("warm cache", [*SSOT_CHECK, "--cache-dir", cache, "-j1", "."]),
                   Side("cold cache", [*SSOT_CHECK, "--cache-dir", cache, "-j1", "."], before=clear_cache),
                   "<= 0.10"),
        Comparison("first run: with the cache / --no-cache",
                   Side("cold cache", [*SSOT_CHECK, "--cache-dir", cache, "-j1", "."], before=clear_cache),
                   Side("--no-cache", [*uncached, "-j1", "."]), ""),
        # The same files four times over: four times the files with the
        # same largest file, whose tree is what a flat profile is bounded by.
        Comparison(f"peak memory: {4 * len(corpus.files)} files / {len(corpus.files)}",
                   Side("every file 4 times", [*uncached, "-j1", ".", ".", ".", "."]),
                   Side("every file once", [*uncached, "-j1", "."]), "<= 1.10", measure="rss"),
    ]


def measure(comparison: Comparison, cwd: str, repeat: int) -> tuple[list[Sample], list[Sample]]:
    """Alternate the sides; B first so that a cold-cache B precedes a warm A."""
    a: list[Sample] = []
    b: list[Sample] = []
    for _ in range(repeat):
        for side, samples in ((comparison.b, b), (comparison.a, a)):
            side.before()
            samples.append(run(side.command, cwd))
    return a, b


def describe(samples: Sequence[Sample], measure: str) -> str:
    if measure == "rss":
        return f"{statistics.median(s.rss for s in samples) / 2**20:.0f} MB"
    return (f"{statistics.median(s.wall for s in samples):.2f} s wall, "
            f"{statistics.median(s.cpu for s in samples):.2f} s CPU")


def table(corpus: Corpus, scratch: str, repeat: int) -> str:
    listing = os.path.join(scratch, f"{corpus.name}.files")
    with open(listing, "w", encoding="utf-8") as handle:
        handle.write("\n".join(corpus.files) + "\n")
    run([*FLOOR, listing], corpus.root)  # untimed: brings the files into the page cache
    rows = ["| comparison | A | B | ratio | of | target | met |", "|---|---|---|---|---|---|---|"]
    for comparison in comparisons(corpus, listing, os.path.join(scratch, f"{corpus.name}.cache")):
        print(f"  {comparison.label}", file=sys.stderr)
        a, b = measure(comparison, corpus.root, repeat)
        ratio = comparison.ratio(a, b)
        cells = [comparison.label, f"{comparison.a.label}: {describe(a, comparison.measure)}",
                 f"{comparison.b.label}: {describe(b, comparison.measure)}", f"{ratio:.2f}",
                 MEASURES[comparison.measure], comparison.target or "-", comparison.met(ratio) or "-"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def plugins(side: str) -> str:
    """What flake8 loads on one side of the plugin comparison, from its --version."""
    version = subprocess.run([*FLAKE8, side, "--version"], capture_output=True, text=True, check=True).stdout
    return " ".join(version.split())


def stdlib_tests() -> str:
    import test  # noqa: PLC0415 - the package's location is the corpus

    return os.path.dirname(test.__file__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=2000, help="size of the synthetic suite (default 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="samples per side, median taken (default 3)")
    parser.add_argument("--corpus", action="append", choices=("stdlib", "synthetic"),
                        help="corpora to measure (default: both)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: a 12-file synthetic suite, one sample per side")
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.repeat, args.corpus = 12, 1, ["synthetic"]
    corpora = args.corpus or ["stdlib", "synthetic"]

    out = [f"flake8-ssot {__version__}, Python {platform.python_version()}, {platform.system()} "
           f"{platform.machine()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}",
           f"`python benchmarks/run.py --files {args.files} --repeat {args.repeat} "
           f"{' '.join(f'--corpus {name}' for name in corpora)}`, median of {args.repeat} per side",
           f"flake8: `{plugins('core')}`; with the plugin: `{plugins('core+ssot')}`"]
    with tempfile.TemporaryDirectory(prefix="ssot-bench-") as scratch:
        for name in corpora:
            if name == "stdlib":
                root = stdlib_tests()
            else:
                root = os.path.join(scratch, "synthetic")
                os.mkdir(root)
                generate_suite.generate(root, args.files)
            corpus = discover(name, root)
            description = corpus.describe()
            print(f"{name}: {description}", file=sys.stderr)
            load = os.getloadavg()[0]
            body = table(corpus, scratch, args.repeat)
            out += ["", f"### {name}: {description}",
                    f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after", "", body]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
