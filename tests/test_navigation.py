"""The sidebar's navigation tree, worked out once per folder (builder/sphinx_ext/navigation.py), is the
very tree Furo would have made for each page."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from furo.navigation import get_navigation_tree
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from builder.project import GENERATED_DIR
from builder.sphinx_ext.navigation import (
    AFTER_THEME,
    FURO_CALL,
    UNLISTED,
    SharedToctree,
    mark_current,
    mark_this_page,
    relink,
    share_site_tree,
)

from .conftest import two_manual_project

NEUTRAL = ('<ul>\n<li class="toctree-l1 has-children"><a class="reference internal" href="a/index.html">A</a>'
           '<input aria-label="Toggle navigation of A" class="toctree-checkbox" id="toctree-checkbox-1" '
           'name="toctree-checkbox-1" role="switch" type="checkbox"/><label for="toctree-checkbox-1"></label><ul>\n'
           '<li class="toctree-l2"><a class="reference internal" href="a/one.html">One</a></li>\n'
           '</ul>\n</li>\n<li class="toctree-l1"><a class="reference internal" href="b.html">B</a></li>\n</ul>\n')


@pytest.mark.fast
def test_the_way_to_the_page_is_marked_as_furo_marks_it() -> None:
    assert mark_current(NEUTRAL, "a/one.html") == (
        '<ul class="current">\n<li class="toctree-l1 current has-children"><a class="reference internal" '
        'href="a/index.html">A</a><input aria-label="Toggle navigation of A" checked="" class="toctree-checkbox" '
        'id="toctree-checkbox-1" name="toctree-checkbox-1" role="switch" type="checkbox"/>'
        '<label for="toctree-checkbox-1"></label><ul class="current">\n'
        '<li class="toctree-l2 current current-page"><a class="current reference internal" href="#">One</a></li>\n'
        '</ul>\n</li>\n<li class="toctree-l1"><a class="reference internal" href="b.html">B</a></li>\n</ul>\n')


@pytest.mark.fast
def test_links_are_made_relative_to_the_folder_as_sphinx_makes_them() -> None:
    tree = ('<a class="reference internal" href="core/sessions/session-01.html">1</a>'
            '<a class="reference internal" href="index.html">Home</a>'
            '<a class="reference external" href="https://example.org/a/b.html">Web</a>'
            '<a class="reference internal" href="core/glossary.html#sick-role">Sick role</a>'
            '<use href="#svg-arrow-right"></use>')
    assert relink(tree, "core/sessions/__x.html") == (
        '<a class="reference internal" href="session-01.html">1</a>'
        '<a class="reference internal" href="../../index.html">Home</a>'
        '<a class="reference external" href="https://example.org/a/b.html">Web</a>'
        '<a class="reference internal" href="../glossary.html#sick-role">Sick role</a>'
        '<use href="#svg-arrow-right"></use>')
    assert relink(tree, "__x.html") == tree


@pytest.mark.fast
def test_a_page_outside_the_tree_marks_nothing() -> None:
    assert mark_current(NEUTRAL, "search.html") == NEUTRAL


@pytest.mark.fast
def test_any_other_call_gets_sphinx_own_tree_and_nothing_is_marked_twice() -> None:
    """A theme that asks for another tree (or a Furo that changed its call) gets Sphinx's own answer,
    already marked by Sphinx, and the page is left as it is."""
    calls: list[dict[str, Any]] = []

    def own(**kwargs: Any) -> str:
        calls.append(kwargs)
        return "<ul></ul>"

    app = SimpleNamespace(config=SimpleNamespace(html_theme="furo"), builder=SimpleNamespace(name="html"))
    context: dict[str, Any] = {"toctree": own}
    share_site_tree(app, "core/index", "page.html", context, None)
    other = {**FURO_CALL, "maxdepth": 2}
    assert context["toctree"](**other) == "<ul></ul>" and calls == [other]
    marked_by_sphinx = ('<ul class="current"><li class="toctree-l1 current">'
                        '<a class="current reference internal" href="#">')
    context["furo_navigation_tree"] = marked_by_sphinx
    mark_this_page(app, "core/index", "page.html", context, None)
    assert context["furo_navigation_tree"] == marked_by_sphinx


@pytest.mark.fast
def test_other_builders_get_sphinx_own_tree() -> None:
    """dirhtml's page addresses are not the links of the root folder's tree: it is left to Sphinx."""
    def own(**kwargs: Any) -> str:
        return ""

    context: dict[str, Any] = {"toctree": own}
    app = SimpleNamespace(config=SimpleNamespace(html_theme="furo"), builder=SimpleNamespace(name="dirhtml"))
    share_site_tree(app, "core/index", "page.html", context, None)
    assert context["toctree"] is own


def count_calls(owner: Any, name: str) -> list[tuple[Any, ...]]:
    """Record the positional arguments of every call of ``owner.name`` from now on."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    setattr(owner, name, counted)
    return calls


def test_every_page_gets_the_tree_furo_would_have_made(tmp_path: Path) -> None:
    root = two_manual_project(tmp_path / "project")
    compared: list[str] = []
    differing: list[str] = []

    def compare(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
        toctree = context.get("toctree")
        if not isinstance(toctree, SharedToctree):
            return
        compared.append(pagename)
        if context["furo_navigation_tree"] != get_navigation_tree(toctree.own(**FURO_CALL)):
            differing.append(pagename)

    (root / GENERATED_DIR).mkdir()  # the extension writes the pages into it as the build starts
    with docutils_namespace():
        app = Sphinx(str(root / GENERATED_DIR), str(root), str(tmp_path / "html"), str(tmp_path / "doctrees"),
                     "html", status=None, warning=io.StringIO(), freshenv=True)
        app.connect("html-page-context", compare, priority=AFTER_THEME + 1)
        asked = count_calls(app.builder, "_get_local_toctree")
        app.build()
    assert app.statuscode == 0
    assert not differing
    assert {"index", "core/index", "core/sessions/session-01", "teen/sessions/session-02", "search"} <= set(compared)
    assert [name for name, *_ in asked].count(UNLISTED) == 1  # Sphinx asked once per build, not once per page
