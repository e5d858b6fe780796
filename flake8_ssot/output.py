"""flake8's everyday output flags for ``ssot-check``, with flake8's meaning.

``--show-source`` (the line and a caret under the column), ``--statistics``
(per code: ``count`` left-aligned in five columns, the code, the first
message), ``-q`` (file names only) / ``-qq`` (nothing), ``--count`` (the
total, printed last to standard output, even with ``--output-file``), as
flake8 7 prints them.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Callable, Sequence

from flake8_ssot.formats import Result
from flake8_ssot.registry import FILE_ERRORS


def source_lines(row: Result, lines_of: Callable[[str], Sequence[str]]) -> str:
    """flake8's ``show_source``: the reported line, then spaces (tabs kept)
    up to the column and a caret; nothing for a file that did not parse or
    could not be read, as flake8 has no physical line for those."""
    if row.code in FILE_ERRORS:
        return ""
    lines = lines_of(row.path)
    if not 0 < row.line <= len(lines):
        return ""
    physical = lines[row.line - 1]
    if not physical.endswith("\n"):
        physical += "\n"
    indent = "".join(c if c.isspace() else " " for c in physical[: row.column - 1])
    return f"{physical}{indent}^\n"


def quiet_filenames(rows: Sequence[Result]) -> str:
    """``-q``: each file with a finding, once, in order."""
    return "".join(f"{path}\n" for path in dict.fromkeys(row.path for row in rows))


def statistics(rows: Sequence[Result]) -> str:
    """``--statistics``: per code in code order, its count and its first message."""
    counts = Counter(row.code for row in rows)
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row.code, row.message)
    return "".join(f"{counts[code]:<5} {code} {first[code]}\n" for code in sorted(counts))


def write_report(text: str, output_file: str | None, tee: bool = False) -> None:
    """``--output-file`` (replaced) and, without one or with ``--tee``, standard
    output.  Raises OSError when the file cannot be written."""
    if output_file is not None:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    if output_file is None or tee:
        sys.stdout.write(text)
