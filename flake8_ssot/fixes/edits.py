"""Text edits on a source file, located from ``ast`` positions.

A :class:`Document` is the file's exact text (its own line endings, no
newline translation), so an edit changes the characters it covers and
nothing else: comments, blank lines, quotes and CRLF line ends outside the
edited spans stay byte for byte.  ``ast`` positions are 1-based lines and
UTF-8 byte columns; the document turns them into offsets in its text.
Python's tokenizer ends a line at ``\\r\\n``, ``\\r`` or ``\\n`` only (not at
the form feeds and Unicode separators ``str.splitlines`` also splits on),
and so do the document's lines.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from typing import Iterable, NamedTuple, Sequence

SAFE = "safe"
UNSAFE = "unsafe"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_END = re.compile(r"(?:\r\n|\r|\n)\Z")


class Edit(NamedTuple):
    """Replace ``text[start:end]`` by ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str

    def overlaps(self, other: Edit) -> bool:
        if self.start == self.end and other.start == other.end:
            return self.start == other.start  # two insertions at one point: their order would be a guess
        if self.start == self.end:
            return other.start < self.start < other.end
        if other.start == other.end:
            return self.start < other.start < self.end
        return self.start < other.end and other.start < self.end


class Fix(NamedTuple):
    """What fixes one finding: edits, and the imports the edited code needs.

    ``imports`` are ``(module, name)`` pairs for ``from module import name``;
    each is added once per file, in the imports block, whichever fixes ask.
    """

    safety: str  # SAFE or UNSAFE
    edits: tuple[Edit, ...]
    imports: tuple[tuple[str, str], ...] = ()


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """``text``'s lines (ends kept, split at ``\r\n``, ``\r`` and ``\n`` as the
    parser splits them) and the offset each starts at, plus one past the last."""
    lines: list[str] = _LINE.findall(text)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    return lines, starts


class Document:
    """A source text with its lines, as ``ast`` and ``tokenize`` count them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines, self.starts = split_lines(text)
        self.newline = _dominant_newline(self.lines)

    def offset(self, line: int, byte_col: int) -> int:
        """The text offset of an ``ast`` position (1-based line, UTF-8 byte column)."""
        if line > len(self.lines):
            return len(self.text)
        content = self.lines[line - 1]
        if content.isascii():
            return self.starts[line - 1] + byte_col
        return self.starts[line - 1] + len(content.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        """The offsets of a node's source segment."""
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def replace(self, node: ast.AST, replacement: str) -> Edit:
        return Edit(*self.span(node), replacement)

    def line_of(self, offset: int) -> int:
        """The 1-based line an offset is on."""
        return bisect.bisect_right(self.starts, offset)

    def content_end(self, line: int) -> int:
        """The offset where ``line``'s text ends, before its line break."""
        text = self.lines[line - 1]
        ending = _LINE_END.search(text)
        return self.starts[line - 1] + (ending.start() if ending else len(text))

    def content(self, line: int) -> str:
        text = self.lines[line - 1]
        return text[:self.content_end(line) - self.starts[line - 1]]


def _dominant_newline(lines: Sequence[str]) -> str:
    counts = {"\r\n": 0, "\n": 0, "\r": 0}
    for line in lines:
        ending = _LINE_END.search(line)
        if ending:
            counts[ending.group()] += 1
    best = max(counts, key=lambda key: counts[key])
    return best if counts[best] else "\n"


def choose(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes (in the order given) whose edits overlap no earlier chosen fix's."""
    chosen: list[Fix] = []
    taken: list[Edit] = []
    for fix in fixes:
        if any(edit.overlaps(other) for edit in fix.edits for other in taken):
            continue  # applied on the next pass, on the text this pass produces
        if any(a.overlaps(b) for i, a in enumerate(fix.edits) for b in fix.edits[i + 1:]):
            continue
        chosen.append(fix)
        taken.extend(fix.edits)
    return chosen


def apply(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` applied."""
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    parts: list[str] = []
    position = 0
    for edit in ordered:
        if edit.start < position:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        parts.append(text[position:edit.start])
        parts.append(edit.replacement)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


# ------------------------------------------------------------------ imports
def imports_edit(document: Document, tree: ast.Module, fixes: Iterable[Fix]) -> Edit | None:
    """The one insertion adding the imports ``fixes`` need (:func:`import_edit`),
    above the first line their edits touch, or None when they need none."""
    needing = [fix for fix in fixes if fix.imports]
    if not needing:
        return None
    first = min(document.line_of(edit.start) for fix in needing for edit in fix.edits)
    return import_edit(document, tree, [pair for fix in needing for pair in fix.imports], first)


def import_edit(document: Document, tree: ast.Module, imports: Iterable[tuple[str, str]], before_line: int) -> Edit:
    """One insertion adding ``from module import name`` for each pair, grouped
    by module, on the line after the last top-level import that ends before
    ``before_line`` (the first line that uses an imported name); without one,
    after the module docstring, else before the first statement (comments,
    a shebang and an encoding cookie above it stay where they are)."""
    by_module: dict[str, list[str]] = {}
    for module, name in sorted(set(imports)):
        by_module.setdefault(module, []).append(name)
    newline = document.newline
    text = "".join(f"from {module} import {', '.join(names)}{newline}" for module, names in by_module.items())
    anchor: ast.stmt | None = None
    body = tree.body
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)) and _ends_before(statement, before_line):
            anchor = statement
    if anchor is None and body and _is_docstring(body[0]) and _ends_before(body[0], before_line):
        anchor = body[0]
    if anchor is not None:
        line = anchor.end_lineno
        assert line is not None
        if line >= len(document.lines):
            # the last line: it may have no line break to insert after
            end = len(document.text)
            return Edit(end, end, ("" if _LINE_END.search(document.text) else newline) + text)
        start = document.starts[line]
        return Edit(start, start, text)
    if body:
        first = body[0]
        decorators = getattr(first, "decorator_list", None)
        line = decorators[0].lineno if decorators else first.lineno
        start = document.starts[line - 1]
        return Edit(start, start, text)
    end = len(document.text)
    return Edit(end, end, ("" if not document.text or _LINE_END.search(document.text) else newline) + text)


def _ends_before(statement: ast.stmt, line: int) -> bool:
    return statement.end_lineno is not None and statement.end_lineno < line


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)
