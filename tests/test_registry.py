"""Meta tests: the registry, the families and the checker keep their promises."""

from __future__ import annotations

import ast
import importlib.metadata
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import flake8_ssot
from flake8_ssot import registry, rules
from flake8_ssot.checker import check_tree
from flake8_ssot.config import build_config
from flake8_ssot.plugin import SSOTChecker
from flake8_ssot.registry import PREFIX, RULES
from flake8_ssot.rules import FAMILIES, bases
from tests.expectations import STDIN, Fixture, all_fixtures

PACKAGE_DIR = Path(flake8_ssot.__file__).parent
INTERNAL = "SOT999"  # reported by the checker itself, never by a fixture
_CODE_LITERAL = re.compile(r"[\"'](SOT\d{3})[\"']")


def emitted_codes(source: Path) -> set[str]:
    return set(_CODE_LITERAL.findall(source.read_text(encoding="utf-8")))


def test_codes_are_unique_and_well_formed() -> None:
    # registry._RULES is the declaration; RULES, a dict, would hide a duplicate.
    codes = [rule.code for rule in registry._RULES]
    names = [rule.name for rule in registry._RULES]
    assert len(codes) == len(set(codes)) == len(RULES)
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"SOT\d{3}", code) for code in codes)
    assert all(code == rule.code for code, rule in RULES.items())


def test_entry_point_name_is_the_prefix() -> None:
    entry_points = importlib.metadata.entry_points(group="flake8.extension")
    ours = [ep for ep in entry_points if ep.value == "flake8_ssot.plugin:SSOTChecker"]
    assert [ep.name for ep in ours] == [PREFIX]
    assert re.fullmatch(r"[A-Z]{1,3}[0-9]{0,3}", PREFIX)


def test_every_rules_module_is_a_registered_family() -> None:
    modules = {info.name for info in pkgutil.iter_modules(rules.__path__)}
    families = {family.__name__.rpartition(".")[2] for family in FAMILIES}
    registered = {rule.family for rule in RULES.values()} - {RULES[INTERNAL].family}
    assert modules == families == registered


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.__name__.rpartition(".")[2])
def test_family_emits_exactly_its_registered_codes(family: object) -> None:
    name = family.__name__.rpartition(".")[2]  # type: ignore[attr-defined]
    emitted = emitted_codes(Path(family.__file__))  # type: ignore[attr-defined]
    assert emitted, f"no code literal found in {name}"
    assert emitted <= set(RULES), f"unregistered: {sorted(emitted - set(RULES))}"
    assert emitted == {code for code, rule in RULES.items() if rule.family == name}


def test_only_the_checker_emits_the_internal_code() -> None:
    assert emitted_codes(PACKAGE_DIR / "checker.py") == {INTERNAL}
    assert RULES[INTERNAL].family == "internal"


def test_every_code_has_a_fixture_expectation() -> None:
    expected = {code for fixture in all_fixtures() for _line, code in fixture.expected}
    missing = sorted(set(RULES) - {INTERNAL} - expected)
    assert not missing, f"codes no fixture expects: {missing}"


# ---------------------------------------------------------------- SOT999


def _at(node: ast.AST, line: int = 2) -> ast.AST:
    node.lineno, node.col_offset, node.end_lineno, node.end_col_offset = line, 0, line, 1  # type: ignore[attr-defined]
    return node


def deeply_nested_module(depth: int) -> ast.Module:
    """``import os`` then ``x = a + (a + (... + os.environ))``, built without recursion."""
    environ = ast.Attribute(_at(ast.Name("os", ast.Load())), "environ", ast.Load())
    expr: ast.expr = _at(environ)  # type: ignore[assignment]
    for _ in range(depth):
        expr = _at(ast.BinOp(_at(ast.Name("a", ast.Load())), ast.Add(), expr))  # type: ignore[assignment]
    assign = _at(ast.Assign([_at(ast.Name("x", ast.Store()))], expr))
    return ast.Module([_at(ast.Import([ast.alias("os")]), line=1), assign], [])


def test_deep_nesting_is_checked_not_given_up() -> None:
    tree = deeply_nested_module(depth=20 * sys.getrecursionlimit())
    with pytest.raises(RecursionError):  # the tree defeats a naive recursive walker...
        ast.NodeVisitor().visit(tree)
    lines = ["import os\n", "x = a + (a + (... + os.environ))\n"]
    found = check_tree(tree, lines, "app/settings.py", build_config({}, "/project"))
    assert [(f.line, f.code) for f in found] == [(2, "SOT301")]  # ...but ours reaches the bottom


@pytest.mark.parametrize(("error", "reason"), [
    (RuntimeError("boom"), "internal error RuntimeError: boom"),
    (RecursionError("deep"), "it nests too deeply"),
])
def test_a_crashing_family_becomes_sot999(monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str) -> None:
    def explode(ctx: object) -> None:
        raise error

    monkeypatch.setattr(bases, "check", explode)
    lines = ["import os\n", "TOKEN = os.environ['TOKEN']\n"]
    tree = ast.parse("".join(lines))
    found = check_tree(tree, lines, "tests/test_settings.py", build_config({}, "/project"))
    # The failing family becomes SOT999; the other families' findings survive.
    assert [(f.line, f.col, f.code) for f in found] == [(1, 0, INTERNAL), (2, 8, "SOT301")]
    assert reason in found[0].message
    # The flake8 adapter passes it on rather than aborting the run.
    plugin_found = list(SSOTChecker(tree, "tests/test_settings.py", lines).run())
    assert [(line, col, text.split()[0]) for line, col, text, _type in plugin_found] == [
        (1, 0, INTERNAL), (2, 8, "SOT301")]


# ------------------------------------------------------------ no mutation


def _snapshot(tree: ast.AST) -> tuple[str, list[tuple[str, tuple[str, ...]]]]:
    """The tree's fields and positions, plus every attribute set on any node
    (a parent link would not show in ast.dump)."""
    attributes = [(type(node).__name__, tuple(sorted(vars(node)))) for node in ast.walk(tree)]
    return ast.dump(tree, include_attributes=True), attributes


@pytest.mark.parametrize("fixture", all_fixtures(), ids=lambda fixture: fixture.id)
def test_the_tree_is_never_mutated(fixture: Fixture, tmp_path: Path) -> None:
    tree = ast.parse(fixture.text)
    before = _snapshot(tree)
    filename = STDIN if fixture.is_stdin else str(tmp_path / fixture.virtual_path)
    check_tree(tree, fixture.text.splitlines(keepends=True), filename, build_config({}, str(tmp_path)))
    assert _snapshot(tree) == before
