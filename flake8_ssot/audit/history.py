"""``ssot-report --history RANGE``: the report's numbers at sampled commits.

The range is git's (``A..B``: the commits reachable from B and not from A;
a single revision: all its history), followed along first parents, oldest
first, sampled with ``--every``: ``day`` or ``week`` keeps the last commit
of each UTC day or ISO week, ``N`` every Nth commit counting back from the
newest, ``commit`` all of them.  The newest commit is always kept.  At each
sampled commit the tree is listed with ``git ls-tree``, the files
``ssot-check`` would check are chosen as a walk of a checkout would choose
them, and each (blob, path) not seen before is read through one
``git cat-file --batch`` process and checked; the numbers are those
``ssot-report`` prints on a checkout of that commit (with the working
tree's configuration).
"""

from __future__ import annotations

import configparser
import datetime
from typing import Any, Callable, Sequence

from flake8_ssot import __version__
from flake8_ssot.audit.blobs import BlobCache, Checker
from flake8_ssot.audit.files import FileSelector
from flake8_ssot.audit.git import PREFIX, Commit, GitError, Repository
from flake8_ssot.config import OPTIONS_BY_KEY
from flake8_ssot.project import FLAKE8_OPTIONS, Settings
from flake8_ssot.report import audit

SCHEMA_VERSION = 1
EVERY_HELP = "'day' (default), 'week', 'commit', or N for every Nth commit"


def parse_every(value: str) -> str:
    """``--every``'s value, checked; raises ValueError."""
    if value in ("day", "week", "commit") or (value.isdigit() and int(value) > 0):
        return value
    raise ValueError(f"--every must be {EVERY_HELP}, not {value!r}")


def revisions(repo: Repository, spec: str) -> list[str]:
    """``A..B`` or ``B`` as arguments of ``git log``, each side resolved (one-line errors)."""
    if "..." in spec:
        raise GitError(f"{PREFIX}: --history takes A..B or a single revision, not {spec!r}")
    start, dots, end = spec.partition("..")
    if not dots:
        return [repo.resolve(spec)]
    return [repo.resolve(end or "HEAD"), f"^{repo.resolve(start or 'HEAD')}"]


def sample(commits: Sequence[Commit], every: str) -> list[Commit]:
    """The commits ``--every`` keeps, oldest first; the newest always."""
    if not commits or every == "commit":
        return list(commits)
    if every.isdigit():
        step = int(every)
        return list(commits[::-1][::step][::-1])
    kept: dict[object, Commit] = {}
    for commit in commits:
        day = datetime.datetime.fromtimestamp(commit.time, datetime.timezone.utc).date()
        kept[day if every == "day" else day.isocalendar()[:2]] = commit  # the last of each day or week
    return list(kept.values())


def numbers(document: dict[str, Any]) -> dict[str, Any]:
    """What history keeps of a tree report: every count, none of the lists of names."""
    return {
        "files": document["files"],
        "tests": document["tests"],
        "findings": document["findings"],
        "families": {row["family"]: row["findings"] for row in document["families"]},
        "codes": {row["code"]: row["findings"] for row in document["codes"] if row["checked"]},
        "shares": {name: {key: share[key] for key in ("checked", "numerator", "denominator", "percent")}
                   for name, share in document["shares"].items()},
    }


def _options(text: str) -> dict[str, str] | None:
    """The ``[flake8]`` options of a config file's text that ``ssot-check`` reads; None if it does not parse."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("flake8"):
        return {}
    return {key.replace("_", "-"): " ".join(value.split()) for key, value in parser.items("flake8")
            if key.replace("_", "-") in FLAKE8_OPTIONS or key.replace("_", "-") in OPTIONS_BY_KEY}


class ConfigWatch:
    """Whether the config file in use says something else at a commit: its
    options that ``ssot-check`` reads differ from the working tree's (other
    tools' options, comments and layout do not count)."""

    def __init__(self, repo: Repository, config_file: str | None) -> None:
        self.repo = repo
        found = repo.working_blob(config_file) if config_file else None
        self.path, self.sha = found or (None, None)
        if config_file and found:
            with open(config_file, encoding="utf-8", errors="replace") as handle:
                self.options = _options(handle.read())
        self._differs: dict[str | None, bool] = {self.sha: False}

    def differs(self, tree: dict[str, str]) -> bool:
        if self.path is None:
            return False
        sha = tree.get(self.path)
        if sha not in self._differs:
            text = self.repo.read_blobs([sha])[sha].decode("utf-8", "replace") if sha else ""
            self._differs[sha] = _options(text) != self.options
        return self._differs[sha]


class Progress:
    """Calls ``show(text)`` with where the run is: a commit and the files it checks."""

    def __init__(self, show: Callable[[str], None] | None) -> None:
        self.show = show
        self.where = ""

    def commit(self, index: int, total: int, commit: Commit) -> None:
        self.where = f"commit {index}/{total} {commit.sha[:10]} {commit.date[:10]}"
        if self.show is not None:
            self.show(self.where)

    def files(self, done: int, total: int) -> None:
        if self.show is not None:
            self.show(f"{self.where}: checked {done}/{total} new files")


def history_document(
    repo: Repository, spec: str, every: str, paths: Sequence[str], settings: Settings, cache: BlobCache,
    jobs: int = 1, show: Callable[[str], None] | None = None, top: int = 10, config_file: str | None = None,
) -> dict[str, Any]:
    """The document ``docs/report.md`` describes for ``--history``.

    Every commit is checked with ``settings``, the working tree's
    configuration; ``config_file``, the file it was read from, is compared
    with its version at each commit, and a commit where the options
    ``ssot-check`` reads differ says so (``config_differs``).
    """
    commits = repo.commits(revisions(repo, spec))
    sampled = sample(commits, every)
    selector = FileSelector(repo.top, paths, settings, repo.cwd)
    config = ConfigWatch(repo, config_file)
    progress = Progress(show)
    rows = []
    with Checker(settings, jobs) as checker:
        for index, commit in enumerate(sampled, 1):
            progress.commit(index, len(sampled), commit)
            tree = repo.tree(commit.sha)
            files = sorted(
                (name, sha) for path, sha in tree.items() if (name := selector.display_name(path)) is not None
            )
            missing = [(name, sha) for name, sha in files if cache.get(sha, name) is None]
            if missing:
                contents = repo.read_blobs([sha for _, sha in missing])
                results = checker.analyse([(name, contents[sha]) for name, sha in missing], progress.files)
                for (name, sha), analysed in zip(missing, results):
                    cache.put(sha, name, analysed)
                if index % 10 == 0:
                    cache.save()  # a long run interrupted keeps most of its work
            reports = [found.report for name, sha in files if (found := cache.get(sha, name)) is not None]
            rows.append({"commit": commit.sha, "date": commit.date, "subject": commit.subject,
                         "config_differs": config.differs(tree),
                         **numbers(audit(reports, settings, top))})
    cache.save()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flake8-ssot", "version": __version__},
        "history": {"range": spec, "every": every, "commits_in_range": len(commits), "sampled": len(sampled),
                    "config_file": config.path},
        "commits": rows,
    }
