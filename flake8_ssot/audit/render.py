"""Output of the audits: terminal tables, Markdown, HTML, CSV and JSON.

Markdown is for a pull-request comment, which GitHub cuts at 65,536
characters: totals come first, long lists are folded (``<details>``) and
cut, with a count of what was left out, so that the whole comment stays
under :data:`MARKDOWN_LIMIT` however large the tree.  HTML is one
self-contained file: inline CSS, charts as inline SVG (:mod:`.chart`), no
script and nothing loaded from the network.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any, Callable, Sequence

from flake8_ssot.audit import chart
from flake8_ssot.report import FAMILIES, _code_cells, _columns, _family, _file_rows, _md, _md_table, _share_cell

MARKDOWN_LIMIT = 65_536
_RESERVE = 400  # kept free for each section still to come, and for the "left out" line
FAMILY_NAMES = tuple(FAMILIES)
SHORT_FAMILIES = ("doubles", "bvj", "environ", "bases", "hygiene")  # the columns of per-file and history tables
# the same colour for a family, and for the share its codes decide, in every chart
COLORS = {"doubles": "#d62728", "bvj": "#1f77b4", "environ": "#2ca02c", "bases": "#9467bd", "hygiene": "#ff7f0e",
          "internal": "#8c564b", "flake8": "#7f7f7f", "bvj_complete": "#1f77b4", "doubles_free": "#d62728",
          "ssot_base": "#9467bd", "environ_clean": "#2ca02c"}
SHARE_LABELS = {"bvj_complete": "BVJ complete", "doubles_free": "doubles-free", "ssot_base": "on SSOT base",
                "environ_clean": "environ-clean"}


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else str(number)


def _percent(share: dict[str, Any]) -> str:
    return "n/a" if share["percent"] is None else f"{share['percent']:.1f}%"


# ----------------------------------------------------------------- Markdown
class Markdown:
    """Markdown that never grows past ``limit`` characters: :meth:`rows`
    keeps what fits and says how many rows it left out."""

    def __init__(self, limit: int = MARKDOWN_LIMIT) -> None:
        self.limit = limit
        self.lines: list[str] = []
        self.size = 0

    def add(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 1

    def rows(self, head: Sequence[str], rows: Sequence[str], what: str, sections_after: int = 0,
             fold_over: int = 15, summary: str = "") -> None:
        """``head`` then as many ``rows`` as fit, folded when there are more than ``fold_over``."""
        folded = len(rows) > fold_over
        if folded:
            self.add(f"<details><summary>{summary or what} ({len(rows)})</summary>", "")
        self.add(*head)
        budget = self.limit - self.size - _RESERVE * (sections_after + 1)
        kept = 0
        for row in rows:
            if len(row) + 1 > budget:
                break
            self.add(row)
            budget -= len(row) + 1
            kept += 1
        if kept < len(rows):
            self.add("", f"*{len(rows) - kept} more {what} left out to fit a pull-request comment "
                         "(--format json or html has them all)*")
        if folded:
            self.add("", "</details>")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def folded_list(out: Markdown, title: str, items: Sequence[str], sections_after: int = 0) -> None:
    """A titled bullet list, folded and cut as :meth:`Markdown.rows` does."""
    out.add("", f"### {title} ({len(items)})", "")
    out.rows([], list(items), "entries", sections_after, summary=title)


def _md_rows(header: Sequence[str], rows: Sequence[Sequence[object]]) -> tuple[list[str], list[str]]:
    table = _md_table(header, rows)
    return table[:2], table[2:]


# -------------------------------------------------------------------- since
def _since_title(document: dict[str, Any]) -> str:
    since = document["since"]
    return (f"the batch since {since['rev']} (merge base {since['merge_base'][:10]}, "
            f"{since['merge_base_date'][:10]})")


def _since_summary_rows(document: dict[str, Any]) -> list[tuple[str, object]]:
    s = document["summary"]
    return [
        ("Python files added", s["files_added"]),
        ("Python files changed", s["files_changed"] + s["files_renamed"]),
        ("Python files removed", s["files_removed"]),
        ("test modules added", s["test_modules_added"]),
        ("test modules changed", s["test_modules_changed"] + s["test_modules_renamed"]),
        ("tests in added and changed modules", s["tests"]),
        ("tests added (net, removed modules included)", _signed(s["tests_added"])),
        ("lines of test code (added and changed modules)", s["test_lines"]),
        ("findings in added and changed files", s["findings"]),
        ("findings introduced", s["introduced"]),
        ("findings fixed", s["fixed"]),
    ]


def _group_rows(document: dict[str, Any]) -> list[tuple[object, ...]]:
    return [(g["group"], g["files"], g["files_added"], g["test_modules"], g["tests"],
             _signed(g["tests"] - g["tests_before"] - g["tests_removed"]), g["lines"], g["findings"],
             g["introduced"], g["fixed"]) for g in document["groups"]]


GROUP_HEADER = ("Directory", "files", "added", "test modules", "tests", "tests +/-", "lines", "findings",
                "introduced", "fixed")
FILE_HEADER = ("File", "status", "tests", "lines", *SHORT_FAMILIES, "new", "fixed", "verdict")


def _file_cells(row: dict[str, Any]) -> tuple[object, ...]:
    tests = f"{row['tests']} ({_signed(row['tests'] - row['tests_before'])})" if row["status"] != "added" \
        else str(row["tests"])
    families = row["families"]
    return (row["status"], tests if row["test_module"] else "-", row["lines"],
            *(families.get(family, 0) for family in SHORT_FAMILIES), len(row["introduced"]), len(row["fixed"]),
            row["verdict"])


def _share_rows(shares: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(share["title"], *_share_cell(share)) for share in shares.values()]


def _changes(document: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    return [(row["path"], found) for row in document["files"] for found in row[key]]


def since_table(document: dict[str, Any]) -> str:
    out = [f"flake8-ssot {document['tool']['version']}: {_since_title(document)}", ""]
    out += _columns(_since_summary_rows(document), ("Batch", "count"))
    if document["groups"]:
        out += ["", *_columns(_group_rows(document), GROUP_HEADER)]
    out += ["", *_columns(_share_rows(document["audit"]["shares"]), ("Compliance of the changed files", "share", "of"))]
    if document["files"]:
        out += ["", *_columns([(row["path"], *_file_cells(row)) for row in document["files"]], FILE_HEADER)]
    for key, title in (("introduced", "Findings introduced"), ("fixed", "Findings fixed")):
        found = _changes(document, key)
        if found:
            out += ["", f"{title} ({len(found)})"]
            out += [f"  {path}:{f['line']}:{f['column']}: {f['code']} {f['message']}" for path, f in found]
    if document["removed"]:
        out += ["", f"Files removed ({len(document['removed'])})"]
        out += [f"  {row['path']} ({row['tests']} tests, {row['findings']} findings)" for row in document["removed"]]
    return "\n".join(out) + "\n"


def since_markdown(document: dict[str, Any], limit: int = MARKDOWN_LIMIT) -> str:
    out = Markdown(limit)
    s = document["summary"]
    out.add(f"## flake8-ssot: {_md(_since_title(document))}", "",
            f"**{s['introduced']} findings introduced, {s['fixed']} fixed** in {s['files']} added or changed "
            f"Python files ({s['test_modules']} test modules, {s['tests']} tests, {_signed(s['tests_added'])} "
            "tests net).", "")
    out.add(*_md_table(("Batch", "count"), _since_summary_rows(document)), "")
    out.add(*_md_table(("Compliance of the changed files", "share", "of"),
                       _share_rows(document["audit"]["shares"])))
    if document["groups"]:
        out.add("", "### By directory", "")
        out.rows(*_md_rows(GROUP_HEADER, _group_rows(document)), "directories", 3)
    for key, title in (("introduced", "Findings introduced"), ("fixed", "Findings fixed")):
        found = _changes(document, key)
        if found:
            folded_list(out, title, [f"- `{_md(path)}:{f['line']}` {f['code']} {_md(f['message'])}"
                                     for path, f in found], 2)
    if document["files"]:
        out.add("", f"### Files ({len(document['files'])})", "")
        out.rows(*_md_rows(FILE_HEADER, [(f"`{row['path']}`", *_file_cells(row)) for row in document["files"]]),
                 "files", 1, summary="Files")
    if document["removed"]:
        folded_list(out, "Files removed", [f"- `{_md(row['path'])}` ({row['tests']} tests)"
                                           for row in document["removed"]])
    return out.text()


# ------------------------------------------------------------------ history
HISTORY_HEADER = ("date", "commit", "files", "test modules", "tests", "findings", *SHORT_FAMILIES,
                  *SHARE_LABELS.values())


def _history_cells(row: dict[str, Any]) -> tuple[object, ...]:
    return (row["date"][:10], row["commit"][:10], row["files"]["checked"], row["files"]["test_modules"],
            row["tests"]["test_functions"], row["findings"]["total"],
            *(row["families"][family] for family in SHORT_FAMILIES),
            *(_percent(row["shares"][name]) if row["shares"][name]["checked"] else "not checked"
              for name in SHARE_LABELS))


def _history_title(document: dict[str, Any]) -> str:
    h = document["history"]
    return f"history of {h['range']}: {h['sampled']} of {h['commits_in_range']} commits (every {h['every']})"


def _movement(document: dict[str, Any]) -> list[str]:
    """The first sampled commit against the last, in words."""
    rows = document["commits"]
    if not rows:
        return ["No commit in the range."]
    first, last = rows[0], rows[-1]
    lines = [f"From {first['date'][:10]} ({first['commit'][:10]}) to {last['date'][:10]} ({last['commit'][:10]}): "
             f"findings {first['findings']['total']} → {last['findings']['total']} "
             f"({_signed(last['findings']['total'] - first['findings']['total'])}), tests "
             f"{first['tests']['test_functions']} → {last['tests']['test_functions']}, test modules "
             f"{first['files']['test_modules']} → {last['files']['test_modules']}."]
    shares = [f"{SHARE_LABELS[name]} {_percent(first['shares'][name])} → {_percent(last['shares'][name])}"
              for name in SHARE_LABELS if last["shares"][name]["checked"]]
    if shares:
        lines.append("Shares: " + ", ".join(shares) + ".")
    return lines


def history_table(document: dict[str, Any]) -> str:
    out = [f"flake8-ssot {document['tool']['version']}: {_history_title(document)}", "", *_movement(document), ""]
    out += _columns([_history_cells(row) for row in document["commits"]], HISTORY_HEADER)
    return "\n".join(out) + "\n"


def history_markdown(document: dict[str, Any], limit: int = MARKDOWN_LIMIT) -> str:
    out = Markdown(limit)
    out.add(f"## flake8-ssot: {_md(_history_title(document))}", "", *_movement(document), "")
    # newest first: a cut keeps the recent commits
    out.rows(*_md_rows(HISTORY_HEADER, [_history_cells(row) for row in reversed(document["commits"])]),
             "commits", fold_over=30, summary="Commits, newest first")
    return out.text()


def history_csv(document: dict[str, Any]) -> str:
    """One row per sampled commit, every count and share as its own column."""
    rows = document["commits"]
    codes = list(rows[0]["codes"]) if rows else []
    shares = list(SHARE_LABELS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    file_keys = list(rows[0]["files"]) if rows else []
    test_keys = list(rows[0]["tests"]) if rows else []
    writer.writerow(["commit", "date", "subject", "config_differs", *(f"files.{k}" for k in file_keys),
                     *(f"tests.{k}" for k in test_keys), "findings.total", "findings.files",
                     *(f"family.{f}" for f in FAMILY_NAMES), *(f"code.{c}" for c in codes),
                     *(f"share.{s}.{k}" for s in shares for k in ("numerator", "denominator", "percent"))])
    for row in rows:
        writer.writerow([row["commit"], row["date"], row["subject"], int(row["config_differs"]),
                         *(row["files"][k] for k in file_keys),
                         *(row["tests"][k] for k in test_keys), row["findings"]["total"], row["findings"]["files"],
                         *(row["families"][f] for f in FAMILY_NAMES), *(row["codes"].get(c, "") for c in codes),
                         *("" if row["shares"][s][k] is None else row["shares"][s][k]
                           for s in shares for k in ("numerator", "denominator", "percent"))])
    return buffer.getvalue()


def history_charts(document: dict[str, Any]) -> list[str]:
    """Findings per family, and the compliance shares, over the sampled commits (SVG)."""
    rows = document["commits"]
    labels = [row["date"][:10] for row in rows]
    families = [family for family in FAMILY_NAMES if any(row["families"][family] for row in rows)] or ["doubles"]
    shares = [name for name in SHARE_LABELS if any(row["shares"][name]["checked"] for row in rows)]
    return [chart.line_chart("Findings per family", labels,
                             {family: [row["families"][family] for row in rows] for family in families},
                             colors=[COLORS[family] for family in families]),
            chart.line_chart("Compliance shares", labels,
                             {SHARE_LABELS[name]: [row["shares"][name]["percent"] for row in rows] for name in shares},
                             percent=True, colors=[COLORS[name] for name in shares])]


def history_svg(document: dict[str, Any]) -> str:
    """The findings chart alone, as an SVG file (for a README or a wiki)."""
    svg = history_charts(document)[0]
    return svg.replace("<svg ", '<svg width="960" height="420" ', 1) + "\n"


# --------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;
color:#222;padding:0 1rem}h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92em}.wide{overflow-x:auto}
th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right;vertical-align:top;white-space:nowrap}
td:last-child{white-space:normal;text-align:left}th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
td.path{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;white-space:normal;
word-break:break-all;min-width:16em}.bad{color:#b00020}.good{color:#16794c}
.lead{font-size:1.1rem}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
ul.findings{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em}
"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[object]], path_column: bool = False,
                classes: Callable[[Sequence[object]], str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = []
    for row in rows:
        cells = "".join(
            f"<td{' class=path' if path_column and i == 0 else ''}>{html.escape(str(cell))}</td>"
            for i, cell in enumerate(row))
        css = classes(row) if classes else ""
        body.append(f"<tr{f' class={css}' if css else ''}>{cells}</tr>")
    return f"<div class=wide><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


def _page(title: str, body: Sequence[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _figure(svg: str) -> str:
    return f"<figure>{svg}</figure>"


def _list(items: Sequence[str]) -> str:
    return "<ul class=findings>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def _short(family_row: dict[str, Any]) -> str:
    """``SOT1xx doubles``: a family's codes and name, short enough for a chart's axis."""
    return f"{family_row['title'].split()[0]} {family_row['family']}"


def since_html(document: dict[str, Any]) -> str:
    s = document["summary"]
    families = [row for row in document["audit"]["families"] if row["family"] in SHORT_FAMILIES]
    introduced = {family: 0 for family in FAMILY_NAMES}
    fixed = dict(introduced)
    for row in document["files"]:
        for key, counts in (("introduced", introduced), ("fixed", fixed)):
            for found in row[key]:
                counts[_family(found["code"])] += 1
    body = [
        f"<h1>flake8-ssot: {html.escape(_since_title(document))}</h1>",
        f"<p class=lead><b class={'bad' if s['introduced'] else 'good'}>{s['introduced']} findings introduced"
        f"</b>, {s['fixed']} fixed, in {s['files']} added or changed Python files ({s['test_modules']} test "
        f"modules, {s['tests']} tests, {_signed(s['tests_added'])} net).</p>",
        _html_table(("Batch", "count"), _since_summary_rows(document)),
        _html_table(("Compliance of the changed files", "share", "of"), _share_rows(document["audit"]["shares"])),
        _figure(chart.bar_chart("Findings per family in the changed files", [_short(row) for row in families], {
            "findings now": [row["findings"] for row in families],
            "introduced": [introduced[row["family"]] for row in families],
            "fixed": [fixed[row["family"]] for row in families],
        }, colors=("#7f7f7f", "#d62728", "#2ca02c"))),
    ]
    if document["groups"]:
        body += ["<h2>By directory</h2>", _html_table(GROUP_HEADER, _group_rows(document), True)]
    body += [f"<h2>Files ({len(document['files'])})</h2>",
             _html_table(FILE_HEADER, [(row["path"], *_file_cells(row)) for row in document["files"]], True,
                         lambda row: "bad" if str(row[-1]).startswith(("worse", "does not")) else "")]
    for key, title in (("introduced", "Findings introduced"), ("fixed", "Findings fixed")):
        found = _changes(document, key)
        if found:
            body += [f"<h2>{title} ({len(found)})</h2>",
                     _list([f"{path}:{f['line']}:{f['column']}: {f['code']} {f['message']}" for path, f in found])]
    if document["removed"]:
        body += [f"<h2>Files removed ({len(document['removed'])})</h2>",
                 _list([f"{row['path']} ({row['tests']} tests)" for row in document["removed"]])]
    return _page(f"flake8-ssot: {_since_title(document)}", body)


def history_html(document: dict[str, Any]) -> str:
    body = [f"<h1>flake8-ssot: {html.escape(_history_title(document))}</h1>",
            *(f"<p class=lead>{html.escape(line)}</p>" for line in _movement(document)),
            *(_figure(svg) for svg in history_charts(document)),
            "<h2>Sampled commits, newest first</h2>",
            _html_table(HISTORY_HEADER, [_history_cells(row) for row in reversed(document["commits"])])]
    return _page(f"flake8-ssot: {_history_title(document)}", body)


def tree_html(document: dict[str, Any], title: str = "flake8-ssot compliance report") -> str:
    """The tree report (``ssot-report --format html``): summary, chart, codes, directories."""
    families = [row for row in document["families"] if row["findings"] or row["family"] in SHORT_FAMILIES]
    body = [f"<h1>{html.escape(title)} ({html.escape(document['tool']['version'])})</h1>",
            _html_table(("Compliance", "share", "of"), _share_rows(document["shares"])),
            _figure(chart.bar_chart("Findings per family", [_short(row) for row in families],
                                    {"findings": [row["findings"] for row in families],
                                     "files": [row["files"] for row in families]})),
            "<h2>Files and tests</h2>", _html_table(("", "count"), _file_rows(document)),
            "<h2>Findings by code</h2>",
            _html_table(("Code", "findings", "files"),
                        [(f"{row['code']} {row['name']}", *_code_cells(row)) for row in document["codes"]])]
    if document["directories"]:
        body += ["<h2>Directories with the most findings</h2>",
                 _html_table(("Directory", "findings", "files"),
                             [(row["path"], row["findings"], row["files"]) for row in document["directories"]],
                             True)]
    for key, name in (("not_parsed", "Files that did not parse"), ("not_checked", "Files that could not be checked")):
        if document[key]:
            body += [f"<h2>{name} ({len(document[key])})</h2>",
                     _list([f"{item['path']}: {item['reason']}" for item in document[key]])]
    return _page(title, body)


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


SINCE = {"table": since_table, "markdown": since_markdown, "json": as_json, "html": since_html}
HISTORY = {"table": history_table, "markdown": history_markdown, "json": as_json, "csv": history_csv,
           "html": history_html, "svg": history_svg}
CHARTED = ("html", "svg")  # formats that need pygal
