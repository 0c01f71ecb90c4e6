"""Every page says which manual it belongs to, and moving around never leaves the manual unawares.

- the browser-tab title and the header (phone included) name the manual;
- a strip at the top of each manual page names the manual and its version (also on paper);
- a printed page carries the manual, version and page number in its margins;
- previous/next (links and arrow keys) stays within one manual;
- the sidebar groups each manual's sessions under their phases.

What a page needs to know about the manuals is kept on the Sphinx env (``env.ipt_wayfinding``).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..paths import session_doc

ENV_KEY = "ipt_wayfinding"


def remember_manuals(app: Any, manuals: list[Any]) -> None:
    """builder-inited (from generate_pages): what pages need to know about each published manual."""
    info = {}
    for manual in manuals:
        info[manual.id] = {
            "short_title": manual.short_title, "title": manual.title, "version": manual.version,
            "phases": [(p.title, p.first) for p in manual.phases],
            "sessions": {session_doc(manual.id, s.number): s.number for s in manual.sessions},
        }
    setattr(app.env, ENV_KEY, info)


def manuals(app: Any) -> dict[str, dict[str, Any]]:
    return getattr(app.env, ENV_KEY, {})


def manual_of(app: Any, docname: str | None) -> str | None:
    if not docname or "/" not in docname:
        return None
    first = docname.split("/", 1)[0]
    return first if first in manuals(app) else None


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for @page margin boxes)."""
    return '"' + re.sub(r'[\\"\n<>]', lambda m: f"\\{ord(m.group()):x} ", text) + '"'


def within_manual(app: Any, pagename: str, context: dict[str, Any]) -> None:
    """Drop previous/next links that would lead into another manual (or out of it)."""
    own = manual_of(app, pagename)
    if own is None:
        return
    relations = getattr(app.builder, "relations", {}).get(pagename)
    if not relations:
        return
    _parent, prev, nxt = relations
    if manual_of(app, prev) != own:
        context["prev"] = None
    if manual_of(app, nxt) != own:
        context["next"] = None


def phase_captions(app: Any, pagename: str, context: dict[str, Any]) -> None:
    """Insert each phase's title before its first session in the sidebar's list of sessions."""
    tree = context.get("furo_navigation_tree")
    if not isinstance(tree, str):
        return
    for manual_id, info in manuals(app).items():
        home = app.builder.get_relative_uri(pagename, f"{manual_id}/index")
        start = tree.find(f'href="{"#" if pagename == f"{manual_id}/index" else home}">')
        if start < 0:
            continue
        for title, first in info["phases"]:
            match = re.compile(rf'<li class="toctree-l2[^"]*"><a [^>]*>Session {first}:').search(tree, start)
            if match is None:
                continue
            caption = f'<li class="ipt-phase-caption" aria-hidden="true">{html.escape(title)}</li>\n'
            tree = tree[:match.start()] + caption + tree[match.start():]
    context["furo_navigation_tree"] = tree


def name_the_manual(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context (after the theme's): title, header, strip, print margins, previous/next, sidebar."""
    own = manual_of(app, pagename)
    site_title = str(context.get("docstitle") or context.get("project") or "")
    label = site_title
    if own is not None:
        info = manuals(app)[own]
        label = f"{info['short_title']} (version {info['version']})"
        context["docstitle"] = f"{info['short_title']} · {site_title}"
        home = app.builder.get_relative_uri(pagename, f"{own}/index")
        strip = (f'<p class="ipt-manual-strip"><a href="{html.escape(home)}">{html.escape(info["title"])}</a>'
                 f' · version {html.escape(info["version"])}</p>\n')
        if isinstance(context.get("body"), str):
            context["body"] = strip + context["body"]
        within_manual(app, pagename, context)
    phase_captions(app, pagename, context)
    page_title = re.sub(r"<[^>]+>", "", str(context.get("title") or ""))
    style = ("@page { @top-left { content: " + css_string(label) + "; } "
             "@top-right { content: " + css_string(html.unescape(page_title)) + "; } "
             '@bottom-right { content: "Page " counter(page) " of " counter(pages); } }')
    context["metatags"] = (context.get("metatags", "") + f'<style media="print">{style}</style>\n'
                           f'<meta name="ipt-manual" content="{html.escape(own or "")}">\n'
                           f'<meta name="ipt-manuals" content="{html.escape(manual_labels(app))}">\n')


def manual_labels(app: Any) -> str:
    return json.dumps({k: v["short_title"] for k, v in manuals(app).items()}, sort_keys=True)


def setup_wayfinding(app: Any) -> None:
    app.connect("html-page-context", name_the_manual, priority=910)
