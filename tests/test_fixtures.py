"""Every fixture gives exactly the findings declared beside its lines, through every engine.

An engine takes the materialised project and returns, per fixture id, the
findings it reported as ``{(line, code): message}``.  The checker core,
one real flake8 run, flake8 with ``--jobs 2`` and the standalone runner
``ssot-check`` must all agree with the fixtures.
"""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from flake8_ssot.checker import check_tree
from tests.expectations import (
    SELECT, STDIN, Fixture, all_fixtures, config_for, describe_mismatch, materialise, parse_fixture, parse_report,
    run_flake8, run_ssot_check,
)

FIXTURES = all_fixtures()
Findings = dict[str, dict[tuple[int, str], str]]  # fixture id -> {(line, code): message}


@dataclass(frozen=True)
class Project:
    root: Path
    fixtures: list[Fixture]


def run_checker(project: Project) -> Findings:
    config = config_for(project.root)
    results: Findings = {}
    for fixture in project.fixtures:
        filename = STDIN if fixture.is_stdin else str(project.root / fixture.virtual_path)
        found = check_tree(ast.parse(fixture.text), fixture.text.splitlines(keepends=True), filename, config)
        results[fixture.id] = {(f.line, f.code): f.message for f in found}
    return results


Command = Callable[..., subprocess.CompletedProcess[str]]


def _command_output(command: Command, *args: str, project: Project, stdin: str | None = None) -> str:
    result = command(f"--select={','.join(SELECT)}", *args, cwd=project.root, stdin=stdin)
    if result.returncode not in (0, 1) or result.stderr.strip():
        raise AssertionError(f"{command.__name__} {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def flake8_engine(*extra: str, command: Command = run_flake8) -> Callable[[Project], Findings]:
    """One run of flake8 (or ssot-check) over the tree, plus one per stdin fixture."""

    def run(project: Project) -> Findings:
        by_path = parse_report(_command_output(command, *extra, ".", project=project))
        results: Findings = {}
        for fixture in project.fixtures:
            if fixture.is_stdin:
                piped = parse_report(_command_output(command, *extra, "-", project=project, stdin=fixture.text))
                results[fixture.id] = piped.pop(STDIN, {})
                assert not piped, f"stdin run reported other paths: {sorted(piped)}"
            else:
                results[fixture.id] = by_path.pop(fixture.virtual_path, {})
        assert not by_path, f"findings in files that are no fixture: {sorted(by_path)}"
        return results

    return run


ENGINES: dict[str, Callable[[Project], Findings]] = {
    "checker": run_checker,
    "flake8": flake8_engine(),
    "flake8-jobs2": flake8_engine("--jobs", "2"),
    "ssot-check": flake8_engine("--jobs", "2", command=run_ssot_check),
}
COMMAND_LINE_ENGINES = {"flake8", "flake8-jobs2", "ssot-check"}


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("fixture-project")
    materialise(FIXTURES, root)
    return Project(root, FIXTURES)


@dataclass(frozen=True)
class EngineRun:
    name: str
    findings: Findings


_ENGINE_RUNS: dict[str, EngineRun] = {}  # engine name -> its run over the session's project


@pytest.fixture(
    scope="session",
    params=[pytest.param(name, marks=[pytest.mark.slow] if name in COMMAND_LINE_ENGINES else []) for name in ENGINES],
)
def engine_run(request: pytest.FixtureRequest, project: Project) -> EngineRun:
    """Each engine runs once over all fixtures; the tests below read its findings."""
    # Kept past the fixture's life: pytest sets a parametrized session fixture
    # up again whenever the next test wants another parameter, which happens
    # often when xdist workers take each other's tests.
    if request.param not in _ENGINE_RUNS:
        _ENGINE_RUNS[request.param] = EngineRun(request.param, ENGINES[request.param](project))
    return _ENGINE_RUNS[request.param]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.id)
def test_fixture_findings(fixture: Fixture, engine_run: EngineRun) -> None:
    found = engine_run.findings[fixture.id]
    if set(found) != fixture.expected:
        pytest.fail(describe_mismatch(fixture, found, engine_run.name), pytrace=False)


def test_every_family_has_fixtures() -> None:
    families = {fixture.id.split("/")[0] for fixture in FIXTURES}
    assert {"doubles", "bvj", "environ", "bases"} <= families


def test_fixtures_cover_stdin_and_named_files() -> None:
    assert {fixture.is_stdin for fixture in FIXTURES} == {True, False}


def test_annotations_are_read_and_removed(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        '# ssot-path: tests/e2e/test_x.py  # expect: SOT201\n'
        '"""Doc.\n'
        '- Segment: TBD  # expect: SOT204\n'
        '"""\n'
        'TOKEN = patch.dict(os.environ)  # expect: SOT102, SOT301\n',
        encoding="utf-8",
    )
    fixture = parse_fixture(source)
    assert fixture.virtual_path == "tests/e2e/test_x.py"
    assert fixture.expected == {(1, "SOT201"), (3, "SOT204"), (5, "SOT102"), (5, "SOT301")}
    assert fixture.text.splitlines() == [
        "# ssot-path: tests/e2e/test_x.py", '"""Doc.', "- Segment: TBD", '"""', "TOKEN = patch.dict(os.environ)",
    ]


@pytest.mark.parametrize("text", [
    "import os\n",
    "# ssot-path: tests/test_x.py\nx = 1  # expect: SOT1O1\n",
    "# ssot-path: tests/test_x.py\nx = 1  # expect:\n",
], ids=["no-path-line", "malformed-code", "no-code"])
def test_malformed_fixtures_are_rejected(tmp_path: Path, text: str) -> None:
    source = tmp_path / "example.py"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="example.py"):
        parse_fixture(source)
