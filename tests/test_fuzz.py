"""Property-based fuzzing of the checker core.

Programs are assembled from the constructs the rules resolve: aliased, star,
conditional and ``TYPE_CHECKING`` imports, decorators and markers, nested
classes and functions that shadow library names, docstrings that look
like BVJ blocks (including bytes and f-string ones), and attribute chains
thousands deep.  hypothesmith adds programs drawn from Python's grammar.

Properties: check_tree never raises and never gives up (SOT999); the result
does not depend on how the file name is spelled; the tree is not mutated
(flake8 hands the same tree to every plugin).
"""

from __future__ import annotations

import ast
import io
import os
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.checker import check_tree
from flake8_ssot.config import Config, build_config
from flake8_ssot.registry import RULES

ROOT = os.getcwd()  # relative spellings of a file name resolve against the cwd
ALL_CODES = tuple(sorted({code[:4] for code in RULES}))
CONFIG = build_config({"ssot_mock_allowed_targets": "openai.*"}, ROOT, ALL_CODES)
FILENAMES = (
    "tests/integration/test_orders.py", "tests/e2e/test_checkout.py", "tests/unit/test_parser.py",
    "tests/integration/conftest.py", "tests/integration/helpers.py", "app/settings.py", "stdin",
)
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Generated code may compile with "'int' object is not callable" or invalid escapes.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")

# ------------------------------------------------------------- strategies
NAMES = st.sampled_from([
    "mock", "um", "m", "ENV", "environ", "os", "patch", "MagicMock", "Mock", "sentinel", "mocker",
    "monkeypatch", "pytest", "unittest", "TestCase", "SSotBaseTestCase", "sleep", "time", "asyncio",
    "getenv", "fakeredis", "x", "self", "request",
])
DOTTED = st.lists(NAMES, min_size=1, max_size=4).map(".".join)
ARGUMENTS = st.sampled_from([
    "", '"openai.Client"', '"app.db.connect"', "target='billing.gateway.charge'", "os.environ, {}",
    "1", "0.5", "5", "'agent_startd'", "'HOME', '1'", "*args, **kwargs", "lambda: os.environ",
])
CALLS = st.builds("{}({})".format, DOTTED, ARGUMENTS)
# Uses the rules look for, so generated programs reach them often.
LIBRARY_USES = st.sampled_from([
    "mock.MagicMock()", "um.patch('openai.Client')", "patch.object(Service, 'call')", "mocker.patch('app.db')",
    "mock.sentinel.token", "os.environ['HOME']", "ENV.get('X')", "os.getenv('HOME')",
    "monkeypatch.setenv('A', 'b')", "time.sleep(1)", "self.assertEqual(1, 1)",
])
EXPRESSIONS = st.one_of(
    DOTTED, CALLS, LIBRARY_USES,
    st.builds("{}[{}]".format, DOTTED, st.sampled_from(['"HOME"', "0", "'a':'b'"])),
    st.builds("'PATH' in {}".format, DOTTED),
    st.builds("[{} for {} in {}]".format, NAMES, NAMES, DOTTED),
    st.builds("lambda {}: {}".format, NAMES, CALLS),
)
MARKERS = st.sampled_from([
    "pytest.mark.e2e", "pytest.mark.integration", "pytest.mark.real_services", "pytest.mark.unit",
    "pytest.mark.skip", "pytest.mark.skip(reason='flaky')", "pytest.mark.skipif(True, reason='x')",
    "mark.e2e", "pytest.mark.integration(order=1)",
])
DECORATORS = st.one_of(
    MARKERS,
    st.builds("{}.patch({})".format, NAMES, ARGUMENTS),
    st.builds("{}.patch.object({}, 'attr')".format, NAMES, NAMES),
    st.sampled_from(["pytest.fixture", "pytest.fixture(scope='session')", "pytest_asyncio.fixture",
                     "functools.wraps(f)", "unittest.skip('later')", "staticmethod"]),
).map("@{}".format)
IMPORTS = st.one_of(
    st.builds("import unittest.mock as {}".format, NAMES),
    st.builds("from unittest.mock import {} as {}".format,
              st.sampled_from(["patch", "MagicMock", "sentinel", "create_autospec", "AsyncMock"]), NAMES),
    st.builds("from os import {} as {}".format, st.sampled_from(["environ", "getenv", "environb", "putenv"]), NAMES),
    st.sampled_from([
        "import os", "import os.path", "from os import *", "from unittest import mock", "from unittest.mock import *",
        "import mock", "from mock import patch", "import asynctest", "import pytest", "from pytest import mark",
        "import unittest", "from unittest import TestCase, IsolatedAsyncioTestCase", "import time",
        "from time import sleep", "import asyncio", "import fakeredis", "from responses import activate",
        "import requests_mock.mocker", "from . import helpers", "from ..shared import isolated_environment as env",
        "from typing import TYPE_CHECKING, Generic", "from test_framework.ssot.base import SSotBaseTestCase",
    ]),
)

Block = list[str]  # source lines, unindented


def _indent(lines: Block) -> Block:
    return ["    " + line if line else line for line in lines]


DOC_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\r\x00'), max_size=40,
)
BVJ_LINES = st.one_of(
    st.sampled_from([
        "Business Value Justification (BVJ):", "**Business Value Justification**", "BVJ:", "## BVJ", "bvj",
        "BVJ: Segment: Enterprise", "1. **Segment:** Platform/Internal - System Stability",
        "- Business Goal: Retention", "Value Impact: TODO", "Strategic/Revenue Impact: <fill in>",
        "Segment: Gold customers", "Goal:", "   ", "\t- Segment:\tAll (Free -> Enterprise)", "\x0cSegment: Mid",
    ]),
    st.builds("{}{}{}: {}".format, st.sampled_from(["", "- ", "* ", "1. ", "> "]),
              st.sampled_from(["", "**", "__", "`"]), st.sampled_from(["Segment", "Value Impact", "Goal", "Why"]),
              DOC_TEXT),
    DOC_TEXT,
)


# Strategies are built once, here, not inside the composites below at every
# draw: building them again each time was a fifth of the generation time.
DOC_LINES = st.lists(BVJ_LINES, max_size=8)
STRING_PREFIXES = st.sampled_from(["", "", "r", "b", "f", "u"])


@st.composite
def docstrings(draw: st.DrawFn) -> Block:
    lines = draw(DOC_LINES)
    prefix = draw(STRING_PREFIXES)
    text = "\n".join(lines)
    if prefix == "b":
        text = text.encode("ascii", "replace").decode()  # bytes literals hold ASCII only
    if prefix == "f":
        text = text.replace("{", "{{").replace("}", "}}") + " {x}"
    if draw(st.booleans()):
        return [f'{prefix}"""{text}"""']  # DOC_TEXT holds no quote or backslash
    return [repr(text) if prefix == "r" else prefix + repr(text)]


OPTIONAL_DOCSTRING = st.one_of(st.just([]), docstrings())
CHAIN_ROOTS = st.sampled_from(["a", "os", "mock"])
CHAIN_LENGTHS = st.integers(1, 30)
# Each shape takes (draw, expression, name) and draws only the parts it uses.
Shape = Callable[[st.DrawFn, str, str], Block]
SHAPES: st.SearchStrategy[Shape] = st.sampled_from([
    lambda draw, expression, name: [expression],
    lambda draw, expression, name: [f"{name} = {expression}"],
    lambda draw, expression, name: [f"{name}: int = {expression}"],
    lambda draw, expression, name: [f"assert {expression}"],
    lambda draw, expression, name: [f"del {name}[1]"],
    lambda draw, expression, name: [f"global {name}"],
    lambda draw, expression, name: [f"pytestmark = {draw(MARKERS)}"],
    lambda draw, expression, name: [f"pytestmark = [{draw(MARKERS)}, {draw(MARKERS)}]"],
    lambda draw, expression, name: [f"with {draw(CALLS)} as {name}:", "    pass"],
    lambda draw, expression, name: [f"for {name} in {expression}:", "    pass"],
    lambda draw, expression, name: ["try:", f"    {expression}", f"except Exception as {name}:", "    raise"],
    lambda draw, expression, name: ["if TYPE_CHECKING:", f"    {draw(IMPORTS)}"],
    lambda draw, expression, name: ["try:", f"    {draw(IMPORTS)}", "except ImportError:", f"    {draw(IMPORTS)}"],
    lambda draw, expression, name: [draw(IMPORTS)],
    lambda draw, expression, name: [f"match {expression}:", f"    case {{'a': {name}, **rest}}:", "        pass",
                                    f"    case [{name}, *others]:", "        pass"],
    lambda draw, expression, name: [f"{name} = {draw(CHAIN_ROOTS)}" + ".b" * draw(CHAIN_LENGTHS)],
])


@st.composite
def simple_statements(draw: st.DrawFn) -> Block:
    expression = draw(EXPRESSIONS)
    name = draw(NAMES)
    # One shape is drawn first, then only the parts it uses: drawing every
    # shape's parts and keeping one costs most of the generation time.
    return draw(SHAPES)(draw, expression, name)


FUNCTION_DECORATORS = st.lists(DECORATORS, max_size=3)
ASYNCHRONOUS = st.sampled_from(["", "async "])
FUNCTION_NAMES = st.sampled_from(["test_orders", "test_login", "helper", "asyncSetUp", "asyncTearDown",
                                  "setUp", "MagicMock", "patch", "environ", "getenv"])
PARAMETERS = st.lists(st.sampled_from(["self", "mocker", "class_mocker", "monkeypatch", "request",
                                       "environ", "x=os.environ", "*args", "**kwargs"]),
                      max_size=3, unique=True)
CLASS_DECORATORS = st.lists(DECORATORS, max_size=2)
CLASS_NAMES = st.sampled_from(["TestOrders", "TestMockery", "MockWebSocketManager", "RedisFake",
                               "StubClient", "Helper", "Base", "Mock", "TestCase"])
BASES = st.lists(st.sampled_from([
    "unittest.TestCase", "TestCase", "SSotBaseTestCase", "SSotAsyncTestCase", "IsolatedAsyncioTestCase",
    "mock.MagicMock", "Base", "Helper", "Generic[T]", "metaclass=abc.ABCMeta", "object",
]), max_size=3, unique=True)


def _blocks(children: st.SearchStrategy[Block]) -> st.SearchStrategy[Block]:
    """Functions and classes whose bodies are drawn from ``children``."""
    bodies = st.lists(children, min_size=1, max_size=4)

    @st.composite
    def function(draw: st.DrawFn) -> Block:
        decorators = draw(FUNCTION_DECORATORS)
        asynchronous = draw(ASYNCHRONOUS)
        name = draw(FUNCTION_NAMES)
        params = draw(PARAMETERS)
        ordered = sorted(params, key=lambda p: (p.startswith("**"), p.startswith("*"), "=" in p))
        body = draw(bodies)
        doc = draw(OPTIONAL_DOCSTRING)
        lines = [*decorators, f"{asynchronous}def {name}({', '.join(ordered)}):"]
        return lines + _indent(doc + [line for block in body for line in block])

    @st.composite
    def klass(draw: st.DrawFn) -> Block:
        decorators = draw(CLASS_DECORATORS)
        name = draw(CLASS_NAMES)
        bases = draw(BASES)
        bases.sort(key=lambda b: "=" in b)
        body = draw(bodies)
        doc = draw(OPTIONAL_DOCSTRING)
        lines = [*decorators, f"class {name}({', '.join(bases)}):"]
        return lines + _indent(doc + [line for block in body for line in block])

    return st.one_of(function(), klass())


STATEMENTS = st.recursive(simple_statements(), _blocks, max_leaves=12)
IMPORT_LINES = st.lists(IMPORTS, max_size=4)
BODIES = st.lists(STATEMENTS, max_size=8)


@st.composite
def programs(draw: st.DrawFn) -> str:
    doc = draw(OPTIONAL_DOCSTRING)
    imports = draw(IMPORT_LINES)  # bind names the statements below use
    body = draw(BODIES)
    return "\n".join(doc + imports + [line for block in body for line in block]) + "\n"


@st.composite
def deep_chains(draw: st.DrawFn) -> str:
    """Attribute chains near the parser's own limit (about 2,988 in 3.11)."""
    depth = draw(st.integers(1000, 2500))
    root = draw(st.sampled_from(["os", "mock", "a", "ENV"]))
    attribute = draw(st.sampled_from([".environ", ".patch", ".b", ".MagicMock"]))
    tail = draw(st.sampled_from(["", "()", "['HOME']"]))
    return f"import os\nfrom unittest import mock\nx = {root}{attribute * depth}{tail}\n"


# -------------------------------------------------------------- properties
def _fingerprint(tree: ast.AST) -> list[tuple[object, ...]]:
    """Every node with its fields, iteratively (ast.dump recurses and fails on deep chains)."""

    def value(item: object) -> object:
        if isinstance(item, ast.AST):
            return id(item)
        if isinstance(item, list):
            return tuple(value(element) for element in item)
        return item

    return [
        (id(node), type(node), tuple(sorted((key, value(item)) for key, item in vars(node).items())))
        for node in ast.walk(tree)
    ]


def _check(source: str, *filenames: str, config: Config = CONFIG) -> list[list[tuple[int, int, str]]]:
    """The findings under each file name, checked on one tree (as flake8
    hands every plugin the same tree), which must come out unchanged."""
    tree = ast.parse(source)
    before = _fingerprint(tree)
    lines = io.StringIO(source).readlines()  # flake8 splits on newlines only, not on form feeds or U+2028
    results = []
    for filename in filenames:
        found = check_tree(tree, lines, filename, config)
        assert not [f for f in found if f.code == "SOT999"], found
        results.append([(f.line, f.col, f.text) for f in found])
    assert _fingerprint(tree) == before, "check_tree mutated the tree"
    return results


def _spellings(relative: str) -> list[str]:
    return [relative, f"./{relative}", os.path.join(ROOT, relative), relative.replace("/", "//")]


@FUZZ
@given(source=programs(), filename=st.sampled_from(FILENAMES))
def test_generated_programs_are_checked(source: str, filename: str) -> None:
    _check(source, filename)
    # str.splitlines also breaks at \x0c, \x1c, U+2028...: lines that disagree with the tree.
    found = check_tree(ast.parse(source), source.splitlines(keepends=True), filename, CONFIG)
    assert "SOT999" not in {f.code for f in found}


@FUZZ
@given(source=programs(), filename=st.sampled_from(FILENAMES[:-1]))
def test_result_does_not_depend_on_how_the_path_is_spelled(source: str, filename: str) -> None:
    spellings = _spellings(filename)
    results = dict(zip(spellings, _check(source, *spellings)))
    assert len({repr(found) for found in results.values()}) == 1, results


@settings(FUZZ, max_examples=20)
@given(source=deep_chains(), filename=st.sampled_from(FILENAMES))
def test_attribute_chains_thousands_deep(source: str, filename: str) -> None:
    _check(source, filename)


def _grammar_programs() -> st.SearchStrategy[str]:
    # Imported and built on first use (about two seconds, libcst and the
    # grammar's tables), by the one worker that runs the test below.
    import hypothesmith  # noqa: PLC0415

    return hypothesmith.from_grammar()


@settings(FUZZ, max_examples=200)
@given(source=st.deferred(_grammar_programs), filename=st.sampled_from(FILENAMES))
def test_programs_from_the_python_grammar(source: str, filename: str) -> None:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # the grammar admits programs the compiler rejects; flake8 reports E999 for them
    _check(source, filename)


def test_the_generators_produce_the_constructs() -> None:
    """A fuzz run that never reaches the rules proves nothing: the generated
    programs must produce findings of every family."""
    codes: set[str] = set()

    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    @given(source=programs(), filename=st.sampled_from(FILENAMES))
    def collect(source: str, filename: str) -> None:
        codes.update(text.split()[0] for _line, _col, text in _check(source, filename)[0])

    collect()
    assert {code[:4] for code in codes} >= {"SOT1", "SOT2", "SOT3", "SOT4"}, sorted(codes)
