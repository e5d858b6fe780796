"""``ssot-check``: the flake8-ssot rules without flake8's other checkers.

Same rules, configuration, ``# noqa`` handling and output as
``flake8 --select=SOT`` (or whatever ``select`` the project configures),
at the cost of one parse and one walk per file.  Exit status: 0 nothing
reported, 1 findings, 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys
from typing import Callable, Sequence

from flake8_ssot import __version__
from flake8_ssot.baseline import SCHEMA_VERSION, Baseline, keys_of, occurrences, summary, write_baseline
from flake8_ssot.cache import default_directory, open_cache
from flake8_ssot.config import OPTIONS, OPTIONS_BY_KEY, ConfigError
from flake8_ssot.formats import Result, anchor_directory, github, json_rows, results, sarif
from flake8_ssot.output import quiet_filenames, source_lines, statistics, write_report
from flake8_ssot.progress import on_terminal
from flake8_ssot.pytest_config import named_paths
from flake8_ssot.project import (
    FLAKE8_EXCLUDE, FLAKE8_OPTIONS, STDIN, Resolved, Settings, expand_paths, resolve_settings,
    unmatched_path_entries,
)
from flake8_ssot.runner import FileReport, check_paths, decode_lines
from flake8_ssot.show_settings import show_settings

FORMATS = {
    "default": "%(path)s:%(row)d:%(col)d: %(code)s %(text)s",
    "pylint": "%(path)s:%(row)d: [%(code)s] %(text)s",
}
DOCUMENT_FORMATS = ("json", "github", "sarif")
PROGRESS_MIN_FILES = 200  # fewer files take too little time to need a progress line


def _jobs(value: str) -> int:
    if value == "auto":
        return os.cpu_count() or 1
    if value.isdigit():
        return int(value)
    raise argparse.ArgumentTypeError(f"{value!r} must be 'auto' or an integer")


def _output_format(value: str) -> str:
    """A document format's name, or the %-template for a format name or a template of the user's."""
    if value in DOCUMENT_FORMATS:
        return value
    template = FORMATS.get(value, value)
    try:
        template % {"path": "x.py", "row": 1, "col": 1, "code": "SOT101", "text": "message"}
    except (KeyError, ValueError, TypeError) as error:
        raise argparse.ArgumentTypeError(f"{value!r} is neither a format name nor a format string ({error})")
    return template


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssot-check",
        description="Check Python files with the flake8-ssot rules, configured like flake8 "
                    "(setup.cfg, tox.ini or .flake8, section [flake8]; or [tool.flake8] in pyproject.toml, "
                    "as with Flake8-pyproject).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check; '-' reads "
                        "standard input (default: .)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--stdin-display-name", default="stdin", metavar="NAME",
                        help="the path reported (and used for scopes and per-file-ignores) for '-'")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="where to keep findings for unchanged files (default: $SSOT_CACHE_DIR, else "
                             ".ssot_cache beside the config file, else in the working directory)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--full-parse", action="store_true",
                        help="parse every file, also those in which no enabled rule can report, and run every "
                             "rule on the full walk (slower; same findings, plus syntax errors (E999) in files "
                             "the fast path does not parse)")
    parser.add_argument("--format", type=_output_format, default="default", metavar="FORMAT",
                        help="'default', 'pylint', 'json', 'github' (workflow annotations), 'sarif' "
                             "(SARIF 2.1.0), or a format string such as '%%(path)s:%%(row)d: %%(code)s %%(text)s'")
    parser.add_argument("--baseline", "--ssot-baseline", dest="ssot_baseline", default=argparse.SUPPRESS,
                        metavar="FILE", help="report only findings this baseline does not record "
                                             "(overrides ssot-baseline in the config file)")
    parser.add_argument("--write-baseline", metavar="FILE",
                        help="record every current finding in FILE and exit 0 (no baseline is applied)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="skip a file named on the command line when an exclude or extend-exclude entry "
                             "matches a directory above it (as when walking a directory); for pre-commit")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the config file, project root and every flake8-ssot option with where its "
                             "value came from, and exit")
    flake8 = parser.add_argument_group("flake8's output options")
    flake8.add_argument("--exit-zero", action="store_true", help="exit 0 even if findings are reported")
    flake8.add_argument("--count", action="store_true",
                        help="print the total number of findings to standard output, last")
    flake8.add_argument("--statistics", action="store_true",
                        help="print the number of findings of each code, with its first message")
    flake8.add_argument("--show-source", action="store_true",
                        help="print the source line of each finding and a caret under its column")
    flake8.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    flake8.add_argument("--tee", action="store_true", help="with --output-file, write to standard output too")
    flake8.add_argument("-q", "--quiet", action="count", default=0,
                        help="print only the names of files with findings; twice, print nothing")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true",
                       help="apply the safe fixes to the files (standard input: print the fixed source) and "
                            "report what is left")
    fixes.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff, apply the unsafe fixes too")
    fixes.add_argument("--diff", action="store_true",
                       help="print a unified diff of what --fix (or --add-noqa) would change, change nothing; "
                            "exit 1 when there is a diff")
    fixes.add_argument("--add-noqa", action="store_true",
                       help="add '# noqa: CODE' comments (merged with existing ones) for every finding left")
    add_project_arguments(parser)
    return parser


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the configuration comes from, its values, and parallelism: shared with ssot-report."""
    parser.add_argument("--config", metavar="FILE", help="read this config file instead of searching for one")
    parser.add_argument("--append-config", metavar="FILE", action="append", default=[],
                        help="read this config file after the main one (repeatable)")
    parser.add_argument("--isolated", action="store_true", help="ignore all config files")
    parser.add_argument("--toml-config", metavar="FILE",
                        help="read [tool.flake8] from this TOML file instead of ./pyproject.toml "
                             "(Flake8-pyproject's option); that table replaces every other config file")
    parser.add_argument("-j", "--jobs", type=_jobs, default="auto", metavar="N",
                        help="number of processes, or 'auto' for one per CPU (default: auto)")
    flake8 = parser.add_argument_group("flake8 options (override the config file)")
    suppress = argparse.SUPPRESS  # absent options leave the config file's value alone
    for name, help_text in (
        ("select", "codes or prefixes to report"),
        ("extend-select", "codes or prefixes to report besides select"),
        ("ignore", "codes or prefixes not to report"),
        ("extend-ignore", "codes or prefixes not to report besides ignore"),
        ("per-file-ignores", "'pattern:CODES' pairs"),
        ("exclude", f"files and directories to skip (default: {','.join(FLAKE8_EXCLUDE)})"),
        ("extend-exclude", "files and directories to skip besides exclude"),
        ("filename", "file patterns to check in directories (default: *.py)"),
    ):
        flake8.add_argument(f"--{name}", default=suppress, metavar="LIST", help=help_text)
    flake8.add_argument("--disable-noqa", action="store_true", default=suppress,
                        help="report findings even on lines with '# noqa'")
    ssot = parser.add_argument_group("flake8-ssot options (override the config file)")
    for spec in OPTIONS:
        if spec.kind != "file":  # ssot-baseline is ssot-check's --baseline
            ssot.add_argument(f"--{spec.key}", default=suppress, metavar="VALUE", help=spec.help)


def load_project(args: argparse.Namespace) -> Settings:
    """The settings for parsed arguments; raises ConfigError."""
    return resolve_project(args)[0]


def resolve_project(args: argparse.Namespace) -> tuple[Settings, Resolved]:
    """:func:`load_project`, and where the configuration came from."""
    overrides = {
        key: getattr(args, key.replace("-", "_")) for key in (*FLAKE8_OPTIONS, *OPTIONS_BY_KEY)
        if hasattr(args, key.replace("-", "_"))  # absent: the config file's value stands
    }
    return resolve_settings(overrides, config=args.config, append_config=args.append_config,
                            isolated=args.isolated, toml_config=args.toml_config,
                            paths=named_paths(args.paths, getattr(args, "stdin_display_name", "stdin")))


def warn_about_inputs(arguments: Sequence[str], files: Sequence[str], settings: Settings) -> None:
    """Say out loud what would otherwise pass green in silence: no file to
    check, or (over a walked directory) a path option entry that matches none."""
    if not files:
        shown = " ".join(arguments) or "."
        print(f"flake8-ssot: warning: no Python files to check in {shown}", file=sys.stderr)
        return
    root = settings.config.root
    walked = [os.path.abspath(argument) for argument in arguments or ["."] if os.path.isdir(argument)]
    if not any(_contains(directory, root) for directory in walked):
        return  # not a run over the whole project (pre-commit's batches, a subdirectory)
    for key, entry in unmatched_path_entries(files, settings):
        shown = os.path.relpath(entry, settings.config.root) if os.path.isabs(entry) else entry
        print(f"flake8-ssot: warning: {key} entry {shown!r} matches no checked file's path", file=sys.stderr)


def _contains(directory: str, path: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _rows(
    reports: Sequence[FileReport], lines_of: Callable[[FileReport], list[str]],
    baseline: Baseline | None, anchor: str, fingerprinted: bool,
) -> list[Result]:
    """The findings to print, without those ``baseline`` records; with
    fingerprints (relative to ``anchor``) when asked for or a baseline is used."""
    rows: list[Result] = []
    for report in reports:
        if not report.findings:
            continue
        if baseline is None and not fingerprinted:
            rows += results(report.path, report.findings)
            continue
        version = baseline.version if baseline is not None else SCHEMA_VERSION
        keys = keys_of(report.path, report.findings, lines_of(report), anchor, version)
        found = results(report.path, report.findings, keys)
        if baseline is not None:
            found = [row for row, key, number in zip(found, keys, occurrences(keys)) if baseline.is_new(key, number)]
        rows += found
    return rows


def _format(rows: Sequence[Result], output_format: str, anchor: str) -> str:
    if output_format == "json":
        return json_rows(rows)
    if output_format == "github":
        return github(rows)
    if output_format == "sarif":
        return sarif(rows, anchor)
    return "".join(
        output_format % {"path": row.path, "row": row.line, "col": row.column, "code": row.code, "text": row.message}
        + "\n" for row in rows
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings, resolved = resolve_project(args)
        if args.show_settings:
            sys.stdout.write(show_settings(settings, resolved))
            return 0
        settings = dataclasses.replace(settings, full_parse=args.full_parse)
        baseline_file = None if args.write_baseline else settings.config.baseline
        baseline = Baseline.load(baseline_file) if baseline_file else None
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    paths = list(expand_paths(args.paths, settings, args.stdin_display_name, force_exclude=args.force_exclude))
    warn_about_inputs(args.paths, paths, settings)
    stdin = sys.stdin.buffer.read() if STDIN in paths else None
    # Standard input is never cached: an editor piping a buffer gets no cache directory.
    cache = None if args.no_cache or all(path == STDIN for path in paths) else open_cache(
        os.path.abspath(args.cache_dir or default_directory(resolved.config_file, resolved.config_file is None)),
        settings,
    )
    progress = on_terminal(sys.stderr, "ssot-check", len(paths), PROGRESS_MIN_FILES)
    reports = check_paths(
        paths, settings, jobs=args.jobs, stdin=stdin, stdin_display_name=args.stdin_display_name, cache=cache,
        progress=progress,
    )
    if progress is not None:
        progress.finish()

    @functools.lru_cache(maxsize=16)  # findings come sorted by file
    def read_lines(path: str) -> list[str]:
        """A file's lines as they were checked."""
        try:
            if stdin is not None and path == args.stdin_display_name:
                return decode_lines(stdin, from_stdin=True)
            with open(path, "rb") as source:
                return decode_lines(source.read())
        except (OSError, UnicodeDecodeError):  # reported as E902, which has no line
            return []

    def lines_of(report: FileReport) -> list[str]:
        return read_lines(report.path)

    if args.write_baseline:
        try:
            by_code = write_baseline(args.write_baseline, (
                (report.path, report.findings, lines_of(report)) for report in reports if report.findings
            ))
        except ConfigError as error:
            print(error, file=sys.stderr)
            return 2
        sys.stderr.write(summary(args.write_baseline, by_code))
        return 0
    anchor = anchor_directory(settings.config.baseline, settings.config.root)
    fixing = args.fix or args.diff or args.add_noqa
    mark = args.format not in DOCUMENT_FORMATS and any(report.findings for report in reports)
    fix_run = None
    if fixing or mark:
        # Imported here: a run with nothing to fix or mark (a clean pre-commit batch) skips them.
        from flake8_ssot.fixes import SAFE, UNSAFE  # noqa: PLC0415
        from flake8_ssot.fixes.run import run_fixes  # noqa: PLC0415

        fix_run = run_fixes(
            reports, settings, safeties=(SAFE, UNSAFE) if args.unsafe_fixes else (SAFE,) if fixing else (),
            write=(args.fix or args.add_noqa) and not args.diff, diff=args.diff, add_noqa=args.add_noqa,
            mark=mark, stdin=stdin, stdin_display_name=args.stdin_display_name,
            reported=lambda path: None if baseline is None else functools.partial(baseline.new_findings, path),
            jobs=args.jobs,
        )
        reports = fix_run.reports
        for warning in fix_run.warnings:
            print(warning, file=sys.stderr)
    rows = _rows(reports, lines_of, baseline, anchor, fingerprinted=args.format == "sarif")
    if fix_run is not None and args.diff:
        sys.stdout.write(fix_run.diff)
        sys.stderr.write(fix_run.summary(args, [row.message for row in rows]))
        return 1 if fix_run.diff else 0
    text = _report_text(rows, args, read_lines, anchor)
    count = f"{len(rows)}\n" if args.count else ""  # after the report, on standard output (flake8's --count)
    if fix_run is not None and fix_run.stdin_source is not None:
        sys.stdout.buffer.write(fix_run.stdin_source)  # the fixed source; the findings go to stderr, as in ruff
        sys.stdout.flush()
        sys.stderr.write(text + count)
    else:
        try:
            write_report(text, args.output_file, args.tee)
        except OSError as error:
            reason = " ".join(str(error.strerror or error).split())
            print(f"flake8-ssot: cannot write {args.output_file}: {reason}", file=sys.stderr)
            return 2
        sys.stdout.write(count)
    if fixing:  # a plain run's stderr stays empty, as flake8's
        assert fix_run is not None
        sys.stderr.write(fix_run.summary(args, [row.message for row in rows]))
    return 1 if rows and not args.exit_zero else 0


def _report_text(
    rows: Sequence[Result], args: argparse.Namespace, read_lines: Callable[[str], list[str]], anchor: str,
) -> str:
    """The findings as ``--format``, ``-q`` and ``--show-source`` ask, then ``--statistics``."""
    if args.quiet >= 2:
        text = ""
    elif args.quiet == 1:
        text = quiet_filenames(rows)
    elif args.show_source and args.format not in DOCUMENT_FORMATS:
        text = "".join(_format([row], args.format, anchor) + source_lines(row, read_lines) for row in rows)
    else:
        text = _format(rows, args.format, anchor)
    return text + (statistics(rows) if args.statistics else "")


if __name__ == "__main__":
    raise SystemExit(main())
