"""Section bodies (MyST Markdown, as the model holds them) to print HTML, without Sphinx or the theme.

markdown-it-py (myst-parser's own parser) with raw HTML off; the project's link roles print
as the title of what they point to; ``:::{admonition}``-style blocks print as boxes; the
``clinic-contacts`` block prints the clinic's contacts. The printed manual depends only on the
model, the print templates and the settings, never on the site's HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..model import Manual
from ..references import expand
from ..rules import LINK_ROLES, ROLE_RE
from ..sections import role_target

#: Boxes a body may use, and the title printed when the block has none.
BOXES = {"admonition": "", "note": "Note", "important": "Important", "warning": "Warning", "tip": "Tip",
         "caution": "Caution", "attention": "Attention", "seealso": "See also", "hint": "Hint",
         "example": "Fictional example"}
#: Blocks whose argument is an id, not a title.
ID_ARGUMENT = {"example"}


def role_title(manual: Manual, role: str, target: str) -> str:
    """What a link role prints: the title of its target in ``manual`` (or the target as written)."""
    if ":" in target:
        return target.rpartition(":")[2]
    if role == "session":
        number = int(target) if target.isdigit() else None
        session = next((s for s in manual.sessions if s.number == number or s.id == target), None)
        return f"Session {session.number}: {session.title}" if session else f"session {target}"
    pages = {"worksheet": manual.worksheets, "technique": manual.techniques,
             "problem-area": manual.problem_area_pages, "page": manual.pages}[role]
    page = pages.get(target)
    return page.title if page else target


def resolve_roles(text: str, manual: Manual) -> str:
    """Link roles → their text, as Markdown-escaped plain text (other roles keep their body)."""
    def replace(match: object) -> str:
        role, body = match.group("role"), match.group("body")  # type: ignore[attr-defined]
        title, target = role_target(body)
        if role not in LINK_ROLES:
            return title or target
        shown = title or role_title(manual, role, target)
        return "".join("\\" + c if c in "\\`*_[]{}<>#|~" else c for c in shown)
    return ROLE_RE.sub(replace, text)


def _parser(contacts_html: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
    md.use(colon_fence_plugin).use(deflist_plugin).use(tasklists_plugin)
    fence = md.renderer.rules["fence"]

    def render_block(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
        token = tokens[idx]
        info = token.info.strip()
        if info.startswith("{") and "}" in info:
            name, _, argument = info[1:].partition("}")
            name = name.strip().lower()
            if name == "clinic-contacts":
                return contacts_html
            lines = [ln for ln in token.content.splitlines() if not ln.startswith(":")]
            inner = md.render("\n".join(lines))
            shown = "" if name in ID_ARGUMENT else argument.strip()
            title = shown or BOXES.get(name, name.replace("-", " ").capitalize())
            head = f'<p class="box-title">{html.escape(title)}</p>' if title else ""
            return f'<div class="box box-{html.escape(name)}">{head}{inner}</div>\n'
        return fence(tokens, idx, options, env)

    md.add_render_rule("fence", render_block)
    md.add_render_rule("colon_fence", render_block)
    return md


def body_renderer(manual: Manual, contacts_html: str) -> Callable[[str], str]:
    """A function from a section body (MyST) to print HTML, for one manual."""
    md = _parser(contacts_html)
    return lambda body: md.render(resolve_roles(expand(body, manual, plain=True), manual))


def plain(text: str, manual: Manual) -> str:
    """Protocol text (a goal, an agenda item, a label) as plain text for print: every role resolved."""
    def replace(match: re.Match[str]) -> str:
        title, target = role_target(match.group("body"))
        role = match.group("role")
        return title or (role_title(manual, role, target) if role in LINK_ROLES else target)
    return ROLE_RE.sub(replace, expand(text, manual, plain=True))
