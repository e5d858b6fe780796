"""WebSocket agent events against the real backend, Redis and PostgreSQL.

Business Value Justification (BVJ):
1. **Segment:** Platform/Internal - System Stability
2. **Business Goal:** Chat shows live progress for every agent run
3. **Value Impact:** Users see agent_started through agent_completed in order
4. **Strategic/Revenue Impact:** The five agent events are what makes chat feel alive

Compliant: real services, an SSOT base class, configuration through get_env(),
and the one allowed patch (the external LLM provider, see setup.cfg).
"""

from __future__ import annotations

from unittest.mock import patch

from shared.isolated_environment import get_env
from test_framework.base_integration_test import WebSocketIntegrationTest

AGENT_EVENTS = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]


class TestAgentEventDelivery(WebSocketIntegrationTest):
    async def test_user_receives_all_five_events_in_order(self):
        get_env().set("AGENT_EVENT_BATCHING", "off", source="test")
        async with self.authenticated_websocket(user_id="user-1") as websocket:
            with patch("openai.resources.chat.completions.AsyncCompletions.create") as create:
                create.return_value = self.canned_completion("Your spend is 12% above plan.")
                await self.run_agent(websocket, "Analyse my cloud costs")
            received = [event["type"] for event in await websocket.drain_events()]
        self.assertEqual(received, AGENT_EVENTS)

    async def test_events_never_reach_another_user(self):
        async with self.authenticated_websocket(user_id="user-1") as first, \
                self.authenticated_websocket(user_id="user-2") as second:
            await self.run_agent(first, "Summarise last week's usage")
            self.assertEqual(await second.drain_events(), [])
