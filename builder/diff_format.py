"""Showing a semantic diff: text for the terminal, HTML, JSON; Markdown for a pull request is in diff_comment."""

from __future__ import annotations

import html
import json
from collections import Counter

from .diff import IMPACTS, Change
from .diff_comment import as_comment
from .wordiff import redline

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


FORMATS = {"text": as_text, "markdown": as_comment, "json": as_json, "html": as_html}
