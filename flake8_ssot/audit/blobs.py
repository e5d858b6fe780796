"""Checking file contents read from git, in parallel, cached per blob.

A file's findings and facts depend on its bytes, its path (scope,
``per-file-ignores``), the settings and the tool; nothing else.  So a
checked blob is cached under (blob sha, display path) in an index file in
the ``ssot-check`` cache directory, named like ``ssot-check``'s index by the
tool's and the settings' fingerprint: ``blobs-<fingerprint>.json``.  A file
unchanged between two sampled commits has the same blob and is never
checked twice, in one run or across runs.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from flake8_ssot import runner
from flake8_ssot.baseline import keys_of
from flake8_ssot.cache import index_path, load_index, write_index
from flake8_ssot.facts import FileFacts
from flake8_ssot.project import Settings
from flake8_ssot.registry import Finding
from flake8_ssot.runner import FileReport, analyse_lines, decode_lines


class Analysed(NamedTuple):
    """One file's report (findings and facts), its length in lines, and each
    finding's anchor as a baseline keys it (:func:`flake8_ssot.baseline.keys_of`),
    to match a finding with the same one in another version of the file."""

    report: FileReport
    lines: int
    texts: tuple[str, ...]


def analyse(display_name: str, data: bytes, settings: Settings) -> Analysed:
    """What ``ssot-report`` records for a file with these bytes at this path."""
    lines = decode_lines(data)
    report = analyse_lines(display_name, lines, settings, with_facts=True)
    texts = tuple(key.text for key in keys_of(display_name, report.findings, lines, os.curdir))
    return Analysed(report, len(lines), texts)


def _analyse_in_worker(item: tuple[str, bytes]) -> Analysed:
    assert runner._worker_settings is not None
    return analyse(*item, runner._worker_settings)


class Checker:
    """Analyses batches of (display name, bytes) with ``jobs`` processes, the
    pool started once, on the first batch big enough to need it."""

    def __init__(self, settings: Settings, jobs: int) -> None:
        self.settings = settings
        self.jobs = jobs
        self._pool: Any = None

    def analyse(self, items: Sequence[tuple[str, bytes]],
                progress: Callable[[int, int], None] | None = None) -> Iterator[Analysed]:
        if self.jobs > 1 and len(items) > 1 and self._pool is None:
            self._pool = runner._pool(self.jobs, self.settings, None)
        if self._pool is None or len(items) == 1:
            results: Iterable[Analysed] = (analyse(name, data, self.settings) for name, data in items)
        else:
            chunk = max(1, min(32, len(items) // (self.jobs * 8)))
            results = self._pool.imap(_analyse_in_worker, items, chunksize=chunk)
        for done, analysed in enumerate(results, 1):
            if progress is not None:
                progress(done, len(items))
            yield analysed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------- the cache
def _encode(analysed: Analysed) -> list[Any]:
    return [[list(found) for found in analysed.report.findings], list(analysed.report.facts or ()),
            analysed.lines, list(analysed.texts)]


def _decode(path: str, entry: list[Any]) -> Analysed:
    findings, facts, lines, texts = entry
    return Analysed(FileReport(path, [Finding(*found) for found in findings], FileFacts(*facts)), lines, tuple(texts))


def _well_formed(entries: object) -> bool:
    return type(entries) is dict and all(
        type(entry) is list and len(entry) == 4 and type(entry[0]) is list and type(entry[1]) is list
        and len(entry[1]) == len(FileFacts._fields) and type(entry[2]) is int and type(entry[3]) is list
        and all(type(found) is list and len(found) == 4 for found in entry[0])
        for entry in entries.values()
    )


class BlobCache:
    """Use :func:`open_blob_cache`; an instance without an index keeps results in memory only."""

    def __init__(self, index: str | None = None, entries: dict[str, list[Any]] | None = None) -> None:
        self.index = index
        self._entries = entries or {}
        self._memo: dict[str, Analysed] = {}
        self._new = 0
        self.hits = self.misses = 0

    @staticmethod
    def _key(sha: str, path: str) -> str:
        return f"{sha}:{path}"

    def get(self, sha: str, path: str) -> Analysed | None:
        key = self._key(sha, path)
        found = self._memo.get(key)
        if found is None and key in self._entries:
            try:
                found = self._memo[key] = _decode(path, self._entries[key])
            except (TypeError, ValueError):  # an entry of another shape: check again
                del self._entries[key]
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, sha: str, path: str, analysed: Analysed) -> None:
        key = self._key(sha, path)
        self._memo[key] = analysed
        self._entries[key] = _encode(analysed)
        self._new += 1

    def save(self) -> None:
        """Write the index if anything was added."""
        if self.index is None or not self._new:
            return
        try:
            write_index(self.index, self._entries)
        except OSError as error:
            print(f"flake8-ssot: warning: cannot write the cache {self.index} ({type(error).__name__}: {error})",
                  file=sys.stderr)
            self.index = None
        self._new = 0


def open_blob_cache(directory: str | None, settings: Settings) -> BlobCache:
    """The per-blob cache in ``directory`` (``ssot-check``'s cache directory)
    for these settings; in memory only when ``directory`` is None or unusable."""
    index = index_path(directory, settings, "blobs") if directory else None
    if index is None:
        return BlobCache()
    entries, problem = load_index(index, _well_formed)
    if problem is not None:
        print(f"flake8-ssot: warning: {problem}", file=sys.stderr)
    return BlobCache(index, entries)
