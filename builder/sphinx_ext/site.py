"""The clinic's site: settings validated at start, privacy headers, robots.txt, and the contacts check."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from sphinx.errors import ConfigError
from sphinx.util import logging

from ..config import PREFIX, get_config, validate_values
from ..generate import write_if_changed
from ..resources import TEMPLATES

LOGGER = logging.getLogger(__name__)

#: Only the site's own scripts may run; nothing is loaded from another host.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'")


def validate_settings(app: Any, config: Any) -> None:
    """config-inited: refuse unknown ``ipt_*`` names and wrong values, naming each setting."""
    raw = {k: v for k, v in config._raw_config.items() if k.startswith(PREFIX)}
    errors = validate_values(raw, Path(app.confdir))
    if errors:
        raise ConfigError("conf.py: " + "; ".join(errors))
    # the builder's theme overrides (no inline script), also for projects without their own _templates/sphinx
    own = TEMPLATES / "sphinx"
    if own.is_dir() and str(own) not in config.templates_path and "_templates/sphinx" not in config.templates_path:
        config.templates_path.append(str(own))
    settings = get_config(config)
    if settings.logo:
        config.html_logo = str(Path(app.confdir) / settings.logo)
    if settings.clinic_name:
        config.html_title = html.escape(f"{settings.clinic_name}: IPT manuals")  # the theme places it as HTML


def page_metatags(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context: the Content-Security-Policy and, for an internal site, noindex."""
    tags = [f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="referrer" content="no-referrer">']
    if get_config(app.config).noindex:
        tags.append('<meta name="robots" content="noindex, nofollow">')
    context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"


def accessible_markup(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """html-page-context (after the theme's): small fixes the theme and Sphinx leave to us.

    Navigation captions get the heading level ARIA requires; wide tables, which scroll
    sideways, become focusable named regions so keyboard users can scroll them.
    """
    for key, value in list(context.items()):
        if not isinstance(value, str):
            continue
        if 'class="caption" role="heading"' in value:
            value = value.replace('class="caption" role="heading"', 'class="caption" role="heading" aria-level="2"')
        if key == "body" and '<div class="table-wrapper' in value:
            value = value.replace('<div class="table-wrapper',
                                  '<div tabindex="0" role="region" aria-label="Table (scrolls sideways)" '
                                  'class="table-wrapper')
        context[key] = value


def write_robots(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    rules = "User-agent: *\nDisallow: /\n" if get_config(app.config).noindex else "User-agent: *\nDisallow:\n"
    write_if_changed(Path(app.outdir) / "robots.txt", rules)


def warn_without_contacts(app: Any) -> None:
    """builder-inited: the protocol's safety places need the clinic's contacts."""
    if not get_config(app.config).contacts():
        LOGGER.warning("no local crisis contacts are configured: risk assessment, safety planning and the "
                       "ending-plan worksheet show a placeholder (hint: set ipt_crisis_contacts in conf.py)",
                       type="ipt", subtype="contacts", location=f"{Path(app.confdir) / 'conf.py'}:1")


def setup_site(app: Any) -> None:
    app.connect("config-inited", validate_settings, priority=300)
    app.connect("builder-inited", warn_without_contacts, priority=350)
    app.connect("html-page-context", page_metatags)
    app.connect("html-page-context", accessible_markup, priority=900)
    app.connect("build-finished", write_robots)
