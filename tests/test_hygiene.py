"""SOT5xx beyond the fixtures: options, on/off defaults, messages, edit distance.

The fixtures in tests/fixtures/hygiene/ pin down what each code reports; these
tests cover what a fixture cannot: option values, which codes run by default,
message wording and the helpers' contracts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flake8_ssot.checker import check_tree
from flake8_ssot.config import ConfigError, build_config
from flake8_ssot.registry import RULES
from flake8_ssot.rules.hygiene import edit_distance, is_asserting_name
from tests.expectations import run_flake8

TEST_PATH = "tests/unit/test_agent_events.py"
BVJ = '''"""Agent events.

Business Value Justification (BVJ):
- Segment: Platform/Internal - Development Velocity
- Business Goal: Chat shows live agent progress
- Value Impact: Users see the agent work
- Strategic Impact: Chat is the product
"""
'''
# One finding of each off-by-default code, and nothing else from SOT5.
OFF_BY_DEFAULT_SOURCE = BVJ + '''import time


def test_agent_started_is_sent(socket):
    socket.send("agent_startd")
    time.sleep(1)
'''


def findings(source: str, tmp_path: Path, path: str = TEST_PATH, selected: tuple[str, ...] = ("SOT5",),
             **options: str) -> list[tuple[int, str, str]]:
    config = build_config(options, str(tmp_path), selected)
    found = check_tree(ast.parse(source), source.splitlines(True), str(tmp_path / path), config)
    return [(f.line, f.code, f.message) for f in found]


def codes(source: str, tmp_path: Path, **kwargs: object) -> list[str]:
    return [code for _line, code, _message in findings(source, tmp_path, **kwargs)]  # type: ignore[arg-type]


# ------------------------------------------------------------ on and off
def test_default_on_codes_are_the_facts() -> None:
    on = {code for code, rule in RULES.items() if rule.family == "hygiene" and rule.default_enabled}
    assert on == {"SOT501", "SOT502", "SOT503", "SOT504"}


@pytest.mark.parametrize(("selected", "expected"), [
    ((), []),
    (("SOT",), []),
    (("SOT5",), ["SOT506", "SOT507", "SOT505"]),
    (("SOT506",), ["SOT506"]),
    (("SOT505", "SOT507"), ["SOT507", "SOT505"]),
], ids=["default", "select-SOT", "SOT5", "SOT506", "two-codes"])
def test_off_by_default_codes_need_a_specific_select(tmp_path: Path, selected: tuple[str, ...],
                                                     expected: list[str]) -> None:
    assert codes(OFF_BY_DEFAULT_SOURCE, tmp_path, selected=selected) == expected


@pytest.mark.slow
@pytest.mark.parametrize(("config", "expected"), [
    ("", set()),
    ("select = SOT\n", set()),
    ("extend-select = SOT506\n", {"SOT506"}),
    ("extend-select = SOT5\n", {"SOT505", "SOT506", "SOT507"}),
], ids=["default", "select-SOT", "extend-select-code", "extend-select-family"])
def test_real_flake8_turns_them_on_with_extend_select(tmp_path: Path, config: str, expected: set[str]) -> None:
    (tmp_path / "setup.cfg").write_text("[flake8]\n" + config, encoding="utf-8")
    target = tmp_path / TEST_PATH
    target.parent.mkdir(parents=True)
    target.write_text(OFF_BY_DEFAULT_SOURCE, encoding="utf-8")
    result = run_flake8(TEST_PATH, cwd=tmp_path)
    reported = {line.split()[1] for line in result.stdout.splitlines()}
    assert {code for code in reported if code.startswith("SOT")} == expected, result.stdout + result.stderr


# ------------------------------------------------------------ SOT502
@pytest.mark.parametrize(("limit", "lines", "reported"), [
    ("10", 10, False), ("10", 11, True), ("0", 5000, False), (None, 1500, False), (None, 1501, True),
])
def test_module_length_limit(tmp_path: Path, limit: str | None, lines: int, reported: bool) -> None:
    source = "VALUE = 1\n" * lines
    options = {"ssot_max_module_lines": limit} if limit is not None else {}
    found = [f for f in findings(source, tmp_path, path="netra_backend/app/values.py", **options)
             if f[1] == "SOT502"]
    expected_limit = limit or "1500"
    assert found == ([(1, "SOT502", f"module has {lines} lines, more than ssot-max-module-lines "
                       f"({expected_limit}); split it")] if reported else [])


# ------------------------------------------------------------ SOT505
@pytest.mark.parametrize(("limit", "seconds", "reported"), [
    ("2", "1.5", False), ("2", "2", True), ("0", "0", False), ("0", "0.01", True), ("0.5", "0.5", True),
])
def test_sleep_threshold(tmp_path: Path, limit: str, seconds: str, reported: bool) -> None:
    source = BVJ + f"import asyncio\n\n\nasync def test_x():\n    await asyncio.sleep({seconds})\n    assert 1\n"
    assert ("SOT505" in codes(source, tmp_path, ssot_max_sleep=limit)) == reported


@pytest.mark.parametrize(("key", "value"), [
    ("ssot_max_sleep", "soon"), ("ssot_max_sleep", "-1"), ("ssot_max_module_lines", "1.5"),
    ("ssot_critical_names", "agent_started, 2nd_event"),
])
def test_bad_values_are_config_errors(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key.replace("_", "-")):
        build_config({key: value}, str(tmp_path))


# ------------------------------------------------------------ SOT503, SOT506 messages
def test_category_message_names_every_category(tmp_path: Path) -> None:
    source = BVJ + "import pytest\n\npytestmark = pytest.mark.e2e\n\n\n" \
        "@pytest.mark.integration\n@pytest.mark.unit\ndef test_x():\n    assert 1\n"
    assert [m for _l, c, m in findings(source, tmp_path) if c == "SOT503"] == [
        "test_x() is marked unit, integration and e2e; a test belongs to one category"]


def test_asserts_nothing_message_says_when_only_its_own_mock_is_checked(tmp_path: Path) -> None:
    source = BVJ + '''from unittest.mock import MagicMock


def test_plain(service):
    service.run()


def test_own_mock(service):
    notifier = MagicMock()
    service.run(notifier)
    notifier.notify.assert_called_once_with("done")
'''
    assert [m for _l, c, m in findings(source, tmp_path) if c == "SOT506"] == [
        "test_plain() asserts nothing",
        "test_own_mock() asserts nothing about the system: it only calls "
        "notifier.notify.assert_called_once_with() on a mock it built itself",
    ]


def test_helpers_that_call_each_other_are_followed_without_recursion(tmp_path: Path) -> None:
    chain = "".join(f"def helper_{i}():\n    helper_{i + 1}()\n\n\n" for i in range(3000))
    source = BVJ + chain + "def helper_3000():\n    assert 1\n\n\ndef test_x():\n    helper_0()\n"
    source += "\n\ndef looping_a():\n    looping_b()\n\n\ndef looping_b():\n    looping_a()\n\n\n" \
        "def test_loop():\n    looping_a()\n"
    assert [(c, m) for _l, c, m in findings(source, tmp_path) if c.startswith("SOT5")] == [
        ("SOT502", f"module has {source.count(chr(10))} lines, more than ssot-max-module-lines (1500); split it"),
        ("SOT506", "test_loop() asserts nothing"),
    ]


@pytest.mark.parametrize(("name", "asserting"), [
    ("assert_response_ok", True), ("assertEqual", True), ("_assert_events", True), ("verify", True),
    ("verify_event_sequence", True), ("expect", True), ("expectThat", True), ("check_health", True),
    ("check2", True), ("checkout", False), ("expected_events", False), ("verifying", False),
    ("assertion_count", False), ("run_checks", False),
])
def test_asserting_names_need_the_prefix_as_a_word(name: str, asserting: bool) -> None:
    assert is_asserting_name(name) == asserting


# ------------------------------------------------------------ SOT507
def test_custom_critical_names_replace_the_defaults(tmp_path: Path) -> None:
    source = 'EVENTS = ["run_started", "run_startd", "agent_startd", "tool_start", "tool_strt"]\n'
    found = findings(source, tmp_path, path="netra_backend/app/events.py",
                     ssot_critical_names="run_started, tool_start, tool_started")
    assert [m for _l, c, m in found if c == "SOT507"] == [
        "'run_startd' is 1 edit away from the critical name 'run_started'; use the exact name",
        "'tool_strt' is 1 edit away from the critical name 'tool_start'; use the exact name",
    ]


def test_many_string_literals_are_cheap(tmp_path: Path) -> None:
    """Only name-shaped literals of a near length are compared at all."""
    literals = ", ".join(f'"agent_{i:07d}"' for i in range(20000))
    source = f"EVENTS = [{literals}]\n"
    assert codes(source, tmp_path, path="netra_backend/app/events.py") == []


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char != other))
    return row[-1]


@given(st.text("abt_", max_size=12), st.text("abt_", max_size=12), st.integers(0, 3))
def test_edit_distance_is_levenshtein_capped_at_limit_plus_one(a: str, b: str, limit: int) -> None:
    assert edit_distance(a, b, limit) == min(_levenshtein(a, b), limit + 1)
