"""Where a finding is in the editor: a range, not flake8's zero-width point.

A finding is a 1-based line and a 0-based column (a UTF-8 byte offset when
it comes from ``ast``, as flake8 reports it).  The range is the reported
node's: the syntax node that starts at that position (for a class or
function, its name; for a call, the call; for ``os.environ``, the
reference), the whole first line for a finding about the module (SOT201,
SOT502), the rest of the line for one inside a docstring (SOT202-SOT204),
and otherwise the rest of the token at the position.

Positions here are code points (Python string indices); :class:`Lines`
turns them into the client's units (UTF-16 unless the client negotiated
UTF-8 or UTF-32) and turns text offsets into positions.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import NamedTuple, Sequence

from flake8_ssot.registry import Finding

# A finding about the whole module, reported at line 1 column 0.
MODULE_CODES = frozenset({"SOT201", "SOT502", "SOT999", "E902"})
# Reported at a line inside a docstring: no node starts there.
TEXT_CODES = frozenset({"SOT202", "SOT203", "SOT204"})
# A reference to the environment: ``os.environ``, not the ``os`` before it or the call after it.
REFERENCE_CODES = frozenset({"SOT301", "SOT302"})
_ENVIRONMENT_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})
STRING_CODES = frozenset({"SOT507"})

_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITION_NAME = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)")
_TOKEN = re.compile(r"\w+|\S")
_CLOSING_QUOTES = re.compile(r"""\s*(?:\"\"\"|''')\s*$""")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class Span(NamedTuple):
    """0-based (line, code point) start and end."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int


class Change(NamedTuple):
    """Replace ``text[start:end]`` of a document with ``replacement``."""

    start: int
    end: int
    replacement: str


class Lines:
    """A document's text split as the Language Server Protocol splits it
    (at ``\\r\\n``, ``\\r`` and ``\\n``), with conversions to client units."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.lines: list[str] = _LINE.findall(text)
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line)
        self.starts.append(offset)
        self.encoding = encoding

    def checked(self) -> list[str]:
        """The lines as the checker reads them (universal newlines, ends kept)."""
        return [line.rstrip("\r\n") + "\n" if line.endswith(("\r", "\n")) else line for line in self.lines]

    def units(self, line: int, char: int) -> int:
        """A code point column of 0-based ``line`` in the client's units."""
        if line >= len(self.lines) or self.encoding == "utf-32":
            return char
        prefix = self.lines[line][:char]
        if prefix.isascii():
            return len(prefix)
        if self.encoding == "utf-8":
            return len(prefix.encode("utf-8"))
        return len(prefix.encode("utf-16-le")) // 2

    def chars(self, line: int, units: int) -> int:
        """A client column of 0-based ``line`` in code points."""
        if line >= len(self.lines) or self.encoding == "utf-32":
            return units
        text = self.lines[line]
        if text.isascii():
            return units
        counted = 0
        for index, char in enumerate(text):
            if counted >= units:
                return index
            counted += len(char.encode("utf-8")) if self.encoding == "utf-8" else (2 if ord(char) > 0xFFFF else 1)
        return len(text)

    def position(self, offset: int) -> tuple[int, int]:
        """The 0-based (line, code point) of a text offset."""
        line = max(0, bisect.bisect_right(self.starts, offset) - 1)
        if line >= len(self.lines):
            return len(self.lines), 0
        return line, offset - self.starts[line]

    def offset(self, line: int, char: int) -> int:
        if line >= len(self.lines):
            return len(self.text)
        return self.starts[line] + char

    def content(self, line: int) -> str:
        """0-based ``line`` without its line break."""
        return self.lines[line].rstrip("\r\n") if line < len(self.lines) else ""


def byte_to_char(text: str, col: int) -> int:
    """A UTF-8 byte column of ``text`` as a code point column."""
    if text.isascii():
        return min(col, len(text))
    return len(text.encode("utf-8")[:col].decode("utf-8", "ignore"))


class NodeIndex:
    """The syntax nodes of a tree by start position, built once per check."""

    def __init__(self, tree: ast.AST | None) -> None:
        self.starts: dict[tuple[int, int], list[ast.AST]] = {}
        if tree is None:
            return
        for node in ast.walk(tree):
            lineno = getattr(node, "lineno", None)
            if lineno is not None and getattr(node, "end_lineno", None) is not None:
                self.starts.setdefault((lineno, node.col_offset), []).append(node)  # type: ignore[attr-defined]

    def at(self, line: int, col: int) -> list[ast.AST]:
        return self.starts.get((line, col), [])


def _extent(node: ast.AST) -> tuple[int, int]:
    return node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]


def reported_node(candidates: Sequence[ast.AST], code: str) -> ast.AST | None:
    """Which of the nodes starting at a finding's position the finding is about."""
    if not candidates:
        return None
    definitions = [node for node in candidates if isinstance(node, _DEFINITIONS)]
    if definitions:
        return definitions[0]
    expressions = sorted((node for node in candidates if isinstance(node, ast.expr)), key=_extent)
    if code in REFERENCE_CODES:
        references = [
            node for node in expressions
            if isinstance(node, ast.Attribute) and node.attr in _ENVIRONMENT_NAMES or isinstance(node, ast.Name)
        ]
        if references:
            return references[-1] if isinstance(references[-1], ast.Attribute) else references[0]
    if code in STRING_CODES:
        strings = [node for node in expressions if isinstance(node, (ast.Constant, ast.JoinedStr))]
        if strings:
            return strings[0]
    calls = [node for node in expressions if isinstance(node, ast.Call)]
    if calls:
        return calls[0]  # the smallest: patch(...) in patch(...).start()
    if expressions:
        return expressions[-1]  # the largest: pytest.mark.skip, not pytest
    return min(candidates, key=_extent)  # an import, a parameter


def finding_span(finding: Finding, lines: Sequence[str], index: NodeIndex) -> Span:
    """The range of ``finding`` in ``lines`` (the checked lines)."""
    line = finding.line - 1
    if not 0 <= line < len(lines):
        line = max(0, min(line, len(lines) - 1)) if lines else 0
        return Span(line, 0, line, 0)
    text = lines[line].rstrip("\r\n")
    start = byte_to_char(text, finding.col) if finding.code != "E999" else min(max(finding.col - 1, 0), len(text))
    if finding.code in MODULE_CODES:
        return Span(line, 0, line, len(text))
    if finding.code == "E999":
        return _rest_of_line(line, text, start) if start < len(text.rstrip()) else Span(line, start, line, start)
    if finding.code in TEXT_CODES:
        end = len(text.rstrip())
        closing = _CLOSING_QUOTES.search(text, start)
        if closing is not None and closing.start() > start:
            end = closing.start()
        return Span(line, start, line, max(end, start))
    node = reported_node(index.at(finding.line, finding.col), finding.code)
    if isinstance(node, _DEFINITIONS):
        name = _DEFINITION_NAME.match(text, start)
        if name is not None:
            return Span(line, name.start(1), line, name.end(1))
        return _token(line, text, start)
    if node is not None:
        end_line, end_col = _extent(node)
        if end_line - 1 < len(lines):
            return Span(line, start, end_line - 1, byte_to_char(lines[end_line - 1].rstrip("\r\n"), end_col))
    return _token(line, text, start)


def _token(line: int, text: str, start: int) -> Span:
    match = _TOKEN.search(text, start)
    if match is None:
        return Span(line, start, line, start)
    return Span(line, start, line, match.end())


def _rest_of_line(line: int, text: str, start: int) -> Span:
    return Span(line, start, line, len(text.rstrip()))
