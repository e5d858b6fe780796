"""SOT201's code action: a BVJ skeleton in the module docstring.

The skeleton has a header and one ``- Field: <...>`` line per configured
field (``ssot-bvj-fields``, the first spelling of each), the values left
for the author.  It is a starting point, not a fix: ``<...>`` is a
placeholder, so SOT204 reports every field until the author fills it in.

It goes before the closing quotes of a triple-quoted module docstring, or,
without a docstring, into a new one at the top of the module, after a
shebang and an encoding line.  A docstring in single quotes gets none (a
line break cannot go into it).
"""

from __future__ import annotations

import ast
import re

from flake8_ssot.config import Config
from flake8_ssot.fixes.edits import Edit
from flake8_ssot.rules.bvj import docstring_expr, segment_key
from flake8_ssot.server.ranges import Lines, byte_to_char

HEADER = "Business Value Justification (BVJ):"
_PREAMBLE = re.compile(r"^(?:#!.*|[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+.*)$")


def skeleton_lines(config: Config) -> list[str]:
    lines = [HEADER]
    segment = segment_key(config)
    for group in config.bvj_fields:
        name = group[0]
        if name == segment and config.bvj_segments:
            value = f"<one of {', '.join(config.bvj_segments)}>"
        else:
            value = f"<{name.lower()}>"
        lines.append(f"- {name}: {value}")
    return lines


def _newline(text: str) -> str:
    for ending in ("\r\n", "\r", "\n"):
        if ending in text:
            return ending
    return "\n"


def skeleton_change(lines: Lines, tree: ast.Module | None, config: Config) -> Edit | None:
    """Where and what to insert for a BVJ skeleton, or None if there is no
    place for one (a docstring in single quotes, a file that does not parse)."""
    if tree is None:
        return None
    newline = _newline(lines.text)
    block = newline.join(skeleton_lines(config))
    first = docstring_expr(tree)
    if first is not None:
        end_line = (first.end_lineno or first.lineno) - 1
        end_char = byte_to_char(lines.content(end_line), first.end_col_offset or 0)
        end = lines.offset(end_line, end_char)
        if lines.text[end - 3:end] not in ('"""', "'''"):
            return None
        closing = end - 3
        before = lines.text[lines.starts[end_line]:closing]
        if end_line > first.lineno - 1 and not before.strip():
            # the closing quotes are on a line of their own: insert above it
            return Edit(lines.starts[end_line], lines.starts[end_line], newline + block + newline)
        return Edit(closing, closing, newline + newline + block + newline)
    line = 0
    while line < min(2, len(lines.lines)) and _PREAMBLE.match(lines.content(line)):
        line += 1
    at = lines.offset(line, 0)
    prefix = newline if at == len(lines.text) and lines.text and not lines.text.endswith(("\n", "\r")) else ""
    return Edit(at, at, f'{prefix}"""{newline}{block}{newline}"""{newline}')
