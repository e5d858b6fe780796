"""SOT5xx: test-suite hygiene from the team conventions.

SOT501-SOT504 report facts about the code and are on by default.
SOT505-SOT507 guess at intent (a sleep that synchronises, a test that checks
nothing, a misspelt event name), so they are off until selected
(``extend-select = SOT5``); they are not even computed while off.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from functools import lru_cache
from typing import Iterator

from flake8_ssot.context import FileContext, Located, Scope, last_name
from flake8_ssot.registry import Finding, finding
from flake8_ssot.collection import collect_tests, is_test_module
from flake8_ssot.rules.doubles import FACTORIES, MOCKER_PATCHERS, PATCHERS, mock_member

# Test categories; `real_services` says what a test needs, not what it is,
# so it combines with any of them.
CATEGORY_MARKERS = ("unit", "integration", "e2e")
UNITTEST_SKIPS = frozenset({"unittest.skip", "unittest.case.skip"})
SLEEPS = frozenset({"time.sleep", "asyncio.sleep"})
PYTEST_ASSERTIONS = frozenset({"pytest.raises", "pytest.warns", "pytest.fail", "pytest.deprecated_call"})
ASSERTING_PREFIXES = ("assert", "verify", "expect", "check")
MOCK_ASSERTIONS = frozenset({
    "assert_called", "assert_called_once", "assert_called_with", "assert_called_once_with",
    "assert_any_call", "assert_has_calls", "assert_not_called",
    "assert_awaited", "assert_awaited_once", "assert_awaited_with", "assert_awaited_once_with",
    "assert_any_await", "assert_has_awaits", "assert_not_awaited",
})
# "assert" as a word anywhere in a name: ndiffAssertEqual, run_and_assert.
_ASSERT_WORD = re.compile(r"(?:(?:^|_)assert|Assert)(?![a-z])")
MAX_EDITS = 2
# String literals shaped like a (dotted) name, as ssot-critical-names entries
# are; prose has spaces and punctuation.
_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def check(ctx: FileContext) -> Iterator[Finding]:
    reports = ctx.reports
    if reports("SOT501"):
        yield from _relative_imports(ctx)
    if reports("SOT502"):
        yield from _module_length(ctx)
    tests = collect_tests(ctx).functions \
        if is_test_module(ctx) and (reports("SOT503") or reports("SOT504") or reports("SOT506")) else []
    # SOT506 does not count a skipped test, so it needs the skips too.
    skips = list(_unconditional_skips(ctx, tests)) if reports("SOT504") or reports("SOT506") else []
    for node, what, _skipped in skips:
        yield finding(node, "SOT504", what=what)
    if reports("SOT503"):
        yield from _category_conflicts(ctx, tests)
    if tests and reports("SOT506"):
        yield from _tests_asserting_nothing(ctx, tests, {scope for _n, _w, scope in skips if scope})
    if is_test_module(ctx) and reports("SOT505"):
        yield from _sleeps(ctx)
    if reports("SOT507"):
        yield from _critical_name_near_misses(ctx)


def _chain(scope: Scope | None) -> Iterator[Scope]:
    while scope is not None:
        yield scope
        scope = scope.parent


def _elements(value: ast.AST) -> list[ast.AST]:
    """The items of ``pytestmark = [a, b]`` / ``marks=(a, b)``, or the value itself."""
    return list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else [value]


def _spoken_list(items: list[str]) -> str:
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------ SOT501/2
def _relative_imports(ctx: FileContext) -> Iterator[Finding]:
    for node, _scope, _owner in ctx.imports:
        if isinstance(node, ast.ImportFrom) and node.level:
            yield finding(node, "SOT501", module="." * node.level + (node.module or ""))


def _module_length(ctx: FileContext) -> Iterator[Finding]:
    limit = ctx.config.max_module_lines
    count = len(ctx.lines)
    if limit and count > limit:
        yield finding((1, 0), "SOT502", count=count, limit=limit)


# --------------------------------------------------------------------- SOT503
def _category_conflicts(ctx: FileContext, tests: list[Located]) -> Iterator[Finding]:
    markers_of: dict[Scope, set[str]] = {}
    for node, _scope, inner in tests:
        markers: set[str] = set()
        for owner in _chain(inner):
            if owner not in markers_of:
                markers_of[owner] = ctx.own_markers(owner)
            markers |= markers_of[owner]
        categories = [category for category in CATEGORY_MARKERS if category in markers]
        if len(categories) > 1:
            name = node.name  # type: ignore[attr-defined]
            yield finding(node, "SOT503", name=name, categories=_spoken_list(categories))


# --------------------------------------------------------------------- SOT504
def _skip_marker(ctx: FileContext, expr: ast.AST, scope: Scope) -> str | None:
    """How ``expr`` (a decorator or a mark) skips unconditionally, if it does."""
    if "skip" in ctx.marker_names(expr, scope):
        return "pytest.mark.skip"
    target = expr.func if isinstance(expr, ast.Call) else expr
    if ctx.root_is_imported(target) and ctx.qualname(target, scope) in UNITTEST_SKIPS:
        return "unittest.skip"
    return None


def _skip_call(ctx: FileContext, statement: ast.stmt, scope: Scope) -> str | None:
    """``pytest.skip(...)`` or ``self.skipTest(...)`` as a statement of its own."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    func = statement.value.func
    if isinstance(func, ast.Attribute) and func.attr == "skipTest" \
            and isinstance(func.value, ast.Name) and func.value.id == "self":
        return "self.skipTest()"
    if ctx.root_is_imported(func) and ctx.qualname(func, scope) == "pytest.skip":
        return "pytest.skip()"
    return None


def _unconditional_pytestmarks(scope: Scope) -> list[ast.expr]:
    """``pytestmark`` values assigned by a statement of the module or class
    body itself, not under an ``if`` (``else: pytestmark = skip`` is a condition)."""
    if not scope.pytestmark:
        return []
    direct = {
        id(statement.value) for statement in scope.node.body  # type: ignore[attr-defined]
        if isinstance(statement, (ast.Assign, ast.AnnAssign))
    }
    return [value for value in scope.pytestmark if id(value) in direct]


def _unconditional_skips(ctx: FileContext, tests: list[Located]) -> Iterator[tuple[ast.AST, str, Scope | None]]:
    """(where, what, the scope it skips) for each skip that needs no condition.

    A skip inside ``if``/``try`` or in a helper is conditional; a statement
    of the module or of a test's own body always runs.
    """
    for node, scope, inner in (*ctx.functions, *ctx.classes):
        for decorator in node.decorator_list:  # type: ignore[attr-defined]
            how = _skip_marker(ctx, decorator, scope)
            if how:
                yield decorator, f"@{how}", inner
    for scope in ctx.scopes.values():
        for value in _unconditional_pytestmarks(scope):
            for element in _elements(value):
                if _skip_marker(ctx, element, scope):
                    yield element, "pytestmark = pytest.mark.skip", scope
    for call, scope, _owner in ctx.calls:
        func = call.func  # type: ignore[attr-defined]
        if last_name(func) == "param" and ctx.qualname(func, scope) == "pytest.param":
            for keyword in call.keywords:  # type: ignore[attr-defined]
                if keyword.arg == "marks":
                    for element in _elements(keyword.value):
                        if _skip_marker(ctx, element, scope):
                            yield element, "pytest.param(marks=pytest.mark.skip)", None
    for statement in ctx.tree.body:
        how = _skip_call(ctx, statement, ctx.module)
        if how:
            yield statement, f"{how} at module level", ctx.module
    for node, _scope, inner in tests:
        for statement in node.body:  # type: ignore[attr-defined]
            how = _skip_call(ctx, statement, inner)
            if how:
                yield statement, f"{how} in the body of {node.name}()", inner  # type: ignore[attr-defined]


# --------------------------------------------------------------------- SOT505
def _literal_seconds(call: ast.Call) -> int | float | None:
    value = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "delay"), None)
    if isinstance(value, ast.Constant) and type(value.value) in (int, float):
        return value.value  # type: ignore[no-any-return]
    return None


def _sleeps(ctx: FileContext) -> Iterator[Finding]:
    limit = ctx.config.max_sleep
    for node, scope, _owner in ctx.calls:
        func = node.func  # type: ignore[attr-defined]
        if isinstance(func, ast.Attribute) and func.attr != "sleep":
            continue
        if not ctx.root_is_imported(func):
            continue
        name = ctx.qualname(func, scope)
        if name not in SLEEPS:
            continue
        seconds = _literal_seconds(node)  # type: ignore[arg-type]
        # sleep(0) yields to the event loop; it does not wait.
        if seconds is not None and seconds > 0 and seconds >= limit:
            yield finding(node, "SOT505", name=name, seconds=repr(seconds))


# --------------------------------------------------------------------- SOT506
@lru_cache(maxsize=4096)  # called for every attribute of a test module
def is_asserting_name(name: str) -> bool:
    """``assert_ok``, ``_verify_events``, ``assertEqual``, ``expect``, ``check_health``,
    ``run_and_assert``; not ``checkout`` or ``expected_payload`` (the prefix must
    end a word)."""
    if _ASSERT_WORD.search(name):
        return True
    name = name.lstrip("_")
    for prefix in ASSERTING_PREFIXES:
        if name[:len(prefix)].lower() == prefix:
            rest = name[len(prefix):]
            if not rest or rest[0] == "_" or rest[0].isupper() or rest[0].isdigit():
                return True
    return False


class _Evidence:
    """What one function (with the helpers nested in it) does towards asserting."""

    __slots__ = ("asserts", "mock_checks", "builds_mock", "callees")

    def __init__(self) -> None:
        self.asserts = False
        self.mock_checks: list[ast.Call] = []
        self.builds_mock = False
        self.callees: set[Scope] = set()

    @property
    def asserts_itself(self) -> bool:
        # Checking a mock the function built itself says nothing about the system.
        return self.asserts or bool(self.mock_checks and not self.builds_mock)


def _builds_mock(ctx: FileContext, func: ast.AST, scope: Scope) -> bool:
    if not ctx.root_is_imported(func):
        return False
    member = mock_member(ctx.qualname(func, scope))
    if member is None:
        return False
    name, via_mocker = member
    return name in FACTORIES or name in (MOCKER_PATCHERS if via_mocker else PATCHERS)


_Table = dict[tuple[Scope, str], Scope]  # (defining scope, name) -> the def's own scope


class _LocalFunctions:
    """Resolves a call to a function or method defined in the same module."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.functions = self._table(ctx.functions)
        self.classes = self._table(ctx.classes)

    @staticmethod
    def _table(definitions: list[Located]) -> _Table:
        return {(loc.scope, loc.node.name): loc.owner for loc in definitions}  # type: ignore[attr-defined]

    @staticmethod
    def _visible(name: str, scope: Scope, table: _Table) -> Scope | None:
        for current in _chain(scope):
            if current.kind != "class" or current is scope:  # method bodies do not see class names
                hit = table.get((current, name))
                if hit is not None:
                    return hit
        return None

    def _local(self, name: ast.Name, scope: Scope, table: _Table) -> Scope | None:
        binding = self.ctx.lookup(name.id, scope, name.lineno)
        if binding is None or binding.qualname is not None or binding.is_param:
            return None
        return self._visible(name.id, scope, table)

    def callee(self, func: ast.AST, scope: Scope) -> Scope | None:
        """``helper()``, ``self.helper()``, ``super().helper()``, ``OtherTests.helper(self)``."""
        if isinstance(func, ast.Name):
            return self._local(func, scope, self.functions)
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        on_self = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
        if isinstance(receiver, ast.Name) and not on_self:
            local_class = self._local(receiver, scope, self.classes)
            return self._method(local_class, func.attr) if local_class else None
        on_super = isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) \
            and receiver.func.id == "super"
        if not (on_self or on_super):
            return None
        owner_class = next((s for s in _chain(scope) if s.kind == "class"), None)
        if owner_class is None:
            return None
        return self._method(owner_class, func.attr, own=on_self)

    def _method(self, class_scope: Scope, name: str, own: bool = True) -> Scope | None:
        """``name`` defined on the class (unless not ``own``) or, breadth first,
        on a base class defined in the module."""
        pending = deque([class_scope] if own else self._local_bases(class_scope))
        seen = set(pending)
        while pending:
            current = pending.popleft()
            hit = self.functions.get((current, name))
            if hit is not None:
                return hit
            for base in self._local_bases(current):
                if base not in seen:
                    seen.add(base)
                    pending.append(base)
        return None

    def _local_bases(self, class_scope: Scope) -> list[Scope]:
        parent = class_scope.parent
        bases = class_scope.node.bases  # type: ignore[attr-defined]
        found = (self._visible(base.id, parent, self.classes) for base in bases
                 if isinstance(base, ast.Name) and parent is not None)
        return [base for base in found if base is not None]


def _collect_evidence(ctx: FileContext) -> dict[Scope, _Evidence]:
    evidence = {inner: _Evidence() for _node, _scope, inner in ctx.functions}
    enclosing: dict[Scope, list[_Evidence]] = {}

    def containing(scope: Scope) -> list[_Evidence]:
        # A function and every function it is nested in (lambdas are not
        # functions here, so their content counts for the enclosing def).
        found = enclosing.get(scope)
        if found is None:
            found = enclosing[scope] = [evidence[s] for s in _chain(scope) if s in evidence]
        return found

    for statement in ctx.fail_statements:
        for found in containing(statement.scope):
            found.asserts = True
    local = _LocalFunctions(ctx)
    for node, scope, _owner in ctx.calls:
        targets = containing(scope)
        if not targets:
            continue
        func = node.func  # type: ignore[attr-defined]
        tail = last_name(func)
        if isinstance(func, ast.Attribute) and tail in MOCK_ASSERTIONS:
            for found in targets:
                found.mock_checks.append(node)  # type: ignore[arg-type]
            continue
        qualname = ctx.qualname(func, scope) if ctx.root_is_imported(func) else None
        is_self_fail = tail == "fail" and isinstance(func, ast.Attribute) and \
            isinstance(func.value, ast.Name) and func.value.id == "self"
        if qualname in PYTEST_ASSERTIONS or is_self_fail or (tail is not None and is_asserting_name(tail)):
            for found in targets:
                found.asserts = True
        elif _builds_mock(ctx, func, scope):
            for found in targets:
                found.builds_mock = True
        else:
            callee = local.callee(func, scope)
            if callee is not None:
                for found in targets:
                    found.callees.add(callee)
    for node, scope, _owner in ctx.attributes:  # eq = self.assertEqual; map(self.check_row, rows)
        if node.attr not in MOCK_ASSERTIONS and is_asserting_name(node.attr):  # type: ignore[attr-defined]
            for found in containing(scope):
                found.asserts = True
    for node, scope, inner in ctx.functions:  # @patch(...) decorators build mocks too
        for decorator in node.decorator_list:  # type: ignore[attr-defined]
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if _builds_mock(ctx, target, scope):
                evidence[inner].builds_mock = True
    return evidence


def _asserting_functions(evidence: dict[Scope, _Evidence]) -> set[Scope]:
    """Functions that assert themselves or through a local helper that does."""
    callers: dict[Scope, list[Scope]] = {}
    for scope, found in evidence.items():
        for callee in found.callees:
            callers.setdefault(callee, []).append(scope)
    asserting = {scope for scope, found in evidence.items() if found.asserts_itself}
    pending = deque(asserting)
    while pending:
        for caller in callers.get(pending.popleft(), ()):
            if caller not in asserting:
                asserting.add(caller)
                pending.append(caller)
    return asserting


def _tests_asserting_nothing(ctx: FileContext, tests: list[Located], skipped: set[Scope]) -> Iterator[Finding]:
    evidence = _collect_evidence(ctx)
    asserting = _asserting_functions(evidence)
    for node, _scope, inner in tests:
        if inner in asserting or any(s in skipped for s in _chain(inner)):
            continue  # an unconditionally skipped test is SOT504's finding
        checks = evidence[inner].mock_checks
        detail = ""
        if checks:
            call = f"{ast.unparse(checks[0].func)}()"
            detail = f" about the system: it only calls {call} on a mock it built itself"
        yield finding(node, "SOT506", name=node.name, detail=detail)  # type: ignore[attr-defined]


# --------------------------------------------------------------------- SOT507
def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance between ``a`` and ``b``, or ``limit + 1`` once it
    is certain to exceed ``limit``.

    Only the diagonal band ``|i - j| <= limit`` of the table is computed: a
    cell outside it is more than ``limit`` edits away whatever the strings
    (Ukkonen), so every literal costs ``len(a) * (2 * limit + 1)`` steps
    rather than ``len(a) * len(b)``."""
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    width = len(b)
    previous = [j if j <= limit else over for j in range(width + 1)]
    for i, char in enumerate(a, start=1):
        low, high = max(1, i - limit), min(width, i + limit)
        current = [over] * (width + 1)
        current[0] = i if i <= limit else over
        for j in range(low, high + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != b[j - 1]))
        if min(current[low - 1:high + 1]) > limit:
            return over
        previous = current
    return min(previous[width], over)


def _docstrings(ctx: FileContext) -> set[int]:
    owners = [ctx.tree, *(loc.node for loc in ctx.classes), *(loc.node for loc in ctx.functions)]
    found = set()
    for owner in owners:
        body = owner.body  # type: ignore[attr-defined]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def _critical_name_near_misses(ctx: FileContext) -> Iterator[Finding]:
    names = sorted(ctx.config.critical_names)
    lengths = {len(name) + delta for name in names for delta in range(-MAX_EDITS, MAX_EDITS + 1)}
    candidates = [
        loc.node for loc in ctx.strings
        if len(loc.node.value) in lengths  # type: ignore[attr-defined]
        and loc.node.value not in ctx.config.critical_names  # type: ignore[attr-defined]
        and _NAME_LIKE.fullmatch(loc.node.value)  # type: ignore[attr-defined]
    ]
    if not candidates:
        return
    docstrings = _docstrings(ctx)
    for node in candidates:
        if id(node) in docstrings:
            continue
        value = node.value  # type: ignore[attr-defined]
        edits, name = min((edit_distance(value, name, MAX_EDITS), name) for name in names)
        if edits <= MAX_EDITS:
            yield finding(node, "SOT507", value=value, edits=f"{edits} edit{'s' if edits > 1 else ''}", name=name)
