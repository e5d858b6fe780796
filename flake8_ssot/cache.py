"""Findings of earlier ``ssot-check`` runs, so a re-run over unchanged files is cheap.

An entry holds the findings reported for one file.  It is found by a name
derived from the tool (version, the bytes of its own modules, the Python
that parses), the effective settings and the file's path, and it is used
only if the file's bytes still hash to what the entry recorded.  A change
to any of these is a miss, so the cache is never consulted for a question
it did not answer.  Each file path has one entry per tool and
configuration, overwritten when the file changes; deleting the directory
is always safe.

Entries are small JSON files written atomically (a temporary file, then
``os.replace``), so concurrent runs and worker processes never see half an
entry.  A cache that cannot be created, read or written costs one warning
on standard error and is then ignored: the run goes on uncached and
reports exactly what it would have without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from typing import TYPE_CHECKING, Any, NamedTuple

from flake8_ssot import __version__
from flake8_ssot.config import find_config_file
from flake8_ssot.registry import Finding

if TYPE_CHECKING:
    from flake8_ssot.project import Settings

DEFAULT_DIRECTORY = ".ssot_cache"
ENVIRONMENT_VARIABLE = "SSOT_CACHE_DIR"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Keeps the cache out of version control and out of backups.
_MARKERS = {
    ".gitignore": "# Created by flake8-ssot (ssot-check); safe to delete.\n*\n",
    "CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# This file is a cache directory tag created by flake8-ssot.\n",
}


def default_directory(config: str | None = None, isolated: bool = False) -> str:
    """``$SSOT_CACHE_DIR``; else ``.ssot_cache`` beside the config file in use
    (``config``, or the one flake8 would find), else in the working directory."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE)  # noqa: SOT301 - a tool setting, not test code
    if chosen:
        return os.path.abspath(chosen)
    cwd = os.getcwd()
    config_file = None if isolated else (config or find_config_file(cwd))
    return os.path.join(os.path.dirname(os.path.abspath(config_file)) if config_file else cwd, DEFAULT_DIRECTORY)


def _canonical(value: object) -> Any:
    """A JSON-able form of a settings value that is the same in every process.

    Sets are sorted (their iteration order depends on string hashing, which
    differs per process); dataclass fields that do not take part in equality
    (memo caches) are left out.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, *(
            [f.name, _canonical(getattr(value, f.name))] for f in dataclasses.fields(value) if f.compare
        )]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(item) for item in value), key=json.dumps)
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return sorted(([_canonical(k), _canonical(v)] for k, v in value.items()), key=json.dumps)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no stable fingerprint for {type(value).__name__}")


def _tool_fingerprint() -> bytes:
    """The version, the Python that parses, and the bytes of this package's modules
    (so an edited editable install is a different tool, version bump or not)."""
    digest = hashlib.sha256(f"{__version__}\0{sys.implementation.name}\0{sys.version}\0".encode())
    for directory, subdirectories, files in os.walk(_PACKAGE_DIR):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                digest.update(os.path.relpath(path, _PACKAGE_DIR).encode() + b"\0")
                with open(path, "rb") as module:
                    digest.update(module.read())
    return digest.digest()


class Key(NamedTuple):
    entry: str  # the entry's file
    source: str  # sha256 of the checked file's bytes


class Cache:
    """Use :func:`open_cache`; this class assumes a usable directory."""

    def __init__(self, directory: str, settings: Settings) -> None:
        self.directory = directory
        fingerprint = json.dumps(_canonical(settings), separators=(",", ":")).encode()
        self._prefix = hashlib.sha256(_tool_fingerprint() + fingerprint).digest()
        self._shards: set[str] = set()
        self._writable = True
        self._warned = False  # per process: each worker warns at most once

    def key(self, path: str, data: bytes) -> Key:
        """``path`` is the display name; its absolute form counts too (scopes depend on it)."""
        name = hashlib.sha256(self._prefix + f"{path}\0{os.path.abspath(path)}".encode()).hexdigest()
        return Key(os.path.join(self.directory, name[:2], name[2:] + ".json"), hashlib.sha256(data).hexdigest())

    def get(self, key: Key) -> list[Finding] | None:
        """The findings recorded for this content, or None (a miss)."""
        try:
            with open(key.entry, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return None
        except OSError as error:
            self._warn(f"cannot read cache entry {key.entry} ({type(error).__name__}: {error})")
            return None
        try:
            entry = json.loads(raw)
            source = entry["source"]
            findings = [Finding(*item) for item in entry["findings"]]
            well_formed = type(source) is str and all(
                type(f.line) is int and type(f.col) is int and type(f.code) is str and type(f.message) is str
                for f in findings
            )
        except (ValueError, KeyError, TypeError):
            well_formed = False
        if not well_formed:
            self._warn(f"ignoring corrupt cache entry {key.entry}")
            return None
        return findings if source == key.source else None  # else recorded for other content

    def put(self, key: Key, findings: list[Finding]) -> None:
        if not self._writable:
            return
        shard = os.path.dirname(key.entry)
        try:
            if shard not in self._shards:
                os.makedirs(shard, exist_ok=True)
                self._shards.add(shard)
            descriptor, temporary = tempfile.mkstemp(dir=shard, prefix=".tmp-")
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump({"source": key.source, "findings": findings}, handle, separators=(",", ":"))
                os.replace(temporary, key.entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            self._writable = False
            self._warn(f"cannot write to cache {self.directory} ({type(error).__name__}: {error}); "
                       "not caching the rest of this run")

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            print(f"flake8-ssot: warning: {message}", file=sys.stderr)


def open_cache(directory: str, settings: Settings) -> Cache | None:
    """The cache in ``directory`` for these settings, or None (after a warning)
    when the directory cannot be created or written."""
    try:
        os.makedirs(directory, exist_ok=True)
        for name, text in _MARKERS.items():
            marker = os.path.join(directory, name)
            if not os.path.exists(marker):
                with open(marker, "w", encoding="utf-8") as handle:
                    handle.write(text)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(f"no write permission on {directory}")
        return Cache(directory, settings)  # reads this package's modules
    except OSError as error:
        print(f"flake8-ssot: warning: cannot use cache directory {directory} ({type(error).__name__}: {error}); "
              "running without the cache", file=sys.stderr)
        return None
