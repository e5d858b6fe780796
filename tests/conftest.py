"""Fixture modules under tests/fixtures/ are data checked by the plugin, not tests."""

import compileall
import gc
from pathlib import Path

import pytest

import flake8_ssot

collect_ignore_glob = ["fixtures/*"]


def pytest_configure(config: pytest.Config) -> None:
    # The tests start ssot-check, flake8 and the server a few hundred times.
    # An editable install leaves the package uncompiled (pip compiles what
    # it copies), and with PYTHONDONTWRITEBYTECODE set, as on some images,
    # each of those starts would compile it again: compile it once, as an
    # install would (only what changed; xdist workers find it done).
    compileall.compile_dir(Path(flake8_ssot.__file__).parent, quiet=1)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    # The tests parse and walk real code in-process: large, short-lived,
    # acyclic trees that the default threshold makes the collector rescan
    # many times per file, each time with every module the session imported.
    # As ssot-check does (runner._collect_less): what is alive now is left
    # out of collections, and they come less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
