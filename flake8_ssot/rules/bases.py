"""SOT4xx: test classes on the SSOT base classes."""

from __future__ import annotations

import ast
import builtins
from typing import Callable, Iterator, NamedTuple

from flake8_ssot.context import FileContext, Located, Scope, last_name
from flake8_ssot.registry import Finding, finding

ASYNC_HOOKS = ("asyncSetUp", "asyncTearDown")
ISOLATED_ASYNC = "unittest.IsolatedAsyncioTestCase"
# Imported bases known not to be SSOT bases (anything else imported gets
# the benefit of the doubt).
KNOWN_STANDARD = frozenset({"abc.ABC", "typing.Generic", "typing.Protocol", "object"})
_BUILTINS = frozenset(dir(builtins))


def _base_expr(expr: ast.AST) -> ast.AST:
    return expr.value if isinstance(expr, ast.Subscript) else expr  # Generic[T], Base[Model]


class BaseResolver:
    """Classifies base classes, following classes defined in the module."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.local_classes: dict[tuple[Scope, str], tuple[ast.ClassDef, Scope]] = {
            (scope, node.name): (node, scope) for node, scope, _inner in ctx.classes  # type: ignore[attr-defined]
        }
        config = ctx.config
        self.known = config.forbidden_bases | KNOWN_STANDARD | {ISOLATED_ASYNC}
        self.verdicts: dict[tuple[int, Callable[..., bool]], bool | None] = {}

    @staticmethod
    def matches(names: frozenset[str], qualname: str | None, tail: str | None) -> bool:
        """Simple entries match the class name, dotted entries the qualified name."""
        return (tail is not None and tail in names) or (qualname is not None and qualname in names)

    def _local_class(self, expr: ast.AST, scope: Scope) -> tuple[ast.ClassDef, Scope] | None:
        if not isinstance(expr, ast.Name):
            return None
        current: Scope | None = scope
        while current is not None:
            hit = self.local_classes.get((current, expr.id))
            if hit is not None:
                return hit
            current = current.parent
        return None

    def inherits(self, node: ast.ClassDef, scope: Scope,
                 wanted: Callable[[str | None, str | None], bool]) -> bool | None:
        """True: some base (followed through the module) is wanted; False: every
        base is known and none is; None: an unknown imported base may be."""
        # Keyed by the plain function: a bound method would close a reference
        # cycle (resolver -> verdicts -> method -> resolver -> ctx) that keeps
        # each file's whole tree alive until the cyclic collector runs.
        key = (id(node), getattr(wanted, "__func__", wanted))
        if key not in self.verdicts:
            self.verdicts[key] = self._search(node, scope, wanted)
        return self.verdicts[key]

    def _search(self, node: ast.ClassDef, scope: Scope,
                wanted: Callable[[str | None, str | None], bool]) -> bool | None:
        # A worklist, not recursion: a long chain of local subclasses must not
        # exhaust the stack.  A verdict depends only on the classes reachable
        # from a class, so the verdicts of classes met on the way are reused.
        pending = [(node, scope)]
        seen: set[int] = set()
        unknown = False
        while pending:
            node, scope = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if (id(node), wanted) in self.verdicts:
                verdict = self.verdicts[id(node), wanted]
                if verdict:
                    return True
                unknown = unknown or verdict is None
                continue
            for base in node.bases:
                expr = _base_expr(base)
                qualname = self.ctx.qualname(expr, scope)
                tail = qualname.rpartition(".")[2] if qualname else last_name(expr)
                if wanted(qualname, tail):
                    return True
                if qualname is None:
                    local = self._local_class(expr, scope)
                    if local is not None:
                        pending.append(local)
                    elif not (isinstance(expr, ast.Name) and expr.id in _BUILTINS):
                        unknown = True
                elif not (qualname in self.known or self.is_ssot(qualname, tail)):
                    unknown = True
        return None if unknown else False

    def is_ssot(self, qualname: str | None, tail: str | None) -> bool:
        config = self.ctx.config
        return self.matches(config.ssot_bases | config.async_bases, qualname, tail)

    def is_test_base(self, qualname: str | None, tail: str | None) -> bool:
        """A base that makes a class a test class: unittest's or an SSOT base."""
        return qualname in self.ctx.config.forbidden_bases or qualname == ISOLATED_ASYNC \
            or self.is_ssot(qualname, tail)

    def is_test_class(self, node: ast.ClassDef, scope: Scope) -> bool:
        """What pytest collects: ``Test*`` classes and unittest/SSOT test cases."""
        return node.name.startswith("Test") or bool(self.inherits(node, scope, self.is_test_base))

    def is_async(self, qualname: str | None, tail: str | None) -> bool:
        return qualname == ISOLATED_ASYNC or self.matches(self.ctx.config.async_bases, qualname, tail)


class CollectedTests(NamedTuple):
    classes: list[Located]  # test classes, outer before inner
    functions: list[Located]  # test functions and methods


def collect_tests(ctx: FileContext, resolver: BaseResolver) -> CollectedTests:
    """What pytest collects: ``test*`` functions at module level, test classes
    at module level or nested in one, and the ``test*`` methods of those."""
    classes: list[Located] = []
    class_scopes: set[Scope] = set()
    for located in ctx.classes:  # outer classes come before inner ones
        node, scope, inner = located
        if scope.kind != "module" and scope not in class_scopes:
            continue
        if resolver.is_test_class(node, scope):  # type: ignore[arg-type]
            classes.append(located)
            class_scopes.add(inner)
    functions = [
        loc for loc in ctx.functions
        if loc.node.name.startswith("test")  # type: ignore[attr-defined]
        and (loc.scope.kind == "module" or loc.scope in class_scopes)
    ]
    return CollectedTests(classes, functions)


def forbidden_base(resolver: BaseResolver, node: ast.ClassDef, scope: Scope) -> tuple[ast.expr, str] | None:
    """The first forbidden base of a class with no SSOT base, as written and
    as qualified (what SOT401 reports, and its fix replaces)."""
    ctx = resolver.ctx
    forbidden = None
    for base in node.bases:
        expr = _base_expr(base)
        qualname = ctx.qualname(expr, scope)
        tail = qualname.rpartition(".")[2] if qualname else last_name(expr)
        if resolver.is_ssot(qualname, tail):
            return None
        if qualname in ctx.config.forbidden_bases and forbidden is None:
            forbidden = (base, qualname)
    return forbidden


def check(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.is_test_module:
        return
    resolver = BaseResolver(ctx)
    config = ctx.config
    for node, scope, inner in ctx.classes:
        forbidden = forbidden_base(resolver, node, scope)  # type: ignore[arg-type]
        if forbidden is not None:
            yield finding(node, "SOT401", name=node.name, base=forbidden[1])  # type: ignore[attr-defined]

        if node.name.startswith("Test"):  # type: ignore[attr-defined]
            kind = ctx.service_scope(inner)
            if kind is not None and resolver.inherits(node, scope, resolver.is_ssot) is False:  # type: ignore[arg-type]
                yield finding(node, "SOT402", name=node.name, scope=kind)  # type: ignore[attr-defined]

        hooks = [
            item for item in node.body  # type: ignore[attr-defined]
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in ASYNC_HOOKS
        ]
        if hooks and resolver.inherits(node, scope, resolver.is_async) is False:  # type: ignore[arg-type]
            bases = ", ".join(sorted(config.async_bases | {ISOLATED_ASYNC}))
            for hook in hooks:
                yield finding(hook, "SOT403", method=hook.name,
                              name=node.name, bases=bases)  # type: ignore[attr-defined]
