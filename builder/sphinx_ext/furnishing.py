"""What every page of the site carries besides its content.

The draft banner while clinic settings hold example values, the theme switch (from a
static script: the Content-Security-Policy allows no inline script), the favicon, a
404 page, no empty general index, the search scorer and manual filter, and the
version switcher only on a multi-version site.
"""

from __future__ import annotations

import html
from typing import Any

from sphinx.util import logging

from ..config import as_values, get_config, placeholder_settings
from ..resources import STATIC

LOGGER = logging.getLogger(__name__)
STATIC_DIR = STATIC
DRAFT = "Draft: clinic contacts not set"


def draft_banner(settings: list[str]) -> str:
    names = ", ".join(settings)
    return (f'<strong class="ipt-draft">{DRAFT}.</strong> This site still shows example values for '
            f'{html.escape(names)}: set them in conf.py before clinicians use it.')


def configure(app: Any, config: Any) -> None:
    """config-inited: the draft banner, favicon, no general index, the search scorer."""
    placeholders = placeholder_settings(as_values(get_config(config)))
    if placeholders:
        options = dict(config.html_theme_options or {})
        options["announcement"] = draft_banner(placeholders)
        config.html_theme_options = options
    if not config.html_favicon:
        config.html_favicon = str(STATIC_DIR / "ipt-favicon.svg")
    config.html_use_index = False
    if not config.html_search_scorer:
        config.html_search_scorer = str(STATIC_DIR / "ipt-search-scorer.js")


def say_draft(app: Any) -> None:
    """builder-inited: the build output says the site is a draft."""
    placeholders = placeholder_settings(as_values(get_config(app.config)))
    if placeholders:
        LOGGER.info(f"ipt: DRAFT site: clinic contacts not set ({', '.join(placeholders)} still hold example "
                    "values in conf.py); every page shows a draft banner. "
                    "'ipt-manual build --release' refuses to publish it.")


def scripts(app: Any) -> None:
    """builder-inited: search additions everywhere; the version switcher only on a versions site."""
    app.add_js_file("ipt-search.js", loading_method="defer")
    if app.config.ipt_versions_site:
        app.add_js_file("ipt-versions.js", loading_method="defer")


def not_found_page(app: Any) -> Any:
    """html-collect-pages: a 404 page that leads back to the manuals."""
    body = ('<section><h1>Page not found</h1>'
            '<p>This page does not exist, or it moved when the manuals were updated.</p>'
            f'<p><a href="{html.escape(app.builder.get_relative_uri("404", app.config.root_doc))}">'
            'Go to the list of manuals</a>, or use the search box.</p></section>')
    yield "404", {"title": "Page not found", "body": body}, "page.html"


def setup_furnishing(app: Any) -> None:
    app.connect("config-inited", configure, priority=310)
    app.connect("builder-inited", say_draft, priority=360)
    app.connect("builder-inited", scripts, priority=120)
    app.connect("html-collect-pages", not_found_page)
