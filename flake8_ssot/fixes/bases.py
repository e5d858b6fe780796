"""SOT401: a forbidden base (``unittest.TestCase``, ...) replaced by the
project's SSOT base, imported as ``ssot-base-imports`` says."""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.fixes.edits import UNSAFE, Document, Fix
from flake8_ssot.collection import ISOLATED_ASYNC, resolver_for
from flake8_ssot.rules.bases import ASYNC_HOOKS, forbidden_base

SAFETY = {"SOT401": UNSAFE}
# Forbidden bases whose tests may be coroutines: replaced by an async SSOT base.
ASYNC_FORBIDDEN = frozenset({ISOLATED_ASYNC, "asynctest.TestCase"})


def configured(code: str, config: Config) -> bool:
    return bool(config.base_imports)


def replacement(config: Config, is_async: bool) -> tuple[str, str] | None:
    """The first configured (name, module) of the wanted kind: async bases
    replace the async forbidden bases, the others the rest."""
    for name, module in config.base_imports:
        if (name in config.async_bases or f"{module}.{name}" in config.async_bases) == is_async:
            return name, module
    return None


def fixes(ctx: FileContext, document: Document, codes: frozenset[str]) -> Iterator[tuple[tuple[int, int, str], Fix]]:
    config = ctx.config
    resolver = resolver_for(ctx)
    for node, scope, _inner in ctx.classes:
        forbidden = forbidden_base(resolver, node, scope)  # type: ignore[arg-type]
        if forbidden is None:
            continue
        base, qualname = forbidden
        is_async = qualname in ASYNC_FORBIDDEN or _has_async_tests(node, config)  # type: ignore[arg-type]
        target = replacement(config, is_async)
        if target is None:
            continue
        name, module = target
        binding = ctx.lookup(name, scope, node.lineno)  # type: ignore[attr-defined]
        if binding is None:
            imports: tuple[tuple[str, str], ...] = ((module, name),)
        elif binding.qualname is not None and binding.qualname.rpartition(".")[2] == name:
            imports = ()  # already imported (from here or elsewhere: an SSOT base by its name)
        else:
            continue  # the name means something else here
        yield (node.lineno, node.col_offset, "SOT401"), Fix(  # type: ignore[attr-defined]
            UNSAFE, (document.replace(base, name),), imports)


def _has_async_tests(node: ast.ClassDef, config: Config) -> bool:
    """Coroutine tests or async hooks, which only an async base runs (helper
    coroutines the tests drive themselves do not count)."""
    return any(
        isinstance(item, ast.AsyncFunctionDef)
        and (config.test_names.is_test_function_name(item.name) or item.name in ASYNC_HOOKS)
        for item in node.body
    )
