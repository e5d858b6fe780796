"""SOT2xx: Business Value Justification blocks in test modules."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterator

from flake8_ssot.context import FileContext
from flake8_ssot.registry import Finding, finding
from flake8_ssot.rules.bases import BaseResolver

# Markdown a line may start with: headings, quotes, bullets, numbering.
_LEAD = re.compile(r"^\s*(?:(?:#+|>+|[-*+\u2022])\s+|\d+[.)]\s+)*")
_EMPHASIS = "*_` "
_HEADER = re.compile(r"business\s+value\s+justification", re.IGNORECASE)
_BVJ_LINE = re.compile(r"^bvj\b[\s*_`)]*(?::|$)", re.IGNORECASE)
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


def is_header(text: str) -> bool:
    stripped = _strip(text).lstrip(_EMPHASIS)
    return bool(_HEADER.search(text)) or bool(_BVJ_LINE.match(stripped))


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
        if not is_header(text):
            continue
        block = Block(number, col)
        blocks.append(block)
        # "BVJ: Segment: Enterprise" or "**BVJ** - Segment: ..." carry a field inline.
        inline = re.split(r":", _strip(text), maxsplit=1)
        if len(inline) == 2 and _BVJ_LINE.match(_strip(text).lstrip(_EMPHASIS)):
            _add_field(block, known, number, col, inline[1])
        seen_blank = False
        last: Field | None = None
        while index < len(lines):
            number, col, text = lines[index]
            if not text.strip():
                seen_blank = True
                index += 1
                continue
            if is_header(text):
                break
            added = _add_field(block, known, number, col, text)
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


def _add_field(block: Block, known: dict[str, str], line: int, col: int, text: str) -> Field | bool | None:
    """Record a ``Name: value`` line; True for a field we do not require,
    None when the line is not a field."""
    match = _FIELD.match(_strip(text))
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


def _docstring_expr(node: ast.AST) -> ast.Expr | None:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr):
        value = body[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return body[0]
    return None


def _tests(ctx: FileContext) -> list[ast.AST]:
    """Top-level test functions and test classes."""
    resolver = BaseResolver(ctx)
    tests = [
        node for node in ctx.tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")
    ]
    tests += [
        node for node, scope, _inner in ctx.classes
        if scope is ctx.module and resolver.is_test_class(node, scope)  # type: ignore[arg-type]
    ]
    return sorted(tests, key=lambda node: node.lineno)  # type: ignore[attr-defined]


def check(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.is_test_module:
        return
    config = ctx.config
    known = {_normal(alt): group[0] for group in config.bvj_fields for alt in group}
    segment_key = next((g[0] for g in config.bvj_fields if "segment" in map(_normal, g)), None)
    segments = {s.lower() for s in config.bvj_segments}

    def blocks_of(node: ast.AST) -> list[Block]:
        doc = _docstring_expr(node)
        return parse_blocks(_docstring_lines(ctx, doc), known) if doc is not None else []

    module_blocks = blocks_of(ctx.tree)
    tests = _tests(ctx)
    all_blocks = list(module_blocks)
    missing = []
    for test in tests:
        own = blocks_of(test)
        all_blocks.extend(own)
        if not own:
            missing.append(test.name)  # type: ignore[attr-defined]
    # Test methods may carry their own BVJ; check what they carry.
    for test in tests:
        if isinstance(test, ast.ClassDef):
            for item in test.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    all_blocks.extend(blocks_of(item))

    if not module_blocks and missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        detail = f"; tests without one of their own: {shown}" if len(missing) < len(tests) else ""
        yield finding((1, 0), "SOT201", detail=detail)

    for block in all_blocks:
        absent = [group for group in config.bvj_fields if group[0] not in block.fields]
        if absent:
            names = ", ".join(" or ".join(group) for group in absent)
            yield finding((block.line, block.col), "SOT202", fields=names)
        for key, found in block.fields.items():
            why = placeholder(found.value)
            if why is not None:
                yield finding((found.line, found.col), "SOT204", field=found.name, what=why)
            elif key == segment_key and not segments & set(_WORD.findall(found.value.lower())):
                yield finding((found.line, found.col), "SOT203", value=found.value,
                              segments=", ".join(config.bvj_segments))
