"""The fast path of ``ssot-check``: parse only files a rule can report in.

Each code has a *trigger*: a condition on a file's decoded text, name and
line count that holds for every file in which the rule can report anything.
A file none of whose reportable codes triggers yields no finding, so it is
not parsed.  Triggers must be sound (never false for a file the rule would
report in); they need not be precise.  Every code in the registry has one
(tests/test_fast_path.py checks this and compares both modes).

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
for its syntax error.  ``--full-parse`` parses every file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Callable, Iterable

from flake8_ssot.config import Config
from flake8_ssot.paths import FilePath, file_matches, file_path, is_test_filename, under_directory
from flake8_ssot.rules.hygiene import MAX_EDITS


class Source:
    """What a trigger may look at: one file's text, line count and location."""

    __slots__ = ("texts", "line_count", "path", "test_module")

    def __init__(self, text: str, line_count: int, path: FilePath) -> None:
        self.texts = (text,) if text.isascii() else (text, unicodedata.normalize("NFKC", text))
        self.line_count = line_count
        self.path = path
        # A name that is not a test module's cannot become one; an unknown
        # name (plain stdin) is decided by the content, so it may be one.
        self.test_module = path.basename is None or is_test_filename(path.basename)

    def contains(self, needles: Iterable[str]) -> bool:
        return any(needle in text for needle in needles for text in self.texts)

    def search(self, pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(text) for text in self.texts)


Trigger = Callable[[Source], bool]

# Every qualified name SOT101-SOT103 and SOT105's mock bases resolve to
# starts with a module in rules.doubles.MOCK_MODULES or is a ``*mocker``
# fixture: all contain one of these.
_MOCK_WORDS = ("mock", "asynctest")
# SOT301/SOT302: the qualified name ends in one of these, written as a whole
# identifier (``isolated_environment`` is not one).  ASCII neighbours only:
# a non-ASCII letter next to it makes a match, never misses one.
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
# line breaks between.
CONCATENATION = re.compile(
    r"[\w.][\"'](?:[\s\\]|#[^\r\n]*|[rRbBuUfF]{0,2}(?:\"\"|''))*[rRbBuUfF]{0,2}[\"'][\w.]"
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


class Triggers:
    """The triggers of every code under one configuration."""

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

        def real_service(source: Source) -> bool:
            path = source.path
            return under_directory(path, config.e2e_paths) or under_directory(path, config.integration_paths) \
                or source.contains(markers)

        def mocks(source: Source) -> bool:
            return real_service(source) and source.contains(_MOCK_WORDS)

        def fakes(source: Source) -> bool:
            return real_service(source) and source.contains(fake_roots)

        def doubles(source: Source) -> bool:
            return real_service(source) and (
                source.contains(_MOCK_WORDS) or (class_words is not None and source.search(class_words)))

        def test_module(source: Source) -> bool:
            return source.test_module

        def environ(source: Source) -> bool:
            return source.search(_ENVIRON) and not file_matches(source.path, config.environ_allowed_paths)

        def relative_import(source: Source) -> bool:
            return source.search(RELATIVE_IMPORT)

        def too_long(source: Source) -> bool:
            return bool(config.max_module_lines) and source.line_count > config.max_module_lines

        def skip(source: Source) -> bool:
            return source.contains(("skip",))

        def near_miss(source: Source) -> bool:
            # A value equal to a critical name is no near miss (the common case).
            return any(
                value not in config.critical_names and any(piece in value for piece in critical)
                for text in source.texts for value in literal.findall(text)
            ) or source.search(NAME_ESCAPE) or source.search(CONCATENATION)

        def never(source: Source) -> bool:
            return False

        self.by_code: dict[str, Trigger] = {
            "SOT101": mocks, "SOT102": mocks, "SOT103": mocks, "SOT104": fakes, "SOT105": doubles,
            "SOT201": test_module, "SOT202": test_module, "SOT203": test_module, "SOT204": test_module,
            "SOT301": environ, "SOT302": environ, "SOT303": test_module,
            "SOT401": test_module, "SOT402": test_module, "SOT403": test_module,
            "SOT501": relative_import, "SOT502": too_long, "SOT503": test_module, "SOT504": skip,
            "SOT505": test_module, "SOT506": test_module, "SOT507": near_miss,
            # Only a failure to check a parsed file, which some other trigger selected.
            "SOT999": never,
        }

    def may_report(self, codes: Iterable[str], source: Source) -> bool:
        """Whether any of ``codes`` can be reported in ``source`` (a code
        without a trigger always can)."""
        return any(trigger(source) for trigger in {self.by_code.get(code, _always) for code in codes})


def _always(source: Source) -> bool:
    return True


@functools.lru_cache(maxsize=4)
def triggers_for(config: Config) -> Triggers:
    return Triggers(config)


def needs_parse(text: str, line_count: int, display_name: str, config: Config,
                reported: Callable[[str], bool]) -> bool:
    """Whether a file can have a finding that ``reported(code)`` lets through.

    A file for which no rule is reported is parsed for its syntax error
    alone when that is reported (``--select E9``).
    """
    codes = [code for code in config.enabled_codes if reported(code)]
    if not codes:
        return reported("E999")
    return triggers_for(config).may_report(codes, Source(text, line_count, file_path(display_name, config.root)))
