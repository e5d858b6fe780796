"""Unit tests for a supervisor agent run, with the hygiene slips SOT5xx catches.

Business Value Justification (BVJ):
- Segment: Platform/Internal - Development Velocity
- Business Goal: A test suite whose green means something
- Value Impact: Every agent run ends with the events the chat UI renders
- Strategic Impact: Tests that never run or never check let regressions reach users

SOT501-SOT504 are on by default. SOT505-SOT507 are off by default; see them with
`flake8 --extend-select SOT5 .` (or SOT505, SOT506, SOT507 one at a time).
"""

from __future__ import annotations

import asyncio
import sys
from unittest.mock import MagicMock

import pytest

from netra_backend.app.agents.supervisor import SupervisorAgent
from test_framework.ssot.base_test_case import SSotAsyncTestCase, SSotBaseTestCase
from .agent_fixtures import SAMPLE_REQUEST  # SOT501: relative import


@pytest.mark.unit
class TestSupervisorRun(SSotBaseTestCase):
    def test_run_ends_with_agent_completed(self):
        events = SupervisorAgent().run_sync(SAMPLE_REQUEST)
        self.assertEqual(events[-1]["type"], "agent_completed")

    @pytest.mark.integration
    def test_run_persists_the_thread(self):  # SOT503: unit (class) and integration (method)
        self.assertTrue(SupervisorAgent().run_sync(SAMPLE_REQUEST)["thread_id"])

    @pytest.mark.skip(reason="flaky")  # SOT504: no condition; use skipif or xfail
    def test_run_reports_token_usage(self):
        self.assertGreater(SupervisorAgent().run_sync(SAMPLE_REQUEST)["tokens"], 0)

    @pytest.mark.skipif(sys.platform == "win32", reason="needs uvloop")  # conditional: fine
    def test_run_under_uvloop(self):
        self.assertTrue(SupervisorAgent(loop="uvloop").run_sync(SAMPLE_REQUEST))

    def test_run_does_not_raise(self):  # SOT506 (off by default): asserts nothing
        SupervisorAgent().run_sync(SAMPLE_REQUEST)

    def test_run_notifies(self):  # SOT506 (off by default): only checks a mock it built itself
        notifier = MagicMock()
        SupervisorAgent(notifier=notifier).run_sync(SAMPLE_REQUEST)
        notifier.notify.assert_called_once()


@pytest.mark.unit
class TestSupervisorEvents(SSotAsyncTestCase):
    async def test_thinking_follows_started(self):
        run = SupervisorAgent().start(SAMPLE_REQUEST)
        await asyncio.sleep(1)  # SOT505 (off by default): wait for the event instead
        self.assertEqual(run.events[:2], ["agent_started", "agent_thinking"])

    async def test_tool_completes(self):
        run = SupervisorAgent().start(SAMPLE_REQUEST)
        await asyncio.sleep(0)  # yields to the event loop: fine
        self.assertIn("tool_complete", run.events)  # SOT507 (off by default): tool_completed
