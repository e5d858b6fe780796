"""Legacy settings tests, written before the SSOT conventions."""
# BVJ: Segment: Platform | Business Goal: Stable configuration  (SOT201: a comment is not a docstring)

import os
import unittest

import pytest

from netra_backend.app.settings import load_database_settings


class TestDatabaseSettings(unittest.TestCase):  # SOT401
    async def asyncSetUp(self):  # SOT403: unittest.TestCase never awaits it
        self.settings = load_database_settings()

    def test_pool_size_defaults_to_ten(self):
        os.environ.pop("DATABASE_POOL_SIZE", None)  # SOT301
        self.assertEqual(load_database_settings().pool_size, 10)


def test_database_url_is_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://localhost/netra_test")  # SOT303
    assert load_database_settings().url.endswith("/netra_test")


@pytest.mark.integration
def test_settings_reach_the_real_database(mocker):  # SOT103: the marker puts this test in integration scope
    connect = mocker.patch("netra_backend.app.db.connect")  # SOT102
    load_database_settings()
    connect.assert_not_called()
