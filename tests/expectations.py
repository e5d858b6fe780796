"""Fixture files with their expected findings, and the project tree they are checked in.

A fixture under ``tests/fixtures/<family>/`` is a real-looking module.  Its
first line declares the path it pretends to live at (``stdin`` for code
piped in without a name)::

    # ssot-path: tests/integration/test_payment_flow.py

and each finding it must produce is declared beside its line::

    um.MagicMock()  # expect: SOT101
    um.patch.dict(os.environ, {})  # expect: SOT102, SOT301

Annotations may also stand at the end of a line inside a docstring (BVJ
findings are reported there).  They are removed before the code is checked,
so the checked text is exactly what a user would write.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable, Mapping

from flake8 import utils as flake8_utils
from flake8.main.cli import main as flake8_main
from flake8.options import aggregator as flake8_aggregator
from flake8.options import config as flake8_config

from flake8_ssot import cli, toml_files
from flake8_ssot.config import OPTIONS_BY_KEY, Config, build_config, normalize_path
from flake8_ssot.plugin import SSOTChecker
from flake8_ssot.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = ROOT / "tests" / "fixtures"


def load_benchmark(name: str) -> ModuleType:
    """A module of ``benchmarks/`` (a directory of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


FLAKE8_CORE = load_benchmark("flake8_core")  # its plugin filter
# An integration test module's code after its docstring: one mock (SOT101)
# and one environment access (SOT301), for the output and baseline tests.
PAYMENT_TESTS = '''import os
from unittest.mock import MagicMock


def test_charge():
    gateway = MagicMock()
    assert gateway.charge(10)


def test_refund():
    token = os.environ["GATEWAY_TOKEN"]
    assert token
'''
STDIN = "stdin"

_PATH_LINE = re.compile(r"^# ssot-path:\s*(?P<path>\S+)")
_EXPECT = re.compile(r"\s*#\s*expect:(?P<codes>[^#\n]*)$")
_CODE = re.compile(r"^SOT\d{3}$")

# The [flake8] options every fixture is checked under.
FIXTURE_OPTIONS: Mapping[str, str] = {
    "ssot-mock-allowed-targets": "openai.*, *.oauth_provider.*",
    "ssot-environ-allowed-paths": "shared/isolated_environment.py",
}
# Four-character prefixes switch on codes that are off by default, so the
# fixtures pin down every code the plugin has.
SELECT: tuple[str, ...] = tuple(sorted({code[:4] for code in RULES}))

Expected = frozenset[tuple[int, str]]


@dataclass(frozen=True)
class Fixture:
    source: Path
    virtual_path: str  # relative to the project root, or STDIN
    text: str  # the code to check: the fixture without its annotations
    expected: Expected

    @property
    def id(self) -> str:
        return self.source.relative_to(FIXTURES_DIR).as_posix()

    @property
    def is_stdin(self) -> bool:
        return self.virtual_path == STDIN


def parse_fixture(source: Path) -> Fixture:
    """Read a fixture's virtual path and expectations; strip the annotations."""
    raw_lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header = _PATH_LINE.match(raw_lines[0]) if raw_lines else None
    if header is None:
        raise ValueError(f"{source}: line 1 must be '# ssot-path: <path>'")
    expected: set[tuple[int, str]] = set()
    checked: list[str] = []
    for number, line in enumerate(raw_lines, start=1):
        body = line.rstrip("\r\n")
        annotation = _EXPECT.search(body)
        if annotation is not None:
            codes = [code.strip() for code in annotation.group("codes").split(",")]
            bad = [code for code in codes if not _CODE.match(code)]
            if bad:
                raise ValueError(f"{source}:{number}: malformed expectation {bad}")
            expected.update((number, code) for code in codes)
            line = body[: annotation.start()] + line[len(body):]
        checked.append(line)
    return Fixture(source, header.group("path"), "".join(checked), frozenset(expected))


def all_fixtures() -> list[Fixture]:
    fixtures = [parse_fixture(path) for path in sorted(FIXTURES_DIR.glob("*/*.py"))]
    seen: dict[str, str] = {}
    for fixture in fixtures:
        if fixture.is_stdin:
            continue
        if fixture.virtual_path in seen:
            raise ValueError(f"{fixture.id} and {seen[fixture.virtual_path]} share {fixture.virtual_path}")
        seen[fixture.virtual_path] = fixture.id
    return fixtures


def render_setup_cfg(options: Mapping[str, str]) -> str:
    return "[flake8]\n" + "".join(f"{key} = {value}\n" for key, value in options.items())


def materialise(fixtures: Iterable[Fixture], root: Path, options: Mapping[str, str] = FIXTURE_OPTIONS) -> None:
    """Write every named fixture at its virtual path under ``root``, with a
    setup.cfg holding ``options``, so one flake8 run checks them all."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "setup.cfg").write_text(render_setup_cfg(options), encoding="utf-8")
    for fixture in fixtures:
        if not fixture.is_stdin:
            target = root / fixture.virtual_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(fixture.text, encoding="utf-8")


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (UTF-8), making directories."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def config_for(root: Path, options: Mapping[str, str] = FIXTURE_OPTIONS) -> Config:
    """The Config flake8 builds from ``options`` in ``root/setup.cfg``: path
    entries made absolute against the config file's directory."""
    values: dict[str, object] = {}
    for key, value in options.items():
        spec = OPTIONS_BY_KEY[key]
        if spec.is_path:
            values[spec.dest] = [normalize_path(item, str(root)) for item in re.split(r"[,\s]+", value) if item]
        else:
            values[spec.dest] = value
    return build_config(values, str(root), SELECT)


def run_flake8(
    *args: str, cwd: Path, stdin: str | None = None, plugins: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """flake8's command line (``flake8.main.cli.main``) run in this process,
    as :func:`run_in_process` runs it, with every installed plugin or with
    ``plugins`` only (``benchmarks/flake8_core.py``: ``ssot`` is ours alone).
    What a flake8 run leaves behind for the next in the same process is put
    back: its cached standard input, Flake8-pyproject's patches of flake8's
    config reading and its ``--toml-config``, our plugin's options."""
    patched = [(flake8_aggregator, "aggregate_options"), (flake8_config, "parse_config"),
               (SSOTChecker, "config"), (SSOTChecker, "baseline")]
    flake8p_hook = sys.modules.get("flake8p.hook")
    if flake8p_hook is not None:
        patched.append((flake8p_hook, "toml_config"))
    saved = [(owner, name, getattr(owner, name)) for owner, name in patched]
    flake8_utils.stdin_get_value.cache_clear()
    try:
        with FLAKE8_CORE.only(plugins) if plugins else contextlib.nullcontext():
            return run_in_process(flake8_main, ["flake8", *args], cwd=cwd, stdin=stdin)
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        if flake8p_hook is None and "flake8p.hook" in sys.modules:  # imported by this run: as if never
            sys.modules["flake8p.hook"].toml_config = Path("pyproject.toml")


def run_ssot_check(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``ssot-check``'s command line (``cli.main``), as :func:`run_in_process` runs it."""
    toml_files.forget()  # the tests rewrite config files faster than the clock ticks
    return run_in_process(cli.main, ["ssot-check", *args], cwd=cwd, stdin=stdin)


def run_ssot_check_process(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``ssot-check`` as installed (``python -m flake8_ssot.cli``) in a process
    of its own, for what only a process shows: its start, its environment,
    what it reads and writes on the way."""
    return subprocess.run([sys.executable, "-m", "flake8_ssot.cli", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def run_in_process(
    main: Callable[[list[str]], int], argv: list[str], *, cwd: Path, stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``main(argv[1:])`` with the working directory, standard streams, exit
    status and stderr logging a process of its own would have: starting one
    costs more than most of these runs.  The installed commands themselves
    run as processes in test_quick_start, test_hooks (through pre-commit) and
    wherever :func:`run_ssot_check_process` is used."""
    out, err = io.BytesIO(), io.BytesIO()
    streams = (io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8"),
               io.TextIOWrapper(out, encoding="utf-8", write_through=True),
               io.TextIOWrapper(err, encoding="utf-8", write_through=True))
    saved = sys.stdin, sys.stdout, sys.stderr, os.getcwd(), logging.lastResort, sys.argv
    root = logging.getLogger()
    handlers = root.handlers[:]
    # Logging as in a process that configures none (pytest's handlers are on
    # the root): a record no handler takes goes to the last resort, stderr.
    root.handlers = []
    logging.lastResort = logging.StreamHandler(streams[2])
    logging.lastResort.setLevel(logging.WARNING)
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.argv = argv  # the plugin reads flake8's command line there (plugin._command_line)
    try:
        os.chdir(cwd)
        try:
            status = main(argv[1:])
        except SystemExit as exit:  # argparse, or a message to stderr with status 1, as Python exits
            if isinstance(exit.code, str):
                print(exit.code, file=sys.stderr)
            status = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
        except Exception:  # noqa: BLE001 - a traceback on stderr and status 1, as Python exits
            traceback.print_exc(file=sys.stderr)
            status = 1
    finally:
        root.handlers = handlers
        sys.stdin, sys.stdout, sys.stderr = saved[:3]
        os.chdir(saved[3])
        logging.lastResort, sys.argv = saved[4:]
        for stream in streams:
            stream.detach()  # flushed, and the buffers left open to be read
    return subprocess.CompletedProcess(argv, status, _as_text(out), _as_text(err))


def _as_text(stream: io.BytesIO) -> str:
    """What ``subprocess.run(text=True)`` reads from a pipe: UTF-8, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(stream.getvalue()), encoding="utf-8").read()


_REPORT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")


def parse_report(output: str) -> dict[str, dict[tuple[int, str], str]]:
    """flake8's default format -> {path as printed: {(line, code): message}}."""
    found: dict[str, dict[tuple[int, str], str]] = {}
    for line in output.splitlines():
        match = _REPORT_LINE.match(line)
        if match is None:
            raise ValueError(f"unexpected flake8 output line: {line!r}")
        path = match.group("path").removeprefix("./")
        found.setdefault(path, {})[(int(match.group("line")), match.group("code"))] = match.group("message")
    return found


def describe_mismatch(fixture: Fixture, found: Mapping[tuple[int, str], str], engine: str) -> str:
    """A readable diff of expected against found, with the source lines."""
    lines = fixture.text.splitlines()
    report = [f"{fixture.id} (as {fixture.virtual_path}) via {engine}:"]
    for key in sorted(fixture.expected | set(found)):
        line, code = key
        if key in fixture.expected and key in found:
            continue
        what = "missing   " if key in fixture.expected else "unexpected"
        source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        message = f"  ({found[key]})" if key in found else ""
        report.append(f"  {what} {line:>4} {code}  | {source}{message}")
    return "\n".join(report)
