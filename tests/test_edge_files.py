"""Hand-made edge files through the checker core, real flake8 and ssot-check.

Each file lives at ``tests/integration/<name>`` of a project whose path has
a space and a non-ASCII letter, so every rule family runs on it.  Its
expected findings are what flake8 prints (1-based columns).  The behaviour
each file documents is in its ``why``.

flake8 runs every installed plugin: where another plugin (or flake8 itself)
crashes on a file before or instead of ours, ``foreign`` names the
component, and the flake8 run only has to show that the failure is not
ours.  The 100,000-line file is the exception: flake8 runs it with our plugin
alone, as the others would take five sixths of that run (25 s) and it is
our plugin the file is there for.  ssot-check runs only our rules, so it
must always print ``expected``.
"""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from flake8_ssot.checker import check_tree
from flake8_ssot.config import build_config
from flake8_ssot.registry import RULES
from flake8_ssot.runner import decode_lines
from tests.expectations import run_flake8, run_ssot_check_process

ALL_CODES = sorted({code[:4] for code in RULES})  # four characters switch optional codes on
SELECT = f"--select={','.join(ALL_CODES)},E9"

BODY = '''"""Checkout.

Business Value Justification:
- Segment: Gold customers
"""
import os


def test_env():
    assert os.environ["HOME"]
'''
BODY_FOUND = frozenset({"3:1 SOT202", "4:1 SOT203", "10:12 SOT301"})


@dataclass(frozen=True)
class Edge:
    name: str
    data: bytes
    expected: frozenset[str]  # "line:col CODE" as flake8 prints them
    why: str
    python_parses: bool = True  # False: flake8 never hands our plugin a tree
    foreign: tuple[str, ...] = ()  # components that may crash the flake8 run on this file, never us
    shows: str = ""  # text the report must contain
    other_plugins: bool = True  # flake8 runs every installed plugin, not ours alone


def _deep_chain(depth: int) -> bytes:
    return f"import os\nx = os{'.environ' * depth}\n".encode()


def _long_module(lines: int) -> bytes:
    head = ['"""Orders."""', "import os", "", "", "def test_order_total():", '    """Check totals."""']
    body = ["    assert 1"] * (lines - len(head) - 1)
    return "\n".join([*head, *body, '    assert os.environ["HOME"]']).encode() + b"\n"


EDGES = [
    Edge("test_empty.py", b"", frozenset(), "nothing to check, and no test lacks a BVJ"),
    Edge("test_comments_only.py", b"# only a comment\n#\n", frozenset(), "comments are no code"),
    Edge("test_utf8_bom.py", b"\xef\xbb\xbf" + BODY.encode(), BODY_FOUND, "the BOM shifts no column"),
    Edge("test_crlf.py", BODY.replace("\n", "\r\n").encode(), BODY_FOUND, "CRLF lines as LF lines"),
    Edge("test_cr.py", BODY.replace("\n", "\r").encode(), BODY_FOUND, "old Mac CR lines as LF lines"),
    Edge(
        "test_form_feeds.py",
        BODY.replace("\n\n\ndef", "\n\x0c\n\ndef").replace("- Segment", "\x0c- Segment").encode(),
        frozenset({"3:1 SOT202", "4:2 SOT203", "10:12 SOT301"}),
        "a form feed is no line break (str.splitlines would shift lines); it is a column of its own",
    ),
    Edge(
        "test_tabs.py", BODY.replace("    assert", "\tassert").replace("- Segment: Gold", "-\tSegment:\tGold").encode(),
        frozenset({"3:1 SOT202", "4:1 SOT203", "10:9 SOT301"}), "a tab is one column, as in flake8",
    ),
    Edge(
        "test_latin1_cookie.py",
        ("# -*- coding: latin-1 -*-\n" + BODY.replace("Gold customers", "Clientèle dorée")).encode("latin-1"),
        frozenset({"4:1 SOT202", "5:1 SOT203", "11:12 SOT301"}), "the coding cookie decides the encoding",
        shows="Clientèle dorée",
    ),
    Edge(
        "test_undecodable.py",
        b'"""Orders."""\nimport os\n\n\ndef test_env():\n    assert os.environ["HOME"] != "\xff"\n',
        frozenset({"1:1 SOT201", "6:12 SOT301"}),
        "invalid UTF-8: flake8 falls back to latin-1 and checks the file, so do we", python_parses=False,
    ),
    Edge(
        "test_unknown_cookie.py", b"# -*- coding: klingon -*-\n" + BODY.encode(),
        frozenset({"4:1 SOT202", "5:1 SOT203", "11:12 SOT301"}),
        "an unknown encoding: flake8 falls back to latin-1 and checks the file", python_parses=False,
    ),
    Edge(
        "test_null_byte.py", b"import os\nx = os.environ\x00\n", frozenset({"1:1 E999"}),
        "Python refuses null bytes: E999, the plugin never runs", python_parses=False,
    ),
    Edge(
        "test_nested_parens.py", b"x = " + b"(" * 201 + b"1" + b")" * 201 + b"\n", frozenset({"1:206 E999"}),
        "201 nested brackets are past the parser's limit (200): E999", python_parses=False,
    ),
    Edge(
        "test_deep_chain_1500.py", _deep_chain(1500), frozenset({"2:5 SOT301"}),
        "parses, but is past the default recursion limit: our walk is iterative and checks it; "
        "flake8-bugbear and pyflakes recurse and crash the flake8 run",
        foreign=("flake8-bugbear", "pyflakes"),
    ),
    Edge(
        "test_deep_chain_5000.py", _deep_chain(5000), frozenset({"1:1 E999"}),
        "past the parser's own limit (about 2,988 in 3.11): ast.parse raises RecursionError inside "
        "flake8 itself (a flake8 traceback before any plugin runs); ssot-check reports E999",
        python_parses=False, foreign=("build_ast",),
    ),
    Edge(
        "test_bytes_docstring.py",
        b'b"""Business Value Justification: Segment: All"""\n\n\ndef test_a():\n    assert 1\n',
        frozenset({"1:1 SOT201"}),
        "a bytes literal is no docstring, so there is no BVJ; pydocstyle crashes on it",
        foreign=("pydocstyle",),
    ),
    Edge(
        "test_fstring_docstring.py",
        b'"""Orders."""\n\n\ndef test_a():\n    f"""Business Value Justification {1}"""\n    assert 1\n',
        frozenset({"1:1 SOT201"}),
        "an f-string is no docstring, so there is no BVJ; pydocstyle crashes on it",
        foreign=("pydocstyle",),
    ),
]
LONG = Edge(
    "test_100k_lines.py", _long_module(100_000), frozenset({"1:1 SOT201", "1:1 SOT502", "100000:12 SOT301"}),
    "100,000 lines: checked in about a second by the core", other_plugins=False,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("edge cases ü")
    (root / "setup.cfg").write_text("[flake8]\n", encoding="utf-8")
    target = root / "tests" / "integration"
    target.mkdir(parents=True)
    for edge in [*EDGES, LONG]:
        (target / edge.name).write_bytes(edge.data)
    return root


def _reported(stdout: str, edge: Edge) -> frozenset[str]:
    prefix = f"tests/integration/{edge.name}:"
    found = set()
    for line in stdout.splitlines():
        if line.startswith(prefix):
            row, col, text = line[len(prefix):].split(":", 2)
            found.add(f"{row}:{col} {text.split()[0]}")
    return frozenset(found)


def _named(edges: list[Edge]) -> list[str]:
    return [f"tests/integration/{edge.name}" for edge in edges]


def _every_line_is_of(stdout: str, edges: list[Edge]) -> bool:
    return all(line.startswith(tuple(f"{name}:" for name in _named(edges))) for line in stdout.splitlines())


# Files with findings are checked in one run of each command (a start costs
# more than most of these files); a file without findings gets a run of its
# own, whose exit status must then be 0, as does a file that may crash one
# of flake8's other plugins (the run stops there) and the 100,000-line file.
def _batched_by_ssot_check(edge: Edge) -> bool:
    return bool(edge.expected)


def _batched_by_flake8(edge: Edge) -> bool:
    return bool(edge.expected) and edge.other_plugins and not edge.foreign


def _run_ssot_check(edges: list[Edge], project: Path) -> subprocess.CompletedProcess[str]:
    return run_ssot_check_process(SELECT, "-j", "1", *_named(edges), cwd=project)


def _run_flake8(edges: list[Edge], project: Path) -> subprocess.CompletedProcess[str]:
    only_ours = not all(edge.other_plugins for edge in edges)
    return run_flake8(SELECT, "-j", "1", *_named(edges), cwd=project, plugins="ssot" if only_ours else None)


@pytest.fixture(scope="module")
def ssot_check_batch(project: Path) -> subprocess.CompletedProcess[str]:
    return _run_ssot_check([edge for edge in [*EDGES, LONG] if _batched_by_ssot_check(edge)], project)


@pytest.fixture(scope="module")
def flake8_batch(project: Path) -> subprocess.CompletedProcess[str]:
    return _run_flake8([edge for edge in [*EDGES, LONG] if _batched_by_flake8(edge)], project)


def _check_core(project: Path, edge: Edge) -> frozenset[str]:
    path = project / "tests" / "integration" / edge.name
    lines = decode_lines(path.read_bytes())  # as flake8 decodes a file
    tree = ast.parse("".join(lines))
    config = build_config({}, str(project), ALL_CODES)
    return frozenset(f"{f.line}:{f.col + 1} {f.code}" for f in check_tree(tree, lines, str(path), config))


def _assert_not_ours(report: str, edge: Edge) -> None:
    assert "flake8_ssot" not in report and '"flake8-ssot" failed' not in report, report
    assert any(name in report for name in edge.foreign), f"an unexpected failure:\n{report}"


@pytest.mark.parametrize("edge", EDGES + [LONG], ids=lambda edge: edge.name)
def test_core(project: Path, edge: Edge) -> None:
    if not edge.python_parses:
        with pytest.raises((SyntaxError, ValueError, RecursionError)):
            ast.parse(edge.data)
    if not any(found.endswith("E999") for found in edge.expected):  # else no plugin ever sees the file
        assert _check_core(project, edge) == edge.expected, edge.why


@pytest.mark.parametrize("edge", EDGES + [LONG], ids=lambda edge: edge.name)
def test_ssot_check(project: Path, edge: Edge, request: pytest.FixtureRequest) -> None:
    batched = _batched_by_ssot_check(edge)
    result = request.getfixturevalue("ssot_check_batch") if batched else _run_ssot_check([edge], project)
    assert not result.stderr and result.returncode == (1 if edge.expected else 0), result.stderr
    assert batched or _every_line_is_of(result.stdout, [edge]), result.stdout
    assert _reported(result.stdout, edge) == edge.expected, edge.why
    assert edge.shows in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("edge", EDGES + [LONG], ids=lambda edge: edge.name)
def test_flake8(project: Path, edge: Edge, request: pytest.FixtureRequest) -> None:
    batched = _batched_by_flake8(edge)
    result = request.getfixturevalue("flake8_batch") if batched else _run_flake8([edge], project)
    # A plugin raising in its constructor is reported on stdout; one raising
    # while its findings are read, or flake8 itself, leaves a traceback.
    if result.stderr or "failed during execution" in result.stdout:
        assert not batched, result.stderr + result.stdout
        _assert_not_ours(result.stderr + result.stdout, edge)
        return
    assert result.returncode == (1 if edge.expected else 0)
    assert batched or _every_line_is_of(result.stdout, [edge]), result.stdout
    assert _reported(result.stdout, edge) == edge.expected, edge.why
    assert edge.shows in result.stdout


def test_a_batch_reports_only_its_files(
    ssot_check_batch: subprocess.CompletedProcess[str], flake8_batch: subprocess.CompletedProcess[str],
) -> None:
    """What the batched runs print belongs to the files they were given."""
    assert _every_line_is_of(ssot_check_batch.stdout, [e for e in [*EDGES, LONG] if _batched_by_ssot_check(e)])
    assert _every_line_is_of(flake8_batch.stdout, [e for e in [*EDGES, LONG] if _batched_by_flake8(e)])
