"""The fix pass of an ``ssot-check`` run, over the reports checking produced.

Only files with a finding that may have a fix (or, for ``--add-noqa``, any
finding) are read again; the rest keep their reports untouched.  A file is
written only if its bytes on disk are still the ones the fix was computed
from; otherwise it is left alone and a warning says so.
"""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass, field
from typing import Callable, Collection, Iterable, NamedTuple, Sequence

from flake8_ssot.fixes import SAFE, UNSAFE, fixable
from flake8_ssot.fixes.apply import SAFE_MARK, UNSAFE_MARK, Outcome, Reported, fix_source, marked, unified_diff
from flake8_ssot.project import Settings
from flake8_ssot.registry import Finding
from flake8_ssot.runner import FileReport


@dataclass
class FixRun:
    reports: list[FileReport]  # with the findings left after fixing, marked when they have a fix
    diff: str = ""
    stdin_source: bytes | None = None  # the (fixed) standard input, when it is to be printed
    fixed: int = 0
    noqa_added: int = 0
    files_changed: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self, args: Namespace, messages: Sequence[str]) -> str:
        """ruff's closing lines, for stderr: what was (or would be) fixed,
        and what is still fixable among the findings printed (``messages``)."""
        lines = []
        if args.diff:
            noqa = f" and add {_plural(self.noqa_added, 'noqa comment')}" if args.add_noqa else ""
            return f"Would fix {_plural(self.fixed, 'finding')}{noqa}.\n"
        if args.fix:
            lines.append(f"Found {_plural(self.fixed + len(messages), 'finding')} "
                         f"({self.fixed} fixed, {len(messages)} remaining).")
        if args.add_noqa:
            lines.append(f"Added {_plural(self.noqa_added, 'noqa comment')}.")
        marks = [UNSAFE if message.startswith(UNSAFE_MARK) else SAFE
                 for message in messages if message.startswith((SAFE_MARK, UNSAFE_MARK))]
        line = hint(marks, args.unsafe_fixes)
        if line is not None:
            lines.append(line)
        return "".join(line + "\n" for line in lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def hint(available: Sequence[str], unsafe_enabled: bool) -> str | None:
    """The line telling how many findings ``--fix`` would fix."""
    safe = sum(1 for safety in available if safety == SAFE)
    unsafe = len(available) - safe
    if unsafe_enabled:
        return f"[*] {safe + unsafe} fixable with --fix." if safe + unsafe else None
    if safe and unsafe:
        return f"[*] {safe} fixable with --fix ({unsafe} more with --fix --unsafe-fixes)."
    if safe:
        return f"[*] {safe} fixable with --fix."
    if unsafe:
        return f"{unsafe} fixable with --fix --unsafe-fixes."
    return None


class _Job(NamedTuple):
    data: bytes
    path: str
    is_stdin: bool
    known: list[Finding]


# What every job of a run shares: (settings, safeties, add_noqa, reported).
# Set before the pool forks, so workers inherit it instead of unpickling it per job.
_context: tuple[Settings, Collection[str], bool, Callable[[str], Reported | None]] | None = None


def _fix(job: _Job) -> Outcome:
    assert _context is not None
    settings, safeties, add_noqa, reported = _context
    return fix_source(job.data, job.path, settings, safeties=safeties, add_noqa=add_noqa,
                      from_stdin=job.is_stdin, reported=reported(job.path), known=job.known)


def _outcomes(jobs: list[_Job], processes: int) -> Iterable[Outcome]:
    """Each job's outcome, in order: in ``processes`` forked workers when
    there is more than one job and the platform forks, else here."""
    processes = min(processes, len(jobs))
    if processes < 2:
        return map(_fix, jobs)
    import multiprocessing  # noqa: PLC0415 - as in runner._pool

    if "fork" not in multiprocessing.get_all_start_methods():
        return map(_fix, jobs)
    try:
        pool = multiprocessing.get_context("fork").Pool(processes)
    except (OSError, ImportError):  # no semaphores (some containers)
        return map(_fix, jobs)
    with pool:
        return pool.map(_fix, jobs, chunksize=max(1, min(16, len(jobs) // (processes * 4))))


def run_fixes(
    reports: Sequence[FileReport], settings: Settings, *, safeties: Collection[str], write: bool, diff: bool,
    add_noqa: bool, mark: bool, stdin: bytes | None, stdin_display_name: str,
    reported: Callable[[str], Reported | None], jobs: int = 1,
) -> FixRun:
    """Fix (``safeties``, ``add_noqa``), show (``diff``) or only mark (``mark``)
    what can be fixed in the files of ``reports``; ``write`` writes files and
    returns the fixed standard input.  Fixes are computed in ``jobs``
    processes; files are written here, one by one."""
    global _context
    run = FixRun([])
    config = settings.config
    work: list[tuple[int, _Job]] = []  # (index in run.reports, job)
    for report in reports:
        is_stdin = stdin is not None and report.path == stdin_display_name
        wanted = any(fixable(f, config) for f in report.findings) or (add_noqa and bool(report.findings))
        run.reports.append(report)
        if not wanted:
            if is_stdin and write:
                run.stdin_source = stdin
            continue
        if is_stdin:
            data = stdin
        else:
            try:
                with open(report.path, "rb") as source:
                    data = source.read()
            except OSError as error:
                run.warnings.append(f"flake8-ssot: {report.path}: not fixed: {error}")
                continue
        assert data is not None
        work.append((len(run.reports) - 1, _Job(data, report.path, is_stdin, report.findings)))
    _context = (settings, safeties, add_noqa, reported)
    try:
        # Only marking is cheap (most often no parse): not worth starting workers for.
        outcomes = list(_outcomes([job for _index, job in work], jobs if safeties or add_noqa else 1))
    finally:
        _context = None
    for (index, job), outcome in zip(work, outcomes):
        if outcome.problem:
            run.warnings.append(f"flake8-ssot: {job.path}: {outcome.problem}")
        findings = outcome.findings
        changed = outcome.data != job.data
        if changed and diff:
            run.diff += unified_diff(job.data, outcome.data, job.path)
        if changed and write and not job.is_stdin:
            if not _write_if_unchanged(job.path, job.data, outcome.data, run.warnings):
                findings = outcome.original
                changed = False
        if job.is_stdin and write:
            run.stdin_source = outcome.data
        if changed:
            run.files_changed += 1
            run.fixed += outcome.fixed
            run.noqa_added += outcome.noqa_added
        if mark:
            findings = [marked(f, outcome.available) for f in findings]
        report = run.reports[index]
        run.reports[index] = FileReport(report.path, findings, report.facts)
    return run


def _write_if_unchanged(path: str, expected: bytes, data: bytes, warnings: list[str]) -> bool:
    """Write ``data`` to ``path`` if it still holds ``expected``."""
    try:
        with open(path, "r+b") as target:
            if target.read() != expected:
                warnings.append(f"flake8-ssot: {path} changed while it was being fixed; not written")
                return False
            target.seek(0)
            target.write(data)
            target.truncate()
    except OSError as error:
        warnings.append(f"flake8-ssot: {path}: not fixed: {error}")
        return False
    return True
