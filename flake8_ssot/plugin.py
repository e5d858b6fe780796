"""The flake8 adapter: options in, findings out, nothing else."""

from __future__ import annotations

import argparse
import ast
import os
import sys
from typing import Any, Iterator

from flake8_ssot import __version__
from flake8_ssot.checker import check_tree
from flake8_ssot.config import (
    OPTIONS, Config, ConfigError, build_config, check_config_file, find_config_file, project_root,
)


def _config_files_from_argv(argv: list[str]) -> tuple[str | None, list[str], bool]:
    """flake8 does not keep ``--config``/``--append-config``/``--isolated`` in
    its options; read them from the command line the way flake8's first stage does."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config")
    parser.add_argument("--append-config", action="append", default=[])
    parser.add_argument("--isolated", action="store_true")
    known, _rest = parser.parse_known_args(argv)
    return known.config, known.append_config, known.isolated


class SSOTChecker:
    """flake8 entry point ``SOT``."""

    name = "flake8-ssot"
    version = __version__
    config: Config | None = None

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(parser: Any) -> None:
        for spec in OPTIONS:
            extra = {"comma_separated_list": True, "normalize_paths": True} if spec.is_path else {}
            parser.add_option(
                f"--{spec.key}",
                default=spec.default,
                parse_from_config=True,
                help=f"{spec.help} (default: {spec.default or 'none'})",
                **extra,
            )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        config_file, appended, isolated = _config_files_from_argv(sys.argv[1:])
        if config_file is None and not isolated:
            config_file = find_config_file(os.getcwd())
        read_files = [] if isolated else [path for path in (config_file, *appended) if path]
        selected = [*(options.select or ()), *(options.extend_select or ())]
        try:
            for path in read_files:
                check_config_file(path)
            cls.config = build_config(vars(options), project_root(config_file), selected)
        except ConfigError as error:
            raise SystemExit(str(error)) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        config = self.config
        if config is None:  # used without flake8's option parsing (tests, API)
            config = build_config({}, project_root(None))
        for found in check_tree(self.tree, self.lines, self.filename, config):
            yield found.line, found.col, found.text, type(self)
