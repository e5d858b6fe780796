"""Fixtures for the integration tests."""

import pytest


class MockWebSocketManager:  # SOT105: a hand-rolled double is still a double
    def __init__(self):
        self.events = []

    async def send_to_user(self, user_id, event):
        self.events.append((user_id, event))


@pytest.fixture
def websocket_manager():
    return MockWebSocketManager()


@pytest.fixture
def llm_client(mocker):  # SOT103
    return mocker.MagicMock()  # SOT101
