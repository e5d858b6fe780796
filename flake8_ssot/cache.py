"""Findings of earlier ``ssot-check`` runs, so a re-run over unchanged files is cheap.

Each file's entry holds the findings reported for it, under a name derived
from its display and absolute paths, with the hash of the bytes they were
reported for; an entry is used only while the file's bytes still hash to
that.  The file's size and modification and inode change times are
recorded with the hash (and its inode and device): while all are
unchanged, and the change time is not within RACY_NS of the moment the
bytes were read (when a second write could keep them), the bytes are taken
to be unchanged without reading them, as git does (not on Windows, where
the "change time" is the creation time).  Every write sets the change
time to the clock, which no program can set back (``touch -d`` sets only
the modification time).  The entries
live in one index file per tool (version, the bytes of its own modules,
the Python that parses) and effective configuration, named by a hash of
all of them, so a change to any is a miss: the cache is never consulted
for a question it did not answer.  Deleting the directory is always safe.

One file, read once and written once per run (a temporary file, then
``os.replace``, so no reader ever sees half of one), because creating a
small file per checked file costs more than checking it on some file
systems.  Worker processes look entries up in the copy they inherit and
send new ones back with their reports; the parent writes them.  Two runs
at once may each write only their own new entries (the later one wins):
a later miss, never a wrong answer.  A cache that cannot be created, read
or written costs one warning on standard error and is then ignored: the
run goes on and reports exactly what it would have without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

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
    name: str  # the entry's name in the index
    source: str  # sha256 of the checked file's bytes
    status: tuple[int, ...]  # the file's size, mtime, ctime (ns), inode and device when they were read
    read_at: int  # the clock (ns) just before they were read


# name -> [source hash, findings as [line, col, code, message] lists,
#          size, mtime (ns), ctime (ns), inode, device, when read (ns)]
Entries = dict[str, list[Any]]
# A file changed this close to when its entry was recorded may have changed
# again within the file system's timestamp resolution: it is read and hashed.
RACY_NS = 2_000_000_000
# On Windows st_ctime is the creation time, which a rewrite keeps: no trust.
_STATUS_TRUSTED = os.name != "nt"


def _well_formed(entries: object) -> bool:
    def finding(item: object) -> bool:
        return (type(item) is list and len(item) == 4 and type(item[0]) is int and type(item[1]) is int
                and type(item[2]) is str and type(item[3]) is str)

    return type(entries) is dict and all(
        type(name) is str and type(entry) is list and len(entry) == 8 and type(entry[0]) is str
        and type(entry[1]) is list and all(finding(item) for item in entry[1])
        and all(type(number) is int for number in entry[2:])
        for name, entry in entries.items()
    )


class Cache:
    """Use :func:`open_cache`."""

    def __init__(self, index: str, entries: Entries) -> None:
        self.index = index  # the index file
        self._entries = entries
        self._new: Entries = {}
        self._warned = False
        self._cwd = os.getcwd()  # display names are relative to it for the whole run

    def name(self, path: str) -> str:
        """The name of ``path``'s entry."""
        absolute = os.path.normpath(os.path.join(self._cwd, path))  # os.path.abspath, without a getcwd per file
        return hashlib.sha256(f"{path}\0{absolute}".encode()).hexdigest()[:32]

    def now(self) -> int:
        """The clock, read before a file is: a Key's ``read_at``."""
        return _now()

    def key(self, name: str, data: bytes, status: os.stat_result, read_at: int) -> Key:
        """The key of ``data``, read from the file of entry ``name`` with
        ``status`` (fstat before reading), after ``read_at`` (:meth:`now`)."""
        return Key(name, hashlib.sha256(data).hexdigest(), _status(status), read_at)

    def unchanged(self, name: str, path: str) -> list[Finding] | None:
        """The findings recorded for ``path`` if its size, mtime and ctime are
        still those its recorded bytes were read with (and the inode and
        device, so another file put in its place is read), and the ctime was
        well before they were read (RACY_NS): then the bytes are the same and
        need not be read.  Else None: read them."""
        entry = self._new.get(name) or self._entries.get(name)
        if entry is None or not _STATUS_TRUSTED:
            return None
        try:
            status = _status(os.stat(path))
        except OSError:
            return None
        if list(status) != entry[2:7] or status[2] > entry[7] - RACY_NS:
            return None
        return [Finding(*item) for item in entry[1]]

    def get(self, key: Key) -> list[Finding] | None:
        """The findings recorded for this content, or None (a miss)."""
        entry = self._new.get(key.name) or self._entries.get(key.name)
        if entry is None or entry[0] != key.source:
            return None
        return [Finding(*item) for item in entry[1]]

    def put(self, key: Key, findings: list[Finding]) -> None:
        self._new[key.name] = [key.source, [list(found) for found in findings], *key.status, key.read_at]

    def take_new(self) -> Entries:
        """The entries put since the last call (a worker sends them to the parent)."""
        new, self._new = self._new, {}
        return new

    def add(self, new: Entries) -> None:
        self._new.update(new)

    def save(self) -> None:
        """Write the index with this run's new entries, if there are any."""
        if not self._new:
            return
        try:
            write_index(self.index, {**self._entries, **self._new})
        except OSError as error:
            self._warn(f"cannot write the cache {self.index} ({type(error).__name__}: {error})")

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            print(f"flake8-ssot: warning: {message}", file=sys.stderr)


def write_index(index: str, entries: object) -> None:
    """Write ``entries`` as JSON to ``index`` through a temporary file and
    ``os.replace``, so no reader ever sees half of one; raises OSError."""
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(index), prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(entries, handle, separators=(",", ":"))
        os.replace(temporary, index)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _now() -> int:
    return time.time_ns()


def _status(status: os.stat_result) -> tuple[int, ...]:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev


def load_index(index: str, well_formed: Callable[[object], bool] = _well_formed) -> tuple[Any, str | None]:
    """The entries in ``index`` (none if it does not exist), and what is wrong with it."""
    try:
        with open(index, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}, None
    except OSError as error:
        return {}, f"cannot read the cache {index} ({type(error).__name__}: {error})"
    try:
        entries = json.loads(raw)
    except ValueError:
        entries = None
    if not well_formed(entries):
        return {}, f"ignoring the corrupt cache {index}"
    return entries, None


def index_path(directory: str, settings: Settings, kind: str = "findings") -> str | None:
    """The index file of ``kind`` (``findings``; ``blobs`` for ``ssot-report``'s
    audits) in ``directory`` for these settings, named by the tool's and the
    settings' fingerprint; the directory is created.  None (after a warning)
    when the directory cannot be created or written.  Nothing is read."""
    try:
        os.makedirs(directory, exist_ok=True)
        for name, text in _MARKERS.items():
            marker = os.path.join(directory, name)
            if not os.path.exists(marker):
                with open(marker, "w", encoding="utf-8") as handle:
                    handle.write(text)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(f"no write permission on {directory}")
        configuration = json.dumps(_canonical(settings), separators=(",", ":")).encode()
        fingerprint = hashlib.sha256(_tool_fingerprint() + configuration).hexdigest()[:32]
    except OSError as error:
        print(f"flake8-ssot: warning: cannot use cache directory {directory} ({type(error).__name__}: {error}); "
              "running without the cache", file=sys.stderr)
        return None
    return os.path.join(directory, f"{kind}-{fingerprint}.json")


def open_cache(directory: str, settings: Settings) -> Cache | None:
    """The cache in ``directory`` for these settings, or None (after a warning)
    when the directory cannot be created or written."""
    index = index_path(directory, settings)
    if index is None:
        return None
    entries, problem = load_index(index)
    cache = Cache(index, entries)
    if problem is not None:
        cache._warn(problem)
    return cache
