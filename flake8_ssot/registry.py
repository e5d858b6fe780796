"""The single registry of flake8-ssot rules.

Every code the tool can emit is declared here once: its short name, the
message template the checkers format, a one-line summary (README table,
SARIF help), whether it is on by default, and its triggers.  Rule pages
live at ``docs/rules/<CODE>.md``, fixtures at ``tests/fixtures/<family>/``
and the code in ``flake8_ssot/rules/<family>.py``.

A *trigger* names a condition on a file's text, name and line count
(defined in ``triggers.py``) that holds in every file where the rule can
report anything.  Where no rule's trigger holds, ``ssot-check`` does not
parse the file; in a parsed file, only the rules whose trigger holds run.
Most rules look only at statements (imports, classes, functions and their
decorators, resolved on demand); a rule that looks at expression nodes
(calls, names, attributes, strings) names in ``expressions`` a *locator*
(``triggers.LOCATORS``): the words one of which is written in every
statement holding a node it looks for.  The walk visits the expressions of
those statements only, and of every statement for ``everywhere``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

PREFIX = "SOT"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    message: str
    summary: str
    family: str
    trigger: str
    expressions: str | None = None
    default_enabled: bool = True

    def format(self, **fields: object) -> str:
        return self.message.format(**fields)

    @property
    def docs_path(self) -> str:
        return f"docs/rules/{self.code}.md"


class Finding(NamedTuple):
    """One finding: 1-based line, 0-based column (flake8's convention)."""

    line: int
    col: int
    code: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"


_RULES = (
    # SOT1xx: test doubles in real-service scope
    Rule(
        "SOT101", "mock-object-created",
        "{name} creates a mock in {scope} scope ({why}); exercise the real service",
        "A mock object is created in an integration or e2e test.",
        "doubles",
        trigger="mock-in-real-service", expressions="mock-calls",
    ),
    Rule(
        "SOT102", "patch-in-real-service-scope",
        "{name}({target}) patches in {scope} scope ({why}); exercise the real service",
        "Something is patched in an integration or e2e test.",
        "doubles",
        trigger="mock-in-real-service", expressions="mock-calls",
    ),
    Rule(
        "SOT103", "mock-fixture-requested",
        "'{name}' (pytest-mock) requested in {scope} scope ({why}); exercise the real service",
        "A test or fixture in real-service scope requests a pytest-mock fixture.",
        "doubles",
        trigger="mock-in-real-service",
    ),
    Rule(
        "SOT104", "fake-service-imported",
        "'{module}' replaces a real service and is imported in {scope} scope ({why})",
        "A fake-service library (fakeredis, responses, ...) is imported in real-service scope.",
        "doubles",
        trigger="fake-module-in-real-service",
    ),
    Rule(
        "SOT105", "test-double-class",
        "class {name} is a hand-rolled test double in {scope} scope ({why})",
        "A hand-rolled Mock/Fake/Stub/Dummy class is defined in real-service scope.",
        "doubles",
        trigger="double-class-in-real-service",
    ),
    # SOT2xx: Business Value Justification
    Rule(
        "SOT201", "missing-bvj",
        "test module has no Business Value Justification (BVJ) in its docstring{detail}",
        "A test module has no BVJ, neither in its docstring nor on every test.",
        "bvj",
        trigger="test-module",
    ),
    Rule(
        "SOT202", "bvj-field-missing",
        "BVJ is missing {fields}",
        "A BVJ block lacks a required field.",
        "bvj",
        trigger="test-module",
    ),
    Rule(
        "SOT203", "bvj-unknown-segment",
        "BVJ Segment '{value}' names none of: {segments}",
        "The BVJ Segment names no known customer segment.",
        "bvj",
        trigger="test-module",
    ),
    Rule(
        "SOT204", "bvj-field-placeholder",
        "BVJ field '{field}' is {what}",
        "A required BVJ field is empty or a placeholder (TODO, TBD, N/A, ...).",
        "bvj",
        trigger="test-module",
    ),
    # SOT3xx: process environment
    Rule(
        "SOT301", "direct-environ-access",
        "{name} accessed directly; {instead}",
        "os.environ / os.environb is used directly.",
        "environ",
        trigger="environ", expressions="environ-references",
    ),
    Rule(
        "SOT302", "direct-getenv",
        "{name} touches the process environment; {instead}",
        "os.getenv / os.putenv / os.unsetenv is called or referenced.",
        "environ",
        trigger="environ", expressions="environ-references",
    ),
    Rule(
        "SOT303", "monkeypatch-env",
        "monkeypatch.{method}() changes the process environment; {instead}",
        "A test changes the process environment with monkeypatch.setenv / delenv.",
        "environ",
        trigger="monkeypatch-env", expressions="monkeypatch-env-calls",
    ),
    # SOT4xx: test base classes
    Rule(
        "SOT401", "forbidden-test-base",
        "{name} derives from {base}; derive from an SSOT base class instead",
        "A class derives from a forbidden base (unittest.TestCase, ...) and from no SSOT base.",
        "bases",
        trigger="test-module",
    ),
    Rule(
        "SOT402", "missing-ssot-base",
        "{name} in {scope} scope ({why}) has no SSOT base class",
        "A test class in real-service scope has no SSOT base class.",
        "bases",
        trigger="test-module",
    ),
    Rule(
        "SOT403", "async-hook-never-runs",
        "{method}() never runs: {name} has no async base ({bases})",
        "asyncSetUp/asyncTearDown is defined on a class whose bases never call it.",
        "bases",
        trigger="test-module",
    ),
    # SOT5xx: test-suite hygiene.  On by default when a finding is a fact
    # about the code; off when it is a guess about intent (see each docs page).
    Rule(
        "SOT501", "relative-import",
        "relative import from '{module}'; use an absolute import",
        "A relative import (absolute imports only).",
        "hygiene",
        trigger="relative-import",
    ),
    Rule(
        "SOT502", "module-too-long",
        "module has {count} lines, more than ssot-max-module-lines ({limit}); split it",
        "A module is longer than ssot-max-module-lines.",
        "hygiene",
        trigger="long-module",
    ),
    Rule(
        "SOT503", "conflicting-category-markers",
        "{name}() is marked {categories}; a test belongs to one category",
        "A test carries two category markers (unit, integration, e2e), counting class and module markers.",
        "hygiene",
        trigger="test-module",
    ),
    Rule(
        "SOT504", "unconditional-skip",
        "{what} skips unconditionally; give it a condition (skipif), mark it xfail, or fix the test",
        "A test is skipped unconditionally (skip marker, module-level pytest.skip(), unittest.skip).",
        "hygiene",
        trigger="skip", expressions="pytest-param-calls",
    ),
    Rule(
        "SOT505", "sleep-in-test",
        "{name}({seconds}) waits a fixed time in a test; wait for the condition instead",
        "A test sleeps for at least ssot-max-sleep seconds to synchronise.",
        "hygiene",
        trigger="sleep-in-test-module", expressions="sleep-calls",
        default_enabled=False,
    ),
    Rule(
        "SOT506", "test-asserts-nothing",
        "{name}() asserts nothing{detail}",
        "A test function asserts nothing (no assert, pytest.raises, self.assert*, assert/verify/expect/check helper).",
        "hygiene",
        trigger="test-module", expressions="everywhere",
        default_enabled=False,
    ),
    Rule(
        "SOT507", "critical-name-near-miss",
        "'{value}' is {edits} away from the critical name '{name}'; use the exact name",
        "A string literal is one or two edits away from a name in ssot-critical-names.",
        "hygiene",
        trigger="near-miss", expressions="everywhere",
        default_enabled=False,
    ),
    # SOT9xx: the tool itself
    Rule(
        "SOT999", "file-not-checked",
        "flake8-ssot could not check this file: {reason}",
        "The file parsed but could not be checked (for example it nests too deeply).",
        "internal",
        trigger="never",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}

# flake8's own codes for a file that cannot be read (E902) or parsed (E999),
# which the standalone tools report as flake8 does: (name, summary).
FILE_ERRORS: dict[str, tuple[str, str]] = {
    "E902": ("file-not-readable", "The file could not be read or decoded, so nothing in it was checked."),
    "E999": ("syntax-error", "The file does not parse, so nothing in it was checked."),
}


def finding(node_or_pos: object, code: str, **fields: object) -> Finding:
    """Build a finding for ``code`` at an AST node or a ``(line, col)`` pair."""
    if isinstance(node_or_pos, tuple):
        line, col = node_or_pos
    else:
        line, col = node_or_pos.lineno, node_or_pos.col_offset  # type: ignore[attr-defined]
    return Finding(line, col, code, RULES[code].format(**fields))
