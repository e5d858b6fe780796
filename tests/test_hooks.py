"""The pre-commit hooks: manifest, documentation, the file-names hook, and real pre-commit runs."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from filelock import FileLock

from flake8_ssot.hooks import file_names
from tests.expectations import run_ssot_check_process

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
HOOKS = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
HOOK_IDS = [hook["id"] for hook in HOOKS]
# Hooks that run the AST rules; every other hook is documented in hooks/README.md.
RULE_HOOKS = {"ssot", "ssot-flake8"}


def test_manifest_is_valid() -> None:
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_declares_the_hooks() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert {"ssot", "ssot-flake8", "ssot-test-file-names"} <= set(by_id)
    assert by_id["ssot"]["types"] == ["python"]
    assert by_id["ssot-flake8"]["entry"].split()[0] == "flake8"
    assert "--require-plugins=flake8-ssot" in by_id["ssot-flake8"]["entry"].split()
    assert all(hook["language"] == "python" and "args" not in hook for hook in HOOKS)


def test_every_hook_entry_is_an_installed_command() -> None:
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    scripts = {line.split("=")[0].strip() for line in
               setup["options.entry_points"]["console_scripts"].strip().splitlines()}
    for hook in HOOKS:
        command = hook["entry"].split()[0]
        assert command in scripts | {"flake8"}, hook["id"]


def test_readme_names_every_hook_id() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## pre-commit", 1)[1].split("\n## ", 1)[0]
    assert [hook_id for hook_id in HOOK_IDS if f"`{hook_id}`" not in section] == []
    assert "additional_dependencies" in section and "https://github.com/PyCQA/flake8" in section


def test_hooks_directory_documents_every_file_hook() -> None:
    catalogue = (ROOT / "hooks" / "README.md").read_text(encoding="utf-8")
    assert [h for h in HOOK_IDS if h not in RULE_HOOKS and f"## `{h}`" not in catalogue] == []


# --- ssot-test-file-names ---------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "pattern"), [
    ("tests/test_auth.py.backup", "*.py.backup*"),
    ("tests/unit/test_auth.py.backup_20250101", "*.py.backup*"),
    ("backend/tests/conftest.bak", "*.bak"),
    ("tests/test_auth.py.orig", "*.orig"),
    ("tests/test_auth.py~", "*.py~"),
    ("tests/integration/temp_debug.py", "temp_*.py"),
    ("./tests/tmp_probe.py", "tmp_*.py"),
    ("test/scratch_ws.py", "scratch_*.py"),
    ("tests/e2e/test_chat_old.py", "*_old.py"),
    ("tests/fix_imports.py", "fix_*.py"),
])
def test_rejects_stray_files_in_test_trees(path: str, pattern: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert file_names.main([path]) == 1
    output = capsys.readouterr().out
    assert output.startswith(f"{path}: ") and f"'{pattern}'" in output


@pytest.mark.parametrize("path", [
    "tests/test_auth.py",
    "tests/fixtures/bold_fixture.py",  # "old" inside a word is not "_old"
    "tests/helpers/fixture_loader.py",
    "tests/README.md",
    "scripts/temp_migration.py",  # not in a test tree
    "app/settings.py.bak",
    "contests/tmp_x.py",  # "contests" is not "tests"
])
def test_accepts_other_files(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert file_names.main([path]) == 0
    assert capsys.readouterr().out == ""


def test_patterns_and_test_dirs_are_configurable(capsys: pytest.CaptureFixture[str]) -> None:
    assert file_names.main(["--patterns", "debug_*.py", "tests/temp_x.py", "tests/debug_x.py"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "tests/debug_x.py: stray file in a test tree (matches 'debug_*.py'); delete it or give it a real name",
    ]
    assert file_names.main(["--extend-patterns", "debug_*.py", "tests/temp_x.py", "tests/debug_x.py"]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert file_names.main(["--test-dirs", "qa,*_tests", "qa/temp_x.py", "api_tests/x.bak", "tests/x.bak"]) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == ["qa/temp_x.py", "api_tests/x.bak"]


def test_script_in_hooks_directory_runs_from_a_checkout(tmp_path: Path) -> None:
    script = ROOT / "hooks" / "ssot_test_file_names.py"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-I", str(script), "tests/tmp_x.py", "tests/test_ok.py"],
                            cwd=tmp_path, capture_output=True, text=True, env=env)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith("tests/tmp_x.py: ")


# --- real pre-commit runs, configured as a user configures them ------------------------------------
# The hooks run from a committed snapshot of this checkout, named in the user
# project's .pre-commit-config.yaml by path and commit, as a user names this
# repository by URL and commit.  One pre-commit home serves every run of the
# session, as ~/.cache/pre-commit serves a user: each hook environment is
# built once (``pre-commit try-repo`` builds every one of them again per run).
GIT_IDENTITY = ["-c", "user.name=flake8-ssot tests", "-c", "user.email=tests@example.invalid",
                "-c", "commit.gpgsign=false"]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def shared_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary directory, the same for every xdist worker."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def hook_repo(shared_directory: Path) -> tuple[Path, str]:
    """A committed snapshot of the working tree (files not yet added to git
    included) and its commit, made by the first worker that asks."""
    if shutil.which("git") is None:
        pytest.fail("git is required for the pre-commit tests")
    snapshot = shared_directory / "flake8-ssot-snapshot"
    with FileLock(shared_directory / "flake8-ssot-snapshot.lock"):
        if not snapshot.is_dir():
            building = shared_directory / "flake8-ssot-snapshot.partial"
            listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT).split("\0")
            for relative in filter(None, listed):
                source = ROOT / relative
                if source.is_file():
                    (building / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, building / relative)
            git("init", "-q", cwd=building)
            git("add", "-A", cwd=building)
            git("commit", "-q", "-m", "snapshot", cwd=building)
            building.rename(snapshot)
    return snapshot, git("rev-parse", "HEAD", cwd=snapshot).strip()


@pytest.fixture(scope="session")
def pre_commit_home(shared_directory: Path) -> Path:
    """pre-commit locks its own store: workers may share it."""
    return shared_directory / "pre-commit-home"


def run_hooks(hook_repo: tuple[Path, str], home: Path, user_repo: Path, *hook_ids: str) -> dict[str, tuple[str, str]]:
    """``pre-commit run --all-files`` in ``user_repo`` with the hooks named
    (default: every hook of the manifest): {hook id: (status, output)}."""
    repo, rev = hook_repo
    hooks = "".join(f"      - id: {hook_id}\n" for hook_id in hook_ids or HOOK_IDS)
    (user_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n{hooks}", encoding="utf-8")
    git("add", ".pre-commit-config.yaml", cwd=user_repo)
    # PIP_NO_BUILD_ISOLATION=0 (pip's spelling of "no isolation"): pip builds the snapshot with the
    # setuptools of the environment pre-commit made, instead of installing it into a throwaway one for
    # each of the two hook environments (a third of their build time).  Were pip to read it the other
    # way one day, the builds would only be isolated again.
    env = {**os.environ, "PRE_COMMIT_COLOR": "never", "SKIP": "", "PRE_COMMIT_HOME": str(home),
           "PIP_NO_BUILD_ISOLATION": "0"}
    result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"],
                            cwd=user_repo, capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    outcome: dict[str, tuple[str, str]] = {}
    names = {hook["name"]: hook["id"] for hook in HOOKS}
    current = None
    for line in result.stdout.splitlines():
        head = line.split(".", 1)[0]
        if head in names and line.rstrip().endswith(("Passed", "Failed")):
            current = names[head]
            outcome[current] = (line.rsplit(".", 1)[-1].strip(), "")
        elif current is not None:
            outcome[current] = (outcome[current][0], outcome[current][1] + line + "\n")
    return outcome


@pytest.mark.slow
def test_hooks_fail_then_pass(hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path) -> None:
    user = tmp_path / "user-project"
    (user / "tests").mkdir(parents=True)
    git("init", "-q", cwd=user)
    (user / "app.py").write_text('import os\n\nprint(os.environ["HOME"])\n')
    (user / "tests" / "fix_thing.py").write_text("VALUE = 1\n")
    git("add", "-A", cwd=user)

    failing = run_hooks(hook_repo, pre_commit_home, user)
    assert {hook: status for hook, (status, _) in failing.items()} == dict.fromkeys(HOOK_IDS, "Failed")
    sot301 = ("app.py:3:7: SOT301 os.environ accessed directly; go through the project's isolated-environment "
              "module (name it in ssot-environ-allowed-paths)")
    assert sot301 in failing["ssot"][1].splitlines()
    assert sot301 in failing["ssot-flake8"][1].splitlines()
    assert "tests/fix_thing.py: stray file in a test tree (matches 'fix_*.py')" in failing["ssot-test-file-names"][1]

    (user / "app.py").write_text('from pathlib import Path\n\nprint(Path.home())\n')
    (user / "tests" / "fix_thing.py").rename(user / "tests" / "helpers.py")
    git("add", "-A", cwd=user)
    passing = run_hooks(hook_repo, pre_commit_home, user)
    assert {hook: status for hook, (status, _) in passing.items()} == dict.fromkeys(HOOK_IDS, "Passed")


@pytest.mark.slow
def test_the_ssot_hook_reports_what_ssot_check_dot_reports(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path,
) -> None:
    """pre-commit names every file, those under excluded directories too: the
    hook's --force-exclude applies ``extend-exclude = backups`` to them."""
    user = tmp_path / "user-project"
    for directory in ("app", "backups/2024/app", "tests/fixtures"):
        (user / directory).mkdir(parents=True)
    git("init", "-q", cwd=user)
    (user / "setup.cfg").write_text("[flake8]\nextend-exclude = backups, tests/fixtures\n", encoding="utf-8")
    environ = 'import os\n\nprint(os.environ["HOME"])\n'
    for name in ("app/settings.py", "backups/2024/app/settings.py", "backups/old.py", "tests/fixtures/data.py"):
        (user / name).write_text(environ, encoding="utf-8")
    git("add", "-A", cwd=user)
    status, output = run_hooks(hook_repo, pre_commit_home, user, "ssot")["ssot"]
    by_hook = sorted(line for line in output.splitlines() if ": SOT" in line)
    walked = run_ssot_check_process("--no-cache", ".", cwd=user)
    assert (status, by_hook) == ("Failed", sorted(line.removeprefix("./") for line in walked.stdout.splitlines()))
    assert by_hook == ["app/settings.py:3:7: SOT301 os.environ accessed directly; go through the project's "
                       "isolated-environment module (name it in ssot-environ-allowed-paths)"]
