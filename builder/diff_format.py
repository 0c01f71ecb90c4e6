"""Showing a semantic diff: text for the terminal, Markdown for a pull-request comment, HTML, JSON."""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any

from .diff import IMPACTS, Change
from .wordiff import redline

MARKDOWN_LIMIT = 60_000
SCHEMA_VERSION = 1


def _where(c: Change) -> str:
    parts = []
    if c.session is not None:
        parts.append(f"session {c.session}")
    if c.page:
        parts.append(c.page.replace(":", " "))
    if c.worksheet:
        parts.append(f"worksheet {c.worksheet}")
    if c.section:
        parts.append(f"§{c.section}")
    if c.field:
        parts.append(c.field)
    return " / ".join(parts) or "manual"


def _tag(c: Change) -> str:
    tags = []
    if c.needs_review:
        tags.append(f"inherited, needs review by {c.needs_review}")
    elif c.inherited_from:
        tags.append(f"inherited from {c.inherited_from}")
    if c.local:
        tags.append("local")
    return f" ({', '.join(tags)})" if tags else ""


def by_manual(changes: list[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for c in changes:
        out.setdefault(c.manual, []).append(c)
    return out


def as_text(changes: list[Change], base: str, head: str) -> str:
    if not changes:
        return f"No protocol changes between {base} and {head}.\n"
    lines = [f"Protocol changes from {base} to {head}", ""]
    for manual, items in by_manual(changes).items():
        counts = Counter(c.impact for c in items)
        lines.append(f"{manual}: " + ", ".join(f"{counts[i]} {i}" for i in IMPACTS if counts[i]))
        for c in items:
            lines.append(f"  [{c.impact:<10}] {c.summary}{_tag(c)}")
        lines.append("")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _md_redline(before: Any, after: Any) -> str:
    if isinstance(before, str) and isinstance(after, str):
        out = []
        for kind, text in redline(before, after):
            text = _md_escape(text)
            out.append(f"~~{text}~~" if kind == "del" else f"**{text}**" if kind == "ins" else text)
        return " ".join(out)
    return f"{_md_escape(str(before))} → {_md_escape(str(after))}"


def as_markdown(changes: list[Change], base: str, head: str, limit: int = MARKDOWN_LIMIT) -> str:
    header = [f"## Protocol changes: `{base}` → `{head}`", ""]
    if not changes:
        return "\n".join([*header, "No protocol changes.", ""])
    groups = by_manual(changes)
    table = ["| Manual | Structural | Content | Editorial | Inherited |", "|:--|--:|--:|--:|--:|"]
    for manual, items in groups.items():
        counts = Counter(c.impact for c in items)
        inherited = sum(1 for c in items if c.inherited_from)
        table.append(f"| {manual} | {counts['structural']} | {counts['content']} | {counts['editorial']} | "
                     f"{inherited} |")
    out = "\n".join([*header, *table, ""]) + "\n"
    note = "\n> The list was cut to stay under {limit:,} characters; run `ipt-manual diff` locally for all of it.\n"
    for manual, items in groups.items():
        block = [f"<details><summary><b>{manual}</b>: {len(items)} change(s)</summary>", ""]
        for c in items:
            line = f"- **{c.impact}** · {_md_escape(c.summary)}{_tag(c)}"
            if c.kind == "changed" and c.before is not None and isinstance(c.before, str) and len(c.before) < 4000:
                line += f"  \n  {_md_redline(c.before, c.after)}"
            block.append(line)
        block += ["", "</details>", ""]
        text = "\n".join(block) + "\n"
        if len(out) + len(text) + len(note) > limit:
            short = [f"<details><summary><b>{manual}</b>: {len(items)} change(s)</summary>", ""]
            short += [f"- **{c.impact}** · {_md_escape(c.summary)}{_tag(c)}" for c in items]
            text = "\n".join([*short, "", "</details>", ""]) + "\n"
        if len(out) + len(text) + len(note) > limit:
            out += note.format(limit=limit)
            break
        out += text
    return out


def as_json(changes: list[Change], base: str, head: str) -> str:
    payload = {"schema": SCHEMA_VERSION, "base": base, "head": head,
               "changes": [c.as_dict() for c in changes]}
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"


def as_html(changes: list[Change], base: str, head: str) -> str:
    esc = html.escape
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>Protocol changes {esc(base)} → {esc(head)}</title>",
             "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.5}"
             "del{background:#fdd;color:#700}ins{background:#dfd;color:#050;text-decoration:none}"
             ".impact{font-size:.8em;padding:.1em .4em;border:1px solid #888;border-radius:.3em}"
             "li{margin-bottom:.8em}</style></head><body>",
             f"<h1>Protocol changes: {esc(base)} → {esc(head)}</h1>"]
    if not changes:
        parts.append("<p>No protocol changes.</p>")
    for manual, items in by_manual(changes).items():
        parts.append(f"<h2>{esc(manual)}</h2><ul>")
        for c in items:
            parts.append(f"<li><span class='impact'>{esc(c.impact)}</span> {esc(c.summary)}{esc(_tag(c))}")
            if isinstance(c.before, str) and isinstance(c.after, str):
                runs = []
                for kind, text in redline(c.before, c.after):
                    runs.append(f"<{kind}>{esc(text)}</{kind}>" if kind != "same" else esc(text))
                parts.append("<p>" + " ".join(runs) + "</p>")
            parts.append("</li>")
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json, "html": as_html}
