"""The sidebar's navigation tree, worked out once per folder instead of once per page.

Furo asks Sphinx for the whole site's table of contents on every page and rewrites it with
BeautifulSoup. With six manuals every page lists about 300 pages, and that was half of plain Sphinx's
time writing this site. Yet the tree is the same on every page of one folder (its links are relative
to the folder) but for the marks on the way to the page itself. So:

- before Furo (:func:`share_folder_tree`), the page's ``toctree`` answers Furo's one call with its
  folder's tree, worked out once for a page name that is in no table of contents, so nothing in it is
  marked. Furo's own cache then rewrites that tree once per folder too;
- after Furo (:func:`mark_this_page`), :func:`mark_current` marks the way to the page exactly as Sphinx
  and Furo would have.

Anything else that calls ``toctree`` gets Sphinx's own answer. ``tests/test_navigation.py`` compares
the result with Furo's own, page by page, in a real build.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from typing import Any

#: Furo's call (furo._compute_navigation_tree): the only one answered from the folder's tree.
FURO_CALL = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
#: A page name in no table of contents: its tree has nothing marked.
UNLISTED = "__ipt_unlisted__"
#: Before Furo's html-page-context handler (500), and after it.
BEFORE_THEME, AFTER_THEME = 400, 600

TAG_RE = re.compile(r"<(/?)(ul|li|a|input)\b([^>]*)>")
CLASS_RE = re.compile(r' class="([^"]*)"')


def folder_tree(app: Any, folder: str) -> str:
    """Sphinx's navigation HTML for a page in ``folder``, nothing marked; once per folder and build
    (kept on the builder, which is new for every build)."""
    trees: dict[str, str] = app.builder.__dict__.setdefault("ipt_folder_trees", {})
    if folder not in trees:
        trees[folder] = app.builder._get_local_toctree(posixpath.join(folder, UNLISTED), **FURO_CALL)
    return trees[folder]


class SharedToctree:
    """The ``toctree`` of one page's template context: Furo's call answered from the folder's tree."""

    def __init__(self, app: Any, pagename: str, own: Callable[..., str]) -> None:
        self.app, self.pagename, self.own = app, pagename, own
        self.answered = False  #: True once Furo's call got the folder's tree (so the page is still to mark)

    def __call__(self, **kwargs: Any) -> str:
        if kwargs != FURO_CALL:
            return self.own(**kwargs)
        self.answered = True
        return folder_tree(self.app, posixpath.dirname(self.pagename))


def share_folder_tree(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context, before the theme's."""
    own = context.get("toctree")
    if callable(own) and app.config.html_theme == "furo":
        context["toctree"] = SharedToctree(app, pagename, own)


def mark_this_page(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context, after the theme's: mark the way to this page in Furo's tree."""
    tree, toctree = context.get("furo_navigation_tree"), context.get("toctree")
    if isinstance(tree, str) and isinstance(toctree, SharedToctree) and toctree.answered:
        unlisted = posixpath.join(posixpath.dirname(pagename), UNLISTED)
        context["furo_navigation_tree"] = mark_current(tree, app.builder.get_relative_uri(unlisted, pagename))


def _with_class(tag: str, name: str, before: str | None = None) -> str:
    """``tag`` with ``name`` added to its classes (before the class ``before`` when it has it)."""
    found = CLASS_RE.search(tag)
    if found is None:
        return tag[:-1] + f' class="{name}">' if tag.endswith(">") else tag
    classes = found.group(1).split()
    classes.insert(classes.index(before) if before in classes else len(classes), name)
    return tag[:found.start()] + f' class="{" ".join(classes)}"' + tag[found.end():]


def mark_current(tree: str, href: str) -> str:
    """Furo's navigation ``tree`` (nothing marked) as Sphinx and Furo mark it on the page linked as
    ``href``: ``current`` on every enclosing list and item and on the link, whose address becomes
    ``#``; each enclosing item's switch checked; ``current-page`` on the last item marked."""
    attribute = f' href="{html.escape(href)}"'
    edits: dict[int, tuple[int, str]] = {}  #: tag start -> (tag end, the tag that replaces it)
    open_tags: list[re.Match[str]] = []  #: the lists and items around the tag being read
    switches: dict[int, re.Match[str]] = {}  #: item start -> its switch (the first input in it)
    marked: dict[int, re.Match[str]] = {}  #: the lists and items around a link to the page
    for tag in TAG_RE.finditer(tree):
        closing, name, attrs = tag.groups()
        if name in ("ul", "li") and closing:
            open_tags.pop()
        elif name in ("ul", "li"):
            open_tags.append(tag)
        elif name == "input" and open_tags and open_tags[-1].group(2) == "li":
            switches.setdefault(open_tags[-1].start(), tag)
        elif name == "a" and not closing and attribute in attrs:
            link = tag.group(0).replace(attribute, ' href="#"', 1)
            edits[tag.start()] = (tag.end(), _with_class(link, "current", before="reference"))
            marked.update((t.start(), t) for t in open_tags)
    for start, tag in marked.items():
        edits[start] = (tag.end(), _with_class(tag.group(0), "current", before="has-children"))
        if (switch := switches.get(start)) is not None:
            edits[switch.start()] = (switch.end(), switch.group(0).replace(' class="', ' checked="" class="', 1))
    items = [start for start, tag in marked.items() if tag.group(2) == "li"]
    if items:
        end, tag = edits[max(items)]
        edits[max(items)] = (end, _with_class(tag, "current-page"))
    return _apply(tree, edits)


def _apply(text: str, edits: dict[int, tuple[int, str]]) -> str:
    out, at = [], 0
    for start in sorted(edits):
        end, replacement = edits[start]
        out += [text[at:start], replacement]
        at = end
    out.append(text[at:])
    return "".join(out)


def setup_navigation(app: Any) -> None:
    app.connect("html-page-context", share_folder_tree, priority=BEFORE_THEME)
    app.connect("html-page-context", mark_this_page, priority=AFTER_THEME)
