"""Agent pipeline end to end against the staging-like local stack.

Business Value Justification:
- Segment: Enterprise
- Goal: Enterprise users get complete, isolated agent results under load
- Value Impact: Concurrent users each receive only their own agent events
- Revenue Impact: Multi-tenant isolation is a condition of every Enterprise contract

Compliant: an SSOT base class, real authentication, no doubles of any kind.
"""

from __future__ import annotations

import asyncio

from shared.isolated_environment import get_env
from test_framework.ssot.base_test_case import SSotAsyncTestCase
from test_framework.ssot.e2e_auth_helper import E2EWebSocketAuthHelper


class TestConcurrentAgentPipelines(SSotAsyncTestCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.auth = E2EWebSocketAuthHelper(base_url=get_env().get("BACKEND_URL", "http://localhost:8000"))

    async def test_each_user_sees_only_their_own_run(self):
        sessions = [await self.auth.connect_new_user() for _ in range(3)]
        runs = await asyncio.gather(*(s.run_agent("Find idle instances") for s in sessions))
        for session, run in zip(sessions, runs):
            self.assertTrue(all(event["run_id"] == run.run_id for event in session.events))
