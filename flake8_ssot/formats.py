"""Machine-readable output: GitHub workflow commands, SARIF 2.1.0 and JSON.

``ssot-check --format github|sarif|json`` and the flake8 formatter plugins
(:mod:`flake8_ssot.formatters`) render the same :class:`Result` rows with
these functions.  Nothing here imports flake8: ``ssot-check`` never does.
"""

from __future__ import annotations

import json
import os
import pathlib
import urllib.parse
from typing import Iterable, Mapping, NamedTuple, Sequence

from flake8_ssot import __version__
from flake8_ssot.baseline import Key, fingerprint, occurrences, relative_path
from flake8_ssot.registry import FILE_ERRORS, RULES, Finding

TOOL_NAME = "flake8-ssot"
INFORMATION_URI = "https://pypi.org/project/flake8-ssot/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "ssotBaseline/v1"
SOURCE_ROOT = "%SRCROOT%"


class Result(NamedTuple):
    """One reported finding, as every output format sees it."""

    path: str  # as reported
    line: int  # 1-based; 0 for a file that could not be read
    column: int  # 1-based, as printed
    code: str
    message: str
    fingerprint: str | None = None  # baseline key hash and occurrence (SARIF partialFingerprints)


def results(
    path: str, findings: Sequence[Finding],
    keys: Sequence[Key] | None = None, held_back: Mapping[Key, int] | None = None,
) -> list[Result]:
    """Rows for one file's findings; with their baseline ``keys``, fingerprinted.

    ``held_back``: per key, the findings of this file a baseline kept out of
    ``findings``, so that a finding's occurrence number is the same with or
    without the baseline.
    """
    numbers = occurrences(keys, held_back) if keys is not None else []
    return [
        Result(path, f.line, f.col + 1, f.code, f.message,
               fingerprint(keys[index], numbers[index]) if keys is not None else None)
        for index, f in enumerate(findings)
    ]


# ---------------------------------------------------------------- GitHub
def _escape_data(text: str) -> str:
    # As @actions/core escapes a workflow command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_path(path: str) -> str:
    """A path relative to the working directory (the workspace in a workflow)."""
    path = os.path.normpath(path)
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir):
            path = relative
    return path.replace(os.sep, "/")


def github_annotation(result: Result) -> str:
    where = [f"file={_escape_property(github_path(result.path))}"]
    if result.line > 0:
        where += [f"line={result.line}", f"col={result.column}"]
    where.append(f"title={_escape_property(result.code)}")
    return f"::error {','.join(where)}::{_escape_data(result.message)}"


def github(rows: Iterable[Result]) -> str:
    return "".join(github_annotation(row) + "\n" for row in rows)


# ------------------------------------------------------------------ JSON
def json_rows(rows: Iterable[Result]) -> str:
    return json.dumps([
        {"path": row.path, "line": row.line, "column": row.column, "code": row.code, "message": row.message}
        for row in rows
    ], indent=2) + "\n"


# ----------------------------------------------------------------- SARIF
def _rule(code: str) -> dict[str, object]:
    rule = RULES.get(code)
    if rule is not None:
        name, summary, family = rule.name, rule.summary, rule.family
        docs = f"Documentation: {rule.docs_path} in the {TOOL_NAME} repository."
        full = f"{summary} Reported as '{code} {rule.message}'."
    else:
        name, summary = FILE_ERRORS.get(code, (code, f"{code} (reported by flake8 or another plugin)."))
        family, docs, full = "flake8", "", summary
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {"text": f"{summary} {docs}".strip(), "markdown": f"{summary}\n\n{docs}".strip()},
        "defaultConfiguration": {"level": "error", "enabled": rule.default_enabled if rule else True},
        "properties": {"tags": [family]},
    }


def _location(path: str, line: int, column: int, root: str) -> dict[str, object]:
    relative = relative_path(path, root)
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):  # outside the root
        artifact: dict[str, object] = {"uri": pathlib.Path(os.path.abspath(path)).as_uri()}
    else:
        artifact = {"uri": urllib.parse.quote(relative), "uriBaseId": SOURCE_ROOT}
    physical: dict[str, object] = {"artifactLocation": artifact}
    if line > 0:
        physical["region"] = {"startLine": line, "startColumn": max(column, 1)}
    return {"physicalLocation": physical}


def sarif(rows: Sequence[Result], root: str) -> str:
    """A SARIF 2.1.0 log of ``rows``: one rule per registered code and per
    other code reported; locations relative to ``root`` (``%SRCROOT%``)."""
    codes = list(RULES) + sorted({row.code for row in rows} - set(RULES))
    index = {code: number for number, code in enumerate(codes)}
    results = []
    for row in rows:
        result: dict[str, object] = {
            "ruleId": row.code,
            "ruleIndex": index[row.code],
            "level": "error",
            "message": {"text": row.message},
            "locations": [_location(row.path, row.line, row.column, root)],
        }
        if row.fingerprint is not None:
            result["partialFingerprints"] = {FINGERPRINT_KEY: row.fingerprint}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(code) for code in codes],
            }},
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": pathlib.Path(root).as_uri().rstrip("/") + "/"}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def anchor_directory(baseline: str | None, project: str) -> str:
    """Where fingerprints and SARIF locations are relative to: the baseline's
    directory when a baseline is in use, else the project root."""
    return os.path.dirname(os.path.abspath(baseline)) if baseline else project
