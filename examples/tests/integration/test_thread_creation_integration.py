"""Thread creation against the database and cache.

Business Value Justification (BVJ):
- Segment: Early, Mid, Enterprise
- Business Goal: TODO
- Value Impact: Users can start a conversation and find it again later
"""

from unittest.mock import AsyncMock, patch

import fakeredis.aioredis  # SOT104

from netra_backend.app.services.thread_service import ThreadService
from test_framework.base_integration_test import DatabaseIntegrationTest


class TestThreadCreation(DatabaseIntegrationTest):
    async def test_new_thread_is_cached_for_its_owner(self):
        cache = fakeredis.aioredis.FakeRedis()
        service = ThreadService(cache=cache, websocket=AsyncMock())  # SOT101
        thread = await service.create_thread(user_id="user-1")
        self.assertEqual(await cache.get(f"thread:{thread.id}:owner"), b"user-1")

    @patch.object(ThreadService, "notify_created")  # SOT102: patch.object is never allowed
    async def test_thread_created_event_is_sent(self, notify_created):
        service = ThreadService()
        await service.create_thread(user_id="user-2")
        notify_created.assert_awaited_once()
