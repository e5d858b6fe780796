"""The per-file context every rule family shares.

One iterative walk over the tree flake8 hands us (never mutated, never
recursed into, so deep nesting cannot exhaust the stack) records:

* scopes and the bindings in each (imports with their qualified names,
  local definitions, parameters), so a name resolves through aliases and
  a local definition shadows a library object;
* the nodes the rule families look at, each with the scope it is resolved
  in and the scope its pytest markers come from;
* module docstring, ``pytestmark`` assignments and decorators, from which
  real-service scope is derived lazily.

Most expression nodes are of no interest to the rules that run on a file,
so the walk can be told the lines where they are (``expression_lines``,
from the rules' locators in triggers.py): it then visits the expressions
of a statement only if the statement spans one of those lines, and of any
other statement only the targets that bind names.  Imports, classes,
functions, ``pytestmark``, their scopes and the bindings in those are the
same as with a full walk (comprehensions and lambdas in statements visited
without their expressions get no scope: nothing is looked up in them);
calls, names, attributes and strings hold those of the statements visited
fully (and a few more: exception types, ``with`` items, match patterns),
each with the context a full walk gives it.
"""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple, Sequence

from flake8_ssot.config import Config
from flake8_ssot.paths import FilePath, file_matches, matching_directory

# Names a star import brings in that a rule cares about, per module.
_MOCK_EXPORTS = frozenset({
    "Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock",
    "PropertyMock", "create_autospec", "mock_open", "sentinel", "patch", "CoroutineMock",
})
STAR_EXPORTS: dict[str, frozenset[str]] = {
    "unittest.mock": _MOCK_EXPORTS,
    "mock": _MOCK_EXPORTS,
    "asynctest": _MOCK_EXPORTS | {"TestCase"},
    "os": frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}),
    "time": frozenset({"sleep"}),
    "asyncio": frozenset({"sleep"}),
    "unittest": frozenset({"TestCase", "IsolatedAsyncioTestCase", "skip", "mock"}),
    "pytest": frozenset({"mark", "fixture", "raises", "warns", "fail", "skip", "MonkeyPatch"}),
}

# pytest fixtures whose parameter name identifies the object; resolved to
# a pseudo qualified name so rules match them like library names.
FIXTURE_OBJECTS = {
    "mocker": "pytest_mock.mocker",
    "class_mocker": "pytest_mock.mocker",
    "module_mocker": "pytest_mock.mocker",
    "package_mocker": "pytest_mock.mocker",
    "session_mocker": "pytest_mock.mocker",
    "monkeypatch": "pytest.monkeypatch",
}

# Names that mean the same class as the canonical one in ssot-*-bases.
_CANONICAL = {
    "unittest.case.TestCase": "unittest.TestCase",
    "unittest.async_case.IsolatedAsyncioTestCase": "unittest.IsolatedAsyncioTestCase",
    "asynctest.case.TestCase": "asynctest.TestCase",
    "_pytest.mark": "pytest.mark",
}

# Modules a suite's own test utilities re-export (``from tests import mock``,
# ``from awscli.testutils import mock, unittest``): such a module cannot be
# read without importing it, and in every suite we have seen a name of these
# imported from anywhere is the library module (or its compatible backport).
REEXPORTED_MODULES = frozenset({"mock", "unittest"})


def _reexported(qualified: str) -> str:
    """``awscli.testutils.mock.patch`` -> ``mock.patch``."""
    parts = qualified.split(".")
    for index in range(1, len(parts) - 1):
        if parts[index] in REEXPORTED_MODULES:
            return ".".join(parts[index:])
    return qualified


INTEGRATION = "integration"
E2E = "e2e"

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Nodes the walk records or that open a scope; any other node only has
# its children visited.
_SPECIAL = frozenset({
    *_FUNCTIONS, ast.Lambda, *_COMPREHENSIONS, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assert,
    ast.Raise, ast.Global, ast.Assign, ast.AnnAssign, ast.ExceptHandler, ast.MatchAs, ast.MatchStar,
    ast.MatchMapping,
})
# Fields that hold only operator or context singletons, or strings.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "kind", "type_comment"})
# Per node class, the fields that may hold child nodes (filled as met).
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_STATEMENTS = frozenset(ast.stmt.__subclasses__())
# A statement visited without its expressions: the fields that hold
# statements, or targets that bind names (or the items, handlers and cases
# that hold those); any other statement has none.  Only ``:=`` binds a name
# in an expression outside a comprehension's or lambda's own scope, and
# lines containing it are always visited fully (triggers.py).
_WITHOUT_EXPRESSIONS = {
    "If": {"body", "orelse"}, "While": {"body", "orelse"},
    "For": {"target", "body", "orelse"}, "AsyncFor": {"target", "body", "orelse"},
    "With": {"items", "body"}, "AsyncWith": {"items", "body"},
    "Try": {"body", "handlers", "orelse", "finalbody"}, "TryStar": {"body", "handlers", "orelse", "finalbody"},
    "Assign": {"targets"}, "AugAssign": {"target"}, "AnnAssign": {"target"}, "Delete": {"targets"},
    "TypeAlias": {"name"}, "Match": {"cases"},
}
# In the order of the class's fields, so statements and bindings are
# recorded in the order the full walk records them.
_STATEMENT_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(name for name in kind._fields if name in fields)
    for kind, fields in ((getattr(ast, name, None), fields) for name, fields in _WITHOUT_EXPRESSIONS.items())
    if kind is not None  # TryStar and TypeAlias are newer than some Pythons
}


def last_name(expr: ast.AST) -> str | None:
    """The name an expression ends in as written: ``b`` for ``a.b``, ``a`` for ``a``."""
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


class Binding(NamedTuple):
    line: int
    qualname: str | None  # what an import binds; None for anything local
    is_param: bool = False


class Scope:
    """A module, class or function namespace."""

    __slots__ = ("kind", "node", "parent", "bindings", "global_names", "stars",
                 "pytestmark", "_service")

    def __init__(self, kind: str, node: ast.AST, parent: Scope | None) -> None:
        self.kind = kind
        self.node = node
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.global_names: set[str] = set()
        self.stars: list[str] = []
        self.pytestmark: list[ast.expr] = []
        self._service: str | None | bool = False  # False: not computed yet

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


class Located(NamedTuple):
    node: ast.AST
    scope: Scope  # where names in ``node`` resolve
    owner: Scope  # whose markers apply (differs for decorators and bases)


@dataclass
class FileContext:
    tree: ast.Module
    lines: list[str]
    path: FilePath
    config: Config
    active: frozenset[str] | None = None  # the codes checked here; None: every enabled code
    expression_lines: Sequence[int] | None = None  # sorted; None: every statement is visited fully
    module: Scope = field(init=False)
    calls: list[Located] = field(default_factory=list)
    names: list[Located] = field(default_factory=list)
    attributes: list[Located] = field(default_factory=list)
    imports: list[Located] = field(default_factory=list)
    classes: list[Located] = field(default_factory=list)
    functions: list[Located] = field(default_factory=list)
    strings: list[Located] = field(default_factory=list)
    fail_statements: list[Located] = field(default_factory=list)  # assert and raise
    scopes: dict[ast.AST, Scope] = field(default_factory=dict)
    imported_names: set[str] = field(default_factory=set)
    # What pytest collects here, computed once on demand by collection.py.
    test_module: bool | None = None
    resolver: Any = None
    collected: Any = None

    def __post_init__(self) -> None:
        if self.active is None:
            self.active = frozenset(self.config.enabled_codes)
        self.module = Scope("module", self.tree, None)
        self.scopes[self.tree] = self.module
        self._walk()

    # ------------------------------------------------------------------ walk
    def _walk(self) -> None:
        # The hot loop of a run (every node of every file), so it avoids
        # per-node allocations: the stack holds nodes, with (scope, owner)
        # pairs between them; popping a pair makes it the context of the
        # nodes popped after it.  A node that opens a scope pushes each group
        # of its children with that group's pair above it, and the group
        # popped last runs in its own context, which is therefore restored
        # when its subtree is done.  Nodes are visited in the same order as
        # with a stack of (node, scope, owner) triples.
        module = self.module
        wanted = self.expression_lines
        partial = wanted is not None
        none_wanted = partial and not wanted
        statements = _STATEMENTS
        statement_fields = _STATEMENT_FIELDS
        stack: list[ast.AST | tuple[Scope, Scope]] = [self.tree]
        push = stack.append
        pop = stack.pop
        scope = owner = module
        AST = ast.AST
        Name, Attribute, Call, Constant, Load = ast.Name, ast.Attribute, ast.Call, ast.Constant, ast.Load
        located = tuple.__new__  # Located(...) without the Python-level __new__
        add_name, add_attribute, add_call, add_string = (
            self.names.append, self.attributes.append, self.calls.append, self.strings.append)
        child_fields = _CHILD_FIELDS

        def spans_wanted_line(statement: ast.stmt) -> bool:
            decorators = getattr(statement, "decorator_list", None)
            start = decorators[0].lineno if decorators else getattr(statement, "lineno", None)
            end = getattr(statement, "end_lineno", None)
            if start is None or end is None:  # a tree built without positions: walk it all
                return True
            index = bisect.bisect_left(wanted, start)  # type: ignore[arg-type]
            return index < len(wanted) and wanted[index] <= end  # type: ignore[arg-type]

        while stack:
            node = pop()
            kind = node.__class__
            if kind is Name:
                if node.ctx.__class__ is Load:
                    add_name(located(Located, (node, scope, owner)))
                else:
                    scope.bind(node.id, Binding(node.lineno, None))
                continue
            if kind is Attribute:
                add_attribute(located(Located, (node, scope, owner)))
                push(node.value)
                continue
            if kind is Constant:
                if node.value.__class__ is str:
                    add_string(located(Located, (node, scope, owner)))
                continue
            if kind is tuple:
                scope, owner = node
                continue
            full = not partial or kind not in statements or (not none_wanted and spans_wanted_line(node))
            if kind is Call:
                add_call(located(Located, (node, scope, owner)))
            elif kind in _SPECIAL:
                here = (scope, owner)
                if kind in _FUNCTIONS or kind is ast.Lambda:
                    inner = Scope("function", node, scope)
                    self.scopes[node] = inner
                    args = node.args
                    for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
                        if arg is not None:
                            inner.bind(arg.arg, Binding(arg.lineno, None, True))
                            if arg.annotation is not None and full:
                                push(arg.annotation)
                    if full:
                        for default in (*args.defaults, *args.kw_defaults):
                            if default is not None:
                                push(default)
                    push(here)
                    if kind is ast.Lambda:
                        push(node.body)
                        push((inner, owner))
                        continue
                    scope.bind(node.name, Binding(node.lineno, None))
                    self.functions.append(Located(node, scope, inner))
                    if node.decorator_list and full:
                        for decorator in node.decorator_list:
                            push(decorator)
                        push((scope, inner))
                    if node.returns is not None and full:
                        push(node.returns)
                        push(here)
                    for statement in reversed(node.body):
                        push(statement)
                    push((inner, inner))
                    continue
                elif kind in _COMPREHENSIONS:
                    # Loop variables are local to the comprehension; only the
                    # first iterable is evaluated in the enclosing scope.
                    inner = Scope("comprehension", node, scope)
                    self.scopes[node] = inner
                    for index, generator in enumerate(node.generators):
                        push(generator.iter)
                        if index == 0:
                            push(here)
                        for expr in (generator.target, *generator.ifs):
                            push(expr)
                    for expr in (node.key, node.value) if kind is ast.DictComp else (node.elt,):
                        push(expr)
                    push((inner, owner))
                    continue
                elif kind is ast.ClassDef:
                    inner = Scope("class", node, scope)
                    self.scopes[node] = inner
                    scope.bind(node.name, Binding(node.lineno, None))
                    self.classes.append(Located(node, scope, inner))
                    push(here)
                    if full:
                        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
                            push(expr)
                        push((scope, inner))
                    for statement in reversed(node.body):
                        push(statement)
                    push((inner, inner))
                    continue
                elif kind is ast.Import:
                    self.imports.append(Located(node, scope, owner))
                    for alias in node.names:
                        if alias.asname:
                            local, target = alias.asname, alias.name
                        else:
                            local = target = alias.name.partition(".")[0]
                        scope.bind(local, Binding(node.lineno, target))
                        self.imported_names.add(local)
                    continue
                elif kind is ast.ImportFrom:
                    self.imports.append(Located(node, scope, owner))
                    base = "." * node.level + (node.module or "")
                    for alias in node.names:
                        if alias.name == "*":
                            scope.stars.append(base)
                            self.imported_names.update(STAR_EXPORTS.get(base, ()))
                            continue
                        local = alias.asname or alias.name
                        target = f"{base}.{alias.name}" if node.level == 0 or node.module else base + alias.name
                        scope.bind(local, Binding(node.lineno, target))
                        self.imported_names.add(local)
                    continue
                elif kind is ast.Assert or kind is ast.Raise:
                    self.fail_statements.append(Located(node, scope, owner))
                elif kind is ast.Global:
                    scope.global_names.update(node.names)
                    continue
                elif kind is ast.Assign or kind is ast.AnnAssign:
                    targets = node.targets if kind is ast.Assign else [node.target]
                    if scope.kind != "function" and any(
                        t.__class__ is ast.Name and t.id == "pytestmark" for t in targets
                    ) and node.value is not None:
                        scope.pytestmark.append(node.value)
                elif kind is ast.ExceptHandler:
                    if node.name:
                        scope.bind(node.name, Binding(node.lineno, None))
                elif kind is ast.MatchAs or kind is ast.MatchStar:
                    if node.name:
                        scope.bind(node.name, Binding(node.lineno, None))
                elif kind is ast.MatchMapping:
                    if node.rest:
                        scope.bind(node.rest, Binding(node.lineno, None))
            if full:
                fields = child_fields.get(kind)
                if fields is None:
                    fields = child_fields[kind] = tuple(f for f in kind._fields if f not in _SKIPPED_FIELDS)
            else:
                fields = statement_fields.get(kind, ())
            for name in fields:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    for item in reversed(value):
                        if isinstance(item, AST):
                            push(item)
                elif isinstance(value, AST):
                    push(value)

    def release(self) -> None:
        """Drop what the rules memoised here: the base resolver refers back to
        this context, a cycle that would keep the whole tree alive until the
        cyclic collector runs (see runner._collect_less)."""
        self.resolver = self.collected = None

    def reports(self, code: str) -> bool:
        """Whether ``code`` is checked in this file (enabled, and its trigger holds)."""
        return code in self.active  # type: ignore[operator]

    # ------------------------------------------------------------ resolution
    def lookup(self, name: str, scope: Scope, line: int) -> Binding | None:
        """The binding a use of ``name`` at ``line`` in ``scope`` sees."""
        current: Scope | None = scope
        own = True
        while current is not None:
            if name in current.global_names and current.kind != "module":
                current = self.module
                own = False
                continue
            if own or current.kind != "class":
                bindings = current.bindings.get(name)
                if bindings:
                    if not own:
                        return bindings[-1]
                    before = [b for b in bindings if b.line <= line]
                    return before[-1] if before else bindings[0]
                for star in reversed(current.stars):
                    if name in STAR_EXPORTS.get(star, ()):
                        return Binding(0, f"{star}.{name}")
            own = False
            current = current.parent
        return None

    def qualname(self, expr: ast.AST, scope: Scope) -> str | None:
        """``um.patch.object`` -> ``unittest.mock.patch.object``, or None when
        the root name is local, unbound or not a plain name."""
        attrs: list[str] = []
        while expr.__class__ is ast.Attribute:
            attrs.append(expr.attr)  # type: ignore[attr-defined]
            expr = expr.value  # type: ignore[attr-defined]
        if expr.__class__ is not ast.Name:
            return None
        name = expr.id  # type: ignore[attr-defined]
        binding = self.lookup(name, scope, expr.lineno)  # type: ignore[attr-defined]
        if binding is None or binding.is_param:
            root = FIXTURE_OBJECTS.get(name)
        else:
            root = binding.qualname
        if root is None:
            return None
        attrs.append(root)
        qualified = ".".join(reversed(attrs))
        if "." in root:
            qualified = _reexported(qualified)
        for alias, canonical in _CANONICAL.items():
            if qualified == alias or qualified.startswith(alias + "."):
                return canonical + qualified[len(alias):]
        return qualified

    def root_is_imported(self, expr: ast.AST) -> bool:
        """Cheap pre-filter: can ``expr`` resolve to a library object at all?"""
        while expr.__class__ is ast.Attribute:
            expr = expr.value  # type: ignore[attr-defined]
        return expr.__class__ is ast.Name and (
            expr.id in self.imported_names or expr.id in FIXTURE_OBJECTS  # type: ignore[attr-defined]
        )

    # ---------------------------------------------------------------- scope
    def marker_names(self, expr: ast.AST, scope: Scope) -> Iterator[str]:
        """Marker names in a decorator or a ``pytestmark`` value."""
        pending = [expr]
        while pending:
            item = pending.pop()
            if isinstance(item, (ast.List, ast.Tuple)):
                pending.extend(item.elts)
                continue
            if isinstance(item, ast.BinOp):
                pending.extend((item.left, item.right))
                continue
            if isinstance(item, ast.Call):
                item = item.func
            if isinstance(item, ast.Attribute):  # pytest.mark.e2e, or mark.e2e after `from pytest import mark`
                if self.qualname(item.value, scope) == "pytest.mark":
                    yield item.attr

    def _marker_uses(self, owner: Scope) -> Iterator[tuple[str, ast.expr, bool]]:
        """(marker name, the expression applying it, whether through
        ``pytestmark``) for the markers applied to a class or function itself
        (or, for the module, through ``pytestmark``)."""
        for value in owner.pytestmark:
            for name in self.marker_names(value, owner):
                yield name, value, True
        node = owner.node
        if owner.parent is not None and hasattr(node, "decorator_list"):
            for decorator in node.decorator_list:  # type: ignore[attr-defined]
                for name in self.marker_names(decorator, owner.parent):
                    yield name, decorator, False

    def own_markers(self, owner: Scope) -> set[str]:
        """Markers applied to a class or function itself (or, for the
        module, through ``pytestmark``)."""
        return {name for name, _expr, _in_pytestmark in self._marker_uses(owner)}

    def _service_of_markers(self, owner: Scope) -> tuple[str, str] | None:
        """The strongest scope the owner's own markers give, and which marker."""
        strongest = None
        for name, expr, in_pytestmark in self._marker_uses(owner):
            kind = E2E if name in self.config.e2e_markers else \
                INTEGRATION if name in self.config.integration_markers else None
            if kind is not None and (strongest is None or kind == E2E and strongest[0] != E2E):
                strongest = (kind, name, expr, in_pytestmark)
        if strongest is None:
            return None
        kind, name, expr, in_pytestmark = strongest
        where = f"pytest.mark.{name} in pytestmark" if in_pytestmark else f"@pytest.mark.{name}"
        return kind, f"{where} on line {expr.lineno}"

    def service_scope(self, owner: Scope) -> str | None:
        """``"e2e"``, ``"integration"`` or None (unit) for code in ``owner``."""
        return self.service_scope_of(owner)[0]

    def service_scope_of(self, owner: Scope) -> tuple[str | None, str]:
        """The scope of code in ``owner`` and why: the directory in the path
        (``tests/integration/ in the path``) or the marker that gives it."""
        cached = owner._service
        if cached is not False:
            return cached  # type: ignore[return-value]
        if owner.parent is None:
            config = self.config
            result: tuple[str | None, str] = (None, "")
            for kind, patterns in ((E2E, config.e2e_paths), (INTEGRATION, config.integration_paths)):
                directory = matching_directory(self.path, patterns)
                if directory is not None:
                    result = (kind, f"{directory} in the path")
                    break
        else:
            result = self.service_scope_of(owner.parent)
        marked = self._service_of_markers(owner)
        if marked is not None and (marked[0] == E2E and result[0] != E2E or result[0] is None):
            result = marked
        owner._service = result
        return result

    # ---------------------------------------------------------- file facts
    @property
    def environ_allowed(self) -> bool:
        return file_matches(self.path, self.config.environ_allowed_paths)
