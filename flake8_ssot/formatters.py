"""flake8 formatter plugins: ``flake8 --format=ssot-github|ssot-sarif|ssot-json``.

They print what ``ssot-check --format github|sarif|json`` prints for the
same violations, through the same functions (:mod:`flake8_ssot.formats`).
SARIF fingerprints are relative to the ``ssot-baseline`` file's directory
when one is configured, else to the project root, as in ``ssot-check``.
"""

from __future__ import annotations

import linecache

from flake8.formatting.base import BaseFormatter
from flake8.violation import Violation

from flake8_ssot.baseline import keys_of
from flake8_ssot.config import build_config, project_root
from flake8_ssot.formats import Result, anchor_directory, github_annotation, json_rows, results, sarif
from flake8_ssot.plugin import SSOTChecker
from flake8_ssot.registry import Finding


def _violation_row(error: Violation) -> Result:
    return Result(error.filename, error.line_number, error.column_number, error.code, error.text)


class GithubFormatter(BaseFormatter):
    """``flake8 --format=ssot-github``: one workflow annotation per violation."""

    def format(self, error: Violation) -> str | None:
        return github_annotation(_violation_row(error))


class _WholeDocumentFormatter(BaseFormatter):
    """Collects every violation and writes one document when flake8 stops."""

    def after_init(self) -> None:
        self.violations: list[Violation] = []

    def handle(self, error: Violation) -> None:
        self.violations.append(error)

    def format(self, error: Violation) -> str | None:
        return None  # everything is written by stop()

    def show_statistics(self, statistics: object) -> None:
        """Statistics would corrupt the document."""

    def show_benchmarks(self, benchmarks: object) -> None:
        """Benchmarks would corrupt the document."""

    def render(self) -> str:
        raise NotImplementedError

    def stop(self) -> None:
        self._write(self.render().rstrip("\n"))
        super().stop()


class JsonFormatter(_WholeDocumentFormatter):
    """``flake8 --format=ssot-json``: the same list ``ssot-check --format json`` prints."""

    def render(self) -> str:
        return json_rows(_violation_row(error) for error in self.violations)


class SarifFormatter(_WholeDocumentFormatter):
    """``flake8 --format=ssot-sarif``: the log ``ssot-check --format sarif`` writes."""

    def render(self) -> str:
        config = SSOTChecker.config or build_config({}, project_root(None))  # set when flake8 parsed options
        root = anchor_directory(config.baseline, config.root)
        by_file: dict[str, list[Violation]] = {}
        for error in self.violations:
            by_file.setdefault(error.filename, []).append(error)
        rows = []
        for filename, errors in by_file.items():
            findings = [Finding(e.line_number, e.column_number - 1, e.code, e.text) for e in errors]
            lines = linecache.getlines(filename)  # the file as flake8 read it (nothing for stdin)
            held_back = SSOTChecker.baseline.counts if SSOTChecker.baseline is not None else None
            rows += results(filename, findings, keys_of(filename, findings, lines, root), held_back)
        return sarif(rows, root)
