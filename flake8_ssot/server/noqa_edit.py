"""The "add ``# noqa: CODE``" code action's edit.

The comment goes where flake8 looks for it (``flake8_ssot.noqa``): on the
finding's line or, for a line inside a multi-line string or a line joined
by backslashes, anywhere in the span of lines that token covers; a new
comment goes at the end of the span's last line.  A noqa comment with codes
already in the span gets the code added to its list.
"""

from __future__ import annotations

from typing import Sequence

from flake8_ssot import noqa
from flake8_ssot.server.ranges import Change, Lines


def _span(comments: noqa.NoqaLines, line: int, count: int) -> tuple[int, int]:
    """The 1-based first and last line flake8 searches for a finding on ``line``:
    every line of a span maps to the same joined text object."""
    joined = comments.line_for(line)
    first, last = line, line
    while first > 1 and comments.line_for(first - 1) is joined:
        first -= 1
    while last < count and comments.line_for(last + 1) is joined:
        last += 1
    return first, last


def noqa_change(lines: Lines, checked: Sequence[str], display_name: str, code: str, line: int) -> Change | None:
    """The edit silencing ``code`` at 1-based ``line``, or None when a bare
    ``# noqa`` already silences every code there."""
    if not 0 < line <= len(lines.lines):
        return None
    first, last = _span(noqa.NoqaLines(checked, display_name), line, len(checked))
    for number in range(first, last + 1):
        text = lines.content(number - 1)
        match = noqa.INLINE.search(text)
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None:
            return None
        kept = codes.rstrip(", \t")
        at = lines.offset(number - 1, match.start("codes") + len(kept))
        return Change(at, at, f", {code}")
    at = lines.offset(last - 1, len(lines.content(last - 1)))
    return Change(at, at, f"  # noqa: {code}")
