"""Fixing one file: check, fix, check again, until nothing more applies.

Each pass checks the current text exactly as a run reports it (selection,
per-file-ignores, ``# noqa``, the baseline), asks the producers for the
fixes of those findings, applies the ones whose safety is wanted and whose
edits overlap nothing applied in the same pass (the rest wait for the next
pass, on the new text), and adds each needed import once.  A pass whose
result would not parse is thrown away and the file left as the last good
pass made it.  At most :data:`MAX_PASSES` passes, as ruff does.

The text is decoded in the file's own encoding without translating line
ends, so the bytes outside the edits, a BOM and CRLF line ends included,
are written back as they were read.
"""

from __future__ import annotations

import ast
import difflib
import functools
import io
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Collection

from flake8_ssot.fixes import SAFE, fixable, fixes_for, quick_safeties
from flake8_ssot.fixes.edits import Document, Edit, Fix, apply, choose, imports_edit
from flake8_ssot.fixes.noqa import noqa_edits
from flake8_ssot.project import Settings
from flake8_ssot.registry import Finding
from flake8_ssot.runner import check_lines, decode_lines

MAX_PASSES = 10
SAFE_MARK, UNSAFE_MARK = "[*] ", "[unsafe-fix] "  # before the message of a finding with a fix
# A run's filter on a file's findings (the baseline): (findings, lines) -> the reported ones.
Reported = Callable[[list[Finding], list[str]], list[Finding]]


@dataclass
class Outcome:
    """What fixing one file's bytes gave."""

    data: bytes  # the new bytes (the original ones when nothing changed)
    findings: list[Finding]  # what checking the new bytes finds (before the run's ``reported`` filter)
    available: dict[Finding, str] = field(default_factory=dict)  # finding -> safety of its fix
    fixed: int = 0  # fixes applied
    noqa_added: int = 0  # findings silenced by an added comment
    original: list[Finding] = field(default_factory=list)  # what checking the original bytes finds
    problem: str | None = None  # why fixing stopped early, for stderr


def _decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) with line ends as they are, or None when the file
    does not decode in its declared encoding (then it is not fixed)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (LookupError, SyntaxError, UnicodeError):
        return None


class _State:
    """The findings of one text and, for those with one, their fixes
    (computed when first asked for: a parse and a walk)."""

    def __init__(self, text: str, encoding: str, display_name: str, settings: Settings,
                 from_stdin: bool, reported: Reported | None, known: list[Finding] | None = None) -> None:
        self.text = text
        self.data = text.encode(encoding)
        self.display_name = display_name
        self.config = settings.config
        self.lines = decode_lines(self.data, from_stdin=from_stdin)
        self.all_findings = check_lines(display_name, self.lines, settings) if known is None else known
        found = self.all_findings
        self.findings = reported(found, self.lines) if reported is not None and found else found
        self.document = Document(text)
        self.tree: ast.Module | None = None
        self.problem: str | None = None

    @functools.cached_property
    def fixes(self) -> dict[Finding, Fix]:
        if not any(fixable(f, self.config) for f in self.findings):
            return {}
        try:
            self.tree = ast.parse(self.data)
            return fixes_for(self.tree, self.lines, self.document, self.display_name, self.config, self.findings)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return {}
        except Exception as error:  # noqa: BLE001 - a bug in one fix must not stop the run
            self.problem = f"no fixes: internal error {type(error).__name__}: {error}"
            return {}


def fix_source(
    data: bytes, display_name: str, settings: Settings, *, safeties: Collection[str] = (),
    add_noqa: bool = False, from_stdin: bool = False, reported: Reported | None = None,
    known: list[Finding] | None = None,
) -> Outcome:
    """Apply the fixes of ``safeties`` (none: only say which findings have
    one) and, with ``add_noqa``, a noqa comment for each finding left.

    ``known``: what checking ``data`` found, when the caller has it (the
    run's report), so it is not checked again.  Fixes are matched to
    findings by position and produced from the text itself, so a stale
    ``known`` can cost a fix, never make a wrong one; every pass after
    the first checks the new text."""
    decoded = _decode(data)
    if decoded is None:
        found = check_lines(display_name, decode_lines(data, from_stdin=from_stdin), settings)
        return Outcome(data, found, original=found)
    text, encoding = decoded
    if known is not None and not safeties and not add_noqa:
        quick = quick_safeties(known, decode_lines(data, from_stdin=from_stdin), display_name, settings.config)
        if quick is not None:  # only marking, and no parse needed for it
            return Outcome(data, known, quick, original=known)

    def state_of(new_text: str) -> _State:
        return _State(new_text, encoding, display_name, settings, from_stdin, reported)

    state = _State(text, encoding, display_name, settings, from_stdin, reported, known)
    outcome = Outcome(data, state.all_findings, original=state.all_findings)
    for _pass in range(MAX_PASSES if safeties else 0):
        wanted = [fix for fix in state.fixes.values() if fix.safety in safeties]
        if not wanted:
            break
        chosen = choose(wanted)
        edits = [edit for fix in chosen for edit in fix.edits]
        assert state.tree is not None  # the fixes were made from it
        insertion = imports_edit(state.document, state.tree, chosen)
        if insertion is not None:
            if any(insertion.overlaps(edit) for edit in edits):
                chosen = [fix for fix in chosen if not fix.imports]
                edits = [edit for fix in chosen for edit in fix.edits]
            else:
                edits.append(insertion)
        if not chosen:
            break
        new_text = apply(state.text, edits)
        if new_text == state.text:
            break
        try:
            ast.parse(new_text.encode(encoding))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            outcome.problem = f"fixes not applied: the fixed source would not parse ({error})"
            break
        state = state_of(new_text)
        outcome.fixed += len(chosen)
    if add_noqa and state.findings:
        edits, count = noqa_edits(state.document, state.lines, display_name, state.findings)
        if edits:
            state = state_of(apply(state.text, edits))
            outcome.noqa_added = count
    outcome.available = {finding: fix.safety for finding, fix in state.fixes.items()}
    outcome.problem = outcome.problem or state.problem
    outcome.data = state.data if state.text != text else data
    outcome.findings = state.all_findings
    return outcome


def unified_diff(old: bytes, new: bytes, path: str) -> str:
    """A unified diff of two versions of ``path``, as ``diff -u`` and ruff print it."""
    old_lines = Document(_text(old)).lines
    new_lines = Document(_text(new)).lines
    out = []
    for line in difflib.unified_diff(old_lines, new_lines, fromfile=path, tofile=path):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _text(data: bytes) -> str:
    decoded = _decode(data)
    return decoded[0] if decoded is not None else data.decode("latin-1")


def marked(finding: Finding, available: dict[Finding, str]) -> Finding:
    """``finding`` with its message marked as fixable, as ruff marks ``[*]``:
    ``[*]`` for a safe fix, ``[unsafe-fix]`` for one that needs ``--unsafe-fixes``."""
    safety = available.get(finding)
    if safety is None:
        return finding
    return finding._replace(message=(SAFE_MARK if safety == SAFE else UNSAFE_MARK) + finding.message)


__all__ = ["Edit", "Outcome", "fix_source", "marked", "unified_diff"]
