"""What pytest collects in a project: ``python_files``, ``python_classes``, ``python_functions``.

Found as pytest finds its configuration (docs.pytest.org, "Configuration"):
from the checked files' common directory upwards, the first directory that
holds one of the files below decides, and within it the first file that
matches.  Options from several files are never merged.  Nothing found:
pytest's defaults.  The file is read as text (TOML or INI), never imported.

Matching is pytest's own: ``python_files`` are globs against the file name
(or, with a ``/``, against the end of the path); ``python_classes`` and
``python_functions`` are name prefixes, or globs when they hold ``*?[``.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import shlex
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from flake8_ssot.errors import ConfigError
from flake8_ssot.toml_files import TOMLDecodeError, one_line, read_toml

DEFAULT_FILES = ("test_*.py", "*_test.py")
DEFAULT_CLASSES = ("Test",)
DEFAULT_FUNCTIONS = ("test",)
KEYS = ("python_files", "python_classes", "python_functions")
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class TestNames:
    """The names pytest collects, and where each list came from."""

    __test__ = False  # not a pytest test class, whatever its name

    files: tuple[str, ...] = DEFAULT_FILES
    classes: tuple[str, ...] = DEFAULT_CLASSES
    functions: tuple[str, ...] = DEFAULT_FUNCTIONS
    config_file: str | None = None  # the pytest configuration file that decided, if any
    origins: tuple[str, str, str] = ("pytest's default",) * 3  # per key of KEYS

    def is_test_file(self, basename: str, absolute: str | None = None) -> bool:
        """Whether pytest collects a file of this name (``conftest.py`` always counts);
        a pattern with ``/`` is matched against the end of its ``absolute`` path."""
        if basename == "conftest.py":
            return True
        if not basename.endswith(".py"):
            return False
        for pattern in self.files:
            if "/" in pattern:
                if absolute is not None and fnmatch.fnmatchcase(
                        absolute.replace(os.sep, "/"), pattern if pattern.startswith("/") else "*/" + pattern):
                    return True
            elif fnmatch.fnmatchcase(basename, pattern):
                return True
        return False

    def is_test_class_name(self, name: str) -> bool:
        return _prefix_or_glob(self.classes, name)

    def is_test_function_name(self, name: str) -> bool:
        return _prefix_or_glob(self.functions, name)

    def with_overrides(self, overrides: Mapping[str, Sequence[str]]) -> TestNames:
        """These names with any of ``KEYS`` replaced by a flake8-ssot option's value."""
        values = [tuple(overrides.get(key) or getattr(self, key.removeprefix("python_"))) for key in KEYS]
        origins = tuple(
            f"option ssot-{key.replace('_', '-')}" if overrides.get(key) else origin
            for key, origin in zip(KEYS, self.origins)
        )
        return TestNames(*values, config_file=self.config_file, origins=origins)  # type: ignore[arg-type]


PYTEST_DEFAULTS = TestNames()


def _prefix_or_glob(options: Sequence[str], name: str) -> bool:
    """pytest's ``_matches_prefix_or_glob_option``."""
    for option in options:
        if name.startswith(option):
            return True
        if _GLOB_CHARACTERS.intersection(option) and fnmatch.fnmatch(name, option):
            return True
    return False


# In the order pytest tries them in each directory: (file name, reader).
def _toml_table(*keys: str) -> Callable[[dict], dict | None]:
    def table(document: dict) -> dict | None:
        for key in keys:
            if not isinstance(document, dict) or key not in document:
                return None
            document = document[key]
        return document if isinstance(document, dict) else None
    return table


def _pyproject_table(document: dict) -> dict | None:
    """``[tool.pytest.ini_options]`` (pytest < 9 and later), or pytest 9's native ``[tool.pytest]``."""
    pytest_table = _toml_table("tool", "pytest")(document)
    if pytest_table is None:
        return None
    if isinstance(pytest_table.get("ini_options"), dict):
        return pytest_table["ini_options"]
    return pytest_table


_CANDIDATES: tuple[tuple[str, str, object], ...] = (
    ("pytest.toml", "toml", _toml_table("pytest")),
    (".pytest.toml", "toml", _toml_table("pytest")),
    ("pytest.ini", "ini", "pytest"),
    (".pytest.ini", "ini", "pytest"),
    ("pyproject.toml", "toml", _pyproject_table),
    ("tox.ini", "ini", "pytest"),
    ("setup.cfg", "ini", "tool:pytest"),
)
# A pytest.ini decides even without a [pytest] section (pytest: "a match even when empty").
_ALWAYS_MATCHES = frozenset({"pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml"})


def _read_toml(path: str) -> dict:
    try:
        return read_toml(path)
    except (OSError, UnicodeDecodeError, TOMLDecodeError) as error:
        raise ConfigError(f"flake8-ssot: cannot read pytest configuration {path}: {one_line(error)}") from None


def _read_ini(path: str, section: str) -> dict | None:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (UnicodeDecodeError, configparser.Error) as error:
        raise ConfigError(f"flake8-ssot: cannot read pytest configuration {path}: {one_line(error)}") from None
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))


def _values(path: str, key: str, value: object) -> tuple[str, ...]:
    """An ini value is split as pytest splits its ``args`` options; TOML may give a list."""
    if isinstance(value, str):
        try:
            items = shlex.split(value)
        except ValueError as error:
            raise ConfigError(f"flake8-ssot: invalid {key} in pytest configuration {path}: {error}") from None
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise ConfigError(
            f"flake8-ssot: invalid {key} in pytest configuration {path}: expected a string or a list of strings, "
            f"got {value!r}"
        )
    if not items:
        raise ConfigError(f"flake8-ssot: {key} in pytest configuration {path} is empty: pytest would collect nothing")
    return tuple(items)


def _options_in(directory: str) -> tuple[str, dict] | None:
    """The pytest configuration file in ``directory`` and its options, if one decides there."""
    for name, kind, where in _CANDIDATES:
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        if kind == "toml":
            options = where(_read_toml(path))  # type: ignore[operator]
        else:
            options = _read_ini(path, where)  # type: ignore[arg-type]
        if options is None and name in _ALWAYS_MATCHES:
            options = {}
        if options is not None:
            return path, options
    return None


def find_test_names(start: str) -> TestNames:
    """The names pytest would collect when run on files under ``start``."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        found = _options_in(directory)
        if found is not None:
            path, options = found
            values = {key: _values(path, key, options[key]) for key in KEYS if key in options}
            names = TestNames(
                values.get("python_files", DEFAULT_FILES),
                values.get("python_classes", DEFAULT_CLASSES),
                values.get("python_functions", DEFAULT_FUNCTIONS),
                config_file=path,
                origins=tuple(path if key in values else "pytest's default" for key in KEYS),  # type: ignore[arg-type]
            )
            return names
        parent = os.path.dirname(directory)
        if parent == directory:
            return PYTEST_DEFAULTS
        directory = parent


def named_paths(paths: Sequence[str], stdin_display_name: str) -> list[str]:
    """The checked paths with standard input (``-``) under the name
    ``--stdin-display-name`` gives it, if any: an editor's buffer belongs
    to the project its file is in."""
    return [stdin_display_name if path == "-" and stdin_display_name != "stdin" else path for path in paths]


def common_directory(paths: Sequence[str], cwd: str) -> str:
    """The checked paths' common ancestor, as pytest computes it from its arguments."""
    absolute = [os.path.abspath(os.path.join(cwd, path)) for path in paths if path and path != "-"]
    if not absolute:
        return cwd
    try:
        common = os.path.commonpath(absolute)
    except ValueError:  # different drives on Windows
        return cwd
    return common if os.path.isdir(common) else os.path.dirname(common)
