"""Triggers and locators: parse only the files a rule can report in, run
only the rules that can, and walk only the expressions they look at.

Each code declares in the registry a *trigger*: a condition on a file's
decoded text, name and line count that holds for every file in which the
rule can report anything.  ``ssot-check`` does not parse a file none of
whose reported codes triggers (it yields no finding), and in a parsed file
(in flake8 too) the checker runs only the triggered rules.  A rule that
looks at expression nodes also names a *locator*: words one of which is
written in every statement holding a node it looks for; the walk visits
the expressions of those statements only (context.py).  Both must be
sound (never miss a file or statement the rule would report in); they need
not be precise.  tests/test_fast_path.py and tests/test_corpus_no_crash.py
compare the results with ``--full-parse`` / ``use_triggers=False``, which
use neither.

What the text scan must allow for:

* identifiers are NFKC-normalised by the parser (``ｅｎｖｉｒｏｎ`` is
  ``environ``), so non-ASCII text is scanned normalised too;
* a qualified name such as ``os.environ`` or ``unittest.mock.patch`` is
  built from names written in the file (imports, attributes, star-imported
  names), so the last word of it, or the module's own name, is in the text;
* a string literal's value may be spelt with escapes or split over
  implicitly concatenated literals, which SOT507's trigger treats as a match.

The price: a syntax error (E999) in a file no trigger selects is not
reported, because the file is never parsed: a file that is not a test
module (by name) and in which no reported rule can find anything.  When
no SOT rule is reported for a file at all (``--select E9``) it is parsed
for its syntax error.  ``--full-parse`` parses every file and runs every
rule on it with the full walk.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from typing import Callable, Iterable, NamedTuple, Sequence

from flake8_ssot.config import Config
from flake8_ssot.paths import FilePath, file_matches, under_directory
from flake8_ssot.registry import RULES
from flake8_ssot.rules.hygiene import MAX_EDITS


class Source:
    """What a trigger may look at: one file's text, line count and location."""

    __slots__ = ("texts", "lines", "path", "_held", "_ends")

    def __init__(self, text: str, lines: Sequence[str], path: FilePath) -> None:
        """``text`` is ``"".join(lines)``; ``lines`` split as the parser numbers them."""
        self.texts = (text,) if text.isascii() else (text, unicodedata.normalize("NFKC", text))
        self.lines = lines
        self.path = path
        self._held: dict[Trigger, bool] = {}
        self._ends: list[int] | None = None

    def holds(self, trigger: Trigger) -> bool:
        """``trigger(self)``, evaluated once per file (triggers share conditions)."""
        held = self._held.get(trigger)
        if held is None:
            held = self._held[trigger] = trigger(self)
        return held

    @classmethod
    def of(cls, lines: Sequence[str], path: FilePath) -> Source:
        return cls("".join(lines), lines, path)

    def contains(self, needles: Iterable[str]) -> bool:
        return any(needle in text for needle in needles for text in self.texts)

    def search(self, pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(text) for text in self.texts)

    def _line_ends(self) -> list[int]:
        """Where each line ends in ``texts[0]`` (the offset after it)."""
        if self._ends is None:
            self._ends = list(itertools.accumulate(map(len, self.lines)))
        return self._ends

    def lines_with(self, words: Iterable[str]) -> list[int]:
        """The numbers (1-based, sorted) of the lines containing one of ``words``."""
        text = self.texts[0]
        find, after = text.find, bisect.bisect_right
        ends: list[int] = []
        found: set[int] = set()
        for word in words:
            at = find(word)
            if at != -1 and not ends:
                ends = self._line_ends()
            while at != -1:
                line = after(ends, at)  # 0-based
                found.add(line + 1)
                at = find(word, ends[line]) if line < len(ends) else -1  # from the next line
        if len(self.texts) > 1:  # NFKC-normalised, line by line
            found.update(
                number for number, line in enumerate(self.lines, 1)
                if not line.isascii() and any(word in unicodedata.normalize("NFKC", line) for word in words)
            )
        return sorted(found)

    def aliases(self, words: Iterable[str]) -> set[str]:
        """Every ALIAS written ``NAME as ALIAS`` where NAME contains one of
        ``words``: what an import binds to such a name, and more (``with`` and
        ``except`` clauses, prose), which costs a little precision only.
        Where what precedes ``as`` ends a comment (``(environ  # env\n as
        ENV)``), the name cannot be read, so the alias counts."""
        words = tuple(words)
        found = set()
        for text in self.texts:
            for match in _AS.finditer(text):
                end = match.start()
                if not end or text[end - 1] not in _GAP:  # "has x" is no alias
                    continue
                while end and text[end - 1] in _GAP:
                    end -= 1
                start = end
                while start and (text[start - 1].isalnum() or text[start - 1] in "_."):
                    start -= 1
                in_comment = "#" in text[text.rfind("\n", 0, start) + 1:start]
                if in_comment or any(word in text[start:end] for word in words):
                    found.add(match.group(1))
        return found


Trigger = Callable[[Source], bool]


# Every qualified name SOT101-SOT103 and SOT105's mock bases resolve to
# starts with a module in rules.doubles.MOCK_MODULES or is a ``*mocker``
# fixture: all contain one of these.
_MOCK_WORDS = ("mock", "asynctest")
# SOT301/SOT302: the qualified name ends in one of these, written as a whole
# identifier (``isolated_environment`` is not one).  ASCII neighbours only:
# a non-ASCII letter next to it makes a match, never misses one.
_ENVIRON_WORDS = ("environ", "getenv", "putenv", "unsetenv")
_ENVIRON = re.compile(r"(?<![A-Za-z0-9_])(?:environ|getenv|putenv|unsetenv)b?(?![A-Za-z0-9_])")
# ``from . import x``, ``from  ..pkg import y``, ``from \\\n .x import z``.
RELATIVE_IMPORT = re.compile(r"from[\s\\]*\.")
# SOT507 looks at name-like (ASCII) string values, which are written between
# quotes, or in an f-string between a replacement field or a format spec's
# colon and a quote or brace ...
_NAME_LIKE_LITERAL = r"(?<=[\"'}}:])[A-Za-z0-9_.]{{{shortest},{longest}}}(?=[\"'{{}}])"
# ... unless it is spelt with escapes that yield a name character (or
# nothing: backslash-newline) ...
NAME_ESCAPE = re.compile(r"\\(?:[xuUN0-7]|\r\n|\r|\n)")
# ... or split by implicit concatenation joining two name characters across a
# closing and an opening quote, perhaps with empty literals, comments or
# line breaks between.  A comment runs to the end of its line, so it is
# matched possessively: a line of many ``#`` would otherwise backtrack
# exponentially.
CONCATENATION = re.compile(
    r"[\w.][\"'](?:[\s\\]|#[^\r\n]*+|[rRbBuUfF]{0,2}(?:\"\"|''))*[rRbBuUfF]{0,2}[\"'][\w.]"
)


def pieces(name: str, count: int) -> list[str]:
    """``name`` cut into ``count`` disjoint consecutive pieces.  A string within
    ``count - 1`` edits of ``name`` keeps at least one of them intact (each edit
    touches at most one piece): the pigeonhole argument."""
    size, extra = divmod(len(name), count)
    cut, start = [], 0
    for index in range(count):
        end = start + size + (index < extra)
        cut.append(name[start:end])
        start = end
    return cut


# ``environ as ENV`` (in ``from os import (environ as ENV)`` or across a
# backslash-newline): ``as`` then the alias; the name before it is read
# backwards over _GAP, because a regex starting with the name is slow.
# The alias is everything up to a character no identifier holds: ``\w``
# misses some that may start one (U+2118 ``℘``).
_AS = re.compile(r"as[\s\\]+([^\s,;:.=()\[\]{}#\\'\"]+)")
_GAP = " \t\f\\\r\n"


class Locator(NamedTuple):
    """Where a rule needs the walk to visit expressions: every statement
    in which one of ``words`` is written, and, with ``aliases``, one of the
    names an ``import ... as`` binds to a name containing one of them."""

    words: tuple[str, ...]
    aliases: bool = True


# What registry.Rule.expressions names; None: every statement.  A rule's
# nodes are names and attributes resolved through imports, so the last
# word of what they resolve to is written in the node itself or, for a
# name, in the import that binds it (an alias).
LOCATORS: dict[str, Locator | None] = {
    # rules.doubles: calls of FACTORIES and PATCHERS (``patch.object`` is
    # written with ``patch``), and mock.sentinel.
    "mock-calls": Locator(("Mock", "create_autospec", "mock_open", "patch", "stub", "sentinel")),
    # rules.environ: os.environ(b), os.getenv(b), os.putenv, os.unsetenv.
    "environ-references": Locator(_ENVIRON_WORDS),
    # ``monkeypatch.setenv(...)``: an attribute of the fixture parameter.
    "monkeypatch-env-calls": Locator(("setenv", "delenv"), aliases=False),
    # ``pytest.param(..., marks=...)``: rules.hygiene matches the written name.
    "pytest-param-calls": Locator(("param",), aliases=False),
    # time.sleep, asyncio.sleep.
    "sleep-calls": Locator(("sleep",)),
    # Rules that weigh all of a test's calls (SOT506) or every string (SOT507).
    "everywhere": None,
}


class Triggers:
    """The named triggers (see registry.Rule.trigger) under one configuration."""

    def __init__(self, config: Config) -> None:
        markers = tuple(config.e2e_markers | config.integration_markers)
        # SOT104: an import of ``fakeredis.aioredis`` contains ``fakeredis``
        # (components may be spaced: ``import fakeredis . aioredis``).
        fake_roots = tuple({module.split(".")[0] for module in config.fake_modules})
        # SOT105: name_words() splits names into ASCII words and lower-cases
        # them, so a double's word is in the text in some letter case.
        words = sorted(config.double_class_words)
        class_words = re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None
        critical = tuple(p for name in config.critical_names for p in pieces(name, MAX_EDITS + 1))
        lengths = [len(name) for name in config.critical_names] or [0]
        literal = re.compile(_NAME_LIKE_LITERAL.format(
            shortest=max(1, min(lengths) - MAX_EDITS), longest=max(lengths) + MAX_EDITS))

        # Conditions several triggers share, each evaluated once per file (Source.holds).
        def test_module(source: Source) -> bool:
            # A name that is not a test module's cannot become one; an unknown
            # name (plain stdin) is decided by the content, so it may be one.
            path = source.path
            return path.basename is None or config.test_names.is_test_file(path.basename, path.absolute)

        def real_service(source: Source) -> bool:
            path = source.path
            return under_directory(path, config.e2e_paths) or under_directory(path, config.integration_paths) \
                or source.contains(markers)

        def mock_words(source: Source) -> bool:
            return source.contains(_MOCK_WORDS)

        def env(source: Source) -> bool:  # in every word of _ENVIRON_WORDS and setenv/delenv: one scan
            return source.contains(("env",))

        def near_miss(source: Source) -> bool:
            # A value equal to a critical name is no near miss (the common case).
            return any(
                value not in config.critical_names and any(piece in value for piece in critical)
                for text in source.texts for value in literal.findall(text)
            ) or source.search(NAME_ESCAPE) or source.search(CONCATENATION)

        named: dict[str, Trigger] = {
            "mock-in-real-service": lambda source: source.holds(mock_words) and source.holds(real_service),
            "fake-module-in-real-service": lambda source: source.holds(real_service) and source.contains(fake_roots),
            "double-class-in-real-service": lambda source: source.holds(real_service) and (
                source.holds(mock_words) or (class_words is not None and source.search(class_words))),
            "test-module": lambda source: source.holds(test_module),
            # The plain scan first: the regex is much slower than ``in``.
            "environ": lambda source: source.holds(env) and source.contains(_ENVIRON_WORDS) and source.search(_ENVIRON)
            and not file_matches(source.path, config.environ_allowed_paths),
            # monkeypatch.setenv / delenv: the method's name is written.
            "monkeypatch-env": lambda source: source.holds(test_module) and source.holds(env)
            and source.contains(("setenv", "delenv")),
            "relative-import": lambda source: source.search(RELATIVE_IMPORT),
            "long-module": lambda source: bool(config.max_module_lines) and len(source.lines) > config.max_module_lines,
            # skip markers, unittest.skip, pytest.skip(), self.skipTest()
            "skip": lambda source: source.contains(("skip",)),
            # time.sleep / asyncio.sleep, in a test module.
            "sleep-in-test-module": lambda source: source.holds(test_module) and source.contains(("sleep",)),
            "near-miss": near_miss,
            # SOT999 is a failure to check a parsed file, which another trigger selected.
            "never": lambda source: False,
        }
        self.named = named
        self.by_code: dict[str, Trigger] = {code: named[rule.trigger] for code, rule in RULES.items()}
        self.locators_by_code: dict[str, Locator | None] = {
            code: LOCATORS[rule.expressions] for code, rule in RULES.items() if rule.expressions
        }

    def active(self, codes: Iterable[str], source: Source) -> frozenset[str]:
        """Those of ``codes`` that can be reported in ``source``."""
        return frozenset(code for code in codes if source.holds(self.by_code[code]))

    def expression_lines(self, active: Iterable[str], source: Source) -> list[int] | None:
        """The lines whose statements the walk visits with their expressions
        for the rules in ``active`` (see context.py); None for every statement."""
        if "\r" in source.texts[0]:  # a line break for the parser that ``lines`` may not split at
            return None
        # An assignment expression (``:=``, one token) binds a name inside an
        # expression, which a statement-only visit would miss.
        words = {":="}
        alias_words: set[str] = set()
        for code in active:
            if code not in self.locators_by_code:
                continue
            locator = self.locators_by_code[code]
            if locator is None:
                return None
            words.update(locator.words)
            if locator.aliases:
                alias_words.update(locator.words)
        if alias_words:
            words |= source.aliases(alias_words)
        return source.lines_with(words)


@functools.lru_cache(maxsize=4)
def triggers_for(config: Config) -> Triggers:
    return Triggers(config)


def needs_parse(source: Source, config: Config, reported: Callable[[str], bool]) -> bool:
    """Whether a file can have a finding that ``reported(code)`` lets through.

    A file for which no rule is reported is parsed for its syntax error
    alone when that is reported (``--select E9``).
    """
    codes = [code for code in config.enabled_codes if reported(code)]
    if not codes:
        return reported("E999")
    return bool(triggers_for(config).active(codes, source))
