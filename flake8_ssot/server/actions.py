"""Code actions for the findings in a requested range, and "fix all".

- the rule's fix, where flake8-ssot has one (``flake8_ssot.fixes``, the
  fixes ``ssot-check --fix`` applies): a quick fix, titled "(unsafe)" when
  the fix is unsafe; the safe ones together as ``source.fixAll.ssot``,
  which editors run on save, unsafe ones never;
- "Add ``# noqa: CODE``": the comment ``ssot-check --add-noqa`` would add
  (:func:`flake8_ssot.fixes.noqa.noqa_edits`), one action per code and
  line, none where a comment cannot go (after a shebang);
- for SOT201, a BVJ skeleton in the module docstring
  (:mod:`~flake8_ssot.server.bvj_skeleton`).

Edits are :class:`~flake8_ssot.fixes.edits.Edit` offsets into the
document's text, turned into LSP ranges in the client's units.
"""

from __future__ import annotations

import io
import tokenize
from typing import TYPE_CHECKING, Sequence

from lsprotocol import types

from flake8_ssot import noqa
from flake8_ssot.fixes import SAFE, fixes_for
from flake8_ssot.fixes.apply import fix_source
from flake8_ssot.fixes.edits import Document, Edit, imports_edit
from flake8_ssot.fixes.noqa import noqa_edits
from flake8_ssot.registry import RULES, Finding
from flake8_ssot.server.bvj_skeleton import skeleton_change
from flake8_ssot.server.ranges import Lines, Span

if TYPE_CHECKING:
    from flake8_ssot.server.server import Checked

FIX_ALL_KIND = "source.fixAll.ssot"


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a request limited to ``only`` kinds asks for actions of ``kind``
    (kinds are hierarchical: ``source.fixAll`` asks for ``source.fixAll.ssot``)."""
    return only is None or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)


def _overlaps(span: Span, start: tuple[int, int], end: tuple[int, int]) -> bool:
    return (span.start_line, span.start_char) <= end and start <= (span.end_line, span.end_char)


def text_edit(edit: Edit, lines: Lines) -> types.TextEdit:
    (start_line, start_char), (end_line, end_char) = lines.position(edit.start), lines.position(edit.end)
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=start_line, character=lines.units(start_line, start_char)),
            end=types.Position(line=end_line, character=lines.units(end_line, end_char)),
        ),
        new_text=edit.replacement,
    )


def _action(checked: Checked, title: str, kind: str, edits: Sequence[Edit],
            diagnostics: list[types.Diagnostic], preferred: bool = False) -> types.CodeAction:
    text_edits = [text_edit(edit, checked.lines) for edit in sorted(edits)]
    return types.CodeAction(
        title=title, kind=kind, diagnostics=diagnostics or None, is_preferred=preferred or None,
        edit=types.WorkspaceEdit(changes={checked.uri: text_edits}),
    )


def code_actions(checked: Checked, start: tuple[int, int], end: tuple[int, int],
                 only: Sequence[str] | None) -> list[types.CodeAction]:
    found: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix):
        chosen = [
            (finding, diagnostic) for finding, span, diagnostic in zip(checked.findings, checked.spans,
                                                                       checked.diagnostics)
            if _overlaps(span, start, end)
        ]
        fixes = rule_fixes(checked, [finding for finding, _ in chosen])
        for finding, diagnostic in chosen:
            fix = fixes.get(finding)
            if fix is not None:
                safety, edits = fix
                unsafe = "" if safety == SAFE else " (unsafe)"
                found.append(_action(checked, f"Fix {finding.code} ({RULES[finding.code].name}){unsafe}",
                                     types.CodeActionKind.QuickFix, edits, [diagnostic], preferred=not unsafe))
            if finding.code == "SOT201":
                skeleton = skeleton_change(checked.lines, checked.syntax_tree(), checked.project.settings.config)
                if skeleton is not None:
                    found.append(_action(checked, "Insert a BVJ skeleton into the module docstring",
                                         types.CodeActionKind.QuickFix, [skeleton], [diagnostic]))
        findings = [finding for finding, _ in chosen]
        for edit, indices in noqa_edits_by_line(checked.lines.text, checked.checked, checked.display_name, findings):
            found.append(_action(checked, f"Add `# noqa: {findings[indices[0]].code}`", types.CodeActionKind.QuickFix,
                                 [edit], [chosen[index][1] for index in indices]))
    if _wanted(only, FIX_ALL_KIND):
        fix_all = fix_all_change(checked)
        if fix_all is not None:
            found.append(_action(checked, "flake8-ssot: fix all safe fixes", FIX_ALL_KIND, [fix_all], []))
    return found


def noqa_edits_by_line(text: str, lines: Sequence[str], display_name: str,
                       findings: Sequence[Finding]) -> list[tuple[Edit, list[int]]]:
    """The edit adding ``# noqa: CODE`` for each code on each line flake8
    searches as one (a multi-line string's lines are one), as
    ``ssot-check --add-noqa`` adds it, with the indices of the ``findings``
    it silences; none where a bare ``# noqa`` silences the line already or
    a comment cannot go (after a shebang, or for a file error)."""
    comments = noqa.NoqaLines(lines, display_name)
    groups: dict[tuple[tuple[int, int], str], list[int]] = {}
    for index, finding in enumerate(findings):
        span = comments.span_for(finding.line) or (finding.line, finding.line)
        groups.setdefault((span, finding.code), []).append(index)
    document = Document(text)
    found = []
    for indices in groups.values():
        edits, _count = noqa_edits(document, lines, display_name, [findings[index] for index in indices])
        found.extend((edit, indices) for edit in edits)  # one span, one code: at most one edit
    return found


# ---------------------------------------------------------------- the rules' fixes
def rule_fixes(checked: Checked, findings: Sequence[Finding]) -> dict[Finding, tuple[str, list[Edit]]]:
    """The safety and the edits of the fix of each of ``findings`` that has
    one, its imports included."""
    tree = checked.syntax_tree() if findings else None
    if tree is None:
        return {}
    document = Document(checked.lines.text)
    config = checked.project.settings.config
    found = {}
    for finding, fix in fixes_for(tree, checked.checked, document, checked.display_name, config, findings).items():
        insertion = imports_edit(document, tree, [fix])
        found[finding] = (fix.safety, [*fix.edits, *([insertion] if insertion is not None else [])])
    return found


def fix_all_change(checked: Checked) -> Edit | None:
    """One edit applying every safe fix, as ``ssot-check --fix`` would, or None."""
    if not checked.findings:
        return None
    text = checked.lines.text
    project, display_name = checked.project, checked.display_name

    def reported(findings: list[Finding], lines: list[str]) -> list[Finding]:
        return project.reported(display_name, findings, lines)

    try:  # the bytes the file would have on disk, in its declared encoding
        encoding, _ = tokenize.detect_encoding(io.BytesIO(text.encode("utf-8")).readline)
        data = text.encode(encoding)
    except (LookupError, SyntaxError, UnicodeError):
        return None
    outcome = fix_source(data, display_name, project.settings, safeties={SAFE},
                         reported=reported, known=checked.all_findings)  # filtered by ``reported``, once
    return difference(text, outcome.data.decode(encoding))


def difference(old: str, new: str) -> Edit | None:
    """The one edit turning ``old`` into ``new``: what lies between their
    common beginning and their common end."""
    if old == new:
        return None
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    return Edit(start, end_old, new[start:end_new])
