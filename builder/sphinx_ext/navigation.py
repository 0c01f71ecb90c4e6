"""The sidebar's navigation tree, worked out once per build instead of once per page.

Furo asks Sphinx for the whole site's table of contents on every page and rewrites it with
BeautifulSoup. With six manuals every page lists about 300 pages, and that was half of plain Sphinx's
time writing this site. Yet the tree is the same on every page, but for two things: its links are
relative to the page's folder, and the way to the page itself is marked. So:

- before Furo (:func:`share_site_tree`), the page's ``toctree`` answers Furo's one call with the tree
  as the site's root folder sees it, worked out once for a page name that is in no table of contents
  (so nothing in it is marked). Furo's own cache then rewrites that tree once per build too;
- after Furo (:func:`mark_this_page`), :func:`relink` makes its links relative to the page's folder
  (once per folder) and :func:`mark_current` marks the way to the page, exactly as Sphinx and Furo
  would have.

Anything else that calls ``toctree`` gets Sphinx's own answer. ``tests/test_navigation.py`` compares
the result with Furo's own, page by page, in a real build.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from typing import Any

from sphinx.util import url_re
from sphinx.util.osutil import relative_uri

#: Furo's call (furo._compute_navigation_tree): the only one answered with the site's tree.
FURO_CALL = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
#: A page name in no table of contents: its tree has nothing marked.
UNLISTED = "__ipt_unlisted__"
#: Before Furo's html-page-context handler (500), and after it.
BEFORE_THEME, AFTER_THEME = 400, 600

HREF_RE = re.compile(r' href="([^"#]*)(#[^"]*)?"')
TAG_RE = re.compile(r"<(/?)(ul|li|a|input)\b([^>]*)>")
CLASS_RE = re.compile(r' class="([^"]*)"')


def site_tree(app: Any) -> str:
    """Sphinx's navigation HTML as a page in the site's root folder gets it, nothing marked (its links
    are the pages' own addresses); once per build (kept on the builder, which is new for every build)."""
    if "ipt_site_tree" not in app.builder.__dict__:
        app.builder.ipt_site_tree = app.builder._get_local_toctree(UNLISTED, **FURO_CALL)
    return app.builder.ipt_site_tree


class SharedToctree:
    """The ``toctree`` of one page's template context: Furo's call answered with the site's tree."""

    def __init__(self, app: Any, own: Callable[..., str]) -> None:
        self.app, self.own = app, own
        self.answered = False  #: True once Furo's call got the site's tree (so the page is still to mark)

    def __call__(self, **kwargs: Any) -> str:
        if kwargs != FURO_CALL:
            return self.own(**kwargs)
        self.answered = True
        return site_tree(self.app)


def share_site_tree(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context, before the theme's."""
    own = context.get("toctree")
    # the html builder only: its page addresses are the links of the root folder's tree (see relink)
    if callable(own) and app.config.html_theme == "furo" and app.builder.name == "html":
        context["toctree"] = SharedToctree(app, own)


def mark_this_page(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context, after the theme's: Furo's tree with links from this page's folder, and the
    way to this page marked."""
    tree, toctree = context.get("furo_navigation_tree"), context.get("toctree")
    if not (isinstance(tree, str) and isinstance(toctree, SharedToctree) and toctree.answered):
        return
    base = app.builder.get_target_uri(posixpath.join(posixpath.dirname(pagename), UNLISTED))
    trees: dict[str, str] = app.builder.__dict__.setdefault("ipt_folder_trees", {})
    if base not in trees:
        trees[base] = relink(tree, base)
    here = relative_uri(base, app.builder.get_target_uri(pagename))
    context["furo_navigation_tree"] = mark_current(trees[base], here)


def relink(tree: str, base: str) -> str:
    """``tree`` with each link to a page (its address from the site's root folder) made relative to the
    page at ``base``, as Sphinx makes it; web addresses and ``#`` links stay as they are."""
    def relative(link: re.Match[str]) -> str:
        target, anchor = link.group(1), link.group(2) or ""
        if not target or url_re.match(target):
            return link.group(0)
        return f' href="{relative_uri(base, target)}{anchor}"'

    return HREF_RE.sub(relative, tree)


def _with_class(tag: str, name: str, before: str | None = None) -> str:
    """``tag`` with ``name`` added to its classes (before the class ``before`` when it has it)."""
    found = CLASS_RE.search(tag)
    if found is None:
        return tag[:-1] + f' class="{name}">'
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
    app.connect("html-page-context", share_site_tree, priority=BEFORE_THEME)
    app.connect("html-page-context", mark_this_page, priority=AFTER_THEME)
