"""``ssot-check --force-exclude``: directory excludes apply to files named on the command line."""

from __future__ import annotations

from pathlib import Path

from tests.expectations import run_ssot_check

ENVIRON = 'import os\n\nprint(os.environ["HOME"])\n'
NAMED = ["app/settings.py", "backups/app/settings.py", "backups/deep/er/x.py", "build/gen.py", "tests/data/x.py"]


def make_tree(root: Path) -> None:
    (root / "setup.cfg").write_text("[flake8]\nextend-exclude = backups, ./build, tests/data/*\n", encoding="utf-8")
    for name in NAMED:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(ENVIRON, encoding="utf-8")


def paths(output: str) -> list[str]:
    return [line.split(":", 1)[0].removeprefix("./") for line in output.splitlines()]


def test_named_files_under_excluded_directories_are_skipped_only_when_forced(tmp_path: Path) -> None:
    make_tree(tmp_path)
    walked = run_ssot_check("--no-cache", ".", cwd=tmp_path)
    assert paths(walked.stdout) == ["app/settings.py"]
    # flake8's rule: a named file is checked unless an exclude matches the file itself
    named = run_ssot_check("--no-cache", *NAMED, cwd=tmp_path)
    assert paths(named.stdout) == ["app/settings.py", "backups/app/settings.py", "backups/deep/er/x.py", "build/gen.py"]
    forced = run_ssot_check("--no-cache", "--force-exclude", *NAMED, cwd=tmp_path)
    assert (forced.returncode, paths(forced.stdout)) == (1, ["app/settings.py"])
    # the same with the names pre-commit would not give: absolute, or with ./
    absolute = [str(tmp_path / name) for name in NAMED]
    assert paths(run_ssot_check("--no-cache", "--force-exclude", *absolute, cwd=tmp_path).stdout) == [
        str(tmp_path / "app/settings.py")]
    dotted = [f"./{name}" for name in NAMED]
    assert paths(run_ssot_check("--no-cache", "--force-exclude", *dotted, cwd=tmp_path).stdout) == ["app/settings.py"]


def test_only_directories_below_the_working_directory_count(tmp_path: Path) -> None:
    (tmp_path / "backups").mkdir()
    make_tree(tmp_path / "backups")  # the project itself lives in a directory named like an exclude
    project = tmp_path / "backups"
    forced = run_ssot_check("--no-cache", "--force-exclude", "app/settings.py", cwd=project)
    assert paths(forced.stdout) == ["app/settings.py"]
    everything_excluded = run_ssot_check("--no-cache", "--force-exclude", "--isolated", "--extend-exclude", "app",
                                         "app/settings.py", cwd=project)
    assert (everything_excluded.returncode, everything_excluded.stdout) == (0, "")
