"""The ssot-check cache: re-runs reuse findings, and nothing else.

Which files a run checked (rather than took from the cache) is recorded by
wrapping the runner's check; the index file is only rewritten when a run
added entries.  Every run's output is compared with an uncached run of the
same tree.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

import pytest

from flake8_ssot import cache, cli, runner
from flake8_ssot.project import load_settings
from tests.expectations import run_ssot_check_process

INTEGRATION_TEST = '''"""Checkout against the real payment service.

Business Value Justification (BVJ):
- Segment: Enterprise
- Business Goal: Payments succeed
- Value Impact: Customers can pay
- Strategic Impact: Revenue
"""
import os
from unittest.mock import MagicMock

from test_framework.base_integration_test import BaseIntegrationTest


class TestCheckout(BaseIntegrationTest):
    def test_charge(self):
        gateway = MagicMock()
        assert gateway.charge(os.environ["AMOUNT"])
'''
UNIT_TEST = '''"""Price rounding."""
import unittest


class TestRounding(unittest.TestCase):
    def test_half_up(self):
        self.assertEqual(round(2.5), 2)
'''
TREE = {
    "setup.cfg": "[flake8]\nssot-bvj-segments = Free, Enterprise\n",
    "tests/integration/test_checkout.py": INTEGRATION_TEST,
    "tests/unit/test_rounding.py": UNIT_TEST,
    "app/settings.py": 'import os\nDEBUG = os.getenv("DEBUG")\n',
    "app/broken_test.py": "def broken(:\n",  # a test module: parsed whatever it contains
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(cache.ENVIRONMENT_VARIABLE, raising=False)
    for name, text in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # As if the files were written well before the runs (RACY_NS), as they
    # usually are: else every file just written is read again each run.
    real_now = cache._now
    monkeypatch.setattr(cache, "_now", lambda: real_now() + 10 * cache.RACY_NS)
    return tmp_path


def ssot_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["-j", "1", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files each in-process, one-job run checks instead of taking from the cache."""
    names: list[str] = []
    check_lines = runner.check_lines

    def counting(display_name: str, lines: list[str], settings: object) -> object:
        names.append(display_name)
        return check_lines(display_name, lines, settings)

    monkeypatch.setattr(runner, "check_lines", counting)
    return names


def indexes(directory: Path) -> dict[Path, tuple[int, int]]:
    """Each index file with its identity: a rewrite (os.replace) gives it a new inode."""
    return {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in directory.glob("findings-*.json")}


def only_index(directory: Path) -> dict[str, list]:
    (path,) = indexes(directory)
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_rerun_is_served_from_the_cache(project: Path, capsys: pytest.CaptureFixture[str],
                                          checked: list[str]) -> None:
    uncached = ssot_check(capsys, "--no-cache")
    assert uncached[0] == 1 and "SOT101" in uncached[1] and "E999" in uncached[1]
    assert not (project / ".ssot_cache").exists()

    checked.clear()
    assert ssot_check(capsys) == uncached
    assert len(checked) == 4 and len(only_index(project / ".ssot_cache")) == 4
    first = indexes(project / ".ssot_cache")
    checked.clear()
    assert ssot_check(capsys) == uncached
    assert checked == [] and indexes(project / ".ssot_cache") == first
    assert (project / ".ssot_cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")


def test_a_parallel_rerun_over_unchanged_files_starts_no_worker(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    uncached = ssot_check(capsys, "--no-cache")
    assert ssot_check(capsys, "-j", "2") == uncached
    pools: list[int] = []
    start_pool = runner._pool
    monkeypatch.setattr(runner, "_pool", lambda jobs, *rest: pools.append(jobs) or start_pool(jobs, *rest))
    assert ssot_check(capsys, "-j", "2") == uncached
    assert pools == []
    # One changed file is one miss: checked here too, since one job needs no pool.
    (project / "app" / "settings.py").write_text("DEBUG = False\n", encoding="utf-8")
    assert ssot_check(capsys, "-j", "2") == ssot_check(capsys, "--no-cache")
    assert pools == []
    (project / "app" / "settings.py").write_text("DEBUG = True\n", encoding="utf-8")
    (project / "tests" / "integration" / "test_checkout.py").write_text("X = 1\n", encoding="utf-8")
    assert ssot_check(capsys, "-j", "2") == ssot_check(capsys, "--no-cache")
    assert pools == [2]


def test_a_changed_file_is_checked_again(project: Path, capsys: pytest.CaptureFixture[str],
                                         checked: list[str]) -> None:
    ssot_check(capsys)
    (project / "app" / "settings.py").write_text("DEBUG = False\n", encoding="utf-8")
    checked.clear()

    status, out, err = ssot_check(capsys)
    assert [os.path.normpath(name) for name in checked] == [os.path.join("app", "settings.py")]
    assert (status, out, err) == ssot_check(capsys, "--no-cache")
    assert "settings.py" not in out and err == ""


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: (root / "setup.cfg").write_text("[flake8]\nssot-bvj-segments = Free\n"),
                 id="ssot option"),
    pytest.param(lambda root: (root / "setup.cfg").write_text(TREE["setup.cfg"] + "extend-ignore = SOT3\n"),
                 id="selection"),
    pytest.param(lambda root: setattr(cache, "__version__", "99.0"), id="tool version"),
])
def test_configuration_or_version_change_invalidates_every_entry(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        checked: list[str], change) -> None:
    ssot_check(capsys)
    monkeypatch.setattr(cache, "__version__", cache.__version__)  # restored after the test
    change(project)
    checked.clear()

    cached = ssot_check(capsys)
    assert len(checked) == 4  # every file again
    assert cached == ssot_check(capsys, "--no-cache")
    assert len(indexes(project / ".ssot_cache")) == 2  # one index per tool and configuration


def test_the_same_file_under_another_path_is_another_entry(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Scopes depend on where the file is: the same bytes in integration/
    # and unit/ give different findings.
    ssot_check(capsys, "tests/integration")
    (project / "tests" / "unit" / "test_checkout.py").write_text(INTEGRATION_TEST, encoding="utf-8")
    status, out, _ = ssot_check(capsys, "tests")
    assert "integration/test_checkout.py:17:19: SOT101" in out
    assert "unit/test_checkout.py:17" not in out
    assert (status, out) == ssot_check(capsys, "--no-cache", "tests")[:2]


@pytest.mark.parametrize("garbage", [
    pytest.param(b"\x00\xff not json", id="bytes"),
    pytest.param(b"", id="empty"),
    pytest.param(b'["entries"]', id="wrong shape"),
    pytest.param(b'{"x": ["source"]}', id="entry without findings"),
    pytest.param(b'{"x": ["source", [["1", "0", "SOT101", "forged"]]]}', id="malformed finding"),
])
def test_a_corrupt_index_is_ignored_with_one_warning(
        project: Path, capsys: pytest.CaptureFixture[str], checked: list[str], garbage: bytes) -> None:
    expected = ssot_check(capsys, "--no-cache")
    ssot_check(capsys)
    (index,) = indexes(project / ".ssot_cache")
    index.write_bytes(garbage)

    status, out, err = ssot_check(capsys)
    assert (status, out) == expected[:2]
    assert err.count("warning") == 1 and "corrupt cache" in err
    checked.clear()
    assert ssot_check(capsys) == expected  # the index was rewritten
    assert checked == []


def test_an_entry_for_other_bytes_is_a_silent_miss(
        project: Path, capsys: pytest.CaptureFixture[str], checked: list[str]) -> None:
    expected = ssot_check(capsys, "--no-cache")
    ssot_check(capsys)
    (index,) = indexes(project / ".ssot_cache")
    entries = json.loads(index.read_text(encoding="utf-8"))
    # Other bytes, read with another size and times: read again, and a miss.
    other = {name: ["0" * 64, [], 0, 0, 0, 0, 0, entry[7]] for name, entry in entries.items()}
    index.write_text(json.dumps(other), encoding="utf-8")
    checked.clear()
    assert ssot_check(capsys) == expected
    assert len(checked) == 4


def test_an_unchanged_file_is_not_read_again(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ssot_check(capsys)
    opened: list[str] = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda file, *rest, **named: opened.append(str(file))
                        or real_open(file, *rest, **named))
    assert ssot_check(capsys) == expected
    checked_files = [name for name in opened if name.endswith(".py") and not os.path.isabs(name)]
    assert opened and not checked_files  # (the tool reads its own modules for its fingerprint)


def test_a_second_write_within_the_timestamp_resolution_is_read(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes change but size, mtime and ctime read as recorded (two writes
    in one clock tick): trusted only if the ctime was well before the recording."""
    monkeypatch.setattr(cache, "_now", time.time_ns)  # recorded just after the files were written
    ssot_check(capsys)
    settings = project / "app" / "settings.py"
    recorded = os.stat(settings)
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("getenv", "GETENV"), encoding="utf-8")  # same size, no finding
    real_status = cache._status
    monkeypatch.setattr(cache, "_status", lambda status: real_status(
        recorded if status.st_ino == recorded.st_ino else status))
    assert ssot_check(capsys) == ssot_check(capsys, "--no-cache")


def test_an_unusable_cache_directory_is_a_warning_not_an_error(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = ssot_check(capsys, "--no-cache")
    (project / "not_a_directory").write_text("", encoding="utf-8")

    status, out, err = ssot_check(capsys, "--cache-dir", "not_a_directory/cache")
    assert (status, out) == expected[:2]
    assert err.startswith("flake8-ssot: warning: cannot use cache directory") and err.count("\n") == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_index_that_cannot_be_written_is_a_warning_not_an_error(
        project: Path, capfd: pytest.CaptureFixture[str], jobs: str) -> None:
    expected = ssot_check(capfd, "--no-cache")
    ssot_check(capfd)
    (index,) = indexes(project / ".ssot_cache")
    index.unlink()
    index.mkdir()  # neither readable nor replaceable as a file

    status, out, err = ssot_check(capfd, "-j", jobs)
    assert (status, out) == expected[:2]
    assert err.count("flake8-ssot: warning: cannot") == err.count("\n") == 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_cache_directory_is_a_warning_not_an_error(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = ssot_check(capsys, "--no-cache")
    directory = project / ".ssot_cache"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        status, out, err = ssot_check(capsys)
    finally:
        directory.chmod(0o755)
    assert (status, out) == expected[:2]
    assert err.count("warning") == 1


def test_location_flags_and_environment(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "tests")
    ssot_check(capsys, ".")
    assert indexes(project / ".ssot_cache"), "beside the config file, not in the working directory"
    assert not (project / "tests" / ".ssot_cache").exists()

    ssot_check(capsys, "--isolated", ".")
    assert indexes(project / "tests" / ".ssot_cache"), "no config file: in the working directory"

    monkeypatch.setenv(cache.ENVIRONMENT_VARIABLE, str(project / "from_env"))
    ssot_check(capsys, ".")
    assert indexes(project / "from_env")
    ssot_check(capsys, "--cache-dir", str(project / "from_flag"), ".")
    assert indexes(project / "from_flag")

    monkeypatch.chdir(project)
    status, out, err = ssot_check(capsys, "--no-cache", "--cache-dir", "unused")
    assert not (project / "unused").exists() and err == ""


def test_standard_input_is_not_cached(project: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(INTEGRATION_TEST.encode())))
    status, out, _ = ssot_check(capsys, "--stdin-display-name", "tests/integration/test_piped.py", "-")
    assert status == 1 and "SOT101" in out
    assert not (project / ".ssot_cache").exists()


def test_the_key_is_the_same_in_every_process(project: Path) -> None:
    """Settings hold frozensets, whose order depends on PYTHONHASHSEED; with
    -j 2 the entries come from worker processes."""
    def run(seed: str, jobs: str) -> str:
        environment = dict(os.environ, PYTHONHASHSEED=seed)
        return run_ssot_check_process("-j", jobs, cwd=project, env=environment, timeout=120).stdout

    def keyed(entries: dict[str, list]) -> dict[str, list]:
        return {name: entry[:2] for name, entry in entries.items()}  # not the times the files were read at

    output = run("1", "2")
    first = only_index(project / ".ssot_cache")
    assert len(first) == 4
    assert run("2", "1") == output
    assert keyed(only_index(project / ".ssot_cache")) == keyed(first)  # the same names: no new entry


def test_settings_fingerprints_ignore_memo_caches(project: Path) -> None:
    settings = load_settings()
    before = cache._canonical(settings)
    settings.selection.for_file("app/settings.py").reports("SOT301")  # fills memo dictionaries
    assert cache._canonical(settings) == before
    with pytest.raises(TypeError):
        cache._canonical(object())
