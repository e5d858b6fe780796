"""Measure ``ssot-report --history``: cost per sampled commit, and the per-blob cache.

    python benchmarks/history.py [--files 10000] [--commits 100] [--changes 20] [--jobs 2] [--repeat 1]

Builds a git repository from a synthetic monorepo (``generate_suite.py``,
``--files`` files in the first commit), then ``--commits`` commits, each
editing ``--changes`` test modules (a test added, sometimes with a mock),
six hours apart.  Then, in the same run and alternating as ``run.py`` does:

* ``ssot-report`` of the tree at HEAD (one full audit, no history)
* ``ssot-report --history`` over every commit (``--every commit``) with an
  empty cache: every file of the first commit checked, then only the blobs
  each commit changed
* the same again with the cache the cold run left (nothing checked)

and prints ratios of wall and of CPU time (the process and its workers):
time per sampled commit over one full audit, the whole history over one
full audit, warm over cold.  Absolute times are shown beside them; they
depend on the machine, the ratios much less (CPU time less than wall time
on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Sequence

import generate_suite
from run import PYTHON, Sample, describe, run

REPORT = [PYTHON, "-m", "flake8_ssot.report", "--format", "json"]
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
START = 1_780_000_000  # the first commit's time (2026-05-28)
NEW_TEST = '''

def test_added_{n}():
    result = {{"n": {n}}}
    assert result["n"] == {n}
'''
NEW_MOCKED_TEST = '''

def test_added_{n}():
    from unittest.mock import MagicMock
    assert MagicMock()
'''


def git(root: str, *args: str, when: int = START) -> None:
    dates = {"GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    env = {**os.environ, **GIT_ENV, **dates}  # noqa: SOT301 - a git subprocess's environment, not test code
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def build(root: str, files: int, commits: int, changes: int, seed: int = 0) -> None:
    """The repository: the generated suite, then ``commits`` commits of ``changes`` edited test modules."""
    written = generate_suite.generate(root, files, seed)
    with open(os.path.join(root, ".gitignore"), "w", encoding="utf-8") as handle:
        handle.write(".ssot_cache/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the suite")
    tests = sorted(path for path in written if os.path.basename(path).startswith("test_") and path.endswith(".py"))
    rng = random.Random(seed)
    for number in range(1, commits + 1):
        edited = rng.sample(tests, min(changes, len(tests)))
        for n, path in enumerate(edited):
            template = NEW_MOCKED_TEST if rng.random() < 0.1 else NEW_TEST
            with open(os.path.join(root, path), "a", encoding="latin-1") as handle:
                handle.write(template.format(n=number * 1000 + n))
        git(root, "add", "--", *edited)
        git(root, "commit", "-q", "-m", f"change {number}", when=START + number * 6 * 3600)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=2000, help="files in the first commit (default 2000)")
    parser.add_argument("--commits", type=int, default=30, help="commits after the first (default 30)")
    parser.add_argument("--changes", type=int, default=20, help="test modules each commit edits (default 20)")
    parser.add_argument("--jobs", default="2", help="ssot-report -j (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="samples of each side (default 1)")
    parser.add_argument("--keep", metavar="DIR", help="build the repository in DIR and keep it")
    args = parser.parse_args(argv)

    scratch = args.keep or tempfile.mkdtemp(prefix="ssot-history-")
    root, cache = os.path.join(scratch, "repo"), os.path.join(scratch, "cache")
    try:
        if not os.path.isdir(os.path.join(root, ".git")):
            os.makedirs(root, exist_ok=True)
            print(f"building {args.files} files and {args.commits} commits in {root}", file=sys.stderr)
            build(root, args.files, args.commits, args.changes)
        history = [*REPORT, "-j", args.jobs, "--history", "main", "--every", "commit", "--cache-dir", cache]
        full: list[Sample] = []
        cold: list[Sample] = []
        warm: list[Sample] = []
        for _ in range(args.repeat):
            full.append(run([*REPORT, "-j", args.jobs, "."], root))
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(run(history, root))
            warm.append(run(history, root))
        sampled = args.commits + 1
        per_commit = [Sample(s.wall / sampled, s.cpu / sampled, s.rss) for s in cold]
        warm_per_commit = [Sample(s.wall / sampled, s.cpu / sampled, s.rss) for s in warm]
        rows = [
            ("history, cold cache, per sampled commit / one full ssot-report", per_commit, full),
            ("history, warm cache, per sampled commit / one full ssot-report", warm_per_commit, full),
            (f"whole history ({sampled} commits), cold / one full ssot-report", cold, full),
            ("history warm / cold", warm, cold),
        ]
        print(f"{args.files} files, {sampled} sampled commits, {args.changes} test modules edited per commit, "
              f"-j{args.jobs}; medians of {args.repeat}, wall time")
        print("| comparison | A | B | ratio (wall) | ratio (CPU) |\n|---|---|---|---|---|")
        for label, a, b in rows:
            ratios = [statistics.median(getattr(s, clock) for s in a) / statistics.median(getattr(s, clock) for s in b)
                      for clock in ("wall", "cpu")]
            print(f"| {label} | {describe(a, 'wall')} | {describe(b, 'wall')} | {ratios[0]:.3g} | {ratios[1]:.3g} |")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
