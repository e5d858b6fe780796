"""Rule families: each module exposes ``check(ctx)`` yielding Findings."""

from flake8_ssot.rules import bases, bvj, doubles, environ, hygiene

FAMILIES = (doubles, bvj, environ, bases, hygiene)
