"""The language server's parts that need no client: ranges, the edits that
add a noqa comment or a skeleton of a Business Value Justification, the
rule docs.  tests/test_server.py drives the server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flake8_ssot.project import load_settings
from flake8_ssot.registry import RULES, Finding
from flake8_ssot.runner import check_lines
from flake8_ssot.server.bvj_skeleton import skeleton_change, skeleton_lines
from flake8_ssot.server.docs import hover_markdown, rule_link, rule_page, why
from flake8_ssot.server.actions import noqa_edits_by_line
from flake8_ssot.server.ranges import Lines, Span, finding_span

INTEGRATION = "tests/integration/test_x_integration.py"


def settings_for(tmp_path: Path, config: str = "[flake8]\nselect = SOT\n"):
    (tmp_path / "setup.cfg").write_text(config)
    return load_settings(cwd=str(tmp_path), paths=[str(tmp_path / INTEGRATION)])


def spans(source: str, tmp_path: Path) -> dict[str, str]:
    """Each finding's code and the text its range covers (first line only)."""
    settings = settings_for(tmp_path)
    lines = Lines(source).checked()
    found = check_lines(str(tmp_path / INTEGRATION), lines, settings)
    result = {}
    for finding in found:
        span = finding_span(finding, lines)
        first = lines[span.start_line].rstrip("\n")
        end = span.end_char if span.end_line == span.start_line else len(first)
        result[finding.code] = first[span.start_char:end]
    return result


BVJ = '"""Orders.\n\nBVJ: Segment: Mid | Goal: Retention | Value Impact: kept | Strategic Impact: revenue\n"""\n'


def test_ranges_cover_the_reported_node(tmp_path: Path) -> None:
    source = BVJ + (
        "import os\n"
        "from unittest import mock\n"
        "import fakeredis\n"
        "from . import helpers\n\n\n"
        "class FakeQueue:\n    pass\n\n\n"
        "def test_x(mocker):\n"
        "    value = os.environ.get('X')\n"
        "    with mock.patch('a.b') as patched:\n"
        "        assert patched(value, mock.MagicMock().x)\n"
    )
    assert spans(source, tmp_path) == {
        "SOT101": "mock.MagicMock()",  # the call, not the attribute read from it
        "SOT102": "mock.patch('a.b')",
        "SOT103": "mocker",  # the parameter
        "SOT104": "import fakeredis",
        "SOT105": "FakeQueue",  # the class's name
        "SOT301": "os.environ",  # the reference, not os, nor the call of .get
        "SOT501": "from . import helpers",
    }


def test_ranges_of_module_docstring_and_text_findings(tmp_path: Path) -> None:
    source = '"""Orders.\n\nBVJ:\n- Segment: Gold customers\n- Goal: TODO\n"""\n\n\ndef test_x():\n    assert 1\n'
    found = spans(source, tmp_path)
    assert found["SOT202"] == "BVJ:"
    assert found["SOT203"] == "- Segment: Gold customers"
    assert found["SOT204"] == "- Goal: TODO"
    assert spans('"""No BVJ here."""\n\n\ndef test_x():\n    assert 1\n', tmp_path) == {
        "SOT201": '"""No BVJ here."""',
    }


def test_non_ascii_columns_are_characters_and_client_units() -> None:
    # flake8's columns are UTF-8 bytes; LSP's are UTF-16 units by default.
    source = "x = ('é', '𝄞'); y = os.environ\n"
    byte_col = len("x = ('é', '𝄞'); y = ".encode())
    span = finding_span(Finding(1, byte_col, "SOT301", "m"), [source])
    assert span == Span(0, 20, 0, 30) and source[20:30] == "os.environ"
    assert Lines(source).units(0, 20) == 21  # the clef is two UTF-16 units
    assert Lines(source, "utf-8").units(0, 20) == byte_col
    assert Lines(source, "utf-32").units(0, 20) == 20
    assert Lines(source).chars(0, 21) == 20


def test_lines_split_as_lsp_does_and_check_as_the_checker_reads() -> None:
    lines = Lines("a\r\nb\rc\nd")
    assert lines.lines == ["a\r\n", "b\r", "c\n", "d"]
    assert lines.checked() == ["a\n", "b\n", "c\n", "d"]
    assert lines.position(lines.text.index("c")) == (2, 0) and lines.offset(2, 0) == 5


def test_bvj_skeleton_is_reported_by_sot204_until_filled(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    name = str(tmp_path / INTEGRATION)
    cases = {
        "no docstring": "import pytest\n\n\ndef test_x():\n    assert 1\n",
        "shebang and coding": "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\ndef test_x():\n    assert 1\n",
        "one-line docstring": '"""Orders."""\n\n\ndef test_x():\n    assert 1\n',
        "closing quotes alone": '"""Orders.\n\nMore words.\n"""\n\n\ndef test_x():\n    assert 1\n',
        "crlf": '"""Orders."""\r\n\r\n\r\ndef test_x():\r\n    assert 1\r\n',
    }
    for label, source in cases.items():
        lines = Lines(source)
        assert [f.code for f in check_lines(name, lines.checked(), settings)] == ["SOT201"], label
        change = skeleton_change(lines, ast.parse(source), settings.config)
        assert change is not None, label
        fixed = source[:change.start] + change.replacement + source[change.end:]
        found = check_lines(name, Lines(fixed).checked(), settings)
        assert [f.code for f in found] == ["SOT204"] * 4, (label, fixed)
        assert ("\r\n" in source) == ("\r\n" in change.replacement)
    single_quoted = "'Orders.'\n\n\ndef test_x():\n    assert 1\n"
    assert skeleton_change(Lines(single_quoted), ast.parse(single_quoted), settings.config) is None


def test_bvj_skeleton_uses_the_configured_fields(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "[flake8]\nssot-bvj-fields = Segment, Owner|Team\nssot-bvj-segments = Gold\n")
    assert skeleton_lines(settings.config) == [
        "Business Value Justification (BVJ):", "- Segment: <one of Gold>", "- Owner: <owner>",
    ]
    # The segment field is the group with a spelling of "segment", as SOT203 finds it, whatever its first name.
    settings = settings_for(tmp_path, "[flake8]\nssot-bvj-fields = Tier|Segment, Owner\n"
                                      "ssot-bvj-segments = Gold, Silver\n")
    assert skeleton_lines(settings.config) == [
        "Business Value Justification (BVJ):", "- Tier: <one of Gold, Silver>", "- Owner: <owner>",
    ]


def _noqa(source: str, *found: tuple[str, int]) -> list[tuple[str, list[int]]]:
    """The text after each noqa edit for findings of (code, line), and the findings it silences."""
    lines = Lines(source)
    findings = [Finding(line, 0, code, "") for code, line in found]
    return [(source[:edit.start] + edit.replacement + source[edit.end:], indices)
            for edit, indices in noqa_edits_by_line(source, lines.checked(), "stdin", findings)]


@pytest.mark.parametrize(("line", "expected"), [
    ("x = Mock()\n", "x = Mock()  # noqa: SOT101\n"),
    ("x = Mock()  # noqa: SOT3\n", "x = Mock()  # noqa: SOT3, SOT101\n"),
    ("x = Mock()  # noqa:SOT3,E501 why\n", "x = Mock()  # noqa:SOT3, E501, SOT101 why\n"),  # as --add-noqa merges
])
def test_noqa_edit_adds_or_merges(line: str, expected: str) -> None:
    assert _noqa(line, ("SOT101", 1)) == [(expected, [0])]


def test_noqa_edit_goes_where_flake8_looks_in_a_multiline_string() -> None:
    source = 'x = """\nBVJ: TODO\n"""\ny = 1\n'
    [(fixed, indices)] = _noqa(source, ("SOT204", 2))
    assert fixed.splitlines()[2] == '"""  # noqa: SOT204' and indices == [0]
    assert _noqa("x = Mock()  # noqa\n", ("SOT101", 1)) == []


def test_noqa_edit_one_per_code_and_line() -> None:
    source = "x = Mock(Mock())\ny = 1\n"
    assert _noqa(source, ("SOT101", 1), ("SOT101", 1), ("SOT102", 1)) == [
        ("x = Mock(Mock())  # noqa: SOT101\ny = 1\n", [0, 1]),
        ("x = Mock(Mock())  # noqa: SOT102\ny = 1\n", [2]),
    ]


def test_noqa_edit_never_touches_a_shebang() -> None:
    """As ``ssot-check --add-noqa``: a comment after ``#!`` would become the interpreter's argument."""
    source = "#!/usr/bin/env python\nimport os\n"
    assert _noqa(source, ("SOT201", 1), ("E999", 2)) == []
    assert _noqa(source, ("SOT301", 2)) == [("#!/usr/bin/env python\nimport os  # noqa: SOT301\n", [0])]


def test_every_rule_has_a_page_a_link_and_a_reason() -> None:
    for code in RULES:
        page = rule_page(code)
        assert page is not None and page.name == f"{code}.md"
        assert rule_link(code) == page.as_uri()
        assert why(code), code
    assert rule_link("SOT101", "https://example.com/docs/rules/") == "https://example.com/docs/rules/SOT101.md"
    assert "E999" in (hover_markdown("E999") or "")
    covered = hover_markdown("SOT1") or ""
    assert "SOT101" in covered and "SOT105" in covered and hover_markdown("XYZ1") is None


@pytest.mark.parametrize(("code", "source", "covered"), [
    ("SOT102", "p = patch('a.b').start()\n", "patch('a.b')"),
    ("SOT102", "with patch.object(\n    Service, 'x',\n):\n    pass\n", "patch.object(\n    Service, 'x',\n)"),
    ("SOT504", "@pytest.mark.skip\ndef test_x():\n    pass\n", "pytest.mark.skip"),
    ("SOT504", "@pytest.mark.skip(reason='x')  # why\ndef test_x():\n    pass\n", "pytest.mark.skip(reason='x')"),
    ("SOT403", "async def asyncSetUp(self):\n    pass\n", "asyncSetUp"),
    ("SOT302", "value = ENV['X']\n", "ENV"),
    ("SOT302", "value = os.getenv('X', 'y')\n", "os.getenv"),
    ("SOT507", "send('agent_startd')\n", "'agent_startd'"),
    ("SOT501", "from . import (\n    a,  # first\n    b,\n)  # end\n", "from . import (\n    a,  # first\n    b,\n)"),
    ("SOT101", "x = mock.sentinel.token\n", "mock.sentinel.token"),
])
def test_ranges_read_from_the_tokens(code: str, source: str, covered: str) -> None:
    anchor = {"SOT102": "patch", "SOT504": "pytest", "SOT403": "async", "SOT302": "ENV" if "ENV" in source else "os",
              "SOT507": "'", "SOT501": "from", "SOT101": "mock"}[code]
    offset = source.index(anchor)
    line = source.count("\n", 0, offset)
    col = offset - (source.rfind("\n", 0, offset) + 1)
    lines = Lines(source)
    span = finding_span(Finding(line + 1, col, code, "m"), lines.checked())
    start, end = lines.offset(span.start_line, span.start_char), lines.offset(span.end_line, span.end_char)
    assert source[start:end] == covered


@pytest.mark.parametrize(("old", "new"), [
    ("from . import a\nx = 1\n", "from app import a\nx = 1\n"),
    ("abc", "abc"),
    ("aaa", "aaaa"),
    ("", "x\n"),
    ("x = 1\r\ny = 2\r\n", "x = 1\r\n"),
])
def test_fix_all_is_one_change_between_the_common_ends(old: str, new: str) -> None:
    from flake8_ssot.server.actions import difference

    change = difference(old, new)
    assert (change is None) == (old == new)
    if change is not None:
        assert old[:change.start] + change.replacement + old[change.end:] == new


def test_settings_come_from_the_nearest_flake8_configuration(tmp_path: Path) -> None:
    """The nearest directory with a flake8 INI config or a ``[tool.flake8]`` table is where ``ssot-check`` runs."""
    from flake8_ssot.server.projects import load_project, run_directory

    (tmp_path / "setup.cfg").write_text("[flake8]\nssot-max-module-lines = 5\n")
    nested = tmp_path / "packages" / "orders"
    (nested / "tests").mkdir(parents=True)
    (tmp_path / "packages" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.flake8]: passed over
    assert run_directory(str(nested / "tests")) == str(tmp_path)
    (nested / "pyproject.toml").write_text("[tool.flake8]\nssot-max-module-lines = 7\n")
    assert run_directory(str(nested / "tests")) == str(nested)
    document = str(nested / "tests" / "test_x.py")
    assert load_project(str(nested / "tests"), document).settings.config.max_module_lines == 7
    (nested / "tests" / "tox.ini").write_text("[flake8]\nssot-max-module-lines = 9\n")
    assert load_project(str(nested / "tests"), document).settings.config.max_module_lines == 9
