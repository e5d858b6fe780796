"""The checking core shared by the flake8 plugin and the standalone tools."""

from __future__ import annotations

import ast
from typing import Sequence

from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.paths import file_path
from flake8_ssot.registry import Finding, finding
from flake8_ssot.rules import FAMILIES


def check_tree(tree: ast.Module, lines: Sequence[str], filename: str, config: Config) -> list[Finding]:
    """All enabled findings for one parsed file, sorted by position.

    Never raises for a tree Python could parse: a failure to check (deep
    nesting exhausting the stack, say) becomes one SOT999 finding.
    """
    try:
        ctx = FileContext(tree, list(lines), file_path(filename, config.root), config)
    except Exception as error:  # noqa: BLE001 - a plugin crash would abort the whole flake8 run
        return [_not_checked(error)]
    found: set[Finding] = set()
    for family in FAMILIES:
        # One family failing must not hide what the others found.
        try:
            found.update(f for f in family.check(ctx) if f.code in config.enabled_codes)
        except Exception as error:  # noqa: BLE001
            found.add(_not_checked(error))
    return sorted(found)


def _not_checked(error: Exception) -> Finding:
    if isinstance(error, RecursionError):
        return finding((1, 0), "SOT999", reason="it nests too deeply")
    return finding((1, 0), "SOT999", reason=f"internal error {type(error).__name__}: {error}")
