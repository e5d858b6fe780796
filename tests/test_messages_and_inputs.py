"""Findings a reader can act on, and inputs that would otherwise pass green in silence.

Run through the real command line (``ssot-check``) and, for messages, real
flake8: the message says where real-service scope comes from, what is
patched, and where the isolated-environment module is; a run with nothing
to check, or an option entry that matches nothing, says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.expectations import run_flake8, run_ssot_check, write_tree

MODULE = '''"""Payments."""
import os
from unittest import mock

import pytest

from app.mail import EmailClient

pytestmark = [pytest.mark.integration]


def test_marked_module():
    client = mock.MagicMock()
    with mock.patch.object(EmailClient, "send"):
        assert client


@pytest.mark.e2e
def test_marked_function():
    with mock.patch.dict(os.environ, {"A": "1"}):
        assert True
'''


@pytest.mark.slow
@pytest.mark.parametrize("command", [run_ssot_check, run_flake8], ids=["ssot-check", "flake8"])
def test_messages_say_why_and_what(tmp_path: Path, command) -> None:
    write_tree(tmp_path, {
        "setup.cfg": "[flake8]\nssot-environ-allowed-paths = shared/isolated_environment.py\n",
        "shared/isolated_environment.py": "",
        "tests/unit/test_payments.py": MODULE,
    })
    result = command("--select=SOT1,SOT3", "tests", cwd=tmp_path)
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "tests/unit/test_payments.py:13:14: SOT101 mock.MagicMock() creates a mock in integration scope "
        "(pytest.mark.integration in pytestmark on line 9); exercise the real service",
        "tests/unit/test_payments.py:14:10: SOT102 mock.patch.object(EmailClient, 'send') patches in integration "
        "scope (pytest.mark.integration in pytestmark on line 9); exercise the real service",
        "tests/unit/test_payments.py:20:10: SOT102 mock.patch.dict(os.environ, ...) patches in e2e scope "
        "(@pytest.mark.e2e on line 18); exercise the real service",
        "tests/unit/test_payments.py:20:26: SOT301 os.environ accessed directly; go through the "
        "isolated-environment module (shared/isolated_environment.py)",
    ]


@pytest.mark.slow
def test_without_config_or_vcs_the_working_directory_is_the_root(tmp_path: Path) -> None:
    """A project under /tmp/e2e/proj/ is not in e2e scope: the root is never '/'."""
    project = write_tree(tmp_path / "e2e" / "proj", {"tests/unit/test_units.py": MODULE.replace(
        "pytestmark = [pytest.mark.integration]", "").replace("@pytest.mark.e2e\n", "")})
    result = run_ssot_check("--select=SOT1", ".", cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(("markers", "where", "reason"), [
    ((".git",), "", "the version-control root"),
    ((".git",), "sub", "the version-control root"),
    ((), "", "the working directory: no config file, no version-control root"),
    (("pytest.ini",), "sub", "the pytest configuration's directory"),
    (("setup.cfg",), "sub", "the config file's directory"),
], ids=["vcs-here", "vcs-above", "nothing", "pytest-ini", "setup-cfg"])
def test_show_settings_says_which_rule_chose_the_root(
    tmp_path: Path, markers: tuple[str, ...], where: str, reason: str,
) -> None:
    for marker in markers:
        if marker == ".git":
            (tmp_path / marker).mkdir()
        else:
            (tmp_path / marker).write_text("[pytest]\n" if marker == "pytest.ini" else "[flake8]\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    result = run_ssot_check("--show-settings", cwd=tmp_path / where)
    assert f"project root: {tmp_path} ({reason})" in result.stdout.splitlines(), result.stdout


@pytest.mark.slow
def test_no_python_files_is_said(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docs/index.md": "# docs\n"})
    result = run_ssot_check("docs", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == "flake8-ssot: warning: no Python files to check in docs\n"


@pytest.mark.slow
def test_a_path_entry_that_matches_nothing_is_said(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "setup.cfg": "[flake8]\nssot-integration-paths = integraton, tests/functional\n",
        "tests/functional/test_api.py": '"""API."""\n',
    })
    result = run_ssot_check(".", cwd=tmp_path)
    assert result.stderr == (
        "flake8-ssot: warning: ssot-integration-paths entry 'integraton' matches no checked file's path\n"
    )
    # Files named one by one (pre-commit's batches) need not cover every directory.
    assert run_ssot_check("tests/functional/test_api.py", cwd=tmp_path).stderr == ""


@pytest.mark.parametrize(("source", "detail"), [
    ('"""Archive."""\nimport pytest\n\n"""BVJ:\n- Segment: All\n"""\n\n\ndef test_a():\n    assert pytest\n',
     "a BVJ string on line 4 is not the module docstring: code comes before it on line 2"),
    ('import pytest\n"""Business Value Justification:\n- Segment: All\n"""\n\n\ndef test_a():\n    assert pytest\n',
     "a BVJ string on line 2 is not the module docstring: code comes before it on line 1"),
    ('# BVJ is required here, says the wiki (prose, not a header)\n\n\nclass TestA:\n'
     '    def test_a(self):\n        """BVJ: method notes never count."""\n',
     "the BVJ on line 6 is in a method's docstring; it counts only in the module docstring or a top-level test's"),
    ('"""Archive tests. Business Value Justification: Segment: All."""\n\n\ndef test_a():\n    pass\n',
     "the module docstring has a BVJ mid-line on line 1, but a BVJ starts at a line that begins with "
     "'Business Value Justification' or 'BVJ'"),
    ('"""Archive tests (no BVJ yet; see the Business Value Justification guide)."""\n\n\ndef test_a():\n'
     '    pass\n', None),
])
def test_sot201_says_where_the_bvj_that_does_not_count_is(tmp_path: Path, source: str, detail: str | None) -> None:
    write_tree(tmp_path, {"tests/test_archive.py": source})
    result = run_ssot_check("--select=SOT201", ".", cwd=tmp_path)
    assert result.stdout == ("./tests/test_archive.py:1:1: SOT201 test module has no Business Value Justification "
                             f"(BVJ) in its docstring{f'; {detail}' if detail else ''}\n")
