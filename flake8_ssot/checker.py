"""The checking core shared by the flake8 plugin and the standalone tools."""

from __future__ import annotations

import ast
from typing import NamedTuple, Sequence

from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.facts import NOT_CHECKED, FileFacts, file_facts
from flake8_ssot.paths import file_path
from flake8_ssot.registry import Finding, finding
from flake8_ssot.rules import FAMILIES
from flake8_ssot.triggers import Source, triggers_for


class Analysis(NamedTuple):
    findings: list[Finding]
    facts: FileFacts | None  # only when asked for


def check_tree(tree: ast.Module, lines: Sequence[str], filename: str, config: Config) -> list[Finding]:
    """All enabled findings for one parsed file, sorted by position.

    Never raises for a tree Python could parse: a failure to check (deep
    nesting exhausting the stack, say) becomes one SOT999 finding.
    """
    source = Source.of(lines, file_path(filename, config.root))
    return analyse_tree(tree, lines, source, config, with_facts=False).findings


def analyse_tree(
    tree: ast.Module, lines: Sequence[str], source: Source, config: Config, *, with_facts: bool,
    use_triggers: bool = True,
) -> Analysis:
    """:func:`check_tree`'s findings and, if asked, the file's facts, from one walk.

    Only the rules whose trigger holds in ``source`` run, on the walk they
    need (see triggers.py); ``use_triggers=False`` runs every enabled rule
    on the full walk, with the same result.  A file the checker failed on
    (any SOT999) has facts with status ``not-checked``: its findings may be
    incomplete.
    """
    if use_triggers:
        triggers = triggers_for(config)
        active = triggers.active(config.enabled_codes, source)
        if not (active or with_facts):
            return Analysis([], None)
        expression_lines = triggers.expression_lines(active, source)
    else:
        active, expression_lines = config.enabled_codes, None
    try:
        ctx = FileContext(tree, list(lines), source.path, config, active, expression_lines)
    except Exception as error:  # noqa: BLE001 - a plugin crash would abort the whole flake8 run
        failure = _not_checked(error)
        return Analysis([failure], FileFacts(NOT_CHECKED, failure.message) if with_facts else None)
    found: set[Finding] = set()
    failure = None
    for family, codes in FAMILIES.items():
        if not codes & active:
            continue
        # One family failing must not hide what the others found.
        try:
            found.update(f for f in family.check(ctx) if f.code in active)
        except Exception as error:  # noqa: BLE001
            failure = _not_checked(error)
            found.add(failure)
    facts = None
    if with_facts:
        try:
            facts = file_facts(ctx)
        except Exception as error:  # noqa: BLE001
            failure = failure or _not_checked(error)
        if failure is not None:
            facts = FileFacts(NOT_CHECKED, failure.message)
    ctx.release()
    return Analysis(sorted(found), facts)


def _not_checked(error: Exception) -> Finding:
    if isinstance(error, RecursionError):
        return finding((1, 0), "SOT999", reason="it nests too deeply")
    return finding((1, 0), "SOT999", reason=f"internal error {type(error).__name__}: {error}")
