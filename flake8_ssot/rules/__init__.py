"""Rule families: each module exposes ``check(ctx)`` yielding Findings."""

from types import ModuleType

from flake8_ssot.registry import RULES
from flake8_ssot.rules import bases, bvj, doubles, environ, hygiene

# Each family with the codes it reports (its registry entries).
FAMILIES: dict[ModuleType, frozenset[str]] = {
    family: frozenset(code for code, rule in RULES.items() if rule.family == family.__name__.rpartition(".")[2])
    for family in (doubles, bvj, environ, bases, hygiene)
}
