"""flake8-ssot installed beside the plugins teams already run.

flake8-bugbear, flake8-docstrings (pydocstyle), flake8-pytest-style and
pep8-naming come with the ``test`` extra.  With all of them installed:
no option clashes, every tool reports its own codes, and SOT201 ("no BVJ")
is independent of D100 ("no docstring"): a documented module without a BVJ
gets SOT201 only, an undocumented one whose tests carry their own BVJ gets
D100 only, an undocumented module without any BVJ gets both.

pydocstyle is archived and crashes a flake8 run on an f-string or bytes
docstring (tests/test_edge_files.py), so it is no dependency of ours; ruff's
``D`` rules plus ``ssot-check`` is the documented alternative, tested here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.expectations import parse_report, run_flake8, run_ssot_check_process

pytestmark = pytest.mark.slow

OTHER_PLUGINS = ("flake8-bugbear", "flake8-docstrings", "flake8-pytest-style", "pep8-naming")

SETUP_CFG = """\
[flake8]
max-line-length = 120
docstring-convention = pep257
pytest-fixture-no-parentheses = true
extend-immutable-calls = pathlib.Path
classmethod-decorators = classmethod
ssot-mock-allowed-targets = openai.*
"""
FILES = {
    "test_documented.py": '''\
"""Order placement against the real order service."""
from unittest import mock

import pytest


@pytest.fixture()
def order_ids(ids=[]):
    """Collect created order ids."""
    return ids


def test_placeOrder(order_ids):
    """Place an order without a payment provider."""
    with mock.patch("billing.gateway.charge"):
        with pytest.raises(ValueError):
            raise ValueError(order_ids)
''',
    "test_undocumented.py": '''\
import os


def test_home():
    assert os.environ["HOME"]
''',
    "test_per_test_bvj.py": '''\
def test_refund():
    """Refunds reach the customer.

    Business Value Justification:
    - Segment: Enterprise
    - Business Goal: Retention
    - Value Impact: refunds arrive on time
    - Strategic Impact: customer trust
    """
    assert True
''',
}
DOCUMENTED, UNDOCUMENTED, PER_TEST = (f"tests/integration/{name}" for name in FILES)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("coexistence")
    (root / "setup.cfg").write_text(SETUP_CFG, encoding="utf-8")
    target = root / "tests" / "integration"
    target.mkdir(parents=True)
    for name, text in FILES.items():
        (target / name).write_text(text, encoding="utf-8")
    return root


def _codes(report: dict[str, dict[tuple[int, str], str]], path: str) -> set[str]:
    return {code for _line, code in report.get(path, {})}


def test_all_plugins_are_loaded_without_option_clashes(project: Path) -> None:
    version = run_flake8("--version", cwd=project)
    assert version.returncode == 0 and not version.stderr, version.stderr
    for plugin in (*OTHER_PLUGINS, "flake8-ssot"):
        assert plugin in version.stdout.replace("\n", " ").replace("- ", "-"), version.stdout
    # argparse raises on a clashing option name while flake8 registers the plugins
    usage = run_flake8("--help", cwd=project)
    assert usage.returncode == 0 and not usage.stderr, usage.stderr
    assert "--ssot-mock-allowed-targets" in usage.stdout


def test_each_plugin_reports_its_own_codes(project: Path) -> None:
    result = run_flake8(".", cwd=project)
    assert result.returncode == 1 and not result.stderr, result.stderr
    report = parse_report(result.stdout)
    prefixes = {code.rstrip("0123456789") for path in report for code in _codes(report, path)}
    assert {"B", "D", "PT", "N", "SOT"} <= prefixes, sorted(prefixes)
    assert {"B006", "PT001", "PT011", "N802", "SOT102"} <= _codes(report, DOCUMENTED)
    # the other plugins' keys in [flake8] are not taken for misspelt ssot-* keys,
    # and selecting SOT leaves exactly the SOT lines
    only_ours = parse_report(run_flake8("--select=SOT", ".", cwd=project).stdout)
    assert {path: _codes(only_ours, path) for path in only_ours} == {
        path: {code for code in _codes(report, path) if code.startswith("SOT")} for path in report
        if any(code.startswith("SOT") for code in _codes(report, path))
    }


def test_sot201_and_d100_are_different_rules(project: Path) -> None:
    report = parse_report(run_flake8(".", cwd=project).stdout)
    assert "SOT201" in _codes(report, DOCUMENTED) and "D100" not in _codes(report, DOCUMENTED)
    assert "D100" in _codes(report, PER_TEST) and "SOT201" not in _codes(report, PER_TEST)
    assert {"D100", "SOT201"} <= _codes(report, UNDOCUMENTED)


def test_ruff_d_rules_beside_ssot_check(project: Path) -> None:
    """The setup for teams that dropped pydocstyle: ruff for D, ssot-check for SOT."""
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select=D1",
         "--output-format=concise", "."],
        cwd=project, capture_output=True, text=True, timeout=120,
    )
    assert ruff.returncode == 1 and not ruff.stderr, ruff.stderr
    d100 = {line.split(":")[0] for line in ruff.stdout.splitlines() if ": D100 " in line}
    assert d100 == {PER_TEST, UNDOCUMENTED}
    ssot = run_ssot_check_process(".", cwd=project, timeout=120)
    assert ssot.returncode == 1 and not ssot.stderr, ssot.stderr
    sot201 = {path for path, found in parse_report(ssot.stdout).items() if any(c == "SOT201" for _l, c in found)}
    assert sot201 == {DOCUMENTED, UNDOCUMENTED}
