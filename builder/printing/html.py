"""Print HTML for worksheets and session packets, from Jinja2 templates (autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..config import CrisisContact, ReferralPathway, SiteConfig
from ..resources import template_search_path
from .fonts import FontSet, load_fonts
from .markup import plain
from .plan import PrintJob

#: Height of one write-in line, by print size (large print: True).
LINE_MM = {False: 7, True: 11}
#: Diameter of the closeness circle.
CIRCLE_MM = {False: 108, True: 130}
#: Checkbox and radio size in points: never smaller, never squashed.
BOX_PT = {False: 10, True: 14}
#: Large print turns tables with more columns than this into a list of labelled fields per row.
LARGE_TABLE_COLUMNS = 4


@dataclass
class PrintSettings:
    """What the clinic's settings give the printed sheets."""

    fonts: FontSet
    contacts: list[CrisisContact] = field(default_factory=list)
    pathways: list[ReferralPathway] = field(default_factory=list)
    clinic_name: str = ""
    #: True while the contacts are missing or still the example placeholders: sheets carry a draft mark
    draft_contacts: bool = True


def print_settings(root: Path, settings: SiteConfig | None = None) -> PrintSettings:
    settings = settings or SiteConfig()
    return PrintSettings(load_fonts(tuple(settings.print_fonts), root), settings.contacts(), settings.pathways(),
                         settings.clinic_name, settings.contacts_are_placeholders())


def environments(root: Path) -> tuple[jinja2.Environment, jinja2.Environment]:
    """(HTML environment with autoescaping, CSS environment without)."""
    loader = jinja2.FileSystemLoader(template_search_path(root))
    html = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.do"])
    html.filters["text"] = plain_text
    css = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True)
    return html, css


@jinja2.pass_context
def plain_text(context: Any, value: str) -> str:
    """Protocol text for print: every role resolved for the manual being printed, as plain text."""
    return plain(str(value), context["manual"])


def css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_job(envs: tuple[jinja2.Environment, jinja2.Environment], job: PrintJob, settings: PrintSettings,
               language: str = "en") -> str:
    html_env, css_env = envs
    large = job.variant.large
    css = css_env.get_template("print/print.css.j2").render(
        paper=job.variant.paper, large=large, fonts=settings.fonts, box_pt=BOX_PT[large], line_mm=LINE_MM[large])
    return html_env.get_template("print/worksheet.html.j2").render(
        manual=job.manual, worksheets=job.worksheets, checklist=job.checklist, css=css,
        document_title=job.title, language=language, line_mm=LINE_MM[large], large=large,
        circle_mm=CIRCLE_MM[large], settings=settings, font_family=settings.fonts.families[0],
        list_tables_over=LARGE_TABLE_COLUMNS if large else 99, all_worksheets=job.manual.worksheets)
