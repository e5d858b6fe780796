"""Full chat journey, from login to the final agent answer.

Business Value Justification (BVJ):
- Segment: Test Infrastructure
- Business Goal: Releases never break the chat journey
- Value Impact: A new user can log in, ask a question and get an answer
- Strategic Impact: Chat is the product; a broken journey loses every segment
"""

import os
from unittest.mock import patch

from test_framework.ssot.e2e_auth_helper import E2EAuthHelper


class TestChatJourney:  # SOT402
    async def test_new_user_gets_an_answer(self):
        helper = E2EAuthHelper(base_url=os.getenv("BACKEND_URL"))  # SOT302
        # SOT102: ssot-mock-allowed-targets applies to integration scope only
        with patch("openai.resources.chat.completions.AsyncCompletions.create"):
            session = await helper.login_new_user()
            answer = await session.ask("How do I cut my GPU spend?")
        assert answer.events[-1]["type"] == "agent_completed"
