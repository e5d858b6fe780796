"""The user docs cover every registered code and option, and their examples are true."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flake8_ssot.checker import check_tree
from flake8_ssot.config import OPTIONS, build_config
from flake8_ssot.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Options a page's examples are checked with; the page says so above its Example.
PAGE_OPTIONS = {"SOT502": {"ssot_max_module_lines": "10"}}
SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options", "Known problems"]


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


@pytest.mark.parametrize("code", sorted(RULES))
def test_readme_table_links_every_code(code: str) -> None:
    assert f"[{code}](docs/rules/{code}.md)" in README


@pytest.mark.parametrize("key", [spec.key for spec in OPTIONS])
def test_readme_documents_every_option(key: str) -> None:
    assert f"`{key}`" in README


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_page_format(code: str) -> None:
    rule = RULES[code]
    text = (ROOT / rule.docs_path).read_text(encoding="utf-8")
    assert text.startswith(f"# {code} {rule.name}\n")
    assert f"`{code} {rule.message}`" in text, "page must show the registry's message template"
    assert re.findall(r"^## (.+)$", text, re.M) == SECTIONS


def _blocks(section: str) -> list[tuple[str, str]]:
    """(virtual path from the block's first comment line, source) per python block."""
    found = []
    for block in re.findall(r"```python\n(.*?)```", section, re.S):
        first = block.split("\n", 1)[0]
        found.append((first.lstrip("# ").strip(), block))
    return found


@pytest.mark.parametrize("code", sorted(c for c in RULES if c != "SOT999"))
def test_rule_page_examples_are_true(code: str, tmp_path: Path) -> None:
    """Every Example block produces the page's code; no Use instead block does."""
    sections = _sections((ROOT / RULES[code].docs_path).read_text(encoding="utf-8"))
    config = build_config(PAGE_OPTIONS.get(code, {}), str(tmp_path), selected=[code])
    for title, should_fire in (("Example", True), ("Use instead", False)):
        blocks = _blocks(sections[title])
        assert blocks, f"{code}: no python block under {title}"
        for name, source in blocks:
            found = check_tree(ast.parse(source), source.splitlines(True), str(tmp_path / name), config)
            fired = any(f.code == code for f in found)
            assert fired == should_fire, f"{code} {title} ({name}): {found}"
