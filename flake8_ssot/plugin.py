"""The flake8 adapter: options in, findings out, nothing else."""

from __future__ import annotations

import argparse
import ast
import os
import sys
from typing import TYPE_CHECKING, Any, Iterator

from flake8_ssot import __version__
from flake8_ssot.checker import check_tree
from flake8_ssot.config import (
    OPTIONS, Config, ConfigError, build_config, check_config_file, project_root,
)
from flake8_ssot.project import config_files
from flake8_ssot.pyproject import find_pyproject, read_section
from flake8_ssot.pytest_config import TestNames, common_directory, find_test_names, named_paths
from flake8_ssot.selection import check_codes, parse_per_file_ignores, per_file_ignores_text

if TYPE_CHECKING:
    from flake8_ssot.baseline import Baseline


def _command_line(argv: list[str]) -> argparse.Namespace:
    """flake8 does not keep ``--config``/``--append-config``/``--isolated`` in
    its options, nor tell whether ``--ssot-baseline`` came from the command
    line; read them the way flake8's first stage does."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config")
    parser.add_argument("--append-config", action="append", default=[])
    parser.add_argument("--isolated", action="store_true")
    parser.add_argument("--ssot-baseline")
    known, _rest = parser.parse_known_args(argv)
    return known


def _test_names(options: argparse.Namespace) -> TestNames:
    """The project's pytest names, found from the files flake8 checks."""
    paths = named_paths(getattr(options, "filenames", None) or ["."], getattr(options, "stdin_display_name", "stdin"))
    return find_test_names(common_directory(paths, os.getcwd()))


def _warn_if_pyproject_is_ignored() -> None:
    """flake8 alone never reads pyproject.toml; ssot-check reads [tool.flake8]
    as Flake8-pyproject does.  Say so rather than let the two disagree."""
    try:
        pyproject = find_pyproject(os.getcwd())
    except ConfigError:
        return  # not this run's configuration: flake8 does not read it
    if pyproject is not None:
        print(f"flake8-ssot: warning: flake8 ignores [tool.flake8] in {os.path.relpath(pyproject)} without the "
              "Flake8-pyproject plugin (pip install Flake8-pyproject); ssot-check reads it", file=sys.stderr)


class SSOTChecker:
    """flake8 entry point ``SOT``."""

    name = "flake8-ssot"
    version = __version__
    config: Config | None = None
    baseline: Baseline | None = None

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(parser: Any) -> None:
        for spec in OPTIONS:
            extra = {"comma_separated_list": True, "normalize_paths": True} if spec.is_path else (
                {"normalize_paths": True} if spec.kind == "file" else {})
            parser.add_option(
                f"--{spec.key}",
                default=spec.default,
                parse_from_config=True,
                help=f"{spec.help} (default: {spec.default or 'none'})",
                **extra,
            )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        command_line = _command_line(sys.argv[1:])
        selected = [*(options.select or ()), *(options.extend_select or ())]
        values = vars(options)
        if command_line.ssot_baseline and options.ssot_baseline:
            # flake8 leaves a name without "/" as typed; typed here, it is relative
            # to the working directory (from the config file, to the file's directory).
            values = {**values, "ssot_baseline": os.path.abspath(options.ssot_baseline)}
        try:
            for key in ("select", "extend_select", "ignore", "extend_ignore"):
                check_codes(key.replace("_", "-"), getattr(options, key, None) or (), any_plugin=True)
            per_file_ignores = per_file_ignores_text(getattr(options, "per_file_ignores", ""))
            for _pattern, codes in parse_per_file_ignores(per_file_ignores):
                check_codes("per-file-ignores", codes, any_plugin=True)
            # With Flake8-pyproject installed, [tool.flake8] replaces the other files.
            flake8_reads_pyproject = hasattr(options, "toml_config")
            config_file, read_files, from_toml = config_files(
                os.getcwd(), config=command_line.config, append_config=command_line.append_config,
                isolated=command_line.isolated, toml_config=getattr(options, "toml_config", None),
                read_pyproject=flake8_reads_pyproject,
            )
            if from_toml:
                read_section(config_file)  # type: ignore[arg-type]  # its ssot-* keys are checked like a config file's
            else:
                for path in read_files:
                    check_config_file(path)
            if not flake8_reads_pyproject:
                _warn_if_pyproject_is_ignored()
            test_names = _test_names(options)
            root = project_root(config_file, pytest_config=test_names.config_file)
            cls.config = build_config(values, root, selected, test_names)
            cls.baseline = None
            if cls.config.baseline:
                # Imported only when a baseline is configured: every flake8
                # start (an editor's, on each save) would pay for it.
                from flake8_ssot.baseline import Baseline  # noqa: PLC0415

                cls.baseline = Baseline.load(cls.config.baseline)
        except ConfigError as error:
            raise SystemExit(str(error)) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        config = self.config
        if config is None:  # used without flake8's option parsing (tests, API)
            config = build_config({}, project_root(None))
        found = check_tree(self.tree, self.lines, self.filename, config)
        if self.baseline is not None:
            found = self.baseline.new_findings(self.filename, found, self.lines)
        for item in found:
            yield item.line, item.col, item.text, type(self)
