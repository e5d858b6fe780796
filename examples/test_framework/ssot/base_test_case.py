"""SSOT test base classes: every test class derives from one of these.

Deriving from ``unittest.TestCase`` is fine here: this is not a test module,
so SOT401 does not apply.
"""

from __future__ import annotations

import unittest

from shared.isolated_environment import get_env


class _IsolatedEnvironmentMixin:
    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.env = get_env()
        self.env.enable_isolation()
        self.addCleanup(self.env.disable_isolation)  # type: ignore[attr-defined]


class SSotBaseTestCase(_IsolatedEnvironmentMixin, unittest.TestCase):
    """Synchronous tests; the environment is isolated and restored per test."""


class SSotAsyncTestCase(_IsolatedEnvironmentMixin, unittest.IsolatedAsyncioTestCase):
    """Async tests: asyncSetUp / asyncTearDown run on this base."""
