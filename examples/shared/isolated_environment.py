"""The one module allowed to touch the process environment.

Everything else reads and writes configuration through ``get_env()``, so a
test can isolate it and every value records where it came from.
"""

from __future__ import annotations

import os
import threading


class IsolatedEnvironment:
    """Process-wide configuration access with an isolation mode for tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._isolated: dict[str, str] | None = None
        self._sources: dict[str, str] = {}

    def enable_isolation(self) -> None:
        """Work on a copy of the environment: writes no longer reach the process."""
        with self._lock:
            self._isolated = dict(os.environ)

    def disable_isolation(self) -> None:
        with self._lock:
            self._isolated = None
            self._sources.clear()

    def _values(self) -> dict[str, str] | os._Environ[str]:
        return self._isolated if self._isolated is not None else os.environ

    def get(self, key: str, default: str | None = None) -> str | None:
        return self._values().get(key, default)

    def set(self, key: str, value: str, source: str = "unknown") -> None:
        with self._lock:
            self._values()[key] = value
            self._sources[key] = source

    def delete(self, key: str, source: str = "unknown") -> None:
        with self._lock:
            self._values().pop(key, None)
            self._sources[key] = source

    def source_of(self, key: str) -> str | None:
        return self._sources.get(key)


_ENV = IsolatedEnvironment()


def get_env() -> IsolatedEnvironment:
    return _ENV
