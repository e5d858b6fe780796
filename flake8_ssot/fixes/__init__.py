"""Fixes: per-rule producers of text edits, over the checker's FileContext.

Like the rule families in ``flake8_ssot/rules``, each module here fixes the
findings of some codes and says so in ``SAFETY`` (code -> ``"safe"`` or
``"unsafe"``, documented under "Fix safety" on the rule's page).  A fix is
*sometimes* available: ``configured(code, config)`` says whether the
project gave what the fix needs (an accessor, a base mapping), and
``fixes(ctx, document, codes)`` yields, for each finding it can fix, the
finding's ``(line, col, code)`` and its :class:`~flake8_ssot.fixes.edits.Fix`.

Fixes are computed in a pass of their own, after checking, and only for
files with a finding of a code that has a configured fix: checking itself
and the flake8 plugin never pay for them.
"""

from __future__ import annotations

import ast
from types import ModuleType
from typing import Sequence

from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.fixes import bases, environ, hygiene
from flake8_ssot.fixes.edits import SAFE, UNSAFE, Document, Fix
from flake8_ssot.paths import file_path
from flake8_ssot.registry import Finding

PRODUCERS: tuple[ModuleType, ...] = (hygiene, bases, environ)
# Code -> (safety, the module producing its fixes).
FIXABLE: dict[str, tuple[str, ModuleType]] = {
    code: (safety, module) for module in PRODUCERS for code, safety in module.SAFETY.items()
}

__all__ = ["FIXABLE", "SAFE", "UNSAFE", "Fix", "fixable", "fixes_for", "quick_safeties"]


def fixable(finding: Finding, config: Config) -> bool:
    """Whether a fix may exist for ``finding`` under ``config`` (cheap: no parse)."""
    entry = FIXABLE.get(finding.code)
    return entry is not None and entry[1].configured(finding.code, config)


def fixes_for(
    tree: ast.Module, lines: list[str], document: Document, display_name: str, config: Config,
    findings: Sequence[Finding],
) -> dict[Finding, Fix]:
    """The fix of each of ``findings`` that has one."""
    wanted = {(f.line, f.col, f.code): f for f in findings if fixable(f, config)}
    if not wanted:
        return {}
    codes = frozenset(code for _line, _col, code in wanted)
    ctx = FileContext(tree, lines, file_path(display_name, config.root), config)  # the full walk
    found: dict[Finding, Fix] = {}
    for module in PRODUCERS:
        if not codes & module.SAFETY.keys():
            continue
        for position, fix in module.fixes(ctx, document, codes):
            finding = wanted.get(position)
            if finding is not None and finding not in found:
                found[finding] = fix
    ctx.release()
    return found


def quick_safeties(findings: Sequence[Finding], lines: Sequence[str], display_name: str,
                   config: Config) -> dict[Finding, str] | None:
    """Which of ``findings`` have a fix, and its safety, without parsing the
    file, when every fixable finding's producer can tell (``quick``); else None."""
    wanted = [f for f in findings if fixable(f, config)]
    found: dict[Finding, str] = {}
    for module in PRODUCERS:
        own = [f for f in wanted if f.code in module.SAFETY]
        if not own:
            continue
        quick = getattr(module, "quick", None)
        answer = quick(own, lines, display_name, config) if quick is not None else None
        if answer is None:
            return None
        found.update(answer)
    return found
