"""Measure ssot-check's fast path: files parsed vs read, and time against the
full parse and against ruff.

    python benchmarks/fast_path.py [--files 10000] [--app-share 50] [--repeat 3] [--jobs 2]

On a synthetic monorepo from ``generate_suite.py`` (by default half of it
application modules, as in a typical monorepo): how many files the
triggers let through to the parser (default rules, and every rule), then
wall time, alternating the sides as ``run.py`` does:

* ``ssot-check -jN`` / ``ssot-check -jN --full-parse``          (no cache)
* ``ssot-check -jN`` / ``ruff check``, both without a cache     [<= 2]
* both re-run over unchanged files, each with its own cache      [<= 1]

ruff's nearest configuration to the SOT rules it can express: banned-api
(TID251) for the mock and fake-service modules, ignored outside
integration/e2e paths, and TID252 for relative imports.  ruff must be on
PATH or beside this Python; its rows are left out otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from typing import Sequence

import generate_suite
from run import SSOT_CHECK, Comparison, Corpus, Side, describe, discover, measure

from flake8_ssot.paths import file_path
from flake8_ssot.project import load_settings
from flake8_ssot.runner import decode_lines
from flake8_ssot.triggers import Source, needs_parse

MOCK_MODULES = ("unittest.mock", "mock", "asynctest")


def ruff_command() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "ruff")
    return beside if os.path.exists(beside) else shutil.which("ruff")


def ruff_config(fake_modules: Sequence[str]) -> str:
    banned = "".join(f'"{module}".msg = "no test doubles in real-service tests"\n'
                     for module in (*MOCK_MODULES, *fake_modules))
    return (
        "[lint]\n"
        'select = ["TID251", "TID252"]\n'
        "[lint.flake8-tidy-imports]\n"
        'ban-relative-imports = "all"\n'
        "[lint.flake8-tidy-imports.banned-api]\n"
        f"{banned}"
        "[lint.per-file-ignores]\n"
        '"!**/{integration,e2e}/**" = ["TID251"]\n'
    )


def parsed_counts(corpus: Corpus, select: str | None) -> tuple[int, int]:
    """(files read, files the fast path parses) under ``select``."""
    settings = load_settings({"select": select} if select else None, cwd=corpus.root)
    parsed = 0
    for name in corpus.files:
        path = os.path.join(corpus.root, name)
        with open(path, "rb") as source:
            lines = decode_lines(source.read())
        reports = settings.selection.for_file(path).reports
        parsed += needs_parse(Source.of(lines, file_path(path, settings.config.root)), settings.config, reports)
    return len(corpus.files), parsed


def comparisons(jobs: int, scratch: str, ruff: str | None) -> list[Comparison]:
    ssot_cache, ruff_cache = os.path.join(scratch, "ssot.cache"), os.path.join(scratch, "ruff.cache")
    fast = Side(f"ssot-check -j{jobs}", [*SSOT_CHECK, "--no-cache", f"-j{jobs}", "."])
    rows = [Comparison("fast path / full parse", fast,
                       Side(f"ssot-check -j{jobs} --full-parse", [*fast.command, "--full-parse"]), "", "wall")]
    if ruff is None:
        return rows
    warm_ssot = Side("ssot-check warm", [*SSOT_CHECK, "--cache-dir", ssot_cache, f"-j{jobs}", "."])
    warm_ruff = Side("ruff warm", [ruff, "check", "--quiet", "--cache-dir", ruff_cache, "."])
    return rows + [
        Comparison("ssot-check / ruff, no cache", fast,
                   Side("ruff check --no-cache", [ruff, "check", "--quiet", "--no-cache", "."]), "<= 2", "wall"),
        Comparison("re-run on unchanged files: ssot-check / ruff", warm_ssot, warm_ruff, "<= 1", "wall"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--app-share", type=float, default=50, metavar="PERCENT",
                        help="share of application (non-test) modules in the monorepo (default 50)")
    args = parser.parse_args(argv)
    ruff = ruff_command()
    with tempfile.TemporaryDirectory(prefix="ssot-fast-path-") as scratch:
        root = os.path.join(scratch, "suite")
        os.mkdir(root)
        generate_suite.generate(root, args.files, app_share=args.app_share)
        corpus = discover("synthetic", root)
        settings = load_settings(cwd=root)
        with open(os.path.join(root, "ruff.toml"), "w", encoding="utf-8") as handle:
            handle.write(ruff_config(settings.config.fake_modules))
        print(f"# Fast path: synthetic monorepo, {corpus.describe()}, {args.app_share:g}% application modules\n")
        for label, select in (("default rules", None), ("every rule (SOT1-SOT5)", "SOT1,SOT2,SOT3,SOT4,SOT5")):
            read, parsed = parsed_counts(corpus, select)
            print(f"- {label}: {parsed} of {read} files parsed ({parsed / read:.0%})")
        if ruff is None:
            print("- ruff: not installed, its rows are left out")
        print("\n| comparison | A | B | ratio (wall) | target | met |\n|---|---|---|---|---|---|")
        for comparison in comparisons(args.jobs, scratch, ruff):
            print(f"  {comparison.label}", file=sys.stderr)
            for side in (comparison.a, comparison.b):  # untimed: page cache, and the warm sides' caches
                measure(Comparison("", side, side, ""), root, 1)
            a, b = measure(comparison, root, args.repeat)
            ratio = comparison.ratio(a, b)
            print(f"| {comparison.label} | {comparison.a.label}: {describe(a, 'wall')} | "
                  f"{comparison.b.label}: {describe(b, 'wall')} | {ratio:.2f} | {comparison.target or '-'} | "
                  f"{comparison.met(ratio) or '-'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
