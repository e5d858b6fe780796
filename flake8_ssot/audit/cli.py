"""``ssot-report``'s options for the audits over git history, and their run."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Sequence

from flake8_ssot.audit import chart, render
from flake8_ssot.audit.git import GitError, Repository
from flake8_ssot.audit.history import EVERY_HELP, Configurations, history_document, parse_every
from flake8_ssot.audit.since import since_document
from flake8_ssot.cache import default_directory
from flake8_ssot.config import OPTIONS_BY_KEY
from flake8_ssot.project import FLAKE8_OPTIONS, Resolved, Settings
from flake8_ssot.pyproject import find_pyproject

FORMATS = ("table", "markdown", "json", "html", "csv", "svg")
# which formats each mode writes
TREE_FORMATS = ("table", "markdown", "json", "html")


def _every(value: str) -> str:
    try:
        return parse_every(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("audits over git history (nothing is checked out)")
    modes = group.add_mutually_exclusive_group()
    modes.add_argument("--since", metavar="REV",
                       help="audit the Python files the working tree added or changed since the merge base of REV "
                            "(a branch, tag or commit) and HEAD: files, tests and lines added, per directory and "
                            "per file, and the findings each change introduced and fixed")
    modes.add_argument("--history", metavar="RANGE",
                       help="the report's numbers at sampled commits of RANGE ('A..B', or one revision for all "
                            "its history), along first parents; as a table, JSON, CSV, or HTML with charts")
    group.add_argument("--every", type=_every, default="day", metavar="STEP",
                       help=f"with --history, which commits to sample: {EVERY_HELP}")
    group.add_argument("--fail-on-new", action="store_true",
                       help="with --since, exit 1 when the batch introduced findings (a CI gate)")
    group.add_argument("--cache-dir", metavar="DIR",
                       help="with --history, where results are kept per git blob (default: ssot-check's cache "
                            "directory)")
    group.add_argument("--no-cache", action="store_true", help="with --history, keep no results between runs")


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options that make no sense together stop the run as argparse does (exit 2)."""
    allowed = FORMATS if args.history else render.SINCE if args.since else TREE_FORMATS
    if args.format not in allowed:
        mode = "--history" if args.history else "--since" if args.since else "the tree report"
        parser.error(f"--format {args.format} is not available for {mode} (choose from {', '.join(allowed)})")
    if args.fail_on_new and not args.since:
        parser.error("--fail-on-new needs --since")
    if args.format in render.CHARTED:
        try:
            chart.require()
        except chart.ChartsMissing as error:
            print(error, file=sys.stderr)
            raise SystemExit(2) from None


def overrides(args: argparse.Namespace) -> dict[str, object]:
    """The configuration options given on the command line, by key (as ``cli.load_project`` takes them)."""
    return {key: getattr(args, key.replace("-", "_")) for key in (*FLAKE8_OPTIONS, *OPTIONS_BY_KEY)
            if hasattr(args, key.replace("-", "_"))}


def run(args: argparse.Namespace, settings: Settings, resolved: Resolved, show: Callable[[str], None] | None,
        write: Callable[[str], None]) -> int:
    """``--since`` or ``--history``: the exit status; ``settings`` and ``resolved``
    as :func:`flake8_ssot.cli.resolve_project` gives them."""
    paths: Sequence[str] = args.paths
    try:
        with Repository() as repo:
            if args.since:
                document: dict[str, Any] = since_document(
                    repo, args.since, paths, settings, args.jobs,
                    (lambda done, total: show(f"checked {done}/{total} file versions")) if show else None,
                    args.top,
                )
                write(render.SINCE[args.format](document))
                return 1 if args.fail_on_new and document["summary"]["introduced"] else 0
            config_file = resolved.config_file  # as ssot-check finds it: [tool.flake8] first
            directory = None if args.no_cache else os.path.abspath(
                args.cache_dir or default_directory(config_file, config_file is None))
            toml = config_file is not None and config_file == find_pyproject(resolved.cwd, args.toml_config)
            configurations = Configurations(repo, settings, config_file, overrides(args), paths, directory,
                                            args.jobs, toml)
            document = history_document(repo, args.history, args.every, paths, configurations, show)
            for problem in configurations.problems:
                print(f"ssot-report: warning: {problem}; checked with the working tree's configuration",
                      file=sys.stderr)
            write(render.HISTORY[args.format](document))
            return 0
    except GitError as error:
        print(error, file=sys.stderr)
        return 2
