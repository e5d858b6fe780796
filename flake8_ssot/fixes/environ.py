"""SOT301/SOT302: reads of the environment through the project's accessor.

``os.environ.get(...)`` becomes ``get_env().get(...)`` and ``os.getenv(...)``
becomes ``get_env().get(...)`` (however ``os``, ``environ`` or ``getenv``
were imported), with ``from <module> import get_env`` added once.  Writes,
deletes, subscripts, iteration, ``in`` and passing the environment along
get no fix: their meaning through a mapping's ``.get`` would differ.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.fixes.edits import UNSAFE, Document, Fix

SAFETY = {"SOT301": UNSAFE, "SOT302": UNSAFE}


def configured(code: str, config: Config) -> bool:
    return config.environ_accessor is not None


def fixes(ctx: FileContext, document: Document, codes: frozenset[str]) -> Iterator[tuple[tuple[int, int, str], Fix]]:
    accessor = ctx.config.environ_accessor
    if accessor is None or ctx.environ_allowed:
        return
    module, _, name = accessor.rpartition(".")
    for call, scope, _owner in ctx.calls:
        assert isinstance(call, ast.Call)
        func = call.func
        if call.keywords or any(isinstance(arg, ast.Starred) for arg in call.args) or not 1 <= len(call.args) <= 2:
            continue  # a mapping's get() takes (key[, default]) positionally
        if isinstance(func, ast.Attribute) and func.attr == "get" and ctx.root_is_imported(func.value) \
                and ctx.qualname(func.value, scope) == "os.environ":
            node, code, text = func.value, "SOT301", f"{name}()"
        elif ctx.root_is_imported(func) and ctx.qualname(func, scope) == "os.getenv":
            node, code, text = func, "SOT302", f"{name}().get"
        else:
            continue
        if code not in codes:
            continue
        binding = ctx.lookup(name, scope, node.lineno)
        if binding is None:
            imports: tuple[tuple[str, str], ...] = ((module, name),)
        elif binding.qualname == accessor:
            imports = ()
        else:
            continue  # the accessor's name means something else here
        yield (node.lineno, node.col_offset, code), Fix(UNSAFE, (document.replace(node, text),), imports)
