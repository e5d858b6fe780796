"""``ssot-report --since REV``: the audit of a batch of work.

The batch is what the working tree changed since the merge base of REV and
HEAD: committed, staged, unstaged and untracked (not ignored) files, renames
followed.  Each changed file that ``ssot-check`` would check is checked as
it is now and as it was at the merge base (read from git objects, nothing
checked out), and a finding is *introduced* when the new version has more
findings of its code with the same anchor (the statement or definition it
is in, as a baseline keys findings) than the old version, *fixed* the other
way round: the matching a baseline uses, so code that only moves or is
reformatted introduces and fixes nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from flake8_ssot import __version__
from flake8_ssot.audit.blobs import Analysed, Checker
from flake8_ssot.audit.files import FileSelector
from flake8_ssot.audit.git import Repository
from flake8_ssot.baseline import Key, occurrences
from flake8_ssot.facts import CHECKED, SYNTAX_ERROR, UNREADABLE
from flake8_ssot.project import Settings
from flake8_ssot.registry import Finding
from flake8_ssot.report import _family, audit
from flake8_ssot.runner import _unreadable

SCHEMA_VERSION = 1
FAMILY_ORDER = ("doubles", "bvj", "environ", "bases", "hygiene", "internal", "flake8")


def _tests(analysed: Analysed | None) -> int:
    facts = analysed.report.facts if analysed else None
    return facts.test_functions if facts and facts.status == CHECKED and facts.test_module else 0


def _is_test_module(analysed: Analysed | None) -> bool:
    facts = analysed.report.facts if analysed else None
    return bool(facts and facts.test_module)


def _difference(new: Analysed, old: Analysed | None) -> tuple[list[Finding], list[Finding]]:
    """(findings of ``new`` that ``old`` does not have, findings of ``old`` that ``new`` does not have),
    matched as a baseline matches them: by code and anchor, the n-th occurrence of a key with the n-th."""
    def keyed(analysed: Analysed | None) -> list[tuple[Finding, tuple[Key, int]]]:
        if analysed is None:
            return []
        keys = [Key("", found.code, text) for found, text in zip(analysed.report.findings, analysed.texts)]
        return list(zip(analysed.report.findings, zip(keys, occurrences(keys))))

    new_keyed, old_keyed = keyed(new), keyed(old)
    old_keys = {key for _, key in old_keyed}
    new_keys = {key for _, key in new_keyed}
    return [f for f, key in new_keyed if key not in old_keys], [f for f, key in old_keyed if key not in new_keys]


def _verdict(analysed: Analysed, introduced: int, fixed: int) -> str:
    facts = analysed.report.facts
    if facts is not None and facts.status in (SYNTAX_ERROR, UNREADABLE):
        return "does not parse"
    if introduced:
        return f"worse: {introduced} new finding{'s' * (introduced != 1)}"
    if not analysed.report.findings:
        return "clean" if not fixed else "clean (fixed all)"
    if fixed:
        return f"better: {fixed} fixed"
    return "findings, none new"


def _finding_rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [{"line": f.line, "column": f.col + 1, "code": f.code, "message": f.message} for f in findings]


def _group(path: str) -> str:
    """The service or top-level directory a repository path belongs to."""
    head, _, rest = path.partition("/")
    return head if rest else "."


def since_document(
    repo: Repository, rev: str, paths: Sequence[str], settings: Settings, jobs: int = 1,
    progress: Callable[[int, int], None] | None = None, top: int = 10,
) -> dict[str, Any]:
    """The document ``docs/report.md`` describes for ``--since``."""
    base = repo.merge_base(rev)
    head = repo.resolve("HEAD")
    selector = FileSelector(repo.top, paths, settings, repo.cwd)
    base_tree = repo.tree(base)
    changed, removed = [], []  # (status, display name, repository path, old repository path)
    for change in repo.changes(base):
        if change.new_path is None:
            name = selector.display_name(change.old_path or "")
            if name is not None and change.old_path in base_tree:  # not a symbolic link or a submodule
                removed.append((name, change.old_path))
            continue
        name = selector.display_name(change.new_path)
        if name is None or not os.path.isfile(os.path.join(repo.top, change.new_path)):
            continue
        # a copy (C) is a new file; the file it was copied from is still there
        old = change.old_path if change.status != "C" and change.old_path in base_tree else None
        changed.append(("added" if old is None else "renamed" if old != change.new_path else "changed",
                        name, change.new_path, old))
    changed.sort(key=lambda item: item[1])
    removed.sort()

    old_blobs = repo.read_blobs([base_tree[old] for *_, old in changed if old] + [base_tree[p] for _, p in removed])
    items: list[tuple[str, bytes]] = []
    unreadable: dict[str, Analysed] = {}  # by repository path: E902, as ssot-check reports a file it cannot open
    for _status, name, path, old in changed:
        try:
            with open(os.path.join(repo.top, path), "rb") as handle:
                items.append((name, handle.read()))
        except OSError as error:
            report = _unreadable(name, error, settings, with_facts=True)
            unreadable[path] = Analysed(report, 0, ("",) * len(report.findings))
        if old:
            items.append((name, old_blobs[base_tree[old]]))  # checked under today's name: same scope
    items += [(name, old_blobs[base_tree[path]]) for name, path in removed]
    with Checker(settings, jobs) as checker:
        results = iter(list(checker.analyse(items, progress)))

    files, reports = [], []
    totals: Counter[str] = Counter()
    groups: dict[str, Counter[str]] = {}
    for status, name, path, old in changed:
        new = unreadable[path] if path in unreadable else next(results)
        before = next(results) if old else None
        introduced, fixed = _difference(new, before)
        reports.append(new.report)
        families = Counter(_family(f.code) for f in new.report.findings)
        row = {
            "path": name, "status": status, "old_path": repo.relative_to_cwd(old) if status == "renamed" else None,
            "test_module": _is_test_module(new), "tests": _tests(new), "tests_before": _tests(before),
            "lines": new.lines, "lines_before": before.lines if before else 0,
            "findings": len(new.report.findings), "findings_before": len(before.report.findings) if before else 0,
            "families": {family: families[family] for family in FAMILY_ORDER if families[family]},
            "introduced": _finding_rows(introduced), "fixed": _finding_rows(fixed),
            "verdict": _verdict(new, len(introduced), len(fixed)),
        }
        files.append(row)
        counts = Counter({
            "files": 1, f"files_{status}": 1, "test_modules": int(row["test_module"]),
            f"test_modules_{status}": int(row["test_module"]), "tests": row["tests"],
            "tests_before": row["tests_before"], "lines": row["lines"], "lines_before": row["lines_before"],
            "test_lines": row["lines"] if row["test_module"] else 0, "findings": row["findings"],
            "introduced": len(introduced), "fixed": len(fixed),
        })
        totals.update(counts)
        groups.setdefault(_group(path), Counter()).update(counts)
    removed_rows = []
    for name, path in removed:
        gone = next(results)
        removed_rows.append({"path": name, "test_module": _is_test_module(gone), "tests": _tests(gone),
                             "lines": gone.lines, "findings": len(gone.report.findings)})
        removed_counts = Counter({"files_removed": 1, "tests_removed": _tests(gone)})
        totals.update(removed_counts)
        groups.setdefault(_group(path), Counter()).update(removed_counts)

    base_commit = repo.commit(base)
    summary_keys = ("files", "files_added", "files_changed", "files_renamed", "files_removed", "test_modules",
                    "test_modules_added", "test_modules_changed", "test_modules_renamed", "tests", "tests_before",
                    "tests_removed", "lines", "lines_before", "test_lines", "findings", "introduced", "fixed")
    summary = {key: totals[key] for key in summary_keys}
    summary["tests_added"] = totals["tests"] - totals["tests_before"] - totals["tests_removed"]
    group_keys = ("files", "files_added", "files_removed", "test_modules", "tests", "tests_before", "tests_removed",
                  "lines", "findings", "introduced", "fixed")
    tree_audit = audit(reports, settings, top)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flake8-ssot", "version": __version__},
        "since": {"rev": rev, "merge_base": base, "merge_base_date": base_commit.date,
                  "merge_base_subject": base_commit.subject, "head": head},
        "summary": summary,
        "groups": [{"group": group, **{key: counts[key] for key in group_keys}}
                   for group, counts in sorted(groups.items())],
        "audit": {key: tree_audit[key] for key in ("files", "tests", "findings", "shares", "families", "codes")},
        "files": files,
        "removed": removed_rows,
    }
