"""Where a finding is in the editor: a range, not flake8's zero-width point.

A finding is a 1-based line and a 0-based column (a UTF-8 byte offset when
it comes from ``ast``, as flake8 reports it).  The range is the reported
node's, read from the tokens at that position: for a class or function,
its name; for an import, the statement; for a call, the call
(``patch.object(...)``, not the ``.start()`` after it); for an environment
reference, ``os.environ`` (not the ``.get(...)`` after it); for a
parameter, its name; a string.  A finding about the module (SOT201,
SOT502) covers the first line; one inside a docstring (SOT202-SOT204) the
rest of its line; anything else the rest of the token at the position.
Reading tokens from the position costs microseconds, where a second parse
of the file would double the time of a check.

Positions here are code points (Python string indices); :class:`Lines`
turns them into the client's units (UTF-16 unless the client negotiated
UTF-8 or UTF-32) and turns text offsets into positions.
"""

from __future__ import annotations

import bisect
import re
import tokenize
from typing import Iterator, NamedTuple, Sequence

from flake8_ssot.fixes.edits import split_lines
from flake8_ssot.registry import Finding

# A finding about the whole module, reported at line 1 column 0.
MODULE_CODES = frozenset({"SOT201", "SOT502", "SOT999", "E902"})
# Reported at a line inside a docstring: no node starts there.
TEXT_CODES = frozenset({"SOT202", "SOT203", "SOT204"})
# A reference to the environment: ``os.environ``, not the ``os`` before it or the call after it.
REFERENCE_CODES = frozenset({"SOT301", "SOT302"})
_ENVIRONMENT_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})

_DEFINITION_NAME = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)")
_TOKEN = re.compile(r"\w+|\S")
_CLOSING_QUOTES = re.compile(r"""\s*(?:\"\"\"|''')\s*$""")


class Span(NamedTuple):
    """0-based (line, code point) start and end."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int


class Lines:
    """A document's text split as the Language Server Protocol splits it
    (at ``\\r\\n``, ``\\r`` and ``\\n``), with conversions to client units."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.lines, self.starts = split_lines(text)
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


def _tokens(lines: Sequence[str], line: int, start: int) -> Iterator[tokenize.TokenInfo]:
    """The tokens from 0-based ``line``, column ``start`` on (columns of the first line relative to ``start``)."""
    rest = iter([lines[line][start:], *lines[line + 1:]])
    return tokenize.generate_tokens(lambda: next(rest, ""))


def _node_end(lines: Sequence[str], line: int, start: int, code: str) -> tuple[int, int] | None:
    """Where the syntax the finding at (``line``, ``start``) is about ends, read from the tokens there.

    ``def``/``class``: the name (returned as the name's start is computed by
    the caller); ``import``/``from``: the statement; otherwise an expression
    beginning there: a dotted name with its first call (``patch.object(...)``
    and not the ``.start()`` after it) or, for an environment reference, the
    dotted name up to ``environ`` / ``getenv``; a string; a bracketed group.
    No parse: a check publishes without building a second tree.
    """
    def position(token_line: int, col: int) -> tuple[int, int]:
        return line + token_line - 1, col + (start if token_line == 1 else 0)

    depth = 0
    end: tuple[int, int] | None = None
    expect_name = True  # at the start, or after a dot
    try:
        for token in _tokens(lines, line, start):
            kind, text = token.type, token.string
            if kind in (tokenize.NL, tokenize.COMMENT) and depth:
                continue
            if depth:
                if text in "([{" and kind == tokenize.OP:
                    depth += 1
                elif text in ")]}" and kind == tokenize.OP:
                    depth -= 1
                    if depth == 0:
                        return position(*token.end)
                continue
            if end is None and kind == tokenize.NAME and text in ("import", "from"):
                return _statement_end(lines, line, start)
            if kind == tokenize.NAME and expect_name:
                end, expect_name = position(*token.end), False
                if code in REFERENCE_CODES and text in _ENVIRONMENT_NAMES:
                    return end
            elif kind == tokenize.STRING and end is None:
                return position(*token.end)
            elif kind == tokenize.OP and text == "." and end is not None and not expect_name:
                expect_name = True
            elif kind == tokenize.OP and text in "([" and not expect_name and code not in REFERENCE_CODES:
                depth = 1  # the first call or subscript after the name
            elif kind == tokenize.OP and text in "([{" and end is None:
                depth = 1
            else:
                return end
    except (tokenize.TokenError, SyntaxError, IndexError):
        return end
    return end


def _statement_end(lines: Sequence[str], line: int, start: int) -> tuple[int, int] | None:
    """The end of the logical line starting at (``line``, ``start``), before its comment."""
    end = None
    try:
        for token in _tokens(lines, line, start):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                return end
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                token_line, col = token.end
                end = line + token_line - 1, col + (start if token_line == 1 else 0)
    except (tokenize.TokenError, SyntaxError):
        pass
    return end


def finding_span(finding: Finding, lines: Sequence[str]) -> Span:
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
    definition = _DEFINITION_NAME.match(text, start)
    if definition is not None:
        return Span(line, definition.start(1), line, definition.end(1))
    end = _node_end(lines, line, start, finding.code)
    if end is not None and end > (line, start):
        return Span(line, start, *end)
    return _token(line, text, start)


def _token(line: int, text: str, start: int) -> Span:
    match = _TOKEN.search(text, start)
    if match is None:
        return Span(line, start, line, start)
    return Span(line, start, line, match.end())


def _rest_of_line(line: int, text: str, start: int) -> Span:
    return Span(line, start, line, len(text.rstrip()))
