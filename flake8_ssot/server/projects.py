"""The configuration each open document is checked with, cached until a config file changes.

A document's settings are what ``ssot-check`` run from the project would
use for it: ``ssot-check`` run from the nearest directory at or above the
document's that holds a flake8 config file (``[flake8]`` in setup.cfg,
tox.ini or .flake8) or a pyproject.toml with a ``[tool.flake8]`` table,
with the project's pytest configuration found from the document and the
baseline the config names.  They are loaded with the working directory
set to that directory (flake8 reads ``per-file-ignores`` patterns
relative to the directory it runs in, Flake8-pyproject reads the
pyproject.toml there), and
cached per document directory until :meth:`Projects.forget` (a config file
was saved, created or deleted).  A configuration error is cached too: the
server shows it once and checks nothing under it.  Nothing is imported or
executed from the project.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Iterator, Sequence

from flake8_ssot import toml_files
from flake8_ssot.baseline import Baseline
from flake8_ssot.config import ConfigError, find_config_file
from flake8_ssot.project import Settings, load_settings
from flake8_ssot.pyproject import find_pyproject
from flake8_ssot.registry import Finding

# A change to a file of one of these names may change the settings.
CONFIG_NAMES = frozenset({
    "setup.cfg", "tox.ini", ".flake8", "pyproject.toml", "pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml",
})


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_NAMES


@dataclass(frozen=True)
class Project:
    """The settings for a directory's files, and the baseline they name."""

    settings: Settings
    baseline: Baseline | None

    def reported(self, display_name: str, findings: list[Finding], lines: Sequence[str]) -> list[Finding]:
        """``findings`` without those the baseline records."""
        if self.baseline is None or not findings:
            return findings
        return self.baseline.new_findings(display_name, findings, lines)


@contextlib.contextmanager
def _working_directory(path: str) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run_directory(directory: str) -> str:
    """Where ``ssot-check`` runs from for the files of ``directory``: the
    nearest directory at or above it with a flake8 config file or a
    ``[tool.flake8]`` table in pyproject.toml (the search stops below the
    home directory, as flake8's), else ``directory``; raises ConfigError
    for a pyproject.toml that cannot be read."""
    config_file = find_config_file(directory)
    stop = os.path.dirname(config_file) if config_file else None
    home = os.path.expanduser("~")
    path = os.path.abspath(directory)
    while True:
        if path == stop or find_pyproject(path) is not None:
            return path
        parent = os.path.dirname(path)
        if parent == path or parent == home:
            return directory
        path = parent


def load_project(directory: str, document: str | None) -> Project:
    """The project for files in ``directory``; raises ConfigError."""
    run_from = run_directory(directory)
    with _working_directory(run_from):
        settings = load_settings(cwd=run_from, paths=[document] if document else [])
    baseline = Baseline.load(settings.config.baseline) if settings.config.baseline else None
    return Project(settings, baseline)


class Projects:
    """Loaded projects by document directory."""

    def __init__(self) -> None:
        self._loaded: dict[str, Project | ConfigError] = {}

    def for_document(self, path: str) -> Project:
        """The project of the file ``path``; raises ConfigError."""
        directory = os.path.dirname(os.path.abspath(path))
        found = self._loaded.get(directory)
        if found is None:
            try:
                found = load_project(directory, path)
            except ConfigError as error:
                found = error
            except OSError as error:  # the directory went away
                found = ConfigError(f"flake8-ssot: cannot read the configuration for {path}: {error}")
            self._loaded[directory] = found
        if isinstance(found, ConfigError):
            raise found
        return found

    def forget(self) -> None:
        self._loaded.clear()
        toml_files.forget()
