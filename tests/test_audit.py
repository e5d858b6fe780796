"""ssot-report --since and --history: on tiny git repositories built here, every
number agrees with ssot-report and ssot-check run on a checkout of the same commit."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flake8_ssot import report
from flake8_ssot.progress import Progress
from flake8_ssot.audit import blobs, render, since
from flake8_ssot.audit.files import FileSelector
from flake8_ssot.audit.git import Commit, Repository
from flake8_ssot.audit.history import sample
from flake8_ssot.facts import SYNTAX_ERROR, FileFacts
from flake8_ssot.project import expand_paths, load_settings
from flake8_ssot.registry import Finding
from flake8_ssot.runner import FileReport
from tests.test_report import BVJ, PROJECT, make_project, run_report, ssot_check_rows

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": os.devnull}


def git(root: Path, *args: str, date: str = "2026-11-01T12:00:00Z") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def commit_all(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


NEW_TEST = BVJ.format(title="Search", value="Users find threads") + '''
from unittest import mock


def test_search():
    assert mock.MagicMock()
'''


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Three commits on three days: the project, a new integration test with a mock, a fix and an edit."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".ssot_cache/\n")
    make_project(root)
    commit_all(root, "the project", "2026-11-01T10:00:00Z")
    (root / "tests/integration/test_search.py").write_text(NEW_TEST)  # SOT101
    commit_all(root, "search tests", "2026-11-02T10:00:00Z")
    (root / "app/settings.py").write_text("DEBUG = False\n")  # fixes SOT302
    (root / "tests/unit/test_broken.py").write_text("def test_broken():\n    pass\n")  # now parses
    commit_all(root, "fixes", "2026-11-03T10:00:00Z")
    return root


def checkout(root: Path, rev: str, where: Path) -> Path:
    git(root, "worktree", "add", "-q", "--detach", str(where), rev)
    return where


def tree_numbers(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    status, out, err = run_report(root, monkeypatch, capsys, "--format", "json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    return {"files": document["files"], "tests": document["tests"], "findings": document["findings"],
            "codes": {row["code"]: row["findings"] for row in document["codes"] if row["checked"]},
            "shares": {name: share["percent"] for name, share in document["shares"].items()}}


def row_numbers(row: dict[str, Any]) -> dict[str, Any]:
    """A --history row's numbers, as tree_numbers gives them."""
    return {"files": row["files"], "tests": row["tests"], "findings": row["findings"], "codes": row["codes"],
            "shares": {name: share["percent"] for name, share in row["shares"].items()}}


# ------------------------------------------------------------------ history
def test_history_numbers_are_ssot_report_on_a_checkout_of_each_commit(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["history"] == {"range": "main", "every": "day", "commits_in_range": 3, "sampled": 3,
                                   "config_file": "setup.cfg"}
    assert [row["subject"] for row in document["commits"]] == ["the project", "search tests", "fixes"]
    for index, row in enumerate(document["commits"]):
        where = checkout(repo, row["commit"], tmp_path / f"checkout{index}")
        assert row_numbers(row) == tree_numbers(where, monkeypatch, capsys)
    totals = [row["findings"]["total"] for row in document["commits"]]
    assert totals[1] == totals[0] + 1  # the mock
    assert totals[2] == totals[1] - 1  # SOT302 and E999 gone, SOT201 on the test that parses now


def test_history_range_and_sampling(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_report(repo, monkeypatch, capsys, "--history", "main~2..main", "--format", "json")
    assert status == 0 and [row["subject"] for row in json.loads(out)["commits"]] == ["search tests", "fixes"]
    commits = [Commit(str(i), t, "", str(i)) for i, t in enumerate((0, 3600, 86400 + 5, 86400 * 9, 86400 * 9 + 1))]
    assert [c.sha for c in sample(commits, "day")] == ["1", "2", "4"]
    assert [c.sha for c in sample(commits, "week")] == ["2", "4"]  # 1970-01-01 is a Thursday
    assert [c.sha for c in sample(commits, "2")] == ["0", "2", "4"]
    assert [c.sha for c in sample(commits, "commit")] == ["0", "1", "2", "3", "4"]


def test_history_checks_each_commit_with_its_own_configuration(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "setup.cfg").write_text("# another tool's option\n" + PROJECT["setup.cfg"] + "max-line-length = 99\n")
    commit_all(repo, "other options", "2026-11-04T10:00:00Z")
    (repo / "setup.cfg").write_text(PROJECT["setup.cfg"] + "extend-select = SOT5\n")
    commit_all(repo, "config", "2026-11-05T10:00:00Z")
    (repo / "setup.cfg").write_text(PROJECT["setup.cfg"])  # not committed: the working tree's differs from HEAD's
    status, out, err = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["history"]["config_file"] == "setup.cfg"
    assert [row["config_differs"] for row in document["commits"]] == [False, False, False, False, True]
    last = document["commits"][-1]
    assert "SOT505" in last["codes"] and "SOT505" not in document["commits"][-2]["codes"]
    assert row_numbers(last) == tree_numbers(checkout(repo, last["commit"], tmp_path / "last"), monkeypatch, capsys)


TOML = '[tool.flake8]\nssot-environ-allowed-paths = ["shared/env.py"]\n'


@pytest.mark.parametrize("setup_cfg", ["", "[flake8]\nextend-ignore = SOT1\n"],
                         ids=["pyproject-only", "beside-setup.cfg"])
def test_history_reads_tool_flake8_in_pyproject_as_of_each_commit(
        setup_cfg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "toml"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".ssot_cache/\n")
    make_project(root)
    (root / "setup.cfg").unlink()
    if setup_cfg:  # [tool.flake8] replaces setup.cfg's [flake8] (as with Flake8-pyproject): SOT101 stays reported
        (root / "setup.cfg").write_text(setup_cfg)
    (root / "pyproject.toml").write_text(TOML)
    commit_all(root, "the project", "2026-11-01T10:00:00Z")
    (root / "pyproject.toml").write_text(TOML + 'extend-select = ["SOT5"]\n')
    commit_all(root, "config", "2026-11-02T10:00:00Z")
    # not committed: the working tree's table has a key no commit has (it must not reach them)
    (root / "pyproject.toml").write_text(TOML + 'extend-ignore = ["SOT302"]\n')
    status, out, err = run_report(root, monkeypatch, capsys, "--history", "main", "--format", "json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["history"]["config_file"] == "pyproject.toml"
    assert [row["config_differs"] for row in document["commits"]] == [True, True]
    first, last = document["commits"]
    assert {"SOT101", "SOT302"} <= first["codes"].keys() and "SOT505" not in first["codes"]
    assert "SOT505" in last["codes"]
    assert (root / ".ssot_cache").is_dir()  # ssot-check's cache directory: beside pyproject.toml
    for index, row in enumerate(document["commits"]):
        where = checkout(root, row["commit"], tmp_path / f"checkout{index}")
        assert row_numbers(row) == tree_numbers(where, monkeypatch, capsys)
    status, out, err = run_report(root, monkeypatch, capsys, "--history", "main", "--format", "json",
                                  "--extend-ignore", "SOT2")  # the command line still wins
    assert (status, err) == (0, "")
    assert not any(code.startswith("SOT2") for row in json.loads(out)["commits"] for code in row["codes"])


def test_history_checks_each_blob_once_and_caches_across_runs(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    checked: list[str] = []
    real = blobs.analyse

    def counting(name: str, data: bytes, settings: Any) -> blobs.Analysed:
        checked.append(name)
        return real(name, data, settings)

    monkeypatch.setattr(blobs, "analyse", counting)
    first = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "json")
    # every file of the first commit, then only the files each commit changed
    assert sorted(checked) == sorted([*PROJECT_PY, "tests/integration/test_search.py", "app/settings.py",
                                      "tests/unit/test_broken.py"])
    checked.clear()
    second = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "json")
    assert checked == [] and second == first  # the per-blob cache in .ssot_cache
    (blob_index,) = [name for name in os.listdir(repo / ".ssot_cache") if name.startswith("blobs-")]
    # ssot-check's findings index of the same settings is never read (nor warned about) to name it
    (repo / ".ssot_cache" / blob_index.replace("blobs-", "findings-")).write_text("{corrupt")
    assert run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "json") == first
    run_report(repo, monkeypatch, capsys, "--history", "main", "--no-cache", "--format", "json")
    assert len(checked) == len(PROJECT_PY) + 3


PROJECT_PY = [path for path in PROJECT if path.endswith(".py")]


def test_history_csv_table_markdown_and_html(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and [row["subject"] for row in rows] == ["the project", "search tests", "fixes"]
    assert {"commit", "date", "tests.test_functions", "family.doubles", "code.SOT101",
            "share.bvj_complete.percent"} <= set(rows[0])
    table = run_report(repo, monkeypatch, capsys, "--history", "main")[1]
    assert "history of main: 3 of 3 commits (every day)" in table and "2026-11-03" in table
    markdown = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "markdown")[1]
    assert markdown.startswith("## flake8-ssot: history of main") and "| date | commit |" in markdown
    page = tmp_path / "history.html"
    assert run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "html",
                      "--output-file", str(page)) == (0, "", "")
    assert_self_contained(page.read_text())
    svg = run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "svg")[1]
    assert svg.startswith("<svg ") and "Findings per family" in svg


def assert_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg ") >= 1
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing loaded from elsewhere
    assert "<script" not in page and "@import" not in page


@pytest.mark.parametrize("args", [[], ["."], ["tests"], ["tests/unit/", "app"], ["tests/unit/test_models.py"],
                                  ["tests/fixtures"]])
def test_the_files_of_a_commit_are_those_a_walk_of_its_checkout_finds(
        repo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    (repo / "setup.cfg").write_text(PROJECT["setup.cfg"] + "extend-exclude = tests/fixtures,*_pb2.py\n")
    for name in ("tests/fixtures/test_data.py", "tests/unit/models_pb2.py", "tests/unit/notes.txt", "tools/x.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("x = 1\n")
    commit_all(repo, "more files", "2026-11-04T10:00:00Z")
    monkeypatch.chdir(repo)
    settings = load_settings()
    walked = sorted(os.path.normpath(path) for path in expand_paths(args, settings))
    with Repository() as repository:
        listed = FileSelector(repository.top, args, settings).files(repository, repository.root_tree("HEAD"))
    assert sorted(os.path.normpath(name) for name, _sha in listed) == walked


# -------------------------------------------------------------------- since
def change_the_work_tree(root: Path) -> None:
    git(root, "checkout", "-q", "-b", "work")
    search = root / "tests/integration/test_search.py"
    # moved down two lines (nothing new), one more mock (SOT101), and the payments mock fixed
    search.write_text("\n\n" + NEW_TEST + "\n\ndef test_more():\n    assert mock.Mock()\n")
    payments = root / "tests/integration/test_payments.py"
    payments.write_text(payments.read_text().replace("MagicMock()", "object()"))
    git(root, "mv", "tests/unit/test_models.py", "tests/unit/test_model_rules.py")
    git(root, "rm", "-q", "tests/e2e/test_flow.py")
    (root / "tests/unit/test_untracked.py").write_text(BVJ.format(title="New", value="x")
                                                       + "\ndef test_x():\n    assert 1\n")
    commit_all(root, "work", "2026-11-04T10:00:00Z")
    (root / "tests/unit/test_uncommitted.py").write_text("def test_y():\n    assert 1\n")  # SOT201, untracked


def test_since_audits_the_batch_against_the_merge_base(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert "MagicMock()" in (repo / "tests/integration/test_payments.py").read_text()
    change_the_work_tree(repo)
    status_before = git(repo, "status", "--porcelain")
    status, out, err = run_report(repo, monkeypatch, capsys, "--since", "main", "--format", "json")
    assert (status, err) == (0, "")
    assert git(repo, "status", "--porcelain") == status_before  # the working tree untouched
    document = json.loads(out)
    files = {row["path"]: row for row in document["files"]}
    assert {path: row["status"] for path, row in files.items()} == {
        "tests/integration/test_payments.py": "changed", "tests/integration/test_search.py": "changed",
        "tests/unit/test_model_rules.py": "renamed", "tests/unit/test_untracked.py": "added",
        "tests/unit/test_uncommitted.py": "added",
    }
    assert files["tests/unit/test_model_rules.py"]["old_path"] == "tests/unit/test_models.py"
    assert [f["code"] for f in files["tests/integration/test_search.py"]["introduced"]] == ["SOT101"]
    assert files["tests/integration/test_search.py"]["fixed"] == []
    assert [f["code"] for f in files["tests/integration/test_payments.py"]["fixed"]] == ["SOT101"]
    assert [f["code"] for f in files["tests/unit/test_uncommitted.py"]["introduced"]] == ["SOT201"]
    assert files["tests/unit/test_model_rules.py"]["introduced"] == []
    assert document["removed"] == [{"path": "tests/e2e/test_flow.py", "test_module": True, "tests": 2,
                                    "lines": len(PROJECT["tests/e2e/test_flow.py"].splitlines()), "findings": 1}]
    summary = document["summary"]
    assert (summary["files_added"], summary["files_changed"], summary["files_renamed"],
            summary["files_removed"]) == (2, 2, 1, 1)
    assert (summary["introduced"], summary["fixed"]) == (2, 1)
    assert summary["tests_added"] == 1 + 2 - 2  # test_more, two new modules, the removed e2e tests
    assert document["groups"] == [{"group": "tests", **{key: summary[key] for key in (
        "files", "files_added", "files_removed", "test_modules", "tests", "tests_before", "tests_removed", "lines",
        "findings", "introduced", "fixed")}}]


def test_since_findings_are_ssot_checks_on_both_revisions(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    change_the_work_tree(repo)
    document = json.loads(run_report(repo, monkeypatch, capsys, "--since", "main", "--format", "json")[1])
    now = ssot_check_rows(repo, monkeypatch, capsys)
    base = ssot_check_rows(checkout(repo, "main", tmp_path / "base"), monkeypatch, capsys)
    for row in document["files"]:
        found = [r for r in now if os.path.normpath(r["path"]) == row["path"]]
        assert row["findings"] == len(found)
        old = row["old_path"] or row["path"]
        before = [r for r in base if os.path.normpath(r["path"]) == old]
        assert row["findings_before"] == len(before)
        assert row["findings"] - row["findings_before"] == len(row["introduced"]) - len(row["fixed"])


def test_fail_on_new_and_the_other_formats(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_report(repo, monkeypatch, capsys, "--since", "main", "--fail-on-new")[0] == 0  # empty batch
    change_the_work_tree(repo)
    status, table, _ = run_report(repo, monkeypatch, capsys, "--since", "main", "--fail-on-new")
    assert status == 1 and "Findings introduced (2)" in table and "Files removed (1)" in table
    status, markdown, _ = run_report(repo, monkeypatch, capsys, "--since", "main", "--format", "markdown")
    assert status == 0 and markdown.startswith("## flake8-ssot: the batch since main")
    assert "**2 findings introduced, 1 fixed**" in markdown
    page = tmp_path / "since.html"
    assert run_report(repo, monkeypatch, capsys, "--since", "main", "--format", "html", "--output-file",
                      str(page)) == (0, "", "")
    assert_self_contained(page.read_text())
    assert "tests/unit/test_model_rules.py" in page.read_text()


def test_the_tree_report_as_html_and_progress_on_a_terminal(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "tree.html"
    assert run_report(repo, monkeypatch, capsys, "--format", "html", "--output-file", str(page)) == (0, "", "")
    assert_self_contained(page.read_text())
    assert "SOT101 mock-object-created" in page.read_text()
    stream = io.StringIO()
    progress = Progress(stream, "ssot-report")
    progress.show("commit 1/3 0123456789 2026-11-01", True)
    progress.show("commit 1/3 0123456789 2026-11-01: checked 1/9 new files")  # within 0.1 s: not shown
    assert stream.getvalue() == "\rssot-report: commit 1/3 0123456789 2026-11-01\x1b[K"
    with pytest.raises(SystemExit) as stopped:
        run_report(repo, monkeypatch, capsys, "--format", "html", "--output-file", str(tmp_path / "no" / "x.html"))
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.startswith("ssot-report: cannot write ") and err.count("\n") == 1


# ------------------------------------------------------------------- errors
def test_not_a_work_tree_unknown_rev_and_shallow_clone_exit_2(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    for args in (("--since", "main"), ("--history", "main")):
        status, out, err = run_report(elsewhere, monkeypatch, capsys, *args)
        assert (status, out) == (2, "") and err.startswith("ssot-report: not a git work tree: ")
        assert err.count("\n") == 1
    status, out, err = run_report(repo, monkeypatch, capsys, "--since", "no-such-branch")
    assert (status, out, err) == (2, "", f"ssot-report: unknown revision 'no-such-branch' (a branch, tag or "
                                         f"commit of {os.path.realpath(repo)})\n")
    status, _, err = run_report(repo, monkeypatch, capsys, "--history", "main~9..main")
    assert status == 2 and err.startswith("ssot-report: unknown revision 'main~9'")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(shallow))
    for args in (("--since", "main~2"), ("--history", "HEAD~2..HEAD")):
        status, out, err = run_report(shallow, monkeypatch, capsys, *args)
        assert (status, out) == (2, "") and "in this shallow clone" in err and err.count("\n") == 1


def test_option_misuse_and_missing_pygal_exit_2(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for args in (("--format", "csv"), ("--since", "main", "--format", "svg"), ("--fail-on-new",),
                 ("--history", "main", "--every", "fortnight")):
        with pytest.raises(SystemExit) as stopped:
            run_report(repo, monkeypatch, capsys, *args)
        assert stopped.value.code == 2
    capsys.readouterr()
    monkeypatch.setitem(sys.modules, "pygal", None)  # import pygal fails
    with pytest.raises(SystemExit) as stopped:
        run_report(repo, monkeypatch, capsys, "--history", "main", "--format", "html")
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err == (
        "ssot-report: charts need pygal, which is not installed: pip install 'flake8-ssot[charts]' "
        "(or pip install pygal)\n")


# ----------------------------------------------------------------- Markdown
def test_markdown_fits_a_pull_request_comment_on_a_big_tree() -> None:
    reports = [FileReport(f"services/svc{i % 40}/tests/integration/area/test_module_number_{i}.py",
                          [Finding(3, 0, "E999", "SyntaxError: invalid syntax")],
                          FileFacts(SYNTAX_ERROR, "line 3: SyntaxError: invalid syntax; " + "x" * 60))
               for i in range(5000)]
    markdown = report.render_markdown(report.audit(reports, load_settings(isolated=True)))
    assert len(markdown) < render.MARKDOWN_LIMIT
    assert markdown.startswith("## flake8-ssot compliance report")
    assert re.search(r"\*\d+ more entries left out", markdown) and "<details>" in markdown

    rows = [{"path": f"services/svc/tests/integration/test_{'long_name_' * 5}{i}.py", "status": "added",
             "old_path": None, "test_module": True, "tests": 7, "tests_before": 0, "lines": 300, "lines_before": 0,
             "findings": 2, "findings_before": 0, "families": {"doubles": 2},
             "introduced": [{"line": 4, "column": 1, "code": "SOT101", "message": "a mock " * 8}] * 2,
             "fixed": [], "verdict": "worse: 2 new findings"} for i in range(4000)]
    document = {"tool": {"version": "0"}, "since": {"rev": "main", "merge_base": "0" * 40,
                                                    "merge_base_date": "2026-11-01"},
                "summary": {key: 1 for key in ("files", "files_added", "files_changed", "files_renamed",
                                               "files_removed", "test_modules", "test_modules_added",
                                               "test_modules_changed", "test_modules_renamed", "tests",
                                               "tests_added", "test_lines", "findings", "introduced", "fixed")},
                "groups": [], "audit": {"shares": {}}, "files": rows, "removed": []}
    markdown = render.since_markdown(document)
    assert len(markdown) < render.MARKDOWN_LIMIT and "more files left out" in markdown
    assert markdown.index("findings introduced") < markdown.index("### Files")


def test_since_reports_a_changed_file_it_cannot_read_as_ssot_check_does(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "-b", "work")
    locked = repo / "tests/integration/test_payments.py"
    locked.write_text(locked.read_text() + "\n# changed\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # running as root: the file stays readable, so refuse it here
            def refuse(path: str, *args: Any, **kwargs: Any) -> Any:
                if os.path.samefile(path, locked):
                    raise PermissionError(13, "Permission denied", path)
                return open(path, *args, **kwargs)
            monkeypatch.setattr(since, "open", refuse, raising=False)
        status, out, err = run_report(repo, monkeypatch, capsys, "--since", "main", "--format", "json")
    finally:
        locked.chmod(0o644)
    assert (status, err) == (0, "")
    row = {row["path"]: row for row in json.loads(out)["files"]}["tests/integration/test_payments.py"]
    assert [f["code"] for f in row["introduced"]] == ["E902"]
    assert row["findings"] == 1 and row["lines"] == 0
    assert row["verdict"] == "does not parse"


def test_since_matches_findings_as_a_baseline_does_so_a_reformatted_file_introduces_nothing(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "-b", "work")
    search = repo / "tests/integration/test_search.py"
    text = search.read_text()
    assert "    assert mock.MagicMock()\n" in text
    reformatted = "    assert (\n        mock.MagicMock(\n        )\n    )\n"  # the finding's line changes
    search.write_text(text.replace("    assert mock.MagicMock()\n", reformatted))
    status, out, err = run_report(repo, monkeypatch, capsys, "--since", "main", "--format", "json")
    assert (status, err) == (0, "")
    (row,) = json.loads(out)["files"]
    assert (row["path"], row["findings"], row["findings_before"]) == ("tests/integration/test_search.py", 1, 1)
    assert (row["introduced"], row["fixed"]) == ([], [])
    assert row["verdict"] == "findings, none new"
