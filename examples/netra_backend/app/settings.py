"""Application settings.

SOT3xx applies to application code too: only shared/isolated_environment.py
may read the process environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    pool_size: int


def load_database_settings() -> DatabaseSettings:
    return DatabaseSettings(
        url=os.environ["DATABASE_URL"],  # SOT301
        pool_size=int(os.getenv("DATABASE_POOL_SIZE", "10")),  # SOT302
    )
