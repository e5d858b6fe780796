"""The floor for any Python linter: read each file and ``ast.parse`` it.

    python benchmarks/parse_floor.py FILE_LIST

FILE_LIST names one file per line (the files ``ssot-check`` discovers, so
discovery is not charged to the floor).  Nothing else happens: no
decoding into lines, no checks, no output, and no garbage collection
(syntax trees are acyclic, so reference counting frees them; ssot-check
only makes the collector run less often).  A strict floor: the least any
tool that parses these files with Python's own parser can spend.
"""

from __future__ import annotations

import ast
import gc
import sys


def main(argv: list[str]) -> int:
    gc.disable()
    with open(argv[0], encoding="utf-8") as listing:
        paths = listing.read().splitlines()
    for path in paths:
        with open(path, "rb") as source:
            data = source.read()
        try:
            ast.parse(data, path)
        except (SyntaxError, ValueError):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
