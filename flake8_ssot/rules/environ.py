"""SOT3xx: direct access to the process environment."""

from __future__ import annotations

import ast
import os
from typing import Iterator

from flake8_ssot.collection import is_test_module
from flake8_ssot.context import FileContext
from flake8_ssot.registry import Finding, finding

ENVIRON = frozenset({"os.environ", "os.environb"})
GETENV = frozenset({"os.getenv", "os.getenvb", "os.putenv", "os.unsetenv"})
_TAILS = frozenset(name.rpartition(".")[2] for name in ENVIRON | GETENV)
MONKEYPATCH_ENV = frozenset({"pytest.monkeypatch.setenv", "pytest.monkeypatch.delenv"})


def instead(ctx: FileContext) -> str:
    """What to do instead, naming the configured isolated-environment module."""
    allowed = ctx.config.environ_allowed_paths
    if not allowed:
        return "go through the project's isolated-environment module (name it in ssot-environ-allowed-paths)"
    shown = ", ".join(_relative(pattern, ctx.config.root) for pattern in allowed)
    return f"go through the isolated-environment module ({shown})"


def _relative(pattern: str, root: str) -> str:
    return os.path.relpath(pattern, root).replace(os.sep, "/") if os.path.isabs(pattern) else pattern


def check(ctx: FileContext) -> Iterator[Finding]:
    if ctx.environ_allowed:
        return
    # References reached as ``os.environ`` (attributes) or as an imported
    # name such as ``from os import environ as ENV`` (names).
    candidates = []
    if ctx.reports("SOT301") or ctx.reports("SOT302"):
        candidates += [loc for loc in ctx.attributes if loc.node.attr in _TAILS]  # type: ignore[attr-defined]
        candidates += [loc for loc in ctx.names if loc.node.id in ctx.imported_names]  # type: ignore[attr-defined]
    for node, scope, _owner in candidates:
        if not ctx.root_is_imported(node):
            continue
        qualname = ctx.qualname(node, scope)
        if qualname in ENVIRON:
            yield finding(node, "SOT301", name=qualname, instead=instead(ctx))
        elif qualname in GETENV:
            yield finding(node, "SOT302", name=qualname, instead=instead(ctx))

    if not (ctx.reports("SOT303") and is_test_module(ctx)):
        return
    for node, scope, _owner in ctx.calls:
        func = node.func  # type: ignore[attr-defined]
        if isinstance(func, ast.Attribute) and func.attr in ("setenv", "delenv"):
            if ctx.qualname(func, scope) in MONKEYPATCH_ENV:
                yield finding(node, "SOT303", method=func.attr, instead=instead(ctx))
