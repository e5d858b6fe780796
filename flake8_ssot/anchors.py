"""What a finding is, independent of how its code is laid out: baseline keys that survive a formatter.

A finding has a line, a column, a code and a message.  Its *anchor* is the
statement it is reported in, as tokens, with everything a formatter such as
black or ``ruff format`` may change taken out: whitespace, line breaks,
indentation, comments, parentheses, trailing commas, semicolons between
statements, string quotes and prefixes, the whitespace inside strings
(docstrings are re-indented) and the case of number literals; prefixed
with the names of the classes and functions the statement is in.  Moving
code, re-indenting it or reformatting a whole tree therefore keeps every
anchor; editing the statement, or renaming what encloses it, changes it.
"""

from __future__ import annotations

import ast
import bisect
import io
import tokenize
from typing import NamedTuple, Sequence

_SKIPPED = frozenset({
    tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT,
    tokenize.ENDMARKER, tokenize.ENCODING,
})
_CLOSING = frozenset({")", "]", "}"})
_DROPPED = frozenset({"(", ")", ";"})
_STRING_PARTS = frozenset(
    getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)
)


class _Statement(NamedTuple):
    start: tuple[int, int]  # (line, column) of its first token; lines 1-based, columns 0-based
    last: int  # its last physical line
    anchor: str


def _string(text: str) -> str:
    """A string literal by its value, so that quote style, prefixes and the
    whitespace black re-indents a docstring with do not count."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = text.replace("'", '"')
    kind = "b" if isinstance(value, bytes) else "s"
    shown = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return kind + repr(" ".join(shown.split()))


def _token_text(token: tokenize.TokenInfo) -> str:
    if token.type == tokenize.STRING:
        return _string(token.string)
    if token.type in _STRING_PARTS:
        return " ".join(token.string.replace("'", '"').lower().split()) if token.type != tokenize.FSTRING_MIDDLE \
            else " ".join(token.string.split())
    if token.type == tokenize.NUMBER:
        return token.string.lower()
    return token.string


def _statements(text: str, until: int | None = None) -> list[_Statement] | None:
    """Every statement of ``text`` (``a; b`` is two) with its anchor, in order,
    up to the last one that starts on line ``until``; None if the text does
    not tokenize that far."""
    statements: list[_Statement] = []
    scopes: list[tuple[int, str]] = []  # (indentation depth, name) of enclosing defs and classes
    depth = 0
    pending: str | None = None  # a def/class whose block has not started yet
    naming = False  # the next name is that of a def/class
    comma = False  # a comma is held back until it is known not to be a trailing one
    words: list[str] = []
    start, last = (0, 0), 0

    def close() -> None:
        nonlocal words, comma
        if comma:
            words.append(",")
            comma = False
        if words:
            prefix = ".".join(name for _, name in scopes)
            statements.append(_Statement(start, last, f"{prefix}: {' '.join(words)}" if prefix else " ".join(words)))
        words = []

    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string = token.type, token.string
            if kind == tokenize.INDENT:
                depth += 1
                if pending is not None:
                    scopes.append((depth, pending))
                    pending = None
                continue
            if kind == tokenize.DEDENT:
                depth -= 1
                while scopes and scopes[-1][0] > depth:
                    scopes.pop()
                continue
            if kind == tokenize.NEWLINE or (kind == tokenize.OP and string == ";"):
                close()
                continue
            if kind in _SKIPPED:
                continue
            if not words and not comma:
                if until is not None and token.start[0] > until:
                    break
                start = token.start
                pending = None
            last = token.end[0]
            if naming and kind == tokenize.NAME:
                pending, naming = string, False
            elif kind == tokenize.NAME and len(words) <= 1 and string in ("def", "class"):
                naming = True
            if comma:
                comma = False
                if not (kind == tokenize.OP and string in _CLOSING):
                    words.append(",")  # not a magic trailing comma
            if kind == tokenize.OP and string == ",":
                comma = True
                continue
            if kind == tokenize.OP and string in _DROPPED:
                continue
            words.append(_token_text(token))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    close()
    return statements


class Anchors:
    """The anchors of one file's findings; see the module docstring."""

    def __init__(self, lines: Sequence[str], until: int | None = None) -> None:
        """``until``: the last line anchors are asked for (the rest is not read)."""
        self._statements = _statements("".join(lines), until)
        self._starts = [s.start for s in self._statements or ()]

    @property
    def available(self) -> bool:
        """False if the file does not tokenize (callers fall back to the line's text)."""
        return self._statements is not None

    def at(self, line: int, column: int) -> str:
        """The anchor of the statement a finding at ``line`` and ``column``
        (0-based) is in: the last one starting at or before it, if it reaches
        ``line``, else the first one starting on ``line``; "" on a blank or
        comment line."""
        statements = self._statements or []
        index = bisect.bisect_right(self._starts, (line, column)) - 1
        if index >= 0 and statements[index].last >= line:
            return statements[index].anchor
        if index + 1 < len(statements) and statements[index + 1].start[0] == line:
            return statements[index + 1].anchor
        return ""
