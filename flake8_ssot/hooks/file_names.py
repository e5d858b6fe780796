"""``ssot-test-file-names``: reject stray files inside test trees.

Backup copies and scratch modules left in a test tree get collected, shadow
the real module or rot unnoticed; the conventions forbid them.  pre-commit
passes the staged file names; a file is in a test tree when a directory on
its path matches ``--test-dirs``.  Exit status 1 names each rejected file
and the pattern it matches.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import sys
from typing import Sequence

DEFAULT_TEST_DIRS = ("tests", "test")
DEFAULT_PATTERNS = (
    # backup copies
    "*.py.backup*", "*.bak", "*.orig", "*.py~",
    # scratch modules
    "temp_*.py", "tmp_*.py", "scratch_*.py", "*_old.py", "fix_*.py",
)
_LIST = re.compile(r"[,\s]+")


def _patterns(value: str) -> list[str]:
    return [item for item in _LIST.split(value) if item]


def forbidden_pattern(path: str, test_dirs: Sequence[str], patterns: Sequence[str]) -> str | None:
    """The first pattern the file's name matches, if the file is in a test tree."""
    *directories, name = os.path.normpath(path).replace(os.sep, "/").split("/")
    if not any(fnmatch.fnmatchcase(d, t) for d in directories for t in test_dirs):
        return None
    return next((p for p in patterns if fnmatch.fnmatchcase(name, p)), None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ssot-test-file-names", description=__doc__.split("\n\n")[0])
    parser.add_argument("filenames", nargs="*", metavar="FILE")
    parser.add_argument("--test-dirs", type=_patterns, default=list(DEFAULT_TEST_DIRS), metavar="NAMES",
                        help="directory names (globs) that make a test tree "
                             f"(default: {','.join(DEFAULT_TEST_DIRS)})")
    parser.add_argument("--patterns", type=_patterns, default=list(DEFAULT_PATTERNS), metavar="GLOBS",
                        help=f"forbidden file names, replacing the defaults ({','.join(DEFAULT_PATTERNS)})")
    parser.add_argument("--extend-patterns", type=_patterns, default=[], metavar="GLOBS",
                        help="forbidden file names besides --patterns")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    patterns = [*args.patterns, *args.extend_patterns]
    status = 0
    for filename in args.filenames:
        pattern = forbidden_pattern(filename, args.test_dirs, patterns)
        if pattern is not None:
            print(f"{filename}: stray file in a test tree (matches {pattern!r}); delete it or give it a real name")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
