"""Draw docs/history.svg, the README's chart, from the bundled examples.

    python docs/history_demo.py [--html FILE]

Builds a git repository in a temporary directory whose history tells a
short story with the files of ``examples/``: over six days the example
project is committed two files a day, then over four more days its worst
files are mended (a compliant file's text replaces a violating one, the
mock-laden conftest goes).  Then it runs ``ssot-report --history
main --format svg`` on it and writes the chart to ``docs/history.svg``
(and the whole HTML report to ``--html FILE`` if asked).  Needs git and
the ``charts`` extra.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
GIT_ENV = {"GIT_AUTHOR_NAME": "demo", "GIT_AUTHOR_EMAIL": "demo@example.com", "GIT_COMMITTER_NAME": "demo",
           "GIT_COMMITTER_EMAIL": "demo@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
COMPLIANT_UNIT = "tests/unit/test_message_formatting.py"
COMPLIANT_INTEGRATION = "tests/integration/test_websocket_agent_events_integration.py"
COMPLIANT_E2E = "tests/e2e/test_agent_pipeline_e2e.py"
# (day, what happens): a list of files to add from examples/, or (path, replacement or None to delete)
STORY: list[tuple[str, list]] = [
    ("2026-11-02", ["setup.cfg", "shared/isolated_environment.py", "test_framework/ssot/base_test_case.py"]),
    ("2026-11-03", [COMPLIANT_UNIT, "netra_backend/app/settings.py"]),
    ("2026-11-04", ["tests/unit/test_legacy_settings.py", COMPLIANT_INTEGRATION]),
    ("2026-11-05", ["tests/integration/conftest.py", "tests/integration/test_thread_creation_integration.py"]),
    ("2026-11-06", [COMPLIANT_E2E, "tests/e2e/test_chat_journey_e2e.py"]),
    ("2026-11-07", ["tests/unit/test_agent_run_hygiene.py"]),
    ("2026-11-09", [("tests/integration/conftest.py", None)]),
    ("2026-11-10", [("tests/integration/test_thread_creation_integration.py", COMPLIANT_INTEGRATION)]),
    ("2026-11-11", [("tests/unit/test_legacy_settings.py", COMPLIANT_UNIT)]),
    ("2026-11-12", [("tests/e2e/test_chat_journey_e2e.py", COMPLIANT_E2E)]),
]


def git(root: str, *args: str, date: str = "2026-11-01") -> None:
    stamp = f"{date}T12:00:00+00:00"
    dates = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    env = {**os.environ, **GIT_ENV, **dates}  # noqa: SOT301 - a git subprocess's environment, not test code
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def build(root: str) -> None:
    git(root, "init", "-q", "-b", "main")
    for date, steps in STORY:
        for step in steps:
            path, source = (step, step) if isinstance(step, str) else step
            target = os.path.join(root, path)
            if source is None:
                os.remove(target)
                continue
            os.makedirs(os.path.dirname(target) or root, exist_ok=True)
            shutil.copyfile(os.path.join(EXAMPLES, source), target)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"day {date}", date=date)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--html", metavar="FILE", help="also write the HTML report here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ssot-demo-") as root:
        build(root)
        report = [sys.executable, "-m", "flake8_ssot.report", "-j", "1", "--history", "main", "--no-cache"]
        subprocess.run([*report, "--format", "svg", "--output-file", os.path.join(HERE, "history.svg")],
                       cwd=root, check=True)
        if args.html:
            subprocess.run([*report, "--format", "html", "--output-file", os.path.abspath(args.html)], cwd=root,
                           check=True)
        subprocess.run([*report], cwd=root, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
