"""Check files outside flake8: read, parse, check, filter, in parallel.

One parse and one walk per file, none of flake8's other checkers.  What is
reported for a file is what flake8 reports for it with only this plugin
installed: files are decoded as flake8 decodes them, a syntax error is E999
and an unreadable file E902 at flake8's positions, and select / ignore /
per-file-ignores / ``# noqa`` filter the findings as in flake8.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import io
import os
import tokenize
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple, Sequence

from flake8_ssot import noqa
from flake8_ssot.cache import Cache, Entries
from flake8_ssot.checker import analyse_tree
from flake8_ssot.facts import SKIPPED, SYNTAX_ERROR, UNREADABLE, FileFacts
from flake8_ssot.paths import file_path
from flake8_ssot.project import STDIN, Settings
from flake8_ssot.registry import Finding
from flake8_ssot.triggers import Source, needs_parse

if TYPE_CHECKING:
    import multiprocessing.pool


class FileReport(NamedTuple):
    """The findings reported for one file, sorted by position."""

    path: str  # the display name: as given or found by the walk, or the stdin display name
    findings: list[Finding]
    facts: FileFacts | None = None  # for the compliance report, when asked for


def _strip_bom(lines: list[str]) -> list[str]:
    if lines and lines[0][:1] == "\ufeff":
        lines[0] = lines[0][1:]
    elif lines and lines[0][:3] == "\xef\xbb\xbf":  # a BOM read as latin-1
        lines[0] = lines[0][3:]
    return lines


def decode_lines(data: bytes, *, from_stdin: bool = False) -> list[str]:
    """Source lines (keepends, universal newlines) as flake8 makes them.

    The PEP 263 cookie or BOM decides the encoding.  When that fails flake8
    falls back to latin-1 for a file, so the file is still checked, and to
    strict UTF-8 for standard input (UnicodeDecodeError if that fails too).
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return _strip_bom(io.TextIOWrapper(io.BytesIO(data), encoding).readlines())
    except (LookupError, SyntaxError, UnicodeError):
        if from_stdin:
            return _strip_bom(io.StringIO(data.decode("utf-8")).readlines())
        return _strip_bom(io.TextIOWrapper(io.BytesIO(data), "latin-1").readlines())


def _syntax_error(error: Exception) -> Finding:
    """E999 where flake8 puts it: the syntax error's line and offset, else line 1."""
    line, col = (error.lineno, error.offset) if isinstance(error, SyntaxError) else (1, 0)
    text = f"{type(error).__name__}: {error.args[0]}" if error.args else type(error).__name__
    # flake8 prints a missing offset as column 1 (and would crash on a missing line)
    return Finding(line or 1, col or 0, "E999", text)


def check_lines(display_name: str, lines: list[str], settings: Settings) -> list[Finding]:
    """The reported findings for one file's decoded lines."""
    return analyse_lines(display_name, lines, settings, with_facts=False).findings


def analyse_lines(display_name: str, lines: list[str], settings: Settings, *, with_facts: bool) -> FileReport:
    """:func:`check_lines` as a report, with the file's facts if asked for."""
    text = "".join(lines)
    if not settings.disable_noqa and noqa.file_is_skipped(text):
        return FileReport(display_name, [], FileFacts(SKIPPED) if with_facts else None)
    config = settings.config
    source = Source(text, lines, file_path(display_name, config.root))
    if not (with_facts or settings.full_parse) and not needs_parse(
        source, config, settings.selection.for_file(display_name).reports,
    ):
        return FileReport(display_name, [])  # no rule can report here: not parsed, see triggers.py
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        # flake8 reports SyntaxError; the others would abort a flake8 run
        found = [_syntax_error(error)]
        facts = FileFacts(SYNTAX_ERROR, f"line {found[0].line}: {found[0].message}") if with_facts else None
    else:
        found, facts = analyse_tree(tree, lines, source, config, with_facts=with_facts,
                                    use_triggers=not settings.full_parse)
    if not found:
        return FileReport(display_name, found, facts)
    decider = settings.selection.for_file(display_name)
    found = [f for f in found if decider.reports(f.code)]
    if found and not settings.disable_noqa and noqa.INLINE.search(text):
        comments = noqa.NoqaLines(lines, display_name)
        found = [f for f in found if not noqa.comment_silences(comments.line_for(f.line), f.code)]
    return FileReport(display_name, found, facts)


def _unreadable(display_name: str, error: Exception, settings: Settings, with_facts: bool = False) -> FileReport:
    """E902 at line 0, column 0, as flake8 reports a file it cannot open."""
    reported = settings.selection.for_file(display_name).reports("E902")
    message = f"{type(error).__name__}: {error}"
    return FileReport(
        display_name, [Finding(0, 0, "E902", message)] if reported else [],
        FileFacts(UNREADABLE, message) if with_facts else None,
    )


def check_file(path: str, settings: Settings, cache: Cache | None = None, with_facts: bool = False) -> FileReport:
    if cache is not None and not with_facts:  # the cache holds findings only
        return _check_with_cache(path, settings, cache)
    try:
        with open(path, "rb") as source:
            data = source.read()
    except OSError as error:
        return _unreadable(path, error, settings, with_facts)
    return analyse_lines(path, decode_lines(data), settings, with_facts=with_facts)


def _check_with_cache(path: str, settings: Settings, cache: Cache) -> FileReport:
    name = cache.name(path)
    found = cache.unchanged(name, path)
    if found is not None:
        return FileReport(path, found)
    read_at = cache.now()
    try:
        with open(path, "rb") as source:
            status = os.fstat(source.fileno())
            data = source.read()
    except OSError as error:
        return _unreadable(path, error, settings)
    # Keyed by the bytes just read and checked, so a file edited meanwhile
    # cannot be cached under the wrong content.
    key = cache.key(name, data, status, read_at)
    found = cache.get(key)
    if found is None:
        found = check_lines(path, decode_lines(data), settings)
    cache.put(key, found)  # on a hit too: the size and time the bytes were read with
    return FileReport(path, found)


def check_stdin(data: bytes, display_name: str, settings: Settings, with_facts: bool = False) -> FileReport:
    try:
        lines = decode_lines(data, from_stdin=True)
    except UnicodeDecodeError as error:  # flake8 would crash here
        return _unreadable(display_name, error, settings, with_facts)
    return analyse_lines(display_name, lines, settings, with_facts=with_facts)


_worker_settings: Settings | None = None
_worker_cache: Cache | None = None


def _start_worker(settings: Settings, cache: Cache | None) -> None:
    global _worker_settings, _worker_cache
    _worker_settings, _worker_cache = settings, cache
    _collect_less()  # inherited under fork, needed under spawn


def _check_in_worker(path: str, with_facts: bool) -> tuple[FileReport, Entries]:
    """The report, and the cache entries it added: the worker's copy of the
    cache dies with it, so the parent records them."""
    assert _worker_settings is not None
    report = check_file(path, _worker_settings, _worker_cache, with_facts)
    return report, _worker_cache.take_new() if _worker_cache is not None else {}


def _adding_to(cache: Cache | None, results: Iterable[tuple[FileReport, Entries]]) -> Iterator[FileReport]:
    for report, new in results:
        if cache is not None:
            cache.add(new)
        yield report


def _collect_less() -> None:
    # Parsing builds large, short-lived, acyclic trees that the default
    # threshold makes the collector rescan many times per file (about 15% of
    # the parse time).  Objects alive now (modules, config) need no scanning.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


@contextlib.contextmanager
def _collecting_less() -> Iterator[None]:
    threshold = gc.get_threshold()
    _collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _pool(jobs: int, settings: Settings, cache: Cache | None) -> multiprocessing.pool.Pool | None:
    import multiprocessing  # noqa: PLC0415 - only runs with workers pay for it (a hook's --jobs=1 batch does not)

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    try:
        return context.Pool(jobs, _start_worker, (settings, cache))
    except (OSError, ImportError):  # no semaphores (some containers): run serially, as flake8 does
        return None


def _counting(reports: Iterable[FileReport], total: int,
              progress: Callable[[int, int], None] | None, before: int = 0) -> Iterator[FileReport]:
    for done, report in enumerate(reports, before + 1):
        if progress is not None:
            progress(done, total)
        yield report


def _cache_hits(files: list[str], cache: Cache) -> tuple[list[str], list[FileReport]]:
    """(the files still to check, the reports of those the cache answers
    without reading them)."""
    remaining, hits = [], []
    for path in files:
        found = cache.unchanged(cache.name(path), path)
        if found is None:
            remaining.append(path)
        else:
            hits.append(FileReport(path, found))
    return remaining, hits


def check_paths(
    paths: Sequence[str], settings: Settings, *, jobs: int = 1,
    stdin: bytes | None = None, stdin_display_name: str = "stdin", cache: Cache | None = None,
    with_facts: bool = False, progress: Callable[[int, int], None] | None = None,
) -> list[FileReport]:
    """Reports for ``paths`` (``-`` reads ``stdin``), sorted by path; files
    (not standard input) are looked up in and added to ``cache``.  With
    ``with_facts`` each report carries its file's facts (no cache then);
    ``progress(done, total)`` is called as each file is done.

    Sorting is stable and independent of ``jobs``, so output is the same
    for any number of workers.
    """
    files = [path for path in paths if path != STDIN]
    with _collecting_less():
        reports = [
            check_stdin(stdin or b"", stdin_display_name, settings, with_facts) for path in paths if path == STDIN
        ]
        total, done = len(files), 0
        if cache is not None and jobs > 1 and not with_facts:
            # Files the cache has an entry for are looked up here, so a re-run
            # over unchanged files starts no worker; the misses go to them.
            files, hits = _cache_hits(files, cache)
            reports += _counting(hits, total, progress)
            done = len(hits)
        jobs = min(jobs, len(files))
        pool = _pool(jobs, settings, cache) if jobs > 1 else None
        if pool is None:
            checked: Iterable[FileReport] = (check_file(path, settings, cache, with_facts) for path in files)
            reports += _counting(checked, total, progress, done)
        else:
            with pool:
                chunk = max(1, min(32, len(files) // (jobs * 8)))
                results = pool.imap(functools.partial(_check_in_worker, with_facts=with_facts), files, chunksize=chunk)
                reports += _counting(_adding_to(cache, results), total, progress, done)
    if cache is not None:
        cache.save()
    return sorted(reports, key=lambda report: report.path)
