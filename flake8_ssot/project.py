"""A project as the standalone tools see it: its flake8 configuration and its files.

The tools read the same ``[flake8]`` section flake8 reads (found the same
way, same parser, same list and path rules) so that a project configures
flake8-ssot once and ``flake8`` and ``ssot-check`` agree on it.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from flake8_ssot.config import (
    OPTIONS_BY_KEY, Config, ConfigError, build_config, check_config_file, find_config_file, normalize_path,
    project_root,
)
from flake8_ssot.paths import file_matches, file_path, under_directory
from flake8_ssot.pyproject import find_pyproject, read_section
from flake8_ssot.pytest_config import common_directory, find_test_names
from flake8_ssot.registry import PREFIX
from flake8_ssot.selection import (
    REPORTABLE, Decider, Selection, any_of, check_codes, matches_filename, per_file_ignores_text,
)

FLAKE8_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg")
STDIN = "-"

# flake8's own options that the tools honour, by how flake8 parses them.
_CODES, _PATHS, _PATTERNS, _TEXT, _FLAG, _FILE = "codes", "paths", "patterns", "text", "flag", "file"
FLAKE8_OPTIONS = {
    "select": _CODES,
    "extend-select": _CODES,
    "ignore": _CODES,
    "extend-ignore": _CODES,
    "per-file-ignores": _TEXT,
    "exclude": _PATHS,
    "extend-exclude": _PATHS,
    "filename": _PATTERNS,
    "disable-noqa": _FLAG,
}
_LIST_SEPARATORS = re.compile(r"[,\s]")
_SCOPE_PATH_OPTIONS = ("ssot-e2e-paths", "ssot-integration-paths", "ssot-environ-allowed-paths")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs besides the file names; picklable for workers."""

    config: Config
    selection: Selection
    exclude: tuple[str, ...]
    filename_patterns: tuple[str, ...]
    disable_noqa: bool
    full_parse: bool = False  # parse every file and run every rule on the full walk: no trigger (triggers.py)
    # The path options the project or the command line set, with their entries
    # as matched (for the warning about entries that match nothing).
    path_options: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _split(value: str) -> list[str]:
    """flake8's ``parse_comma_separated_list``."""
    return [item.strip() for item in _LIST_SEPARATORS.split(value) if item.strip()]


def _read_config(paths: Sequence[str]) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    for path in paths:
        try:
            if not parser.read(path, encoding="UTF-8"):
                raise ConfigError(f"flake8-ssot: the config file does not exist: {path}")
        except (UnicodeDecodeError, configparser.Error) as error:
            reason = " ".join(str(error).split())
            raise ConfigError(f"flake8-ssot: cannot read config file {path}: {reason}") from None
        check_config_file(path)
    return parser


COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Resolved:
    """Where a run's configuration came from (``ssot-check --show-settings``)."""

    cwd: str
    config_file: str | None  # whose [flake8] (or [tool.flake8]) section is the configuration
    files: tuple[str, ...]  # every config file read, in order
    values: Mapping[str, object]  # option key: its value as read (paths made absolute), defaults left out
    sources: Mapping[str, str]  # option key: the config file it was read from, or COMMAND_LINE


def _option_values(
    parser: configparser.RawConfigParser, config_dir: str, overrides: Mapping[str, object], cwd: str,
    config_file: str | None = None, origins: dict[str, str] | None = None,
) -> dict[str, object]:
    """Known options from the ``[flake8]`` section, then the command line's.

    Keys are flake8's dashed names; ``_`` spellings are accepted as flake8
    does.  Path entries are made absolute against the config file's
    directory, or against the working directory when given on the command
    line; so is a file name (``ssot-baseline``), even without a ``/``.
    A list (from ``pyproject.toml``) is taken as already split, as flake8
    takes it.  ``origins`` gets, per key, where its value came from.
    """
    values: dict[str, object] = {}
    sources: list[tuple[str, object, str, bool]] = []
    if parser.has_section("flake8"):
        sources += [(key, parser.get("flake8", key), config_dir, True) for key in parser.options("flake8")]
    sources += [(key, value, cwd, False) for key, value in overrides.items()]
    for raw_key, value, parent, from_file in sources:
        key = raw_key.replace("_", "-")
        kind = FLAKE8_OPTIONS.get(key)
        if kind is None and key in OPTIONS_BY_KEY:
            spec = OPTIONS_BY_KEY[key]
            kind = _PATHS if spec.is_path else _FILE if spec.kind == "file" else _TEXT
        if kind is None or value is None:
            continue  # another plugin's option
        if kind == _FLAG:
            values[key] = value if isinstance(value, bool) else _boolean(key, str(value))
        elif kind == _TEXT:
            values[key] = per_file_ignores_text(value) if key == "per-file-ignores" else value
        elif kind == _FILE:
            if not isinstance(value, str):
                raise ConfigError(f"flake8-ssot: invalid value for {key}: {value!r} (expected one file name)")
            name = value.strip()
            values[key] = os.path.join(parent, name) if name else ""
        else:
            items = _split(value) if isinstance(value, str) else [str(item).strip() for item in value]
            if kind == _PATHS:
                items = [normalize_path(item, parent) for item in items]
            elif kind == _CODES:
                check_codes(key, items)
            values[key] = items
        if origins is not None:
            origins[key] = (config_file or "") if from_file else COMMAND_LINE
    return values


def _boolean(key: str, value: str) -> bool:
    state = configparser.RawConfigParser.BOOLEAN_STATES.get(value.strip().lower())
    if state is None:
        raise ConfigError(f"flake8-ssot: invalid value for {key}: {value!r} (expected true or false)")
    return state


def config_files(
    cwd: str, *, config: str | None = None, append_config: Sequence[str] = (), isolated: bool = False,
    toml_config: str | None = None, read_pyproject: bool = True,
) -> tuple[str | None, list[str], bool]:
    """The config file flake8 uses from ``cwd`` with these options, every config
    file it reads (in order), and whether the first is ``pyproject.toml``'s
    ``[tool.flake8]`` table, which replaces the others (Flake8-pyproject)."""
    pyproject = find_pyproject(cwd, toml_config) if read_pyproject else None
    if pyproject is not None:
        return pyproject, [pyproject], True
    config_file = None if isolated else (config or find_config_file(cwd))
    return config_file, [] if isolated else [path for path in (config_file, *append_config) if path], False


def load_settings(overrides: Mapping[str, object] | None = None, **where: Any) -> Settings:
    """The settings flake8 would use with these options: :func:`resolve_settings` without the sources."""
    return resolve_settings(overrides, **where)[0]


def resolve_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    config: str | None = None,
    append_config: Sequence[str] = (),
    isolated: bool = False,
    cwd: str | None = None,
    toml_config: str | None = None,
    paths: Sequence[str] = (),
    read_pyproject: bool = True,
) -> tuple[Settings, Resolved]:
    """The settings flake8 would use when run from ``cwd`` with these
    options, and where each value came from.

    ``overrides`` holds command-line values by option key (``select``,
    ``ssot-e2e-paths``, ...), raw as typed; they win over the config file.
    ``config``/``append_config``/``isolated`` are flake8's options of the same
    names, ``toml_config`` Flake8-pyproject's.  A ``[tool.flake8]`` table in
    ``pyproject.toml`` (in ``cwd``, or ``toml_config``) replaces every other
    config file, as with Flake8-pyproject (:mod:`flake8_ssot.pyproject`).
    ``read_pyproject=False`` reads no ``[tool.flake8]`` table (options given
    in full, as ``ssot-report --history`` replays a commit's).  The
    project's pytest configuration is found from ``paths`` (the checked
    paths) as pytest finds it.  Raises ConfigError with a one-line message.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    config_file, files, from_toml = config_files(
        cwd, config=config, append_config=append_config, isolated=isolated, toml_config=toml_config,
        read_pyproject=read_pyproject,
    )
    parser = read_section(config_file) if from_toml else _read_config(files)  # type: ignore[arg-type]
    config_dir = os.path.dirname(os.path.abspath(config_file)) if config_file else cwd
    sources: dict[str, str] = {}
    values = _option_values(parser, config_dir, overrides or {}, cwd, config_file, sources)

    select = values.get("select")
    extend_select = values.get("extend-select", [])
    decider = Decider(select, extend_select, values.get("ignore"), values.get("extend-ignore", []))
    if not any(decider.reports(code) for code in REPORTABLE):
        chosen = ", ".join(
            f"{key} = {','.join(values[key])}"  # type: ignore[arg-type]
            for key in ("select", "extend-select", "ignore", "extend-ignore") if values.get(key)
        )
        raise ConfigError(f"flake8-ssot: nothing to check: {chosen} selects none of the codes flake8-ssot reports "
                          f"({PREFIX}..., E902, E999)")
    ssot_values = {OPTIONS_BY_KEY[key].dest: value for key, value in values.items() if key in OPTIONS_BY_KEY}
    test_names = find_test_names(common_directory(paths, cwd))
    settings = Settings(
        config=build_config(ssot_values, project_root(config_file, cwd, test_names.config_file),
                            [*(select or ()), *extend_select], test_names),
        selection=Selection.build(decider, str(values.get("per-file-ignores", ""))),
        exclude=(*values.get("exclude", FLAKE8_EXCLUDE), *values.get("extend-exclude", ())),
        filename_patterns=tuple(values.get("filename", ["*.py"])),
        disable_noqa=bool(values.get("disable-noqa", False)),
        path_options=tuple(
            (key, tuple(values[key])) for key in _SCOPE_PATH_OPTIONS if values.get(key)  # type: ignore[arg-type]
        ),
    )
    if len(files) > 1:  # --append-config: the last file that sets a key is where it came from
        for path in files:
            appended = _read_config([path])
            for key in appended.options("flake8") if appended.has_section("flake8") else ():
                if sources.get(key.replace("_", "-")) not in (None, COMMAND_LINE):
                    sources[key.replace("_", "-")] = path
    absolute = tuple(os.path.abspath(path) for path in files)
    return settings, Resolved(cwd, absolute[0] if config_file else None, absolute, values, sources)


def unmatched_path_entries(files: Sequence[str], settings: Settings) -> list[tuple[str, str]]:
    """(option, entry) for each entry of a set path option that matches no
    checked file: ``ssot-integration-paths = integraton`` would otherwise
    silently put nothing in integration scope."""
    pending = [(key, entry) for key, entries in settings.path_options for entry in entries]
    root = settings.config.root
    directories_seen: set[str] = set()
    for name in files:
        if not pending:
            break
        if name == STDIN:
            continue
        directory = os.path.dirname(os.path.abspath(name))
        if directory in directories_seen and all(key != "ssot-environ-allowed-paths" for key, _ in pending):
            continue
        directories_seen.add(directory)
        path = file_path(name, root)
        pending = [
            (key, entry) for key, entry in pending
            if not (file_matches if key == "ssot-environ-allowed-paths" else under_directory)(path, (entry,))
        ]
    return pending


def expand_paths(
    paths: Sequence[str], settings: Settings, stdin_display_name: str = "stdin", force_exclude: bool = False,
) -> Iterator[str]:
    """The files flake8 would check for these command-line paths, named as flake8 names them.

    Directories are walked with the excludes applied to each directory and
    file; a path given by name is checked unless an exclude matches it
    itself (``*_pb2.py``, ``tests/fixtures/*``), not a directory above it;
    ``-`` is standard input.  With ``force_exclude`` (as ruff's
    ``--force-exclude``) a path given by name is also skipped when an
    exclude matches a directory above it, up to the working directory: the
    files pre-commit names are then those the walk of ``.`` would find.
    """
    exclude = settings.exclude
    patterns = settings.filename_patterns
    matches = any_of(tuple(patterns))

    def excluded(path: str, absolute: str | None = None) -> bool:
        if path == STDIN:
            if stdin_display_name == "stdin":
                return False
            path = stdin_display_name
        return matches_filename(path, exclude, absolute)

    def excluded_above(arg: str) -> bool:
        if arg == STDIN:
            return False
        relative = os.path.relpath(os.path.abspath(arg))
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return False  # outside the working directory: no walk of "." would reach it
        directory = os.path.dirname(relative)
        while directory:
            if excluded(directory):
                return True
            directory = os.path.dirname(directory)
        return False

    for arg in paths or ["."]:
        if excluded(arg) or (force_exclude and excluded_above(arg)):
            continue
        if not os.path.isdir(arg):
            yield arg
            continue
        for root, directories, files in os.walk(arg):
            absolute_root = os.path.abspath(root)  # an entry's absolute path is this joined to its name
            directories[:] = [
                d for d in directories if not excluded(os.path.join(root, d), os.path.join(absolute_root, d))
            ]
            for name in files:
                path = os.path.join(root, name)
                # flake8 matches the whole path; no patterns means every file
                if not excluded(path, os.path.join(absolute_root, name)) and (
                        not patterns or matches(os.path.normcase(path))):
                    yield path
