"""SOT501: a relative import made absolute, when the file's package is known."""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from typing import Iterator, Sequence

from flake8_ssot.config import Config
from flake8_ssot.context import FileContext
from flake8_ssot.fixes.edits import SAFE, Document, Edit, Fix
from flake8_ssot.paths import FilePath, file_path
from flake8_ssot.registry import Finding

SAFETY = {"SOT501": SAFE}


def configured(code: str, config: Config) -> bool:
    return True  # needs only the file's location


def package_of(path: FilePath, root: str, source_roots: Sequence[str] = ()) -> list[str] | None:
    """The dotted parts of the package a module at ``path`` belongs to, or
    None when unknown (no file name, as plain stdin; no package).

    Below one of ``source_roots`` (the deepest that holds it) the package is
    the directory's path from there, ``__init__.py`` or not (namespace
    packages).  Otherwise it is the chain of directories above the file that
    hold an ``__init__.py``, up to (not including) the project root, which
    is where imports start.
    """
    if path.absolute is None:
        return None
    directory = os.path.dirname(path.absolute)
    root = os.path.abspath(root)
    for source in sorted((os.path.join(root, entry) for entry in source_roots), key=len, reverse=True):
        relative = os.path.relpath(directory, source)
        if relative == os.curdir:
            return None  # a top-level module: a relative import has no package to start from
        if not relative.startswith(os.pardir):
            names = relative.split(os.sep)
            return names if all(name.isidentifier() for name in names) else None
    parts: list[str] = []
    while directory != root and os.path.isfile(os.path.join(directory, "__init__.py")):
        name = os.path.basename(directory)
        if not name.isidentifier():
            return None
        parts.insert(0, name)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return parts or None


_FROM_DOTS = re.compile(r"from[ \t]*(\.+)")


def quick(findings: Sequence[Finding], lines: Sequence[str], display_name: str,
          config: Config) -> dict[Finding, str] | None:
    """Which of ``findings`` have a fix, read from the import's line and the
    file's location without parsing (None when a line does not say); for
    marking findings in a run that fixes nothing, such as one answered from
    the cache."""
    package = package_of(file_path(display_name, config.root), config.root, config.source_roots)
    found: dict[Finding, str] = {}
    for finding in findings:
        text = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        match = _FROM_DOTS.match(text.encode("utf-8")[finding.col:].decode("utf-8", "replace"))
        if match is None:
            return None  # "from \" and its dots on the next line: parse
        if package and len(match.group(1)) <= len(package):
            found[finding] = SAFE
    return found


def fixes(ctx: FileContext, document: Document, codes: frozenset[str]) -> Iterator[tuple[tuple[int, int, str], Fix]]:
    relative = [node for node, _scope, _owner in ctx.imports if isinstance(node, ast.ImportFrom) and node.level]
    package = package_of(ctx.path, ctx.config.root, ctx.config.source_roots) if relative else None
    if not package:
        return
    for node in relative:
        assert isinstance(node, ast.ImportFrom)
        if node.level > len(package):
            continue  # beyond the top-level package: no module to name
        base = package[:len(package) - node.level + 1]
        absolute = ".".join([*base, *([node.module] if node.module else [])])
        span = _module_span(document, node)
        if span is not None:
            yield (node.lineno, node.col_offset, "SOT501"), Fix(SAFE, (Edit(*span, absolute),))


def _module_span(document: Document, node: ast.ImportFrom) -> tuple[int, int] | None:
    """The offsets of ``..module`` in ``from ..module import x``: from the first
    dot to the end of the module name, whatever spaces or line
    continuations stand between."""
    start = document.offset(node.lineno, node.col_offset)
    end = document.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
    segment = document.text[start:end]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(segment).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    first = last = None
    for token in tokens[1:]:  # after "from"
        if token.type == tokenize.NAME and token.string == "import":
            break
        if token.type in (tokenize.OP, tokenize.NAME):
            if first is None:
                first = token.start
            last = token.end
    if first is None or last is None:
        return None
    sub = Document(segment)
    return start + sub.starts[first[0] - 1] + first[1], start + sub.starts[last[0] - 1] + last[1]
