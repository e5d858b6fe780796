"""ssot-check's fast path (parse only files a trigger selects) reports what a full parse does.

The one documented difference: a syntax error (E999) in a file that no
trigger selects is not reported, because that file is never parsed.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import os
import random
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings as hypothesis_settings, strategies as st

from flake8_ssot import cli
from flake8_ssot.checker import analyse_tree
from flake8_ssot.config import build_config
from flake8_ssot.project import Settings, expand_paths, load_settings
from flake8_ssot.registry import RULES
from flake8_ssot.runner import FileReport, check_lines, check_paths, decode_lines
from flake8_ssot.paths import file_path
from flake8_ssot.triggers import (
    CONCATENATION, LOCATORS, NAME_ESCAPE, RELATIVE_IMPORT, Source, needs_parse, pieces, triggers_for,
)
from tests.expectations import FIXTURES_DIR, SELECT, all_fixtures, materialise
from tests.test_benchmarks import generate_suite

# Every code, the optional ones included, and syntax errors.
SELECT_ALL = ",".join((*SELECT, "E999"))


def _settings(root: Path, **options: str) -> Settings:
    overrides = {"select": SELECT_ALL, **{key.replace("_", "-"): value for key, value in options.items()}}
    return load_settings(overrides, cwd=str(root), isolated=not (root / "setup.cfg").is_file())


def _skipped(path: str, settings: Settings) -> bool:
    """Whether the fast path leaves ``path`` unparsed."""
    with open(path, "rb") as source:
        lines = decode_lines(source.read())
    reports = settings.selection.for_file(path).reports
    return not needs_parse(Source.of(lines, file_path(path, settings.config.root)), settings.config, reports)


def assert_same_findings(paths: list[str], settings: Settings) -> tuple[int, int]:
    """Both modes agree on ``paths``; returns (files skipped, findings)."""
    fast = check_paths(paths, settings)
    full = check_paths(paths, dataclasses.replace(settings, full_parse=True))
    skipped = {path for path in paths if _skipped(path, settings)}
    expected = [
        FileReport(report.path, [f for f in report.findings if not (f.code == "E999" and report.path in skipped)])
        for report in full
    ]
    mismatches = [(a.path, a.findings, b.findings) for a, b in zip(fast, expected) if a != b]
    assert not mismatches, mismatches[:3]
    assert len(fast) == len(expected)
    return len(skipped), sum(len(report.findings) for report in full)


def test_every_trigger_and_locator_is_some_rules() -> None:
    named = triggers_for(_settings(FIXTURES_DIR).config).named
    assert {rule.trigger for rule in RULES.values()} == set(named)
    assert {rule.expressions for rule in RULES.values()} - {None} == set(LOCATORS)


def test_a_comment_full_of_hashes_does_not_backtrack() -> None:
    """numpy's test_cpu_features.py once hung SOT507's concatenation scan."""
    line = "x' " + "#" * 64 + "'"
    code = f"from flake8_ssot.triggers import CONCATENATION; assert not CONCATENATION.search({line!r})"
    subprocess.run([sys.executable, "-c", code], timeout=120, check=True)  # not a timing: a hang detector


def test_fixture_corpus(tmp_path: Path) -> None:
    materialise(all_fixtures(), tmp_path)
    settings = _settings(tmp_path)
    paths = list(expand_paths([str(tmp_path)], settings))
    skipped, found = assert_same_findings(paths, settings)
    assert found > 50
    assert skipped > 0


def test_synthetic_corpus(tmp_path: Path) -> None:
    generate_suite.generate(str(tmp_path), 300)
    settings = _settings(tmp_path)
    paths = list(expand_paths([str(tmp_path)], settings))
    skipped, found = assert_same_findings(paths, settings)
    # The corpus has application modules no rule applies to, and syntax errors.
    assert found > 100
    assert skipped > 30


def test_installed_python() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    every = []
    for directory, subdirectories, files in os.walk(stdlib):
        subdirectories[:] = [name for name in subdirectories if name != "site-packages"]
        every += [os.path.join(directory, name) for name in files if name.endswith(".py")]
    every.sort()
    sample = every[::max(1, len(every) // 400)]
    # Scope some of it as real-service code and make SOT502 fire, so every family has work.
    settings = _settings(
        stdlib, ssot_integration_paths="test, unittest", ssot_e2e_paths="asyncio", ssot_max_module_lines="800",
    )
    skipped, found = assert_same_findings(sample, settings)
    assert found > 100
    assert skipped > 50


def test_full_parse_flag_reports_the_syntax_error_the_fast_path_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "helpers.py").write_text("def broken(:\n    return 1\n")
    assert cli.main(["--isolated", "--no-cache", "--select=SOT,E999", str(tmp_path)]) == 0
    assert cli.main(["--isolated", "--no-cache", "--select=SOT,E999", "--full-parse", str(tmp_path)]) == 1
    assert "E999" in capsys.readouterr().out


# ----------------------------------------------------------------- property
# Source texts rich in findings: every fixture file, under names that are no
# test module's, some under a real-service directory.
_SOURCES = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES_DIR.rglob("*.py"))]
_NAMES = ("pkg/service.py", "tools/build.py", "tests/integration/helpers.py", "tests/e2e/clients/ws.py")


Breaker = tuple[re.Pattern[str], int, str]


def _strip_triggers(text: str, name: str, settings: Settings, rng: random.Random) -> str:
    """``text`` with every trigger broken by changing one character of each match."""
    config = settings.config
    words = {"mock", "asynctest", "environ", "getenv", "putenv", "unsetenv", "skip",
             *config.e2e_markers, *config.integration_markers, *config.double_class_words,
             *(module.split(".")[0] for module in config.fake_modules),
             *(piece for name in config.critical_names for piece in pieces(name, 3))}
    # (pattern, index of the character to replace within a match, replacement)
    breakers = [(re.compile(re.escape(word), re.IGNORECASE), 0, "Q") for word in sorted(words)]
    breakers += [
        (RELATIVE_IMPORT, -1, "Q"),  # from . import x -> from Q import x
        (NAME_ESCAPE, 0, "/"),
        (CONCATENATION, 0, " "),
    ]
    rng.shuffle(breakers)
    lines = len(text.splitlines(keepends=True))
    assert lines <= config.max_module_lines
    reports = settings.selection.for_file(name).reports

    def broken(applied: list[Breaker]) -> str:
        result = text
        for _round in range(3):  # a replacement can complete another match
            before = result
            for pattern, index, replacement in applied:
                result = pattern.sub(functools.partial(_replace, index=index, replacement=replacement), result)
            if result == before:  # settled: another round would change nothing
                break
        return result

    def selected(text: str) -> bool:
        return needs_parse(Source(text, text.splitlines(keepends=True), file_path(name, config.root)), config, reports)

    if selected(broken(breakers)):
        raise AssertionError(f"could not strip every trigger from:\n{text}")
    # Keep only the breakers needed, so that a trigger that wrongly stays
    # quiet leaves its findings in the text.
    applied = list(breakers)
    for breaker in breakers:
        fewer = [b for b in applied if b is not breaker]
        if not selected(broken(fewer)):
            applied = fewer
    return broken(applied)


def _replace(match: re.Match[str], index: int, replacement: str) -> str:
    chars = list(match.group())
    chars[index] = replacement
    return "".join(chars)


def _statements(source: str) -> list[str]:
    """The top-level statements of ``source`` (with their decorators), as written."""
    lines = source.splitlines(keepends=True)
    found = []
    for node in ast.parse(source).body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        found.append("".join(lines[first - 1:node.end_lineno]))
    return found


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.sampled_from(_SOURCES), name=st.sampled_from(_NAMES), data=st.data())
def test_a_file_without_triggers_has_no_finding(source: str, name: str, data: st.DataObject, tmp_path: Path) -> None:
    statements = _statements(source)
    kept = data.draw(st.lists(st.booleans(), min_size=len(statements), max_size=len(statements)))
    text = "".join(statement for statement, keep in zip(statements, kept) if keep)
    filename = os.path.join(str(tmp_path), name)
    settings = dataclasses.replace(_settings(tmp_path), full_parse=True)
    stripped = _strip_triggers(text, filename, settings, data.draw(st.randoms(use_true_random=False)))
    found = check_lines(filename, stripped.splitlines(keepends=True), settings)
    event("parses" if not found else "syntax error")
    assert [f for f in found if f.code != "E999"] == []


# Each node a rule looks for is found only through the locator's words,
# an import alias, NFKC normalisation or a ``:=`` line: with any of those
# missing, the statement holding it would be walked without its expressions.
LOCATED = [
    ("tests/integration/test_alias.py", "SOT101",
     "from unittest.mock import MagicMock as MM\n\n\ndef test_x():\n    return MM()\n"),
    ("tests/integration/test_sentinel.py", "SOT101",
     "from unittest import mock\n\n\ndef test_x():\n    return mock.sentinel.token\n"),
    ("tests/integration/test_sentinel_alias.py", "SOT101",
     "from unittest.mock import sentinel as S\n\n\ndef test_x():\n    return S.token\n"),
    ("tests/integration/test_split.py", "SOT101",
     "import unittest.mock as um\n\n\ndef test_x():\n    client = (\n        um.\n        MagicMock()\n    )\n"),
    ("tests/integration/test_decorator.py", "SOT102",
     "from unittest.mock import patch\n\n\n@patch('app.clock')\ndef test_x(clock):\n    assert clock\n"),
    ("tests/integration/test_with.py", "SOT102",
     "from unittest import mock\n\n\ndef test_x():\n    with mock.patch.object(A, 'b'):\n        pass\n"),
    ("app/settings.py", "SOT301", "from os import environ as E\n\nTOKEN = E['TOKEN']\n"),
    ("app/settings.py", "SOT302", "from os import (\n    getenv as g,\n)\n\nTOKEN = g('TOKEN')\n"),
    ("app/settings.py", "SOT301", "from \\\n    os import environ \\\n    as E2\n\nTOKEN = E2.get('T')\n"),
    ("app/settings.py", "SOT301", "from os import (  # see (docs)\n    environ as E,\n)\n\nTOKEN = E['T']\n"),
    ("app/settings.py", "SOT301", "from os import (environ  # the process's\n    as ENV)\n\nTOKEN = ENV['T']\n"),
    ("app/settings.py", "SOT301", "from os import environ as \u2118\u2118\n\nTOKEN = \u2118\u2118['T']\n"),
    ("app/settings.py", "SOT301", "import os\n\nTOKEN = os.\uff45nviron['TOKEN']\n"),  # the parser reads environ
    ("tests/test_env.py", "SOT303",
     "def test_x(monkeypatch):\n    monkeypatch.setenv('A', '1')\n"),
    ("tests/test_param.py", "SOT504",
     "import pytest\n\n\n@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.skip)])\n"
     "def test_x(x):\n    assert x\n"),
    ("tests/test_sleep.py", "SOT505",
     "from time import sleep as nap\n\n\ndef test_x():\n    nap(2)\n    assert True\n"),
    # ``os`` is bound by ``:=`` before its use: no finding, as with the full walk.
    ("app/settings.py", None,
     "import os\n\n\ndef token():\n    if (os := load()):\n        pass\n    return os.environ['T']\n"),
]


@pytest.mark.parametrize(("name", "code", "text"), LOCATED, ids=[f"{c}-{n}" for n, c, _t in LOCATED])
def test_the_walk_visits_every_statement_a_rule_needs(name: str, code: str | None, text: str) -> None:
    config = build_config({}, "/project", ["SOT", "SOT505"])  # not SOT506/SOT507: they need every statement
    lines = text.splitlines(keepends=True)
    source = Source.of(lines, file_path(f"/project/{name}", config.root))
    tree = ast.parse(text)
    triggers = triggers_for(config)
    assert triggers.expression_lines(triggers.active(config.enabled_codes, source), source) is not None
    triggered = analyse_tree(tree, lines, source, config, with_facts=False).findings
    assert triggered == analyse_tree(tree, lines, source, config, with_facts=False, use_triggers=False).findings
    assert [f.code for f in triggered if f.code == code or code is None and f.code.startswith("SOT3")] == \
        ([code] if code else [])
