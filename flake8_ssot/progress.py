"""A progress line on a terminal: ``checked N/M files``, rewritten in place."""

from __future__ import annotations

import time
from typing import IO


class Progress:
    """``PROG: checked N/M files`` on one rewritten terminal line, at most ten times a second."""

    def __init__(self, stream: IO[str], prog: str) -> None:
        self.stream = stream
        self.prog = prog
        self.shown = 0.0

    def __call__(self, done: int, total: int) -> None:
        self.show(f"checked {done}/{total} files", done == total)

    def show(self, text: str, now_or_never: bool = False) -> None:
        """``PROG: text`` unless a line was shown less than 0.1 s ago (``now_or_never``: always)."""
        now = time.monotonic()
        if now_or_never or now - self.shown >= 0.1:
            self.shown = now
            self.stream.write(f"\r{self.prog}: {text}\x1b[K")
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def on_terminal(stream: IO[str], prog: str, files: int, minimum: int = 1) -> Progress | None:
    """A Progress on ``stream`` if it is a terminal and the run has at least ``minimum`` files."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        interactive = False
    return Progress(stream, prog) if interactive and files >= minimum else None
