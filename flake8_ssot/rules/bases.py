"""SOT4xx: test classes on the SSOT base classes."""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_ssot.collection import (
    ISOLATED_ASYNC, BaseResolver, base_expr, collect_tests, is_test_module, resolver_for,
)
from flake8_ssot.context import FileContext, Scope, last_name
from flake8_ssot.registry import Finding, finding

ASYNC_HOOKS = ("asyncSetUp", "asyncTearDown")


def forbidden_base(resolver: BaseResolver, node: ast.ClassDef, scope: Scope) -> tuple[ast.expr, str] | None:
    """The first forbidden base of a class with no SSOT base, as written and
    as qualified (what SOT401 reports, and its fix replaces)."""
    ctx = resolver.ctx
    forbidden = None
    for base in node.bases:
        expr = base_expr(base)
        qualname = ctx.qualname(expr, scope)
        tail = qualname.rpartition(".")[2] if qualname else last_name(expr)
        if resolver.is_ssot(qualname, tail):
            return None
        if qualname in ctx.config.forbidden_bases and forbidden is None:
            forbidden = (base, qualname)
    return forbidden


def check(ctx: FileContext) -> Iterator[Finding]:
    if not is_test_module(ctx):
        return
    resolver = resolver_for(ctx)
    config = ctx.config
    forbidden_classes = set()
    for node, scope, _inner in ctx.classes:
        forbidden = forbidden_base(resolver, node, scope)  # type: ignore[arg-type]
        if forbidden is not None:
            forbidden_classes.add(node)
            yield finding(node, "SOT401", name=node.name, base=forbidden[1])  # type: ignore[attr-defined]

        hooks = [
            item for item in node.body  # type: ignore[attr-defined]
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in ASYNC_HOOKS
        ]
        if hooks and resolver.inherits(node, scope, resolver.is_async) is False:  # type: ignore[arg-type]
            bases = ", ".join(sorted(config.async_bases | {ISOLATED_ASYNC}))
            for hook in hooks:
                yield finding(hook, "SOT403", method=hook.name,
                              name=node.name, bases=bases)  # type: ignore[attr-defined]

    if not ctx.reports("SOT402"):
        return
    # Every test class pytest collects; one SOT401 reports is not reported
    # again (one fix, one finding).
    for node, scope, inner in collect_tests(ctx).classes:
        if node in forbidden_classes:
            continue
        kind, why = ctx.service_scope_of(inner)
        if kind is not None and resolver.inherits(node, scope, resolver.is_ssot) is False:  # type: ignore[arg-type]
            yield finding(node, "SOT402", name=node.name, scope=kind, why=why)  # type: ignore[attr-defined]
