"""``[tool.flake8]`` in ``pyproject.toml``, read exactly as Flake8-pyproject reads it.

flake8 itself never reads ``pyproject.toml``; the Flake8-pyproject plugin
makes it, with these rules (flake8p 1.2.4, ``hook.parse_config``), which the
standalone tools follow so that ``flake8`` with that plugin and
``ssot-check`` agree:

- the file is ``pyproject.toml`` in the working directory (not searched
  upwards), or the one ``--toml-config FILE`` names (which must exist);
- if it has a ``[tool.flake8]`` table, that table *replaces* whatever
  flake8 read from setup.cfg / tox.ini / .flake8 (``--config`` and
  ``--append-config`` files included), and its directory is the config
  directory that relative paths are resolved against;
- booleans and numbers become strings (``True``, ``2000``, ``0.5``); lists
  stay lists, which flake8 treats as already split.
"""

from __future__ import annotations

import configparser
import os
from typing import Any, Mapping

from flake8_ssot.config import ConfigError, check_option_keys
from flake8_ssot.toml_files import TOMLDecodeError, one_line, read_toml

PYPROJECT = "pyproject.toml"
SECTION = "flake8"


def load_table(path: str) -> Mapping[str, Any] | None:
    """The ``[tool.flake8]`` table of the TOML file ``path``, or None if it has none.

    A file that cannot be read or is not valid TOML is a ConfigError (one
    line): Flake8-pyproject would stop flake8 with a traceback.
    """
    try:
        document = read_toml(path)
    except FileNotFoundError:
        raise ConfigError(f"flake8-ssot: the config file does not exist: {path}") from None
    except (OSError, TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"flake8-ssot: cannot read config file {path}: {one_line(error)}") from None
    tool = document.get("tool")
    if not isinstance(tool, dict) or SECTION not in tool:
        return None
    table = tool[SECTION]
    if not isinstance(table, dict):
        raise ConfigError(f"flake8-ssot: [tool.flake8] in {path} must be a table")
    return table


def find_pyproject(cwd: str, toml_config: str | None = None) -> str | None:
    """The TOML file whose ``[tool.flake8]`` Flake8-pyproject would use from ``cwd``, if any.

    ``toml_config`` (``--toml-config``, relative to ``cwd``) must exist, as
    in Flake8-pyproject; it counts only if it has the table, like the default.
    """
    if toml_config:
        path = os.path.join(cwd, toml_config)
        if not os.path.isfile(path):
            raise ConfigError(f"flake8-ssot: the TOML config file does not exist: {toml_config}")
    else:
        path = os.path.join(cwd, PYPROJECT)
        if not os.path.isfile(path):
            return None
    return os.path.abspath(path) if load_table(path) is not None else None


def read_section(path: str) -> configparser.RawConfigParser:
    """The ``[tool.flake8]`` table of ``path`` as the ``[flake8]`` section flake8
    would get from Flake8-pyproject; unknown ``ssot-*`` keys are a ConfigError."""
    table = load_table(path) or {}
    check_option_keys(table, _shown(path))
    parser = configparser.RawConfigParser()
    parser.add_section(SECTION)
    for key, value in table.items():
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
            raise ConfigError(f"flake8-ssot: invalid value for {key} in {_shown(path)}: expected a string, "
                              "a number, a boolean or a list of strings")
        if not isinstance(value, (str, list)):
            value = str(value)  # booleans and numbers as Flake8-pyproject makes them; dates likewise
        parser.set(SECTION, key, value)  # a list stays a list, as in Flake8-pyproject
    return parser


def _shown(path: str) -> str:
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if shown.startswith(os.pardir) else shown
