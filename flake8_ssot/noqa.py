"""``# noqa`` comments, read exactly as flake8 reads them.

Used by the standalone tools; under flake8 the plugin leaves noqa to flake8.
The regular expressions are flake8's (``defaults.py``) and a finding's
comment line is the one flake8 would search (``FileProcessor.noqa_line_for``),
so a comment silences the same findings under both.
"""

from __future__ import annotations

import linecache
import re
import tokenize
from typing import Sequence

INLINE = re.compile(
    # "# noqa", "# noqa: SOT101", "# NOQA:SOT1,SOT3"; the codes after the
    # colon are case-sensitive in effect: "# noqa: sot101" silences nothing.
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
# "# flake8: noqa" at the start of any line skips the whole file.  With
# re.MULTILINE one search over the text finds what flake8's per-line
# match finds: "\s*" may cross blank lines but then lands on a line start.
_FILE = re.compile(r"^\s*# flake8[:=]\s*noqa", re.IGNORECASE | re.MULTILINE)
# What every match of _FILE contains, found many times faster (a literal first).
_FILE_PREFILTER = re.compile(r"# flake8[:=]", re.IGNORECASE)
_CODE_SEPARATORS = re.compile(r"[,\s]")


def file_is_skipped(text: str) -> bool:
    """Whether a ``# flake8: noqa`` line makes flake8 skip the whole file."""
    return _FILE_PREFILTER.search(text) is not None and _FILE.search(text) is not None


def comment_silences(comment_line: str, code: str) -> bool:
    """Whether the noqa comment on ``comment_line`` silences ``code``."""
    match = INLINE.search(comment_line)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = tuple(c.strip() for c in _CODE_SEPARATORS.split(codes_text) if c.strip())
    return code.startswith(codes)


class NoqaLines:
    """The text flake8 searches for ``# noqa`` when a finding is on a line.

    A line inside a multi-line token (a triple-quoted string) maps to the
    whole span of lines that token belongs to, so a comment after the string
    covers each of its lines.  Tokenizing is the expensive part: it is only
    done for a file that has a noqa comment somewhere and a finding to
    filter, and only as far as the last line asked for (findings are asked
    for in order).  flake8 tokenizes the whole file and gives up on the
    mapping if that fails; so does this, for the findings asked for after
    the failure.  Findings before it keep the mapping: a difference only in
    a file that parses but does not tokenize (rare).
    """

    def __init__(self, lines: Sequence[str], display_name: str) -> None:
        self._lines = lines
        self._display_name = display_name
        self._mapping: dict[int, str] = {}
        self._spans: dict[int, tuple[int, int]] = {}  # line -> (first, last) line of its span
        self._tokens = tokenize.generate_tokens(iter(lines).__next__)
        self._mapped_to = 0  # the last line the mapping covers

    def line_for(self, line_number: int) -> str:
        if line_number > self._mapped_to:
            self._map_to(line_number)
        found = self._mapping.get(line_number)
        if found is None:
            # flake8 then reads the line from the file on disk by its display
            # name (linecache); for stdin that is usually no file at all.
            return linecache.getline(self._display_name, line_number)
        return found

    def span_for(self, line_number: int) -> tuple[int, int] | None:
        """The first and last line of the span whose text :meth:`line_for`
        searches, or None when flake8 would read the line alone (a comment
        at the end of the last line of the span silences the finding)."""
        if line_number > self._mapped_to:
            self._map_to(line_number)
        return self._spans.get(line_number)

    def _map_to(self, line_number: int) -> None:
        lines = self._lines
        first, last = len(lines) + 2, -1
        try:
            for kind, _text, (start, _), (end, _), _line in self._tokens:
                if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                    continue
                first, last = min(first, start), max(last, end)
                if kind in (tokenize.NL, tokenize.NEWLINE):
                    joined = "".join(lines[first - 1:last])
                    self._mapping.update(dict.fromkeys(range(first, last + 1), joined))
                    self._spans.update(dict.fromkeys(range(first, last + 1), (first, last)))
                    self._mapped_to = last
                    first, last = len(lines) + 2, -1
                    if self._mapped_to >= line_number:
                        return
        except (tokenize.TokenError, SyntaxError):
            self._mapping = {}  # flake8 gives up on the mapping too
            self._spans = {}
        self._mapped_to = len(lines) + 1  # no more tokens
