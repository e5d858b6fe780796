"""TOML files read once per run: one ``pyproject.toml`` holds flake8's table and pytest's.

Never imported or executed, only parsed; a file edited between two reads (a
language server's session) is parsed again.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def read_toml(path: str) -> dict[str, Any]:
    """The parsed document (shared: do not modify it).  Raises OSError,
    UnicodeDecodeError or TOMLDecodeError."""
    status = os.stat(path)
    return _parsed(os.path.abspath(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=16)
def _parsed(path: str, _mtime_ns: int, _size: int) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def forget() -> None:
    """Read every file again: a file rewritten within the clock's resolution,
    at the same size, would otherwise look unchanged to a long-lived process
    (the server, told that a config file changed)."""
    _parsed.cache_clear()


def parse_toml(text: str) -> dict[str, Any]:
    """A TOML document from text (a file as stored in git).  Raises TOMLDecodeError."""
    return tomllib.loads(text)


def one_line(error: Exception) -> str:
    """An error's text on one line (for ConfigError messages)."""
    return " ".join(str(getattr(error, "strerror", None) or error).split())
