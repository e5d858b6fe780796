"""``ssot-report``: a compliance audit of a tree, computed, never asserted.

Walks the tree as ``ssot-check`` does (same configuration, selection and
``# noqa``), in one pass that also records each file's facts (test module,
real-service scope, tests and test classes).  Every number in the report is
a count over those findings and facts; ``docs/report.md`` defines each one
and the JSON document's keys.  Exit status: 0 the report was written, 1
with ``--since --fail-on-new`` when the batch introduced findings, 2 a
usage or configuration error.  ``--since`` and ``--history`` live in
:mod:`flake8_ssot.audit`.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import sys
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from flake8_ssot import __version__
from flake8_ssot.cli import add_project_arguments, resolve_project, warn_about_inputs
from flake8_ssot.config import ConfigError
from flake8_ssot.context import E2E, INTEGRATION
from flake8_ssot.facts import CHECKED, NOT_CHECKED, SKIPPED, SYNTAX_ERROR, UNREADABLE, FileFacts
from flake8_ssot.output import write_report
from flake8_ssot.progress import on_terminal
from flake8_ssot.project import STDIN, Settings, expand_paths
from flake8_ssot.registry import FILE_ERRORS, RULES
from flake8_ssot.runner import FileReport, check_paths

SCHEMA_VERSION = 1
FAMILIES = {  # family: what the report calls it
    "doubles": "SOT1xx test doubles in real-service scope",
    "bvj": "SOT2xx Business Value Justification",
    "environ": "SOT3xx process environment",
    "bases": "SOT4xx test base classes",
    "hygiene": "SOT5xx test-suite hygiene",
    "internal": "SOT999 files not checked",
    "flake8": "E902/E999 files not read or parsed",
}
# Each share: its title, and the codes whose findings decide its numerator
# (none: it is a count of facts).
SHARES = {
    "bvj_complete": ("test modules with a complete BVJ", ("SOT201", "SOT202", "SOT204")),
    "doubles_free": ("real-service modules free of test doubles", ("SOT101", "SOT102", "SOT103", "SOT104", "SOT105")),
    "ssot_base": ("test classes on an SSOT base", ()),
    "environ_clean": ("files with no direct environment access", ("SOT301", "SOT302", "SOT303")),
}


def build_parser() -> argparse.ArgumentParser:
    from flake8_ssot.audit import cli as audit_cli  # imports this module

    parser = argparse.ArgumentParser(
        prog="ssot-report",
        description="Audit a tree against the flake8-ssot rules: files, tests, findings per family and code, "
                    "compliance shares, the directories with the most findings, and files that did not parse. "
                    "Configured like ssot-check. With --since REV: what a batch of work added and the findings it "
                    "introduced and fixed; with --history RANGE: the numbers over sampled commits, read from git.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to audit (default: .)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--format", choices=audit_cli.FORMATS, default="table",
                        help="a terminal table (default), Markdown for a pull-request comment (at most 65,536 "
                             "characters), JSON (keys documented in docs/report.md), one self-contained HTML file "
                             "with charts (needs the charts extra); with --history also CSV, or SVG (the chart)")
    parser.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--top", type=int, default=10, metavar="N",
                        help="how many directories with the most findings to list (default: 10)")
    add_project_arguments(parser)
    audit_cli.add_arguments(parser)
    return parser


# --------------------------------------------------------------- counting
def _percent(numerator: int, denominator: int) -> float | None:
    """Rounded down to 0.1, so that only a complete share shows 100.0."""
    return (1000 * numerator // denominator) / 10 if denominator else None


def _checked_codes(settings: Settings) -> set[str]:
    """Codes reported unless a per-file-ignores entry or ``# noqa`` says otherwise."""
    decider = settings.selection.default
    enabled = settings.config.enabled_codes
    return {code for code in (*RULES, *FILE_ERRORS)
            if decider.reports(code) and (code in enabled or code in FILE_ERRORS)}


def _family(code: str) -> str:
    rule = RULES.get(code)
    return rule.family if rule else "flake8"


def _directory(path: str) -> str:
    return posixpath.dirname(posixpath.normpath(path.replace("\\", "/"))) or "."


def _share_memberships(facts: FileFacts) -> dict[str, bool]:
    """Which finding-decided shares count this checked file in their denominator."""
    return {
        "bvj_complete": facts.test_module and facts.test_functions + facts.test_classes > 0,
        "doubles_free": facts.real_service is not None,
        "environ_clean": True,
    }


def audit(reports: Sequence[FileReport], settings: Settings, top: int = 10) -> dict[str, Any]:
    """The report as the JSON document ``docs/report.md`` describes."""
    checked_codes = _checked_codes(settings)
    statuses: Counter[str] = Counter()
    counts: Counter[str] = Counter()  # file and test counts over checked files
    by_code: Counter[str] = Counter()
    files_by_code: Counter[str] = Counter()
    files_by_family: Counter[str] = Counter()
    by_directory: Counter[str] = Counter()
    files_by_directory: Counter[str] = Counter()
    numerators: Counter[str] = Counter()
    denominators: Counter[str] = Counter()
    not_parsed, not_checked = [], []

    for report in reports:
        facts = report.facts or FileFacts(NOT_CHECKED, "no facts recorded")
        statuses[facts.status] += 1
        codes = Counter(found.code for found in report.findings)
        by_code.update(codes)
        files_by_code.update(codes.keys())
        files_by_family.update({_family(code) for code in codes})
        if report.findings:
            by_directory[_directory(report.path)] += len(report.findings)
            files_by_directory[_directory(report.path)] += 1
        if facts.status in (SYNTAX_ERROR, UNREADABLE):
            not_parsed.append({"path": report.path, "reason": facts.detail})
        elif facts.status == NOT_CHECKED:
            not_checked.append({"path": report.path, "reason": facts.detail})
        if facts.status != CHECKED:
            continue  # facts unknown or incomplete: in no denominator
        memberships = _share_memberships(facts)
        counts.update({
            "test_modules": int(facts.test_module),
            "test_modules_with_tests": int(memberships["bvj_complete"]),
            "real_service_modules": int(facts.real_service is not None),
            "e2e_modules": int(facts.real_service == E2E),
            "integration_modules": int(facts.real_service == INTEGRATION),
            "test_functions": facts.test_functions,
            "test_classes": facts.test_classes,
            "test_classes_on_ssot_base": facts.test_classes_on_ssot_base,
            "test_classes_base_unresolved": facts.test_classes_base_unresolved,
        })
        for share, member in memberships.items():
            if member:
                denominators[share] += 1
                numerators[share] += int(not codes.keys() & set(SHARES[share][1]))
    numerators["ssot_base"] = counts["test_classes_on_ssot_base"]
    denominators["ssot_base"] = counts["test_classes"]

    shares = {}
    for name, (title, decided_by) in SHARES.items():
        complete = all(code in checked_codes for code in decided_by)
        shares[name] = {
            "title": title,
            "codes": list(decided_by),
            "checked": complete,
            "numerator": numerators[name] if complete else None,
            "denominator": denominators[name],
            "percent": _percent(numerators[name], denominators[name]) if complete else None,
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "flake8-ssot", "version": __version__},
        "files": {
            "python_files": len(reports),
            "checked": statuses[CHECKED],
            "skipped": statuses[SKIPPED],
            "not_parsed": statuses[SYNTAX_ERROR] + statuses[UNREADABLE],
            "not_checked": statuses[NOT_CHECKED],
            **{key: counts[key] for key in (
                "test_modules", "test_modules_with_tests", "real_service_modules", "e2e_modules",
                "integration_modules")},
        },
        "tests": {key: counts[key] for key in (
            "test_functions", "test_classes", "test_classes_on_ssot_base", "test_classes_base_unresolved")},
        "findings": {"total": sum(by_code.values()), "files": sum(1 for report in reports if report.findings)},
        "shares": shares,
        "families": [
            {"family": family, "title": title,
             "findings": sum(n for code, n in by_code.items() if _family(code) == family),
             "files": files_by_family[family]}
            for family, title in FAMILIES.items()
        ],
        "codes": [
            {"code": code, "name": RULES[code].name if code in RULES else FILE_ERRORS[code][0],
             "family": _family(code), "checked": code in checked_codes,
             "findings": by_code[code], "files": files_by_code[code]}
            for code in (*RULES, *FILE_ERRORS)
        ],
        "directories": [
            {"path": path, "findings": n, "files": files_by_directory[path]}
            for path, n in sorted(by_directory.items(), key=lambda item: (-item[1], item[0]))[:max(top, 0)]
        ],
        "not_parsed": not_parsed,
        "not_checked": not_checked,
    }


# -------------------------------------------------------------- rendering
def _share_cell(share: dict[str, Any]) -> tuple[str, str]:
    """(percent, "numerator / denominator") as shown."""
    if not share["checked"]:
        return "not checked", f"{', '.join(share['codes'])} off"
    if share["percent"] is None:
        return "n/a", "0 / 0"
    return f"{share['percent']:.1f}%", f"{share['numerator']} / {share['denominator']}"


def _file_rows(document: dict[str, Any]) -> list[tuple[str, int]]:
    files, tests = document["files"], document["tests"]
    return [
        ("Python files", files["python_files"]),
        ("  checked", files["checked"]),
        ("  skipped (# flake8: noqa)", files["skipped"]),
        ("  did not parse", files["not_parsed"]),
        ("  could not be checked", files["not_checked"]),
        ("test modules", files["test_modules"]),
        ("  with tests", files["test_modules_with_tests"]),
        ("real-service modules", files["real_service_modules"]),
        ("  e2e", files["e2e_modules"]),
        ("  integration", files["integration_modules"]),
        ("test functions", tests["test_functions"]),
        ("test classes", tests["test_classes"]),
    ]


def _code_cells(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row["findings"]), str(row["files"])) if row["checked"] else ("off", "")


def _columns(rows: Sequence[Sequence[object]], header: Sequence[str]) -> list[str]:
    """Left-aligned first column, right-aligned others, two spaces apart."""
    table = [list(map(str, header)), *[list(map(str, row)) for row in rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in table
    ]


def render_table(document: dict[str, Any]) -> str:
    out = [f"flake8-ssot {document['tool']['version']} compliance report", ""]
    out += _columns(_file_rows(document), ("Files", "count"))
    out.append("")
    out += _columns([(share["title"], *_share_cell(share)) for share in document["shares"].values()],
                    ("Compliance", "share", "of"))
    out.append("")
    out += _columns([(row["title"], row["findings"], row["files"]) for row in document["families"]],
                    ("Findings by family", "findings", "files"))
    out.append("")
    out += _columns([(f"{row['code']} {row['name']}", *_code_cells(row)) for row in document["codes"]],
                    ("Findings by code", "findings", "files"))
    out.append("")
    out += _columns([(row["path"], row["findings"], row["files"]) for row in document["directories"]],
                    ("Directories with the most findings", "findings", "files"))
    for key, title in (("not_parsed", "Files that did not parse"), ("not_checked", "Files that could not be checked")):
        if document[key]:
            out += ["", f"{title} ({len(document[key])})"]
            out += [f"  {item['path']}: {item['reason']}" for item in document[key]]
    return "\n".join(out) + "\n"


def _md(text: object) -> str:
    return str(text).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    return [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |",
            *(f"| {' | '.join(_md(cell) for cell in row)} |" for row in rows)]


def render_markdown(document: dict[str, Any]) -> str:
    out = [f"## flake8-ssot compliance report ({document['tool']['version']})", ""]
    out += _md_table(("Compliance", "share", "of"),
                     [(share["title"], *_share_cell(share)) for share in document["shares"].values()])
    out += ["", "### Files and tests", ""]
    out += _md_table(("", "count"), [(f"↳ {label.strip()}" if label.startswith(" ") else label, n)
                                     for label, n in _file_rows(document)])
    out += ["", "### Findings", ""]
    out += _md_table(("Family", "findings", "files"),
                     [(row["title"], row["findings"], row["files"]) for row in document["families"]])
    out.append("")
    out += _md_table(("Code", "findings", "files"),
                     [(f"`{row['code']}` {row['name']}", *_code_cells(row))
                      for row in document["codes"] if row["findings"] or not row["checked"]])
    if document["directories"]:
        out += ["", "### Directories with the most findings", ""]
        out += _md_table(("Directory", "findings", "files"),
                         [(f"`{row['path']}`", row["findings"], row["files"]) for row in document["directories"]])
    from flake8_ssot.audit.render import Markdown, folded_list  # imports this module

    markdown = Markdown()  # long lists folded and cut: a pull-request comment holds 65,536 characters
    markdown.add(*out)
    for after, (key, title) in enumerate((("not_checked", "Files that could not be checked"),
                                          ("not_parsed", "Files that did not parse"))):
        if document[key]:
            folded_list(markdown, title, [f"- `{item['path']}`: {_md(item['reason'])}" for item in document[key]],
                        1 - after)
    return markdown.text()


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"table": render_table, "markdown": render_markdown, "json": render_json}


# ------------------------------------------------------------------- main
def _writer(output_file: str | None) -> Callable[[str], None]:
    def write(text: str) -> None:
        try:
            write_report(text, output_file)
        except OSError as error:
            print(f"ssot-report: cannot write {output_file}: {error.strerror or error}", file=sys.stderr)
            raise SystemExit(2) from None

    return write


def main(argv: Sequence[str] | None = None) -> int:
    from flake8_ssot.audit import cli as audit_cli, render as audit_render  # they import this module

    parser = build_parser()
    args = parser.parse_args(argv)
    audit_cli.check_arguments(parser, args)
    try:
        settings, resolved = resolve_project(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    if STDIN in args.paths:
        print("ssot-report: audits files and directories, not standard input ('-')", file=sys.stderr)
        return 2
    write = _writer(args.output_file)
    progress = None
    try:
        if args.since or args.history:
            progress = on_terminal(sys.stderr, "ssot-report", 1)
            return audit_cli.run(args, settings, resolved, progress.show if progress else None, write)
        paths = list(expand_paths(args.paths, settings))
        warn_about_inputs(args.paths, paths, settings)
        progress = on_terminal(sys.stderr, "ssot-report", len(paths))
        reports = check_paths(paths, settings, jobs=args.jobs, with_facts=True, progress=progress)
        renderers = {**RENDERERS, "html": audit_render.tree_html}
        write(renderers[args.format](audit(reports, settings, args.top)))
        return 0
    finally:
        if progress is not None:
            progress.finish()


if __name__ == "__main__":
    raise SystemExit(main())
