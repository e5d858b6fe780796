"""Rule documentation for the editor: the link on a diagnostic and the hover text.

The rule pages are ``docs/rules/<CODE>.md``.  They are found beside the
package in a checkout or an editable install, else where an install puts
them (``share/flake8-ssot/rules`` under the installation prefix, from
``[options.data_files]`` in setup.cfg).  A diagnostic links to the page
with a ``file://`` URI, or below ``ruleDocsBaseUrl`` when the client sets
that initialization option (a team's hosted copy); with neither, it has no
link.  Without a page the hover shows the registry's summary alone.
"""

from __future__ import annotations

import functools
import re
import sys
import sysconfig
from pathlib import Path

import flake8_ssot
from flake8_ssot.registry import FILE_ERRORS, RULES

_INSTALLED = Path("share", "flake8-ssot", "rules")
_SECTION = re.compile(r"^## Why is this bad\?\s*\n(?P<body>.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def _directories() -> list[Path]:
    checkout = Path(flake8_ssot.__file__).resolve().parent.parent / "docs" / "rules"
    prefixes = {sysconfig.get_path("data"), sys.prefix, sys.base_prefix}
    return [checkout, *(Path(prefix) / _INSTALLED for prefix in sorted(prefixes) if prefix)]


@functools.lru_cache(maxsize=None)
def rule_page(code: str) -> Path | None:
    """The installed or checked-out page of ``code``, if there is one."""
    if code not in RULES:
        return None
    for directory in _directories():
        page = directory / f"{code}.md"
        if page.is_file():
            return page
    return None


def rule_link(code: str, base_url: str | None = None) -> str | None:
    """The URI a diagnostic of ``code`` links to, if any."""
    if code not in RULES:
        return None
    if base_url:
        return f"{base_url.rstrip('/')}/{code}.md"
    page = rule_page(code)
    return page.as_uri() if page is not None else None


@functools.lru_cache(maxsize=None)
def why(code: str) -> str | None:
    """The "Why is this bad?" section of ``code``'s page."""
    page = rule_page(code)
    if page is None:
        return None
    try:
        text = page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _SECTION.search(text)
    return match.group("body").strip() if match else None


def hover_markdown(code: str, base_url: str | None = None) -> str | None:
    """Markdown describing ``code``: name, summary, why, and a link to the page."""
    if code in FILE_ERRORS:
        name, summary = FILE_ERRORS[code]
        return f"**{code}** `{name}`\n\n{summary}"
    rule = RULES.get(code)
    if rule is None:
        covered = [rule for name, rule in RULES.items() if name.startswith(code)]
        if not covered:
            return None
        listed = "\n".join(f"- **{rule.code}** `{rule.name}`: {rule.summary}" for rule in covered)
        return f"**{code}** covers {len(covered)} flake8-ssot code{'s' if len(covered) > 1 else ''}:\n\n{listed}"
    state = "on" if rule.default_enabled else "off"
    parts = [f"**{code}** `{rule.name}` (flake8-ssot, {state} by default)", rule.summary]
    reason = why(code)
    if reason:
        parts.append(f"**Why is this bad?** {reason}")
    link = rule_link(code, base_url)
    if link:
        parts.append(f"[{code} rule page]({link})")
    return "\n\n".join(parts)
