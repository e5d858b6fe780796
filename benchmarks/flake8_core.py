"""Run flake8 with only some of the installed plugins: its defaults, flake8-ssot, or those named.

    python benchmarks/flake8_core.py PLUGINS [flake8 arguments...]

PLUGINS joins with ``+`` any of ``core`` (flake8's default plugins: pyflakes,
pycodestyle, mccabe), ``ssot`` (flake8-ssot) and distribution names, for
example ``core``, ``core+ssot``, ``ssot``, ``core+ssot+flake8-bugbear``.

The plugin's marginal cost is measured against flake8 as installed out of
the box (``core``), in the same environment and the same Python, so that
neither side pays for the other plugins a developer may have installed
(which would hide our cost in a larger total).  flake8 has no switch to
leave an installed plugin out, so this wrapper filters plugin discovery;
both sides of the comparison go through it, and ``--version`` shows what
each side loaded.  The tests use it where flake8's other plugins would be
most of a run's time and none of its point (``ssot``: flake8's machinery and
reporters, no checker but ours).
"""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator

from flake8.main.cli import main as flake8_main
from flake8.plugins import finder

ALIASES = {"core": frozenset({"pyflakes", "pycodestyle", "mccabe"}), "ssot": frozenset({"flake8-ssot"})}


def packages(spec: str) -> frozenset[str]:
    """The distributions whose plugins run: flake8's own (its reporters) and those ``spec`` names."""
    keep = {"flake8"}
    for piece in spec.split("+"):
        keep |= ALIASES.get(piece, {piece})
    return frozenset(keep)


@contextlib.contextmanager
def only(spec: str) -> Iterator[None]:
    """flake8 finds only the plugins of ``spec`` while this lasts.  Raises
    LookupError naming those that are not installed."""
    keep = packages(spec)
    discover = finder._find_importlib_plugins  # private, stable since flake8 5; fails loudly if it goes
    missing = keep - {plugin.package for plugin in discover()} - {"flake8"}
    if missing:
        raise LookupError(f"not installed as flake8 plugins: {', '.join(sorted(missing))}")
    finder._find_importlib_plugins = lambda: (p for p in discover() if p.package in keep)
    try:
        yield
    finally:
        finder._find_importlib_plugins = discover


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: flake8_core.py PLUGINS [flake8 arguments...]  (PLUGINS: core, core+ssot, ssot, ...)",
              file=sys.stderr)
        return 2
    try:
        with only(argv[0]):
            return flake8_main(argv[1:])
    except LookupError as error:
        print(f"flake8_core.py: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
