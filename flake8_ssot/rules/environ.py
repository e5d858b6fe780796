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
MONKEYPATCH_MAKERS = frozenset({
    "pytest.monkeypatch.context", "pytest.MonkeyPatch", "pytest.MonkeyPatch.context",
    "_pytest.monkeypatch.MonkeyPatch", "_pytest.monkeypatch.MonkeyPatch.context",
})


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
    objects: set[str] | None = None
    for node, scope, _owner in ctx.calls:
        func = node.func  # type: ignore[attr-defined]
        if not (isinstance(func, ast.Attribute) and func.attr in ("setenv", "delenv")):
            continue
        if ctx.qualname(func, scope) not in MONKEYPATCH_ENV:
            if objects is None:
                objects = _monkeypatch_objects(ctx)
            if not (isinstance(func.value, ast.Name) and func.value.id in objects):
                continue
        yield finding(node, "SOT303", method=func.attr, instead=instead(ctx))


def _monkeypatch_objects(ctx: FileContext) -> set[str]:
    """Names bound to a MonkeyPatch other than the fixture itself:
    ``with monkeypatch.context() as m``, ``mp = pytest.MonkeyPatch()``,
    ``with pytest.MonkeyPatch.context() as mp``.  Resolved at module level:
    the fixture's name and ``pytest`` mean the same everywhere in a test module."""
    names = set()
    for statement in ast.walk(ctx.tree):
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            pairs = [(item.optional_vars, item.context_expr) for item in statement.items]
        elif isinstance(statement, ast.Assign):
            pairs = [(target, statement.value) for target in statement.targets]
        else:
            continue
        for target, value in pairs:
            if isinstance(target, ast.Name) and isinstance(value, ast.Call) \
                    and ctx.qualname(value.func, ctx.module) in MONKEYPATCH_MAKERS:
                names.add(target.id)
    return names
