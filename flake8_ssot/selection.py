"""Which codes are reported: flake8's select / ignore / per-file-ignores.

A port of flake8's ``style_guide.DecisionEngine`` and of how
``StyleGuideManager`` picks per-file-ignores, so that one configuration
means the same thing to ``flake8`` and to the standalone tools.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from flake8_ssot.config import ConfigError, normalize_path
from flake8_ssot.registry import FILE_ERRORS, PREFIX, RULES

# flake8's default ignore list; none of it is ours, but it takes part in
# the longest-prefix tie-break exactly as in flake8.
FLAKE8_DEFAULT_IGNORE = ("E121", "E123", "E126", "E226", "E24", "E704", "W503", "W504")
# What flake8 selects when no ``select`` is given: every plugin's entry-point
# name.  Of the codes the standalone tools emit, ours ("SOT") and the file
# errors E902/E999 (pycodestyle's "E") are selected by default.
DEFAULT_SELECT = ("E", PREFIX)

_EXPLICIT, _IMPLICIT, _NO = 2, 1, 0
# flake8's code pattern: what select, ignore and per-file-ignores may hold.
VALID_CODE_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$", re.ASCII)
# The codes the standalone tools can report.
REPORTABLE = (*RULES, *FILE_ERRORS)


def check_codes(key: str, codes: Sequence[str], *, any_plugin: bool = False) -> None:
    """Reject a code no tool could report, where flake8 would silently select
    or ignore nothing: one that is not a code at all (``sot1``, ``E-501``), or
    one of ours that names no rule (``SOT6``).  With ``any_plugin`` (inside
    flake8, where other plugins' codes are valid and flake8 has its own say),
    only codes of our family are checked."""
    for code in codes:
        ours = code.upper().startswith(PREFIX)
        if ours and VALID_CODE_PREFIX.match(code) and any(rule.startswith(code) for rule in RULES):
            continue
        if not ours and (any_plugin or VALID_CODE_PREFIX.match(code)):
            continue
        hint = ""
        if code.upper() != code and any(rule.startswith(code.upper()) for rule in REPORTABLE):
            hint = f" (did you mean {code.upper()}?)"
        elif ours:
            families = sorted({rule[:4] + "xx" for rule in RULES})
            hint = f" (flake8-ssot's codes are {', '.join(families)}; see the rules table)"
        what = "no flake8-ssot rule has this code" if ours and VALID_CODE_PREFIX.match(code) else \
            f"not a code or prefix: codes match {VALID_CODE_PREFIX.pattern}"
        raise ConfigError(f"flake8-ssot: unknown code {code!r} in {key}: {what}{hint}")


@dataclass
class Decider:
    """``DecisionEngine`` for one set of select/ignore lists."""

    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] | None = None
    extend_ignore: Sequence[str] = ()
    _cache: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        def descending(*parts: Sequence[str]) -> tuple[str, ...]:
            return tuple(sorted([code for part in parts for code in part], reverse=True))

        self.selected_explicitly = descending(self.select or (), self.extend_select)
        self.ignored_explicitly = descending(self.ignore or (), self.extend_ignore)
        self.selected = descending(DEFAULT_SELECT if self.select is None else self.select, self.extend_select)
        self.ignored = descending(FLAKE8_DEFAULT_IGNORE if self.ignore is None else self.ignore, self.extend_ignore)

    def with_extra_ignores(self, codes: Sequence[str]) -> Decider:
        return Decider(self.select, self.extend_select, self.ignore, [*self.extend_ignore, *codes])

    def reports(self, code: str) -> bool:
        decision = self._cache.get(code)
        if decision is None:
            decision = self._cache[code] = self._decide(code)
        return decision

    def _decide(self, code: str) -> bool:
        selected = _EXPLICIT if code.startswith(self.selected_explicitly) else (
            _IMPLICIT if code.startswith(self.selected) else _NO)
        ignored = _EXPLICIT if code.startswith(self.ignored_explicitly) else (
            _IMPLICIT if code.startswith(self.ignored) else _NO)
        if not (selected and ignored):
            return bool(selected)
        if selected != ignored:  # an explicit choice beats an implicit one
            return selected > ignored
        # Equally strong on both sides: the longest matching prefix wins.
        select = next(s for s in self.selected if code.startswith(s))
        ignore = next(i for i in self.ignored if code.startswith(i))
        return len(select) > len(ignore)


# flake8's per-file-ignores grammar: "pattern[ ,pattern]: CODE[ ,CODE] ...".
_PER_FILE_TOKENS = (
    (re.compile(r"[A-Z]+[0-9]*(?=$|\s|,)"), "code"),
    (re.compile(r"[^\s:,]+"), "file"),
    (re.compile(r"\s*:\s*"), "colon"),
    (re.compile(r"\s*,\s*"), "sep"),
    (re.compile(r"\s+"), "sep"),
)


def _per_file_tokens(value: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    while position < len(value):
        for pattern, kind in _PER_FILE_TOKENS:
            match = pattern.match(value, position)
            if match:
                tokens.append((kind, match.group().strip()))
                position = match.end()
                break
    tokens.append(("eof", ""))
    return tokens


def per_file_ignores_text(value: object) -> str:
    """A per-file-ignores value as flake8's parser takes it: a TOML list
    (through Flake8-pyproject) is its entries on separate lines."""
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value or "")


def parse_per_file_ignores(value: str) -> list[tuple[str, list[str]]]:
    """``(pattern, codes)`` pairs in order, as ``utils.parse_files_to_codes_mapping``."""
    pairs: list[tuple[str, list[str]]] = []
    if not value.strip():
        return pairs
    filenames: list[str] = []
    codes: list[str] = []
    seen_separator, seen_colon = True, False
    for kind, text in _per_file_tokens(value):
        if kind == "sep":
            seen_separator = True
        elif not seen_colon and kind == "colon":
            seen_colon = seen_separator = True
        elif seen_separator and kind == "file":
            if seen_colon:  # the next entry starts
                pairs.extend((name, codes) for name in filenames if codes)
                filenames, codes, seen_colon = [], [], False
            filenames.append(text)
            seen_separator = False
        elif seen_colon and seen_separator and kind == "code":
            codes.append(text)
            seen_separator = False
        elif seen_colon and kind == "eof":
            pairs.extend((name, codes) for name in filenames if codes)
            return pairs
        else:
            break
    shown = " ".join(value.split())
    raise ConfigError(
        f"flake8-ssot: per-file-ignores must map file patterns to codes ('pattern: CODE ...'), got {shown!r}"
    )


def matches_filename(path: str, patterns: Sequence[str], absolute: str | None = None) -> bool:
    """flake8's ``utils.matches_filename``: the base name or the absolute
    path (``os.path.abspath(path)``, if the caller knows it) matches."""
    if not patterns:
        return False
    matches = any_of(tuple(patterns))
    basename = os.path.basename(path)
    if basename not in (".", "..") and matches(os.path.normcase(basename)):
        return True
    return matches(os.path.normcase(absolute or os.path.abspath(path))) is not None


@functools.lru_cache(maxsize=64)
def any_of(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """A match for a name normalised with ``os.path.normcase`` that succeeds
    where ``fnmatch.fnmatch`` with any of ``patterns`` would: one regex
    instead of a call per pattern (a walk asks for every file)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)).match


@dataclass
class Selection:
    """The decider for each file: the global one, or the per-file-ignores
    entry with the longest matching pattern (first wins a tie)."""

    default: Decider
    per_file: tuple[tuple[str, Decider], ...] = ()
    _by_file: dict[str, Decider] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, default: Decider, per_file_ignores: str) -> Selection:
        pairs = parse_per_file_ignores(per_file_ignores)
        for _pattern, codes in pairs:
            check_codes("per-file-ignores", codes)
        per_file = tuple(
            (normalize_path(pattern, os.curdir), default.with_extra_ignores(codes)) for pattern, codes in pairs
        )
        return cls(default, per_file)

    def for_file(self, display_name: str) -> Decider:
        decider = self._by_file.get(display_name)
        if decider is None:
            decider, longest = self.default, 0
            for pattern, candidate in self.per_file:
                if len(pattern) > longest and matches_filename(display_name, [pattern]):
                    decider, longest = candidate, len(pattern)
            self._by_file[display_name] = decider
        return decider
