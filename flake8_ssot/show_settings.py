"""``ssot-check --show-settings``: what configuration a run resolved, and from where.

Each line is ``name: value`` or ``name = value  (source)``.  The header lines
come from :data:`HEADER`, one function each, so another fact about the
project (the pytest configuration file in use, say) is one more entry.
"""

from __future__ import annotations

import os
from typing import Callable

from flake8_ssot.config import OPTIONS, project_root_and_reason
from flake8_ssot.project import COMMAND_LINE, FLAKE8_EXCLUDE, FLAKE8_OPTIONS, Resolved, Settings
from flake8_ssot.pyproject import PYPROJECT
from flake8_ssot.pytest_config import KEYS as PYTEST_KEYS

FLAKE8_DEFAULTS = {"exclude": ", ".join(FLAKE8_EXCLUDE), "filename": "*.py", "disable-noqa": "false"}


def _config_file(settings: Settings, resolved: Resolved) -> str:
    if resolved.config_file is None:
        return "(none; defaults and the command line only)"
    section = "[tool.flake8]" if os.path.basename(resolved.config_file) == PYPROJECT or \
        resolved.config_file.endswith(".toml") else "[flake8]"
    appended = "".join(f", then {path}" for path in resolved.files[1:])
    return f"{resolved.config_file} {section}{appended}"


def _project_root(settings: Settings, resolved: Resolved) -> str:
    root, how = project_root_and_reason(resolved.config_file, resolved.cwd, settings.config.test_names.config_file)
    return f"{root} ({how})"


def _pytest_config(settings: Settings, resolved: Resolved) -> str:
    return settings.config.test_names.config_file or "(none found; pytest's defaults)"


def _test_names(key: str) -> Callable[[Settings, Resolved], str]:
    def describe(settings: Settings, resolved: Resolved) -> str:
        names = settings.config.test_names
        origin = names.origins[PYTEST_KEYS.index(key)]
        return f"{' '.join(getattr(names, key.removeprefix('python_')))}  ({origin})"
    return describe


# (label, the value's text); add an entry to show one more fact.
HEADER: list[tuple[str, Callable[[Settings, Resolved], str]]] = [
    ("config file", _config_file),
    ("project root", _project_root),
    ("pytest config", _pytest_config),
    *((key, _test_names(key)) for key in PYTEST_KEYS),
]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    return " ".join(str(value).split()) or "(none)"


def show_settings(settings: Settings, resolved: Resolved) -> str:
    lines = [f"{label}: {describe(settings, resolved)}" for label, describe in HEADER]
    keys = [*FLAKE8_OPTIONS, *(spec.key for spec in OPTIONS)]
    defaults = {**FLAKE8_DEFAULTS, **{spec.key: spec.default for spec in OPTIONS}}
    width = max(map(len, keys))
    for key in keys:
        if key in resolved.values:
            source = resolved.sources.get(key, "")
            where = COMMAND_LINE if source == COMMAND_LINE else os.path.relpath(source, resolved.cwd) \
                if source and not os.path.relpath(source, resolved.cwd).startswith(os.pardir) else source
            lines.append(f"{key:<{width}} = {_shown(resolved.values[key])}  ({where})")
        else:
            lines.append(f"{key:<{width}} = {_shown(defaults.get(key, ''))}  (default)")
    return "\n".join(lines) + "\n"
