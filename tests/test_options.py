"""Options never lie: a wrong value or a misspelt ``ssot-*`` key stops the run.

flake8 silently ignores a config key no plugin registered, so a typo such as
``ssot-mock-alowed-targets`` would leave the option at its default and the
run green.  The plugin (and ssot-check, through the same function) reports
it in one line instead.  flake8's ``require-plugins`` (shown in the README)
makes a CI that lost the plugin fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_ssot.config import OPTIONS, ConfigError, build_config, check_option_keys
from tests.expectations import run_flake8

# One wrong value per option kind; a new kind must add one here.
BAD_VALUES = {
    "paths": 5,  # a TOML number where a list belongs
    "names": "unittest.TestCase, 1bad",
    "words": "Mock, Fa-ke",
    "fields": "Segment, Goal|",
    "globs": '"openai.*"',  # quotes copied from a TOML file would match nothing
    "patterns": "test_*.py, '*_tests.py'",  # so would these
    "int": "-1",
    "float": "nan",
    "file": 7,  # a TOML number where a file name belongs
    "imports": "SSotBaseTestCase = 1bad",
    "callable": "get_env",  # no module
}
NOT_A_LIST = (True, 3.5, 7)


def test_every_option_kind_has_a_wrong_value() -> None:
    assert {spec.kind for spec in OPTIONS} <= set(BAD_VALUES)


@pytest.mark.parametrize("spec", OPTIONS, ids=lambda spec: spec.key)
def test_a_wrong_value_is_one_line_naming_key_and_value(spec) -> None:
    with pytest.raises(ConfigError) as raised:
        build_config({spec.dest: BAD_VALUES[spec.kind]}, "/project")
    message = str(raised.value)
    assert message.startswith(f"flake8-ssot: invalid value for {spec.key}: ")
    assert str(BAD_VALUES[spec.kind]).split(", ")[-1] in message
    assert "\n" not in message


@pytest.mark.parametrize("value", NOT_A_LIST, ids=repr)
@pytest.mark.parametrize("spec", [spec for spec in OPTIONS if spec.kind not in ("int", "float")],
                         ids=lambda spec: spec.key)
def test_a_scalar_where_a_list_belongs_is_a_config_error(spec, value: object) -> None:
    with pytest.raises(ConfigError, match=f"invalid value for {spec.key}: '{value}'"):
        build_config({spec.dest: value}, "/project")


def test_globs_accept_dotted_patterns() -> None:
    config = build_config({"ssot_mock_allowed_targets": "openai.*, app.auth.[gG]oogle_?lient.*"}, "/project")
    assert config.mock_allowed_targets == ("openai.*", "app.auth.[gG]oogle_?lient.*")


@pytest.mark.parametrize(("keys", "message"), [
    (["ssot-mock-alowed-targets"],
     "flake8-ssot: unknown option ssot-mock-alowed-targets in setup.cfg (did you mean ssot-mock-allowed-targets?)"),
    (["max-line-length", "ssot_e2e_pathz"],
     "flake8-ssot: unknown option ssot_e2e_pathz in setup.cfg (did you mean ssot-e2e-paths?)"),
    (["ssot-colour"], "flake8-ssot: unknown option ssot-colour in setup.cfg"),
])
def test_unknown_ssot_keys_are_reported(keys: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check_option_keys(keys, "setup.cfg")
    assert str(raised.value) == message


def test_known_keys_and_other_plugins_keys_pass() -> None:
    keys = [spec.key for spec in OPTIONS] + [spec.dest for spec in OPTIONS]
    check_option_keys([*keys, "max-line-length", "docstring-convention", "extend-immutable-calls"], "setup.cfg")


# ------------------------------------------------------------ real flake8
PAYMENT_TEST = '''"""Payments reach the LLM provider.

Business Value Justification:
- Segment: Enterprise
- Business Goal: Retention
- Value Impact: payments succeed
- Strategic Impact: revenue
"""
from unittest import mock


def test_pay():
    with mock.patch("openai.Client"):
        assert True
'''


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "setup.cfg").write_text("[flake8]\n" + config, encoding="utf-8")
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    (tmp_path / "tests" / "integration" / "test_pay.py").write_text(PAYMENT_TEST, encoding="utf-8")
    return tmp_path


@pytest.mark.slow
def test_flake8_stops_on_a_misspelt_key(tmp_path: Path) -> None:
    project = _project(tmp_path, "ssot-mock-alowed-targets = openai.*\n")
    result = run_flake8("--select=SOT", ".", cwd=project)
    assert result.returncode != 0 and not result.stdout
    assert result.stderr == ("flake8-ssot: unknown option ssot-mock-alowed-targets in setup.cfg "
                             "(did you mean ssot-mock-allowed-targets?)\n")
    # the same key spelt right takes effect: the patch target is allowed
    (project / "setup.cfg").write_text("[flake8]\nssot_mock_allowed_targets = openai.*\n", encoding="utf-8")
    fixed = run_flake8("--select=SOT", ".", cwd=project)
    assert (fixed.returncode, fixed.stdout, fixed.stderr) == (0, "", "")


@pytest.mark.slow
def test_flake8_checks_appended_config_files_and_isolated_skips_them(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    (project / "ci.ini").write_text("[flake8]\nssot-integraton-paths = service_tests\n", encoding="utf-8")
    appended = run_flake8("--append-config", "ci.ini", "--select=SOT", ".", cwd=project)
    assert appended.stderr == ("flake8-ssot: unknown option ssot-integraton-paths in ci.ini "
                               "(did you mean ssot-integration-paths?)\n")
    isolated = run_flake8("--isolated", "--append-config", "ci.ini", "--select=SOT", ".", cwd=project)
    assert isolated.returncode == 1 and not isolated.stderr and "SOT102" in isolated.stdout


@pytest.mark.slow
def test_require_plugins_fails_a_run_without_the_plugin(tmp_path: Path) -> None:
    """The README's snippet names our distribution as flake8 expects it."""
    project = _project(tmp_path, "require-plugins = flake8-ssot\n")
    present = run_flake8("--select=SOT", ".", cwd=project)
    assert present.returncode == 1 and "SOT102" in present.stdout, present.stderr
    (project / "setup.cfg").write_text("[flake8]\nrequire-plugins = flake8-ssot-lost\n", encoding="utf-8")
    missing = run_flake8("--select=SOT", ".", cwd=project)
    assert missing.returncode != 0 and "flake8-ssot-lost" in missing.stdout + missing.stderr
