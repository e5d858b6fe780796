"""SOT1xx: test doubles (mocks, patches, fakes) in real-service scope."""

from __future__ import annotations

import ast
import fnmatch
import re
from typing import Iterator

from flake8_ssot.collection import collect_tests, is_fixture, is_test_module
from flake8_ssot.context import INTEGRATION, FileContext, last_name
from flake8_ssot.registry import Finding, finding

# Longest first: "mock.mock.patch" must not be read as member "mock.patch".
MOCK_MODULES = ("unittest.mock", "asynctest.mock", "mock.mock", "asynctest", "mock")
MOCKER = "pytest_mock.mocker"
MOCKER_FIXTURES = frozenset({"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"})
FACTORIES = frozenset({
    "Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock",
    "PropertyMock", "create_autospec", "mock_open", "CoroutineMock",
})
PATCHERS = frozenset({"patch", "patch.object", "patch.dict", "patch.multiple"})
MOCKER_PATCHERS = PATCHERS | {"stub", "async_stub"}
# Last attribute (or name) of a call that can be a factory or a patcher.
_CALL_TAILS = FACTORIES | {"patch", "object", "dict", "multiple", "stub", "async_stub"}

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[A-Z]+")


def mock_member(qualname: str | None) -> tuple[str, bool] | None:
    """``unittest.mock.patch.object`` -> ("patch.object", False);
    ``pytest_mock.mocker.patch`` -> ("patch", True)."""
    if qualname is None:
        return None
    if qualname.startswith(MOCKER + "."):
        return qualname[len(MOCKER) + 1:], True
    for module in MOCK_MODULES:
        if qualname.startswith(module + "."):
            return qualname[len(module) + 1:], False
    return None


def name_words(name: str) -> list[str]:
    """``MockWebSocketManager`` -> [mock, web, socket, manager]; ``fake_redis`` -> [fake, redis]."""
    return [word.lower() for chunk in name.split("_") for word in _WORDS.findall(chunk)]


def _dotted(expr: ast.AST) -> str:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    parts.append(expr.id if isinstance(expr, ast.Name) else "...")
    return ".".join(reversed(parts))


def _string_target(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "target":
            value = keyword.value
            break
    else:
        value = call.args[0] if call.args else None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def _target_text(call: ast.Call) -> str:
    """What is patched: ``'pkg.Client.send'``, or for ``patch.object`` and
    ``patch.dict`` the object (``EmailClient, 'send'``, ``os.environ, ...``)."""
    target = _string_target(call)
    if target is not None:
        return repr(target)
    if not call.args:
        return "..." if call.keywords else ""
    shown = [_dotted(call.args[0]) if isinstance(call.args[0], (ast.Name, ast.Attribute)) else "..."]
    if len(call.args) > 1:
        second = call.args[1]
        shown.append(repr(second.value) if isinstance(second, ast.Constant) and isinstance(second.value, str)
                     else "...")
    if len(call.args) > 2 or call.keywords:
        shown.append("...")
    return ", ".join(shown)


def check(ctx: FileContext) -> Iterator[Finding]:
    config = ctx.config
    service = ctx.service_scope_of
    reports = ctx.reports
    calls = ctx.calls if reports("SOT101") or reports("SOT102") else []
    for node, scope, owner in calls:
        func = node.func  # type: ignore[attr-defined]
        tail = last_name(func)
        if tail not in _CALL_TAILS and tail not in ctx.imported_names:
            continue
        if not ctx.root_is_imported(func):
            continue
        member = mock_member(ctx.qualname(func, scope))
        if member is None:
            continue
        kind, why = service(owner)
        if kind is None:
            continue
        name, via_mocker = member
        if name in FACTORIES:
            yield finding(node, "SOT101", name=_dotted(func) + "()", scope=kind, why=why)
        elif name in (MOCKER_PATCHERS if via_mocker else PATCHERS):
            if kind == INTEGRATION and name == "patch" and _allowed(node, config.mock_allowed_targets):
                continue
            yield finding(node, "SOT102", name=_dotted(func), target=_target_text(node), scope=kind, why=why)

    # mock.sentinel: every use, whether reached as an attribute or a name.
    sentinel_uses = []
    if reports("SOT101"):
        sentinel_uses += [loc for loc in ctx.attributes if loc.node.attr == "sentinel"]  # type: ignore[attr-defined]
        sentinel_uses += [loc for loc in ctx.names if loc.node.id in ctx.imported_names]  # type: ignore[attr-defined]
    for node, scope, owner in sentinel_uses:
        if not ctx.root_is_imported(node):
            continue
        member = mock_member(ctx.qualname(node, scope))
        if member is not None and member[0] == "sentinel":
            kind, why = service(owner)
            if kind is not None:
                yield finding(node, "SOT101", name=_dotted(node), scope=kind, why=why)

    tests: set[int] | None = None
    for node, scope, inner in ctx.functions if reports("SOT103") else ():
        args = node.args  # type: ignore[attr-defined]
        requested = [a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg in MOCKER_FIXTURES]
        if not requested:
            continue
        if tests is None:  # what pytest collects, as every rule counts it
            tests = {id(loc.node) for loc in collect_tests(ctx).functions} if is_test_module(ctx) else set()
        if id(node) not in tests and not is_fixture(ctx, node, scope):
            continue
        kind, why = service(inner)
        if kind is not None:
            for arg in requested:
                yield finding(arg, "SOT103", name=arg.arg, scope=kind, why=why)

    fakes = config.fake_modules
    for node, _scope, owner in ctx.imports if reports("SOT104") else ():
        if isinstance(node, ast.ImportFrom):
            modules = [node.module] if node.level == 0 and node.module else []
        else:
            modules = [alias.name for alias in node.names]  # type: ignore[attr-defined]
        hits = [m for m in modules if any(m == f or m.startswith(f + ".") for f in fakes)]
        if hits:
            kind, why = service(owner)
            if kind is not None:
                for module in dict.fromkeys(hits):
                    yield finding(node, "SOT104", module=module, scope=kind, why=why)

    words = config.double_class_words
    for node, scope, inner in ctx.classes if reports("SOT105") else ():
        is_double = not words.isdisjoint(name_words(node.name))  # type: ignore[attr-defined]
        if not is_double:
            is_double = any(
                (member := mock_member(ctx.qualname(base, scope))) is not None and member[0] in FACTORIES
                for base in node.bases  # type: ignore[attr-defined]
            )
        if is_double:
            kind, why = service(inner)
            if kind is not None:
                yield finding(node, "SOT105", name=node.name, scope=kind, why=why)  # type: ignore[attr-defined]


def _allowed(call: ast.Call, patterns: tuple[str, ...]) -> bool:
    target = _string_target(call)
    return target is not None and any(fnmatch.fnmatchcase(target, p) for p in patterns)
