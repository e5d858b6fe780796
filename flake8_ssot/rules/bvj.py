"""SOT2xx: Business Value Justification blocks in test modules."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from typing import Iterator

from flake8_ssot.collection import collect_tests, is_test_module
from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.registry import Finding, finding

# Markdown a line may start with: headings, quotes, bullets, numbering.
_LEAD = re.compile(r"^\s*(?:(?:#+|>+|[-*+\u2022])\s+|\d+[.)]\s+)*")
_EMPHASIS = "*_` "
# A header begins with the phrase or the word (after markdown and emphasis);
# what follows it on the line (``(BVJ):``, ``-``) is skipped to the fields.
_HEADER = re.compile(
    r"^(?:business\s+value\s+justification|bvj)\b[\s*_`]*(?:\((?:bvj|business\s+value\s+justification)\))?"
    r"[\s*_`]*(?:[:\u2013\u2014-][\s*_`]*)?",
    re.IGNORECASE,
)
# A BVJ introduced mid-line (``Tests for X. BVJ: Segment: ...``): written, but not
# where a block starts (SOT201's message).  A bare mention (``No BVJ yet``) is prose.
_MENTION = re.compile(
    r"(?:business\s+value\s+justification|\bbvj\b)[\s*_`]*(?:\([^)]*\))?[\s*_`]*:", re.IGNORECASE
)
# A comment that is a header: the phrase or the word, an optional "(BVJ)", then a colon or nothing.
_COMMENT_HEADER = re.compile(
    r"^\s*#+[\s*_`]*(?:business\s+value\s+justification|bvj)[\s*_`]*(?:\([^)]*\))?[\s*_`]*(?::|$)",
    re.IGNORECASE,
)
_FIELD = re.compile(
    r"^[*_`]*(?P<name>[A-Za-z][A-Za-z /&()'-]{0,60}?)[*_`]*\s*:(?!//)[*_`]*\s*(?P<value>.*)$"
)
_PLACEHOLDER_WORDS = frozenset({"todo", "tbd", "n/a", "xxx", "...", "\u2026", "?", "??", "???", "-"})
_PLACEHOLDER_START = re.compile(r"^(?:TODO|TBD|XXX|FIXME)\b")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Field:
    name: str  # as written, e.g. "Revenue Impact" for the Strategic Impact group
    line: int
    col: int
    value: str


@dataclass
class Block:
    line: int
    col: int
    fields: dict[str, Field] = field(default_factory=dict)


def _normal(name: str) -> str:
    return " ".join(name.replace("*", "").replace("_", " ").lower().split())


def _strip(text: str) -> str:
    return _LEAD.sub("", text).strip()


def header_rest(text: str) -> str | None:
    """What follows the header on a line that begins a BVJ block, else None."""
    match = _HEADER.match(_strip(text).lstrip(_EMPHASIS))
    if match is None:
        return None
    return _strip(text).lstrip(_EMPHASIS)[match.end():]


def _clean_value(value: str) -> str:
    return value.strip().strip(_EMPHASIS).strip()


def _docstring_lines(ctx: FileContext, node: ast.Expr) -> list[tuple[int, int, str]]:
    """(line, col, text) for each line of a docstring, mapped to the source."""
    text: str = node.value.value  # type: ignore[attr-defined]
    lines = text.split("\n")
    first, last = node.lineno, node.end_lineno or node.lineno
    mapped = []
    exact = len(lines) == last - first + 1
    for index, line in enumerate(lines):
        number = first + index if exact else first
        source = ctx.lines[number - 1] if 0 < number <= len(ctx.lines) else ""
        stripped = line.strip()
        col = source.find(stripped) if stripped and exact else -1
        if col < 0:
            col = node.col_offset if not exact or index == 0 else len(source) - len(source.lstrip())
        mapped.append((number, col, line))
    return mapped


def parse_blocks(lines: list[tuple[int, int, str]], known: dict[str, str]) -> list[Block]:
    """BVJ blocks in a docstring; ``known`` maps a normalised field name to
    its required-field key."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        number, col, text = lines[index]
        index += 1
        rest = header_rest(text)
        if rest is None:
            continue
        block = Block(number, col)
        blocks.append(block)
        # "BVJ: Segment: Enterprise | Goal: ..." carries fields on the header line.
        last = _add_fields(block, known, number, col, rest) if rest.strip() else None
        last = last if isinstance(last, Field) else None
        seen_blank = False
        while index < len(lines):
            number, col, text = lines[index]
            if not text.strip():
                seen_blank = True
                index += 1
                continue
            if header_rest(text) is not None:
                break
            added = _add_fields(block, known, number, col, _strip(text))
            if added is not None:
                last = added if added is not True else None
                seen_blank = False
            elif seen_blank and block.fields:
                break  # a new paragraph after the fields ends the block
            elif last is not None and not last.value:
                last.value = _clean_value(_strip(text))  # value on the next line
                last = None
            index += 1
    return blocks


def _add_fields(block: Block, known: dict[str, str], line: int, col: int, text: str) -> Field | bool | None:
    """Record the ``Name: value`` fields of a line, several when separated by
    ``|``; the last field recorded, True when only fields we do not require
    were there, None when the line holds no field."""
    last: Field | bool | None = None
    previous: Field | None = None
    for piece in text.split("|"):
        added = _add_field(block, known, line, col, piece.strip())
        if added is None:
            if previous is not None and piece.strip():  # "Segment: Free | Early": the value goes on
                previous.value = f"{previous.value} | {_clean_value(piece)}"
            continue
        previous = added if isinstance(added, Field) else None
        last = added if last is None or isinstance(added, Field) else last
    return last


def _add_field(block: Block, known: dict[str, str], line: int, col: int, text: str) -> Field | bool | None:
    """Record a ``Name: value`` text; True for a field we do not require,
    None when the text is not a field."""
    match = _FIELD.match(text)
    if match is None:
        return None
    key = known.get(_normal(match.group("name")))
    if key is None:
        return True
    value = _clean_value(match.group("value"))
    found = Field(match.group("name").strip(), line, col, value)
    block.fields.setdefault(key, found)
    return found


def placeholder(value: str) -> str | None:
    """Why a field value is not a real value, or None."""
    if not value:
        return "empty"
    bare = value.strip().rstrip(".:;,!").strip() or value.strip()
    if bare.lower() in _PLACEHOLDER_WORDS or set(value) <= set(".\u2026 ") or _PLACEHOLDER_START.match(value):
        return f"a placeholder ({value})"
    if value.startswith("<") and value.endswith(">"):
        return f"a placeholder ({value})"
    return None


def docstring_expr(node: ast.AST) -> ast.Expr | None:
    """The statement holding ``node``'s docstring (a module's, a class's, a function's), or None."""
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr):
        value = body[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return body[0]
    return None


def segment_key(config: Config) -> str | None:
    """The field whose value must name a segment (SOT203): the first field
    group with a spelling of "segment", by its first spelling."""
    return _segment_key(config.bvj_fields)


@functools.lru_cache(maxsize=8)  # per configuration, not per file
def _segment_key(fields: tuple[tuple[str, ...], ...]) -> str | None:
    return next((group[0] for group in fields if "segment" in map(_normal, group)), None)


@functools.lru_cache(maxsize=8)
def _known_fields(fields: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """Each spelling of a field, normalised -> the field's name (shared: do not modify)."""
    return {_normal(alt): group[0] for group in fields for alt in group}


def _top_level_tests(ctx: FileContext) -> list[ast.AST]:
    """Test functions and test classes at module level, in source order."""
    collected = collect_tests(ctx)
    return sorted(
        (loc.node for loc in (*collected.classes, *collected.functions) if loc.scope is ctx.module),
        key=lambda node: node.lineno,  # type: ignore[attr-defined]
    )


def check(ctx: FileContext) -> Iterator[Finding]:
    if not is_test_module(ctx):
        return
    config = ctx.config
    known = _known_fields(config.bvj_fields)
    segment = segment_key(config)
    segments = {s.lower() for s in config.bvj_segments}

    def bvj_of(node: ast.AST) -> Block | None:
        """A docstring's BVJ: its blocks' fields together, at its first header."""
        doc = docstring_expr(node)
        blocks = parse_blocks(_docstring_lines(ctx, doc), known) if doc is not None else []
        if not blocks:
            return None
        merged = Block(blocks[0].line, blocks[0].col)
        for block in blocks:
            for key, found in block.fields.items():
                merged.fields.setdefault(key, found)
        return merged

    # The BVJ that counts: the module's; without one, each top-level test's own.
    module_bvj = bvj_of(ctx.tree)
    if module_bvj is not None:
        counted = [module_bvj]
    else:
        tests = _top_level_tests(ctx)
        own = [(test, bvj_of(test)) for test in tests]
        counted = [bvj for _test, bvj in own if bvj is not None]
        missing = [test.name for test, bvj in own if bvj is None]  # type: ignore[attr-defined]
        if missing and ctx.reports("SOT201"):
            yield finding((1, 0), "SOT201", detail=_why_missing(ctx, missing, len(tests)))

    for block in counted:
        absent = [group for group in config.bvj_fields if group[0] not in block.fields]
        if absent:
            names = ", ".join(" or ".join(group) for group in absent)
            yield finding((block.line, block.col), "SOT202", fields=names)
        for key, found in block.fields.items():
            why = placeholder(found.value)
            if why is not None:
                yield finding((found.line, found.col), "SOT204", field=found.name, what=why)
            elif key == segment and not segments & set(_WORD.findall(found.value.lower())):
                yield finding((found.line, found.col), "SOT203", value=found.value,
                              segments=", ".join(config.bvj_segments))


def _why_missing(ctx: FileContext, missing: list[str], tests: int) -> str:
    """SOT201's detail: the tests without a BVJ of their own when some have
    one, and BVJ text written where it does not count."""
    detail = ""
    if len(missing) < tests:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        detail = f"; tests without one of their own: {shown}"
    misplaced = _misplaced_bvj(ctx)
    return detail + (f"; {misplaced}" if misplaced else "")


def _misplaced_bvj(ctx: FileContext) -> str | None:
    """The first BVJ text (by line) that does not count, and why, if there is any."""
    found: list[tuple[int, str]] = []
    body = ctx.tree.body
    docstring = docstring_expr(ctx.tree)
    if docstring is not None:
        for number, _col, text in _docstring_lines(ctx, docstring):
            if _MENTION.search(text):
                found.append((number, f"the module docstring has a BVJ mid-line on line {number}, but a BVJ starts "
                                      "at a line that begins with 'Business Value Justification' or 'BVJ'"))
                break
    code = body[1:] if docstring is not None else body
    for statement in code:
        if _is_bvj_string(statement):
            found.append((statement.lineno, f"a BVJ string on line {statement.lineno} is not the module docstring: "
                                            f"code comes before it on line {code[0].lineno}"))
            break
    for number, line in enumerate(ctx.lines, 1):
        if _COMMENT_HEADER.match(line):
            found.append((number, f"the BVJ on line {number} is a comment, not a docstring"))
            break
    for node, scope, _inner in ctx.functions:
        if scope.kind == "class" and node.body and _is_bvj_string(node.body[0]):  # type: ignore[attr-defined]
            line = node.body[0].lineno  # type: ignore[attr-defined]
            found.append((line, f"the BVJ on line {line} is in a method's docstring; it counts only in the module "
                                "docstring or a top-level test's"))
            break
    return min(found)[1] if found else None


def _is_bvj_string(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str) \
        and any(header_rest(line) is not None for line in statement.value.value.splitlines())
