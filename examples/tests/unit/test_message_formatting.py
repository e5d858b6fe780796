"""Unit tests for agent event formatting.

Business Value Justification (BVJ):
- Segment: All (Free -> Enterprise)
- Business Goal: Users understand what the agent is doing while they wait
- Value Impact: Every WebSocket agent event renders as a readable chat status line
- Strategic Impact: Chat transparency is the core of the product experience

Compliant: mocks are fine in unit tests; configuration goes through get_env().
"""

from __future__ import annotations

from unittest.mock import MagicMock

from netra_backend.app.websocket_core.formatting import format_agent_event
from shared.isolated_environment import get_env
from test_framework.ssot.base_test_case import SSotBaseTestCase


class TestAgentEventFormatting(SSotBaseTestCase):
    def test_tool_executing_names_the_tool(self):
        tool = MagicMock()
        tool.display_name = "Cost Analyzer"
        line = format_agent_event({"type": "tool_executing", "tool": tool})
        self.assertEqual(line, "Running Cost Analyzer...")

    def test_locale_comes_from_the_isolated_environment(self):
        get_env().set("CHAT_LOCALE", "de", source="test")
        line = format_agent_event({"type": "agent_completed"})
        self.assertEqual(line, "Fertig")
