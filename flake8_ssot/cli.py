"""``ssot-check``: the flake8-ssot rules without flake8's other checkers.

Same rules, configuration, ``# noqa`` handling and output as
``flake8 --select=SOT`` (or whatever ``select`` the project configures),
at the cost of one parse and one walk per file.  Exit status: 0 nothing
reported, 1 findings, 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from flake8_ssot import __version__
from flake8_ssot.config import OPTIONS, ConfigError
from flake8_ssot.project import FLAKE8_EXCLUDE, STDIN, expand_paths, load_settings
from flake8_ssot.runner import FileReport, check_paths

FORMATS = {
    "default": "%(path)s:%(row)d:%(col)d: %(code)s %(text)s",
    "pylint": "%(path)s:%(row)d: [%(code)s] %(text)s",
}


def _jobs(value: str) -> int:
    if value == "auto":
        return os.cpu_count() or 1
    if value.isdigit():
        return int(value)
    raise argparse.ArgumentTypeError(f"{value!r} must be 'auto' or an integer")


def _output_format(value: str) -> str:
    """'json', or the %-template for a format name or a template of the user's."""
    if value == "json":
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
                    "(setup.cfg, tox.ini or .flake8, section [flake8]).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check; '-' reads "
                        "standard input (default: .)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", metavar="FILE", help="read this config file instead of searching for one")
    parser.add_argument("--append-config", metavar="FILE", action="append", default=[],
                        help="read this config file after the main one (repeatable)")
    parser.add_argument("--isolated", action="store_true", help="ignore all config files")
    parser.add_argument("--stdin-display-name", default="stdin", metavar="NAME",
                        help="the path reported (and used for scopes and per-file-ignores) for '-'")
    parser.add_argument("-j", "--jobs", type=_jobs, default="auto", metavar="N",
                        help="number of processes, or 'auto' for one per CPU (default: auto)")
    parser.add_argument("--format", type=_output_format, default="default", metavar="FORMAT",
                        help="'default', 'pylint', 'json', or a format string such as "
                             "'%%(path)s:%%(row)d: %%(code)s %%(text)s'")
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
        ssot.add_argument(f"--{spec.key}", default=suppress, metavar="VALUE", help=spec.help)
    return parser


def _format(reports: Sequence[FileReport], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([
            {"path": report.path, "line": f.line, "column": f.col + 1, "code": f.code, "message": f.message}
            for report in reports for f in report.findings
        ], indent=2) + "\n"
    template = output_format
    return "".join(
        template % {"path": report.path, "row": f.line, "col": f.col + 1, "code": f.code, "text": f.message} + "\n"
        for report in reports for f in report.findings
    )


_RUN_OPTIONS = ("paths", "config", "append_config", "isolated", "stdin_display_name", "jobs", "format")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {dest.replace("_", "-"): value for dest, value in vars(args).items() if dest not in _RUN_OPTIONS}
    try:
        settings = load_settings(
            overrides, config=args.config, append_config=args.append_config, isolated=args.isolated,
        )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    paths = list(expand_paths(args.paths, settings, args.stdin_display_name))
    stdin = sys.stdin.buffer.read() if STDIN in paths else None
    reports = check_paths(
        paths, settings, jobs=args.jobs, stdin=stdin, stdin_display_name=args.stdin_display_name,
    )
    sys.stdout.write(_format(reports, args.format))
    return 1 if any(report.findings for report in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
