"""The semantic diff as a pull-request comment a reviewer reads in one pass.

- A summary table first: per manual, the structural / content / editorial counts and the version
  bump the changes require.
- Each change shows only the changed sentences, with one sentence of context either side, as a
  rendered redline (``~~removed~~`` / ``**added**``): roles and links are shown as their text,
  Markdown is escaped with backslashes (no HTML entities, no code spans to split).
- A change that an adaptation inherits is shown once, under the manual it was made in, with a line
  "also in older-adult session 15 and perinatal session 13 (inherited)". Inherited changes that
  differ from their source are listed under their manual and name their source session
  ("core session 15 → brief session 7").
- The comment stays under GitHub's 65,536-character limit; past it, a note points to the full
  diff (``ipt-manual diff --format html``, uploaded as an artifact by the workflow).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import Any

from .diff import IMPACTS, Change, highest_impact
from .rules import ROLE_RE
from .sections import role_target
from .versioning import BUMP_FOR

#: GitHub refuses comment bodies over 65,536 characters; stay well under it.
COMMENT_LIMIT = 60_000
CUT_NOTE = ("\n> The rest is left out to keep this comment under GitHub's size limit. The full diff is in "
            "the workflow's `protocol-diff` artifact, or run `ipt-manual diff BASE HEAD --format html`.\n")
MD_SPECIAL_RE = re.compile(r"([\\`*_~\[\]<>|#])")
MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS_RE = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
SENTENCE_END_RE = re.compile(r"(?<=[.!?:;])\s+(?=\S)")
FENCE_LINE_RE = re.compile(r"^\s*(?:`{3,}|~{3,}|:{3,})")
REF_WORDS = {"session": "session", "session-no": "session", "phase": "phase"}


def _role_text(m: re.Match[str]) -> str:
    label, target = role_target(m.group("body"))
    role = m.group("role")
    if label:
        return label
    if role in REF_WORDS and not target.startswith(REF_WORDS[role]):
        return f"{REF_WORDS[role]} {target}"
    return target.replace("-", " ") if role not in ("who", "manual", "as-published") else target


def plain(text: str) -> list[str]:
    """MyST text as readable sentences: roles and links as their text, one sentence per item.

    Paragraphs and list items are kept apart (a list item is never run into the next).
    """
    blocks: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or FENCE_LINE_RE.match(line) or LIST_ITEM_RE.match(line) or line.startswith("#"):
            if current:
                blocks.append(" ".join(current))
            current = []
            if FENCE_LINE_RE.match(line) or not line.strip():
                continue
        current.append(LIST_ITEM_RE.sub("", line).strip())
    if current:
        blocks.append(" ".join(current))
    out = []
    for block in blocks:
        block = EMPHASIS_RE.sub("", MD_LINK_RE.sub(r"\1", ROLE_RE.sub(_role_text, block)))
        out += [s for s in SENTENCE_END_RE.split(block) if s.strip()]
    return out


def escape(text: str) -> str:
    return MD_SPECIAL_RE.sub(r"\\\1", text)


TOKEN_RE = re.compile(r"[^\s.,;:!?]+|[.,;:!?]+")


def _join(tokens: list[str]) -> str:
    """Tokens back into text: no space before punctuation."""
    out = ""
    for t in tokens:
        out += t if (not out or (TOKEN_RE.fullmatch(t) and t[0] in ".,;:!?")) else " " + t
    return out


def _word_redline(before: str, after: str) -> str:
    a, b = TOKEN_RE.findall(before), TOKEN_RE.findall(after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(_join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"~~{escape(_join(a[i1:i2]))}~~")
        if j2 > j1:
            out.append(f"**{escape(_join(b[j1:j2]))}**")
    return _join(out)


def redline(before: str, after: str, context: int = 1) -> list[str]:
    """The changed sentences of ``before`` → ``after`` with ``context`` sentences around each, as
    Markdown lines; "…" marks text left out."""
    a, b = plain(before), plain(after)
    lines: list[str] = []
    for group in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context):
        if group[0][1] > 0:
            lines.append("…")
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [escape(s) for s in a[i1:i2]]
            elif op == "replace" and i2 - i1 == j2 - j1:
                lines += [_word_redline(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            else:
                lines += [f"~~{escape(s)}~~" for s in a[i1:i2]] + [f"**{escape(s)}**" for s in b[j1:j2]]
        if group[-1][2] < len(a):
            lines.append("…")
    return lines


def _where(c: Change) -> str:
    parts = []
    if c.session is not None:
        parts.append(f"session {c.session}")
    if c.page:
        kind, _, pid = c.page.partition(":")
        parts.append(f"{kind} {pid}")
    if c.worksheet:
        parts.append(f"worksheet {c.worksheet}")
    return ", ".join(parts) or "manifest"


def _copy_key(c: Change) -> tuple[Any, ...]:
    return (c.section, c.page, c.worksheet, c.field, repr(c.before), repr(c.after), c.kind)


def group_inherited(changes: list[Change]) -> tuple[list[Change], dict[int, list[Change]]]:
    """The changes to show, and for each shown change (by index) the inherited copies folded into it.

    An inherited change folds into its base manual's change when both have the same text before and
    after and the same place (same session, or the session it was inherited from).
    """
    shown: list[Change] = []
    copies: dict[int, list[Change]] = {}
    index: dict[tuple[Any, ...], int] = {}
    for c in changes:
        if c.inherited_from:
            key = (c.inherited_from, c.from_session if c.from_session is not None else c.session, *_copy_key(c))
            if key in index:
                copies[index[key]].append(c)
                continue
        shown.append(c)
        copies[len(shown) - 1] = []
        index[(c.manual, c.session, *_copy_key(c))] = len(shown) - 1
    return shown, copies


def _also(items: list[Change]) -> str:
    names = [f"{c.manual} session {c.session}" if c.session is not None else c.manual for c in items]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    waiting = [c.needs_review for c in items if c.needs_review]
    review = f" Needs review by {', '.join(waiting)}." if waiting else ""
    return f"Also in {joined} (inherited).{review}"


def _entry(c: Change, copies: list[Change]) -> list[str]:
    source = ""
    if c.inherited_from:
        src = f"{c.inherited_from} session {c.from_session}" if c.from_session is not None else c.inherited_from
        source = f" — inherited from {src}" + (f" → {c.manual} session {c.session}" if c.session is not None else "")
    review = f"; needs review by {c.needs_review}" if c.needs_review else ""
    head = f"- **{c.impact}** · {_where(c)}: {escape(c.summary.split(': ', 1)[-1])}{source}{review}"
    lines = [head]
    if isinstance(c.before, str) and isinstance(c.after, str) and c.kind == "changed":
        lines += [f"  > {line}" for line in redline(c.before, c.after)]
    elif isinstance(c.after, str) and c.kind == "added" and c.section:
        lines += [f"  > **{escape(s)}**" for s in plain(c.after)[:3]]
    if copies:
        lines.append(f"  {_also(copies)}")
    return lines


def summary_table(changes: list[Change], manuals: list[str]) -> list[str]:
    rows = ["| Manual | Structural | Content | Editorial | Bump required |", "|:--|--:|--:|--:|:--|"]
    for manual in manuals:
        mine = [c for c in changes if c.manual == manual]
        counts = Counter(c.impact for c in mine)
        bump = BUMP_FOR.get(highest_impact(mine), "none")
        inherited = " (inherited only)" if mine and all(c.inherited_from for c in mine) else ""
        rows.append(f"| {manual} | " + " | ".join(str(counts[i]) for i in IMPACTS) + f" | {bump}{inherited} |")
    return rows


def as_comment(changes: list[Change], base: str, head: str, limit: int = COMMENT_LIMIT) -> str:
    out = [f"## Protocol changes: {escape(base)} → {escape(head)}", ""]
    if not changes:
        return "\n".join([*out, "No protocol changes.", ""])
    manuals = list(dict.fromkeys(c.manual for c in changes))
    out += [*summary_table(changes, manuals), ""]
    shown, copies = group_inherited(changes)
    text = "\n".join(out) + "\n"
    room = limit - len(CUT_NOTE)
    for manual in manuals:
        heading, entries = f"### {manual}\n\n", ""
        for i, c in ((i, c) for i, c in enumerate(shown) if c.manual == manual):
            entry = "\n".join(_entry(c, copies[i])) + "\n"
            if len(text) + len(heading) + len(entries) + len(entry) > room:  # the rest is never rendered
                return text + (heading + entries if entries else "") + CUT_NOTE
            entries += entry
        if entries:
            text += heading + entries + "\n"
    return text
