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


def is_test_filename(basename: str) -> bool:
    """pytest's default ``python_files`` plus ``conftest.py``."""
    return basename == "conftest.py" or (
        basename.endswith(".py") and (basename.startswith("test_") or basename.endswith("_test.py"))
    )


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
    """Whether the file lies under a directory matching one of ``patterns``.

    A bare pattern (no "/") is matched against each directory component
    below the project root; a pattern with "/" has been made absolute and
    is matched against each ancestor directory (and the file itself).
    """
    if path.absolute is None or not patterns:
        return False
    for pattern in patterns:
        if "/" in pattern:
            if any(fnmatch.fnmatchcase(p, pattern) for p in [path.absolute, *_ancestors(path.absolute)]):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in path.directories):
            return True
    return False


def file_matches(path: FilePath, patterns: tuple[str, ...]) -> bool:
    """flake8's per-file rule: a bare pattern matches the file name or a
    directory component; a pattern with "/" matches the absolute path or a
    directory containing the file."""
    if path.absolute is None or not patterns:
        return False
    return any(fnmatch.fnmatchcase(path.basename or "", p) for p in patterns if "/" not in p) or \
        under_directory(path, patterns)
