"""What the compliance report counts about a file besides its findings.

Computed from the same FileContext the rules use, in the same pass (no
second parse), and only when a tool asks for it: the flake8 plugin never
pays for it.  Each count uses the rules' own definitions (what pytest
collects, real-service scope, base resolution), so the report's
denominators and the findings agree on what a test or a scope is.
"""

from __future__ import annotations

from typing import NamedTuple

from flake8_ssot.context import E2E, INTEGRATION, FileContext
from flake8_ssot.collection import collect_tests, is_test_module, resolver_for

# Why a file has no facts beyond its name.
CHECKED = "checked"
SKIPPED = "skipped"  # a "# flake8: noqa" line: flake8 skips the file
SYNTAX_ERROR = "syntax-error"  # does not parse
UNREADABLE = "unreadable"  # cannot be opened or decoded
NOT_CHECKED = "not-checked"  # parses, but the checker could not analyse it (SOT999)


class FileFacts(NamedTuple):
    status: str
    detail: str = ""  # for a file that was not checked: why
    test_module: bool = False
    real_service: str | None = None  # "e2e", "integration" or None: the strongest scope in the file
    test_functions: int = 0
    test_classes: int = 0
    test_classes_on_ssot_base: int = 0  # unresolved bases included (SOT402's benefit of the doubt)
    test_classes_base_unresolved: int = 0


def real_service_scope(ctx: FileContext) -> str | None:
    """``e2e`` if anything in the file is in e2e scope, else ``integration`` if
    anything is in integration scope (by path, ``pytestmark`` or a marked
    class or function), else None."""
    found = {ctx.service_scope(ctx.module)}
    for located in (*ctx.classes, *ctx.functions):
        if E2E in found:
            break
        found.add(ctx.service_scope(located.owner))
    return E2E if E2E in found else INTEGRATION if INTEGRATION in found else None


def file_facts(ctx: FileContext) -> FileFacts:
    real_service = real_service_scope(ctx)
    if not is_test_module(ctx):
        return FileFacts(CHECKED, real_service=real_service)
    resolver = resolver_for(ctx)
    tests = collect_tests(ctx)
    # True: an SSOT base is reached; None: an imported base the checker cannot
    # see, which SOT402 gives the benefit of the doubt; False: no SSOT base.
    verdicts = [resolver.inherits(node, scope, resolver.is_ssot) for node, scope, _inner in tests.classes]
    return FileFacts(
        CHECKED,
        test_module=True,
        real_service=real_service,
        test_functions=len(tests.functions),
        test_classes=len(tests.classes),
        test_classes_on_ssot_base=sum(verdict is not False for verdict in verdicts),
        test_classes_base_unresolved=sum(verdict is None for verdict in verdicts),
    )
