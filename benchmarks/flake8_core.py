"""Run flake8 with only its default plugins, optionally plus flake8-ssot.

    python benchmarks/flake8_core.py {core,core+ssot} [flake8 arguments...]

The plugin's marginal cost is measured against flake8 as installed out of
the box (pyflakes, pycodestyle, mccabe), in the same environment and the
same Python, so that neither side pays for the other plugins a developer
may have installed (which would hide our cost in a larger total).  flake8
has no switch to leave an installed plugin out, so this wrapper filters
plugin discovery; both sides of the comparison go through it, and
``--version`` shows what each side loaded.
"""

from __future__ import annotations

import sys

from flake8.main.cli import main as flake8_main
from flake8.plugins import finder

CORE = frozenset({"flake8", "pyflakes", "pycodestyle", "mccabe"})
SETS = {"core": CORE, "core+ssot": CORE | {"flake8-ssot"}}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SETS:
        print(f"usage: flake8_core.py {{{','.join(SETS)}}} [flake8 arguments...]", file=sys.stderr)
        return 2
    keep = SETS[argv[0]]
    discover = finder._find_importlib_plugins  # private, stable since flake8 5; fails loudly if it goes
    finder._find_importlib_plugins = lambda: (p for p in discover() if p.package in keep)
    return flake8_main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
