"""``ssot-report --history RANGE``: the report's numbers at sampled commits.

The range is git's (``A..B``: the commits reachable from B and not from A;
a single revision: all its history), followed along first parents, oldest
first, sampled with ``--every``: ``day`` or ``week`` keeps the last commit
of each UTC day or ISO week, ``N`` every Nth commit counting back from the
newest, ``commit`` all of them.  The newest commit is always kept.  At each
sampled commit the tree is listed with ``git ls-tree``, the files
``ssot-check`` would check are chosen as a walk of a checkout would choose
them, and each (blob, path) not seen before is read through one
``git cat-file --batch`` process and checked, with the configuration the
commit had (:class:`Configurations`: the ``[flake8]`` section of the config
file in use, or ``pyproject.toml``'s ``[tool.flake8]`` table when that is the
configuration); the numbers are those ``ssot-report`` prints on a checkout
of that commit.
"""

from __future__ import annotations

import configparser
import dataclasses
import datetime
import itertools
import json
import os
import posixpath
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from flake8_ssot import __version__
from flake8_ssot.audit.blobs import BlobCache, Checker, open_blob_cache
from flake8_ssot.audit.files import FileSelector
from flake8_ssot.audit.git import PREFIX, Commit, GitError, Repository
from flake8_ssot.config import OPTIONS_BY_KEY, ConfigError
from flake8_ssot.project import FLAKE8_OPTIONS, Settings, load_settings
from flake8_ssot.pyproject import SECTION
from flake8_ssot.report import _percent as percent
from flake8_ssot.report import audit
from flake8_ssot.toml_files import TOMLDecodeError, parse_toml


SCHEMA_VERSION = 1
INI_FILES = ("setup.cfg", "tox.ini", ".flake8")  # config files whose options are read at each commit
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


def merge(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The :func:`numbers` of disjoint sets of files added up: counts summed,
    shares' numerators and denominators summed and their percentages taken anew."""
    def total(key: str) -> dict[str, Any]:
        summed: dict[str, Any] = {}
        for part in parts:
            for name, value in part[key].items():
                summed[name] = summed.get(name, 0) + value
        return summed

    shares = {}
    for name, share in parts[0]["shares"].items():
        denominator = sum(part["shares"][name]["denominator"] for part in parts)
        numerator = sum(part["shares"][name]["numerator"] for part in parts) if share["checked"] else None
        shares[name] = {"checked": share["checked"], "numerator": numerator, "denominator": denominator,
                        "percent": None if numerator is None else percent(numerator, denominator)}
    return {**{key: total(key) for key in ("files", "tests", "findings", "families", "codes")}, "shares": shares}


class Tally:
    """A commit's numbers, counted per run of files in one directory and
    added up: a run of files unchanged since an earlier commit is not
    counted again, so a commit costs about the files it changed."""

    def __init__(self, settings: Settings, cache: BlobCache) -> None:
        self.settings, self.cache = settings, cache
        self._counted: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}

    def numbers(self, files: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """The numbers of the (display name, blob sha) files, sorted by name, all in the cache."""
        parts = []
        for _directory, run in itertools.groupby(files, key=lambda file: posixpath.dirname(file[0])):
            key = tuple(run)
            part = self._counted.get(key)
            if part is None:
                reports = [found.report for name, sha in key if (found := self.cache.get(sha, name)) is not None]
                part = self._counted[key] = numbers(audit(reports, self.settings))
            parts.append(part)
        return merge(parts) if parts else numbers(audit([], self.settings))


Options = Mapping[str, "str | list[str]"]


def _read(key: str) -> bool:
    return key.replace("_", "-") in FLAKE8_OPTIONS or key.replace("_", "-") in OPTIONS_BY_KEY


def _options(text: str) -> Options | None:
    """The ``[flake8]`` options of a config file's text that ``ssot-check`` reads; None if it does not parse."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("flake8"):
        return {}
    return {key.replace("_", "-"): " ".join(value.split()) for key, value in parser.items("flake8") if _read(key)}


def _table_options(text: str) -> Options | None:
    """The options of a TOML file's ``[tool.flake8]`` table that ``ssot-check`` reads, as
    Flake8-pyproject passes them (lists stay lists, other values become strings); None if it does not parse."""
    try:
        tool = parse_toml(text).get("tool")
    except TOMLDecodeError:
        return None
    table = tool.get(SECTION) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        return {}
    return {key.replace("_", "-"): [str(item) for item in value] if isinstance(value, list)
            else " ".join(str(value).split()) for key, value in table.items() if _read(key)}


class Variant(NamedTuple):
    """A configuration some commits are checked with, and what checks with it."""

    settings: Settings
    selector: FileSelector
    cache: BlobCache
    checker: Checker
    tally: Tally


class Configurations:
    """Each commit is checked with its own configuration: the options
    ``ssot-check`` reads from the config file in use (``config_file``: the
    working tree's ``setup.cfg``, ``tox.ini`` or ``.flake8``, or, when
    ``toml`` says it is the configuration, the ``[tool.flake8]`` table of
    ``pyproject.toml`` or the ``--toml-config`` file, as it was at that
    commit), with the command-line options over them; no other config file
    on disk is read for a commit.  Commits whose options are the working
    tree's share its settings; each other set of options gets its settings,
    file selection, blob cache and workers once."""

    def __init__(self, repo: Repository, settings: Settings, config_file: str | None,
                 overrides: Mapping[str, object], paths: Sequence[str], cache_dir: str | None, jobs: int,
                 toml: bool = False) -> None:
        self.repo, self.overrides, self.paths, self.cache_dir, self.jobs = repo, overrides, paths, cache_dir, jobs
        if config_file and not toml and os.path.basename(config_file) not in INI_FILES:
            config_file = None  # a file of another format: the working tree's configuration for every commit
        self.parse = _table_options if toml else _options
        found = repo.working_blob(config_file) if config_file else None
        self.path, sha = found or (None, None)
        self.config_dir = os.path.dirname(os.path.abspath(config_file)) if config_file else repo.cwd
        self.root = settings.config.root
        self.working: Options | None = None
        if config_file and found:
            with open(config_file, encoding="utf-8", errors="replace") as handle:
                self.working = self.parse(handle.read())
        self._options_at: dict[str | None, Options | None] = {sha: self.working}
        self._variants: dict[str, Variant] = {self._key(self.working): self._variant(settings)}
        self.problems: list[str] = []

    @staticmethod
    def _key(options: Options | None) -> str:
        return json.dumps(options, sort_keys=True)

    def _variant(self, settings: Settings) -> Variant:
        cache = open_blob_cache(self.cache_dir, settings)
        return Variant(settings, FileSelector(self.repo.top, self.paths, settings, self.repo.cwd), cache,
                       Checker(settings, self.jobs), Tally(settings, cache))

    def for_tree(self, tree: str) -> tuple[Variant, bool]:
        """The variant for a commit's tree, and whether its options are not the working tree's."""
        if self.path is None:
            return next(iter(self._variants.values())), False
        sha = self.repo.blob_at(tree, self.path)
        if sha not in self._options_at:
            text = self.repo.read_blobs([sha])[sha].decode("utf-8", "replace") if sha else ""
            self._options_at[sha] = self.parse(text)
        options = self._options_at[sha]
        key = self._key(options)
        if key not in self._variants:
            try:
                # only these options: no config file on disk, pyproject.toml's table included
                own = load_settings({**(options or {}), **self.overrides}, isolated=True, cwd=self.config_dir,
                                    read_pyproject=False)
            except ConfigError as error:  # options this version of flake8-ssot no longer takes
                self.problems.append(f"{self.path} at blob {sha}: {error}")
                self._variants[key] = self._variants[self._key(self.working)]
            else:
                # the config file's directory is the root of path scopes, as when ssot-check reads the file
                own = dataclasses.replace(own, config=dataclasses.replace(own.config, root=self.root))
                self._variants[key] = self._variant(own)
        return self._variants[key], options != self.working

    def close(self) -> None:
        for variant in {id(v): v for v in self._variants.values()}.values():
            variant.cache.save()
            variant.checker.close()


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
    repo: Repository, spec: str, every: str, paths: Sequence[str], configurations: Configurations,
    show: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The document ``docs/report.md`` describes for ``--history``."""
    commits = repo.commits(revisions(repo, spec))
    sampled = sample(commits, every)
    progress = Progress(show)
    rows = []
    try:
        for index, commit in enumerate(sampled, 1):
            progress.commit(index, len(sampled), commit)
            tree = repo.root_tree(commit.sha)
            variant, own_config = configurations.for_tree(tree)
            cache = variant.cache
            files = sorted(variant.selector.files(repo, tree))
            missing = [(name, sha) for name, sha in files if cache.get(sha, name) is None]
            if missing:
                contents = repo.read_blobs([sha for _, sha in missing])
                results = variant.checker.analyse([(name, contents[sha]) for name, sha in missing], progress.files)
                for (name, sha), analysed in zip(missing, results):
                    cache.put(sha, name, analysed)
                if index % 10 == 0:
                    cache.save()  # a long run interrupted keeps most of its work
            rows.append({"commit": commit.sha, "date": commit.date, "subject": commit.subject,
                         "config_differs": own_config, **variant.tally.numbers(files)})
    finally:
        configurations.close()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flake8-ssot", "version": __version__},
        "history": {"range": spec, "every": every, "commits_in_range": len(commits), "sampled": len(sampled),
                    "config_file": configurations.path},
        "commits": rows,
    }
