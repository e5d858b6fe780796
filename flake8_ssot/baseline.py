"""Baselines: record today's findings, then report only new ones.

A finding's key is the file's path relative to the baseline file's
directory (``/``-separated), its code, and its *anchor*: the statement it
is reported in, with layout taken out and the enclosing classes and
functions named (:mod:`flake8_ssot.anchors`).  Neither line numbers nor
whitespace, line breaks, parentheses, quotes or comments are part of it,
so code moving up or down, or a formatter (black, ``ruff format``) run over
the tree, keeps every key.  The baseline records how many findings share
each key; in a file, the first that many findings with a key (in position
order) are baselined and any further one is new, so duplicating a
baselined statement is reported.  A key's fingerprint (a hash of it) plus
the finding's occurrence number is the SARIF ``partialFingerprints``
value, so code-scanning tools and baselines identify findings alike.

A file that cannot be read (E902) or parsed (E999) is recorded by its path
and code alone, so it stays baselined until it is fixed, and a file that
breaks later is new.

Schema version 1 files (keys by the finding's line text, whitespace
normalised, and no E902/E999 entries) are still read and matched as they
were written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import Counter
from typing import Iterable, Mapping, NamedTuple, Sequence

from flake8_ssot.anchors import Anchors
from flake8_ssot.config import ConfigError
from flake8_ssot.registry import FILE_ERRORS, RULES, Finding

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
TOOL = "flake8-ssot"


class Key(NamedTuple):
    path: str  # relative to the baseline's directory, "/"-separated
    code: str
    text: str  # the finding's anchor ("" for E902/E999); in version 1, its line's text, whitespace-normalised

    @property
    def fingerprint(self) -> str:
        """The first 32 hex digits of SHA-256 over path, code and text joined by NUL (UTF-8)."""
        return hashlib.sha256("\0".join(self).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def normalise_line(text: str) -> str:
    return " ".join(text.split())


def relative_path(path: str, directory: str) -> str:
    """``path`` (as reported, or absolute) relative to ``directory``, with ``/``."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, directory)
    except ValueError:  # another drive on Windows
        relative = absolute
    return relative.replace(os.sep, "/")


def keys_of(
    path: str, findings: Sequence[Finding], lines: Sequence[str], directory: str, version: int = SCHEMA_VERSION,
) -> list[Key]:
    """The key of each finding of one file, in order, as schema ``version`` makes them."""
    where = relative_path(path, directory)

    def line_text(finding: Finding) -> str:
        return normalise_line(lines[finding.line - 1]) if 0 < finding.line <= len(lines) else ""

    if version == 1:
        return [Key(where, f.code, line_text(f)) for f in findings]
    located = [f.line for f in findings if f.code not in FILE_ERRORS]
    anchors = Anchors(lines, max(located)) if located else None
    return [
        Key(where, f.code, "" if f.code in FILE_ERRORS or anchors is None else
            anchors.at(f.line, f.col) if anchors.available else line_text(f))
        for f in findings
    ]


def occurrences(keys: Iterable[Key], before: Mapping[Key, int] | None = None) -> list[int]:
    """For each of a file's keys, how many times it has occurred so far (1 for
    the first), counting ``before[key]`` earlier findings not in ``keys``: the
    ones a baseline holds back, which are always a key's first."""
    seen: Counter[Key] = Counter()
    numbers = []
    for key in keys:
        seen[key] += 1
        numbers.append(seen[key] + (before.get(key, 0) if before else 0))
    return numbers


def fingerprint(key: Key, occurrence: int) -> str:
    """The SARIF partial fingerprint of the ``occurrence``-th finding with ``key``."""
    return f"{key.fingerprint}:{occurrence}"


class Baseline:
    """A loaded baseline; use :meth:`load`."""

    def __init__(self, path: str, counts: Mapping[Key, int], version: int = SCHEMA_VERSION) -> None:
        self.path = path
        self.directory = os.path.dirname(os.path.abspath(path))
        self.counts = counts
        self.version = version  # the schema the keys were written with

    @classmethod
    def load(cls, path: str) -> Baseline:
        """Read ``path``; a missing, unreadable or malformed file is a ConfigError (one line)."""
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            raise ConfigError(
                f"flake8-ssot: baseline file not found: {path} (create it with ssot-check --write-baseline)"
            ) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"flake8-ssot: cannot read baseline {path}: {_reason(error)}") from None
        except json.JSONDecodeError as error:
            raise ConfigError(f"flake8-ssot: baseline {path} is not valid JSON: {_reason(error)}") from None
        return cls(path, _counts(path, document), document["schema_version"])

    def is_new(self, key: Key, occurrence: int) -> bool:
        """Whether the ``occurrence``-th finding with ``key`` in its file is beyond what was recorded."""
        return occurrence > self.counts.get(key, 0)

    def new_findings(self, path: str, findings: Sequence[Finding], lines: Sequence[str]) -> list[Finding]:
        """The findings of the file ``path`` that the baseline does not account for."""
        if not findings:
            return []
        keys = keys_of(path, findings, lines, self.directory, self.version)
        return [found for found, key, number in zip(findings, keys, occurrences(keys)) if self.is_new(key, number)]


def _reason(error: Exception) -> str:
    return " ".join(str(getattr(error, "strerror", None) or error).split())


def _counts(path: str, document: object) -> dict[Key, int]:
    def malformed(why: str) -> ConfigError:
        return ConfigError(f"flake8-ssot: baseline {path} is not a {TOOL} baseline: {why}")

    if not isinstance(document, dict) or document.get("tool") != TOOL:
        raise malformed(f'expected a JSON object with "tool": "{TOOL}"')
    version = document.get("schema_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        readable = " and ".join(map(str, READABLE_VERSIONS))
        raise malformed(f"schema_version is {version!r}, this version reads {readable}")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise malformed('"findings" must be a list')
    counts: dict[Key, int] = {}
    for index, entry in enumerate(entries):
        try:
            key = Key(entry["path"], entry["code"], entry["text"])
            count = entry["count"]
        except (TypeError, KeyError):
            raise malformed(f'findings[{index}] must have "path", "code", "text" and "count"') from None
        if not all(isinstance(part, str) for part in key) or type(count) is not int or count < 1:
            raise malformed(f"findings[{index}]: path, code and text must be strings, count a positive integer")
        if key in counts:
            raise malformed(f"findings[{index}] repeats an earlier entry")
        counts[key] = count
    return counts


def write_baseline(path: str, files: Iterable[tuple[str, Sequence[Finding], Sequence[str]]]) -> Counter[str]:
    """Record the findings of ``files`` (reported path, findings, source lines)
    in ``path``, atomically; return how many were recorded, by code."""
    directory = os.path.dirname(os.path.abspath(path))
    counts = Counter(
        key for name, findings, lines in files for key in keys_of(name, findings, lines, directory)
    )
    document = {
        "tool": TOOL,
        "schema_version": SCHEMA_VERSION,
        "findings": [
            {"path": key.path, "code": key.code, "text": key.text, "count": count, "fingerprint": key.fingerprint}
            for key, count in sorted(counts.items())
        ],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        _replace(path, text)
    except OSError as error:
        raise ConfigError(f"flake8-ssot: cannot write baseline {path}: {_reason(error)}") from None
    by_code: Counter[str] = Counter()
    for key, count in counts.items():
        by_code[key.code] += count
    return by_code


def summary(path: str, by_code: Mapping[str, int]) -> str:
    """What ``--write-baseline`` recorded, for stderr: the total, then one line per code."""
    total = sum(by_code.values())
    lines = [f"flake8-ssot: recorded {total} finding{'s' if total != 1 else ''} in {path}"]
    for code, count in sorted(by_code.items()):
        name = RULES[code].name if code in RULES else FILE_ERRORS.get(code, ("",))[0]
        lines.append(f"{count:>8} {code} {name}".rstrip())
    return "\n".join(lines) + "\n"


def _replace(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would surprise a committed file's readers
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
