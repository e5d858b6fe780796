"""Options: one table of ``ssot-*`` keys, parsed and validated into a Config.

The flake8 adapter and the standalone runner both build their Config
through :func:`build_config`, so a value means the same thing everywhere
and a bad value is rejected with the same one-line message.
"""

from __future__ import annotations

import configparser
import difflib
import math
import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from flake8_ssot.errors import ConfigError
from flake8_ssot.pytest_config import KEYS as PYTEST_KEYS
from flake8_ssot.pytest_config import PYTEST_DEFAULTS, TestNames
from flake8_ssot.registry import PREFIX, RULES


@dataclass(frozen=True)
class OptionSpec:
    key: str  # the config-file key, e.g. "ssot-e2e-paths"
    kind: str  # paths | names | words | fields | globs | patterns | int | float | file | imports | callable
    default: str
    help: str

    @property
    def dest(self) -> str:
        return self.key.replace("-", "_")

    @property
    def is_path(self) -> bool:
        # flake8 splits these itself and makes entries containing "/"
        # absolute relative to the config file's directory.
        return self.kind == "paths"


DEFAULT_BASES = (
    "SSotBaseTestCase, SSotAsyncTestCase, BaseIntegrationTest, DatabaseIntegrationTest, "
    "CacheIntegrationTest, WebSocketIntegrationTest, ServiceOrchestrationIntegrationTest"
)
DEFAULT_BVJ_FIELDS = (
    "Segment, Business Goal|Goal, Value Impact, "
    "Strategic Impact|Revenue Impact|Strategic/Revenue Impact"
)

OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("ssot-e2e-paths", "paths", "e2e",
               "Directories whose files are e2e tests: a bare name matches any directory "
               "component, an entry with '/' is a glob relative to the config file."),
    OptionSpec("ssot-integration-paths", "paths", "integration",
               "Directories whose files are integration tests (same form as ssot-e2e-paths)."),
    OptionSpec("ssot-e2e-markers", "names", "e2e",
               "pytest markers that put what they decorate in e2e scope."),
    OptionSpec("ssot-integration-markers", "names", "integration, real_services",
               "pytest markers that put what they decorate in integration scope."),
    OptionSpec("ssot-fake-modules", "names",
               "fakeredis, mongomock, requests_mock, responses, respx, aioresponses, httpretty",
               "Modules that fake a real service (SOT104)."),
    OptionSpec("ssot-double-class-words", "words", "Mock, Fake, Stub, Dummy",
               "A class whose name starts or ends with one of these words is a test double (SOT105)."),
    OptionSpec("ssot-mock-allowed-targets", "globs", "",
               "Dotted patch targets allowed in integration scope (never in e2e), e.g. 'openai.*'."),
    OptionSpec("ssot-bvj-fields", "fields", DEFAULT_BVJ_FIELDS,
               "Required BVJ fields, comma-separated; alternative spellings joined by '|'."),
    OptionSpec("ssot-bvj-segments", "words", "Free, Early, Mid, Enterprise, Platform, Internal, All",
               "Customer segments a BVJ Segment must name (SOT203)."),
    OptionSpec("ssot-environ-allowed-paths", "paths", "",
               "Files allowed to touch the process environment (the isolated-environment module)."),
    OptionSpec("ssot-forbidden-bases", "names",
               "unittest.TestCase, unittest.IsolatedAsyncioTestCase, asynctest.TestCase",
               "Fully qualified base classes tests must not derive from directly (SOT401)."),
    OptionSpec("ssot-bases", "names", DEFAULT_BASES,
               "The SSOT test base classes (simple or dotted names)."),
    OptionSpec("ssot-async-bases", "names", "SSotAsyncTestCase",
               "SSOT bases that run asyncSetUp/asyncTearDown (SOT403)."),
    OptionSpec("ssot-max-module-lines", "int", "1500",
               "Longest module allowed, in lines; 0 turns the check off (SOT502)."),
    OptionSpec("ssot-max-sleep", "float", "0.5",
               "Shortest literal sleep in a test that is reported, in seconds (SOT505)."),
    OptionSpec("ssot-critical-names", "names",
               "agent_started, agent_thinking, tool_executing, tool_completed, agent_completed",
               "Names whose near-misses in string literals are reported (SOT507)."),
    OptionSpec("ssot-python-files", "patterns", "",
               "Test module names, as pytest's python_files (default: read from the project's pytest "
               "configuration, else test_*.py *_test.py)."),
    OptionSpec("ssot-python-classes", "patterns", "",
               "Test class names, as pytest's python_classes: prefixes or globs (default: read from the "
               "project's pytest configuration, else Test)."),
    OptionSpec("ssot-python-functions", "patterns", "",
               "Test function names, as pytest's python_functions: prefixes or globs (default: read from the "
               "project's pytest configuration, else test)."),
    OptionSpec("ssot-base-imports", "imports", "",
               "For the SOT401 fix: each SSOT base and the module it is imported from, "
               "'SSotBaseTestCase = test_framework.ssot.base_test_case'; an async base (ssot-async-bases) "
               "replaces IsolatedAsyncioTestCase, another base unittest.TestCase."),
    OptionSpec("ssot-environ-accessor", "callable", "",
               "For the SOT301/SOT302 fixes: the dotted name of the isolated-environment accessor, a callable "
               "returning a mapping with .get(), e.g. 'shared.isolated_environment.get_env'."),
    OptionSpec("ssot-source-roots", "paths", "",
               "For the SOT501 fix: directories imports start from (relative to the config file, e.g. 'src, .'); "
               "a module below one is named by its path from it, __init__.py or not."),
    OptionSpec("ssot-baseline", "file", "",
               "A baseline written by 'ssot-check --write-baseline': the findings it records are not "
               "reported (relative to the config file)."),
)

OPTIONS_BY_KEY = {spec.key: spec for spec in OPTIONS}

_SPLIT = re.compile(r"[,\n]")
_SPLIT_WORDS = re.compile(r"[,\s]+")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_WORD = re.compile(r"^[A-Za-z0-9_]+$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9 /&()'-]*$")
# A patch target pattern: dotted name characters plus fnmatch syntax; quotes
# or slashes would make it silently match nothing.
_GLOB = re.compile(r"^[\w.*?\[\]!-]+$")
_PATTERN = re.compile(r"^[^\s'\"]+$")
_PROJECT_FILES = ("setup.cfg", "tox.ini", ".flake8")
_VCS_MARKERS = (".git", ".hg", ".svn", ".jj")


@dataclass(frozen=True)
class Config:
    """The effective, validated configuration; immutable and picklable."""

    root: str
    e2e_paths: tuple[str, ...]
    integration_paths: tuple[str, ...]
    e2e_markers: frozenset[str]
    integration_markers: frozenset[str]
    fake_modules: tuple[str, ...]
    double_class_words: frozenset[str]
    mock_allowed_targets: tuple[str, ...]
    bvj_fields: tuple[tuple[str, ...], ...]
    bvj_segments: tuple[str, ...]
    environ_allowed_paths: tuple[str, ...]
    forbidden_bases: frozenset[str]
    ssot_bases: frozenset[str]
    async_bases: frozenset[str]
    max_module_lines: int
    max_sleep: float
    critical_names: frozenset[str]
    baseline: str | None  # absolute path of the baseline file, if any
    enabled_codes: frozenset[str]
    test_names: TestNames = PYTEST_DEFAULTS  # what pytest collects (pytest_config.py)
    # For fixes only (flake8_ssot/fixes): (SSOT base, module) pairs in the
    # order given, and the environment accessor's dotted name.
    base_imports: tuple[tuple[str, str], ...] = ()
    environ_accessor: str | None = None
    source_roots: tuple[str, ...] = ()  # absolute, or as given when bare names (resolved against root)


_LISTS = (list, tuple, set, frozenset)


def _items(value: object, splitter: re.Pattern[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts: Iterable[str] = splitter.split(value)
    else:
        parts = (str(part) for part in value)  # type: ignore[attr-defined]
    return [part.strip() for part in parts if part.strip()]


def _fail(spec: OptionSpec, value: object, why: str) -> ConfigError:
    shown = ", ".join(map(str, value)) if isinstance(value, _LISTS) else str(value)
    return ConfigError(f"flake8-ssot: invalid value for {spec.key}: {shown!r} ({why})")


def _checked(spec: OptionSpec, value: object, items: list[str],
             valid: Callable[[str], bool], why: str) -> list[str]:
    for item in items:
        if not valid(item):
            raise _fail(spec, value, f"{item!r} {why}")
    return items


def _parse(spec: OptionSpec, value: object) -> object:
    kind = spec.kind
    if kind == "file":
        if not isinstance(value, str):
            raise _fail(spec, value, "expected one file name")
        return value.strip() or None
    if kind not in ("int", "float") and not isinstance(value, (str, *_LISTS)):
        # A number or boolean where a list belongs (a TOML value, an API caller's slip).
        raise _fail(spec, value, "expected a comma-separated list")
    if kind == "callable":
        text = value.strip() if isinstance(value, str) else None
        if text is None or (text and not (_DOTTED.match(text) and "." in text)):
            raise _fail(spec, value, "expected a dotted name, module.callable")
        return text or None
    if kind == "imports":
        return tuple(_base_import(spec, value, item) for item in _items(value, _SPLIT))
    if kind == "paths":
        return tuple(_items(value, _SPLIT_WORDS))
    if kind == "globs":
        return tuple(_checked(spec, value, _items(value, _SPLIT_WORDS), _GLOB.match, "is not a dotted-name glob"))
    if kind == "names":
        return frozenset(_checked(spec, value, _items(value, _SPLIT_WORDS),
                                  _DOTTED.match, "is not a Python name"))
    if kind == "patterns":
        return tuple(_checked(spec, value, _items(value, _SPLIT_WORDS), _PATTERN.match,
                              "is not a name pattern (no quotes)"))
    if kind == "words":
        return _checked(spec, value, _items(value, _SPLIT_WORDS), _WORD.match, "is not a word")
    if kind == "fields":
        fields = []
        for item in _items(value, _SPLIT):
            alternatives = tuple(alt.strip() for alt in item.split("|"))
            _checked(spec, value, list(alternatives), _FIELD.match, "is not a field name")
            fields.append(alternatives)
        if not fields:
            raise _fail(spec, value, "at least one field is required")
        return tuple(fields)
    if kind in ("int", "float"):
        text = str(value).strip()
        try:
            number = int(text) if kind == "int" else float(text)
        except ValueError:
            raise _fail(spec, value, f"expected a{'n integer' if kind == 'int' else ' number'}") from None
        if not math.isfinite(number) or number < 0:
            raise _fail(spec, value, "expected a non-negative number")
        return number
    raise AssertionError(kind)


def _base_import(spec: OptionSpec, value: object, item: str) -> tuple[str, str]:
    """``'Name = package.module'`` -> ``('Name', 'package.module')``."""
    name, equals, module = (part.strip() for part in item.partition("="))
    if not (equals and name.isidentifier() and _DOTTED.match(module)):
        raise _fail(spec, value, f"{item!r} is not 'ClassName = module.path'")
    return name, module


def normalize_path(path: str, parent: str) -> str:
    """Make ``path`` absolute against ``parent`` if it names a path.

    Exactly flake8's ``utils.normalize_path``: ``.`` or anything containing a
    separator (``build/`` too) is a path; a bare name (``..`` included) is a
    pattern matched against each name.
    """
    separators = os.sep + (os.altsep or "")
    if path == "." or any(sep in path for sep in separators):
        path = os.path.abspath(os.path.join(parent, path))
    return path.rstrip(separators)


def optional_codes_enabled(selected: Iterable[str]) -> frozenset[str]:
    """Off-by-default codes switched on by a select entry at least 4 chars long.

    ``select = SOT`` keeps them off (it only restricts flake8 to our family);
    ``extend-select = SOT5`` or ``SOT505`` turns them on, as in flake8-bugbear.
    """
    prefixes = {entry.strip().upper() for entry in selected}
    return frozenset(
        code for code, rule in RULES.items()
        if not rule.default_enabled
        and any(len(p) > len(PREFIX) and code.startswith(p) for p in prefixes)
    )


def build_config(
    values: Mapping[str, object], root: str, selected: Sequence[str] = (), test_names: TestNames = PYTEST_DEFAULTS,
) -> Config:
    """Validate raw option values (keyed by dest name) into a Config.

    Missing keys take their defaults.  Path entries must already be
    normalized by the caller (flake8 does it for the plugin); a relative
    ``ssot-baseline`` is taken relative to ``root``.  ``test_names`` are the
    project's pytest names, which the ``ssot-python-*`` options override.
    """
    parsed: dict[str, object] = {}
    for spec in OPTIONS:
        raw = values.get(spec.dest)
        if raw is None:
            raw = spec.default
            if spec.is_path:
                raw = [normalize_path(p, root) for p in _items(raw, _SPLIT_WORDS)]
        parsed[spec.dest] = _parse(spec, raw)
    words = parsed.pop("ssot_double_class_words")
    segments = parsed.pop("ssot_bvj_segments")
    baseline = parsed.pop("ssot_baseline")
    test_names = test_names.with_overrides({key: parsed.pop(f"ssot_{key}") for key in PYTEST_KEYS})
    base_imports: tuple[tuple[str, str], ...] = parsed.pop("ssot_base_imports")  # type: ignore[assignment]
    bases = parsed["ssot_bases"] | parsed["ssot_async_bases"]  # type: ignore[operator]
    for name, module in base_imports:
        if name not in bases and f"{module}.{name}" not in bases:
            raise _fail(OPTIONS_BY_KEY["ssot-base-imports"], values.get("ssot_base_imports"),
                        f"{name!r} is in neither ssot-bases nor ssot-async-bases")
    return Config(
        root=root,
        e2e_paths=parsed["ssot_e2e_paths"],  # type: ignore[arg-type]
        integration_paths=parsed["ssot_integration_paths"],  # type: ignore[arg-type]
        e2e_markers=parsed["ssot_e2e_markers"],  # type: ignore[arg-type]
        integration_markers=parsed["ssot_integration_markers"],  # type: ignore[arg-type]
        fake_modules=tuple(sorted(parsed["ssot_fake_modules"])),  # type: ignore[call-overload]
        double_class_words=frozenset(w.lower() for w in words),  # type: ignore[attr-defined]
        mock_allowed_targets=parsed["ssot_mock_allowed_targets"],  # type: ignore[arg-type]
        bvj_fields=parsed["ssot_bvj_fields"],  # type: ignore[arg-type]
        bvj_segments=tuple(segments),  # type: ignore[arg-type]
        environ_allowed_paths=parsed["ssot_environ_allowed_paths"],  # type: ignore[arg-type]
        forbidden_bases=parsed["ssot_forbidden_bases"],  # type: ignore[arg-type]
        ssot_bases=parsed["ssot_bases"],  # type: ignore[arg-type]
        async_bases=parsed["ssot_async_bases"],  # type: ignore[arg-type]
        max_module_lines=parsed["ssot_max_module_lines"],  # type: ignore[arg-type]
        max_sleep=parsed["ssot_max_sleep"],  # type: ignore[arg-type]
        critical_names=parsed["ssot_critical_names"],  # type: ignore[arg-type]
        baseline=os.path.join(root, baseline) if baseline else None,  # type: ignore[arg-type]
        enabled_codes=frozenset(c for c, r in RULES.items() if r.default_enabled)
        | optional_codes_enabled(selected),
        test_names=test_names,
        base_imports=base_imports,
        environ_accessor=parsed["ssot_environ_accessor"],  # type: ignore[arg-type]
        source_roots=parsed["ssot_source_roots"],  # type: ignore[arg-type]
    )


def find_config_file(start: str) -> str | None:
    """The config file flake8 would use when run from ``start``.

    Same search as flake8: upward from ``start`` for setup.cfg / tox.ini /
    .flake8 holding a ``[flake8]`` section, stopping at the home directory.
    """
    home = os.path.expanduser("~")
    path = os.path.abspath(start)
    while True:
        for name in _PROJECT_FILES:
            candidate = os.path.join(path, name)
            if not os.path.isfile(candidate):
                continue
            parser = _read_ini(candidate)
            if parser is not None and (parser.has_section("flake8") or parser.has_section("flake8:local-plugins")):
                return candidate
        parent = os.path.dirname(path)
        if parent == path or parent == home:
            return None
        path = parent


def _read_ini(path: str) -> configparser.RawConfigParser | None:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="UTF-8")
    except (UnicodeDecodeError, configparser.Error):
        return None  # flake8 skips such a file too
    return parser


def check_option_keys(keys: Iterable[str], source: str) -> None:
    """Reject an ``ssot-*`` key that is no option: flake8 ignores unknown
    keys silently, so a typo would quietly leave the option at its default."""
    for key in keys:
        normal = key.strip().lower().replace("_", "-")  # flake8 accepts both spellings
        if normal.startswith("ssot") and normal not in OPTIONS_BY_KEY:
            close = difflib.get_close_matches(normal, OPTIONS_BY_KEY, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"flake8-ssot: unknown option {key} in {source}{hint}")


def check_config_file(path: str) -> None:
    """:func:`check_option_keys` over the ``[flake8]`` section of ``path``."""
    parser = _read_ini(path)
    if parser is None or not parser.has_section("flake8"):
        return
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = path
    check_option_keys(parser.options("flake8"), path if shown.startswith(os.pardir) else shown)


def project_root(config_file: str | None, cwd: str | None = None, pytest_config: str | None = None) -> str:
    """Directory that path-scope components are counted from.

    The flake8 config file's directory; without one, the pytest
    configuration's (pytest's rootdir); without that, the enclosing work
    tree of a version control system; without that, the working directory.
    Never the filesystem root: a project under ``/tmp/e2e/`` is not in e2e
    scope.
    """
    return project_root_and_reason(config_file, cwd, pytest_config)[0]


def project_root_and_reason(
    config_file: str | None, cwd: str | None = None, pytest_config: str | None = None,
) -> tuple[str, str]:
    """:func:`project_root`, and which of its rules chose it (``--show-settings``)."""
    if config_file:
        return os.path.dirname(os.path.abspath(config_file)), "the config file's directory"
    if pytest_config:
        return os.path.dirname(os.path.abspath(pytest_config)), "the pytest configuration's directory"
    start = path = os.path.abspath(cwd or os.getcwd())
    while True:
        if any(os.path.exists(os.path.join(path, marker)) for marker in _VCS_MARKERS):
            return path, "the version-control root"
        parent = os.path.dirname(path)
        if parent == path:
            return start, "the working directory: no config file, no version-control root"
        path = parent
