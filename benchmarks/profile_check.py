"""Where ssot-check's time goes, stage by stage, on one core.

    python benchmarks/profile_check.py [PATH] [--repeat 3]

Checks every file under PATH (default: Python's ``test`` package) the way
``ssot-check -j 1`` does, timing each stage separately, and prints the CPU
time of each (best of ``--repeat`` rounds) as a share of the total and as
a multiple of parsing.  Whole stages are timed instead of using cProfile,
which charges its own per-call overhead to the walk and the rules (millions
of small calls) and so overstates them.

One row is not part of a check: a bare traversal of the same trees that
records nothing, the least any complete walk in Python costs.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
from collections import Counter

from flake8_ssot.context import FileContext
from flake8_ssot.paths import file_path
from flake8_ssot.project import expand_paths, load_settings
from flake8_ssot.rules import FAMILIES
from flake8_ssot.runner import _collecting_less, decode_lines
from flake8_ssot.triggers import Source, triggers_for


BARE = "(reference: bare traversal)"


def bare_traversal(tree: ast.AST) -> None:
    stack = [tree]
    while stack:
        node = stack.pop()
        for field in node._fields:
            value = getattr(node, field, None)
            if value.__class__ is list:
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)


def profile(root: str, walks: Counter[str]) -> Counter[str]:
    settings = load_settings(cwd=root)
    config = settings.config
    triggers = triggers_for(config)
    spent: Counter[str] = Counter()
    clock = time.process_time
    for path in expand_paths([root], settings):
        started = clock()
        with open(path, "rb") as source:
            data = source.read()
        read = clock()
        lines = decode_lines(data)
        text = "".join(lines)
        decoded = clock()
        spent["read"] += read - started
        spent["decode into lines"] += decoded - read
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        parsed = clock()
        spent["ast.parse"] += parsed - decoded
        source = Source(text, lines, file_path(path, config.root))
        active = triggers.active(config.enabled_codes, source)
        expression_lines = triggers.expression_lines(active, source)
        triggered = clock()
        spent["triggers"] += triggered - parsed
        context = FileContext(tree, lines, source.path, config, active, expression_lines)
        spent["context walk"] += clock() - triggered
        walks["every statement" if expression_lines is None else
              "statements on wanted lines" if expression_lines else "no statement"] += 1
        for family, codes in FAMILIES.items():
            begun = clock()
            if codes & active:
                list(family.check(context))
            spent[f"rules: {family.__name__.rpartition('.')[2]}"] += clock() - begun
        begun = clock()
        bare_traversal(tree)
        spent[BARE] += clock() - begun
        begun = clock()
        del context, tree
        spent["freeing the tree"] += clock() - begun
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path", nargs="?", help="default: Python's test package")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.path is None:
        import test  # noqa: PLC0415 - the package's location is the default corpus

        args.path = os.path.dirname(test.__file__)
    best: dict[str, float] = {}
    walks: Counter[str] = Counter()  # files by the statements whose expressions the walk visits
    with _collecting_less():  # the collector settings ssot-check runs with
        for _ in range(args.repeat):
            walks.clear()
            for stage, seconds in profile(os.path.abspath(args.path), walks).items():
                best[stage] = min(best.get(stage, seconds), seconds)
    reference = best.pop(BARE)
    total = sum(best.values())
    parse = best["ast.parse"]
    print("| stage | CPU s | share | × ast.parse |\n|---|---|---|---|")
    for stage, seconds in best.items():
        print(f"| {stage} | {seconds:.2f} | {seconds / total:.0%} | {seconds / parse:.2f} |")
    print(f"| total | {total:.2f} | 100% | {total / parse:.2f} |")
    print(f"| {BARE} | {reference:.2f} | | {reference / parse:.2f} |")
    print("\nfiles by the statements whose expressions were visited: "
          + ", ".join(f"{kind} {count}" for kind, count in walks.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
