"""What pytest collects in a file: test modules, test classes, test functions.

One notion for every rule, the report's counts and the triggers, derived
from the project's pytest names (pytest_config.py): a test module is a file
whose name matches ``python_files`` (or ``conftest.py``); a test class is a
class whose name matches ``python_classes`` and that pytest can collect
(no ``__init__``, no ``__test__ = False``), or one that derives, directly or
through classes of the same module, from a unittest or SSOT test case; a
test function matches ``python_functions`` at module level or in a test
class.  Base classes are resolved through imports and the module's own
classes, without importing anything.
"""

from __future__ import annotations

import ast
import builtins
from typing import Callable, NamedTuple

from flake8_ssot.context import FileContext, Located, Scope, last_name

ISOLATED_ASYNC = "unittest.IsolatedAsyncioTestCase"
FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})
# Imported bases known not to be SSOT bases (anything else imported gets
# the benefit of the doubt).
KNOWN_STANDARD = frozenset({"abc.ABC", "typing.Generic", "typing.Protocol", "object"})
_BUILTINS = frozenset(dir(builtins))


def base_expr(expr: ast.AST) -> ast.AST:
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
        kind = getattr(wanted, "__func__", wanted)  # how inherits() keys the verdicts
        pending = [(node, scope)]
        seen: set[int] = set()
        unknown = False
        while pending:
            node, scope = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if (id(node), kind) in self.verdicts:
                verdict = self.verdicts[id(node), kind]
                if verdict:
                    return True
                unknown = unknown or verdict is None
                continue
            for base in node.bases:
                expr = base_expr(base)
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
        """What pytest collects: classes named as ``python_classes`` says, unless
        they define ``__init__`` or set ``__test__ = False``; unittest and SSOT
        test cases whatever their name."""
        if _disabled(node):
            return False
        if bool(self.inherits(node, scope, self.is_test_base)):
            return True
        return self.ctx.config.test_names.is_test_class_name(node.name) and not _has_constructor(node)

    def is_async(self, qualname: str | None, tail: str | None) -> bool:
        return qualname == ISOLATED_ASYNC or self.matches(self.ctx.config.async_bases, qualname, tail)


class CollectedTests(NamedTuple):
    classes: list[Located]  # test classes, outer before inner
    functions: list[Located]  # test functions and methods


def collect_tests(ctx: FileContext) -> CollectedTests:
    """What pytest collects: test functions at module level, test classes at
    module level or nested in one, and the test methods of those (names as
    the project's pytest configuration says).  Computed once per file."""
    if ctx.collected is not None:
        return ctx.collected
    resolver = resolver_for(ctx)
    is_test_name = ctx.config.test_names.is_test_function_name
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
        if (loc.scope.kind == "module" or loc.scope in class_scopes)
        and is_test_name(loc.node.name)  # type: ignore[attr-defined]
        and not is_fixture(ctx, loc.node, loc.scope)
    ]
    ctx.collected = CollectedTests(classes, functions)
    return ctx.collected


def is_fixture(ctx: FileContext, node: ast.AST, scope: Scope) -> bool:
    """A ``@pytest.fixture`` function: pytest never collects it as a test, whatever its name."""
    for decorator in node.decorator_list:  # type: ignore[attr-defined]
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ctx.qualname(target, scope) in FIXTURE_DECORATORS:
            return True
    return False


def _has_constructor(node: ast.ClassDef) -> bool:
    """pytest skips a class with its own ``__init__``/``__new__`` (with a warning)."""
    return any(
        isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in ("__init__", "__new__")
        for statement in node.body
    )


def _disabled(node: ast.ClassDef) -> bool:
    """``__test__ = False`` in the class body: pytest collects nothing of it, unittest case or not."""
    return any(
        isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and not statement.value.value
        and any(isinstance(target, ast.Name) and target.id == "__test__" for target in statement.targets)
        for statement in node.body
    )


def resolver_for(ctx: FileContext) -> BaseResolver:
    """The file's one resolver, so verdicts are shared by every rule."""
    if ctx.resolver is None:
        ctx.resolver = BaseResolver(ctx)
    return ctx.resolver  # type: ignore[return-value]


def is_test_module(ctx: FileContext) -> bool:
    """A file pytest would collect; for plain stdin (no name), one that
    defines test functions or test classes at module level."""
    if ctx.test_module is None:
        ctx.test_module = _is_test_module(ctx)
    return ctx.test_module


def _is_test_module(ctx: FileContext) -> bool:
    path = ctx.path
    if path.basename is not None:
        return ctx.config.test_names.is_test_file(path.basename, path.absolute)
    names = ctx.config.test_names
    resolver = resolver_for(ctx)
    for statement in ctx.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and names.is_test_function_name(statement.name) and not is_fixture(ctx, statement, ctx.module):
            return True
        if isinstance(statement, ast.ClassDef) and resolver.is_test_class(statement, ctx.module):
            return True
    return False
