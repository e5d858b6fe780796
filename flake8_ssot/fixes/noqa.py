"""``--add-noqa``: a ``# noqa: CODE`` comment where flake8 looks for it.

flake8 searches a finding's line, or, for a line inside a multi-line string
or joined by backslashes, the text of the whole span (``flake8_ssot.noqa``
ports that mapping).  The comment goes at the end of the span's last line,
the only place a comment can stand after a multi-line string.  A noqa
comment with codes already in the span gets the new codes merged into its
list; a bare ``# noqa`` already silences everything and is left alone.
"""

from __future__ import annotations

import re
from typing import Sequence

from flake8_ssot import noqa
from flake8_ssot.fixes.edits import Document, Edit
from flake8_ssot.registry import Finding

FILE_ERRORS = frozenset({"E902", "E999"})  # no line a comment could silence
_SEPARATORS = re.compile(r"[,\s]+")  # between the codes of a noqa comment, as flake8 splits them


def noqa_edits(document: Document, lines: Sequence[str], display_name: str,
               findings: Sequence[Finding]) -> tuple[list[Edit], int]:
    """The edits adding noqa comments for ``findings``, and how many findings they silence."""
    comments = noqa.NoqaLines(lines, display_name)
    wanted: dict[tuple[int, int], list[str]] = {}  # span -> codes
    for found in findings:
        if found.code in FILE_ERRORS or not 0 < found.line <= len(document.lines):
            continue
        span = comments.span_for(found.line) or (found.line, found.line)
        codes = wanted.setdefault(span, [])
        codes.append(found.code)
    edits: list[Edit] = []
    count = 0
    for (first, last), codes in wanted.items():
        new = sorted(set(codes))
        existing = _existing(document, first, last)
        if existing is None:
            if last == 1 and document.content(1).startswith("#!"):
                continue  # a comment after a shebang becomes the interpreter's argument
            end = document.content_end(min(last, len(document.lines)))
            edits.append(Edit(end, end, f"  # noqa: {', '.join(new)}"))
        else:
            start, end, old = existing
            if old is None:
                continue  # a bare "# noqa" silences every code already
            merged = old + [code for code in new if code not in old]
            edits.append(Edit(start, end, ", ".join(merged)))
        count += len(codes)
    return edits, count


def _existing(document: Document, first: int, last: int) -> tuple[int, int, list[str] | None] | None:
    """The first noqa comment in lines ``first``-``last``, as flake8 finds it:
    the offsets of its code list (or of the comment, for a bare one) and
    its codes (None for a bare one)."""
    for number in range(first, min(last, len(document.lines)) + 1):
        text = document.content(number)
        match = noqa.INLINE.search(text)
        if match is None:
            continue
        base = document.starts[number - 1]
        codes_text = match.group("codes")
        if codes_text is None:
            return base + match.start(), base + match.end(), None
        kept = codes_text.rstrip(", \t")
        codes = [code for code in _SEPARATORS.split(kept) if code]
        return base + match.start("codes"), base + match.start("codes") + len(kept), codes
    return None
