"""How a checked file's name maps to test-module and real-service scope."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

# What flake8 (and ssot-check) call a file read from stdin without
# --stdin-display-name: its path says nothing about scope.
STDIN_NAMES = frozenset({"stdin", "-", "<stdin>"})


@dataclass(frozen=True)
class FilePath:
    """A checked file's location, normalised once per file."""

    absolute: str | None  # None for anonymous stdin
    parts: tuple[str, ...]  # path components below the project root, file name last

    @property
    def basename(self) -> str | None:
        return self.parts[-1] if self.parts else None

    @property
    def directories(self) -> tuple[str, ...]:
        return self.parts[:-1]


def file_path(filename: str, root: str) -> FilePath:
    """Normalise ``./tests/x.py``, ``tests/x.py``, absolute paths and display names."""
    if filename in STDIN_NAMES:
        return FilePath(None, ())
    absolute = os.path.abspath(filename)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        relative = absolute
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        relative = absolute
    parts = tuple(part for part in relative.replace(os.sep, "/").split("/") if part and part != ".")
    return FilePath(absolute, parts)


def _ancestors(absolute: str) -> list[str]:
    found = []
    path = os.path.dirname(absolute)
    while True:
        found.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            return found
        path = parent


def under_directory(path: FilePath, patterns: tuple[str, ...]) -> bool:
    """Whether the file lies under a directory matching one of ``patterns``."""
    return matching_directory(path, patterns) is not None


def matching_directory(path: FilePath, patterns: tuple[str, ...]) -> str | None:
    """The first directory the file lies under that matches one of ``patterns``,
    as it reads below the project root (``tests/integration/``), or None.

    A bare pattern (no "/") is matched against each directory component
    below the project root; a pattern with "/" has been made absolute and
    is matched against each ancestor directory (and the file itself).
    """
    if path.absolute is None or not patterns:
        return None
    for pattern in patterns:
        if "/" in pattern:
            for candidate in [path.absolute, *_ancestors(path.absolute)]:
                if fnmatch.fnmatchcase(candidate, pattern):
                    return _shown_directory(path, candidate)
        else:
            for index, part in enumerate(path.directories):
                if fnmatch.fnmatchcase(part, pattern):
                    return "/".join(path.parts[:index + 1]) + "/"
    return None


def _shown_directory(path: FilePath, directory: str) -> str:
    """``directory`` (the file or an ancestor of it) as it reads in the file's
    parts, with a trailing "/" for a directory; absolute above the root."""
    above = path.absolute.count(os.sep) - directory.count(os.sep)  # type: ignore[union-attr]
    if above == 0:
        return "/".join(path.parts)
    if above < len(path.parts):
        return "/".join(path.parts[:-above]) + "/"
    return directory + "/"


def file_matches(path: FilePath, patterns: tuple[str, ...]) -> bool:
    """flake8's per-file rule: a bare pattern matches the file name or a
    directory component; a pattern with "/" matches the absolute path or a
    directory containing the file."""
    if path.absolute is None or not patterns:
        return False
    return any(fnmatch.fnmatchcase(path.basename or "", p) for p in patterns if "/" not in p) or \
        under_directory(path, patterns)
