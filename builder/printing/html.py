"""Print HTML for worksheets and session packets, from Jinja2 templates (autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..references import expand
from ..render import TEMPLATE_DIR
from .plan import PrintJob

#: Height of one write-in line, by print size.
LINE_MM = {False: 7, True: 11}
CIRCLE_MM = {False: 75, True: 95}


def environments(root: Path) -> tuple[jinja2.Environment, jinja2.Environment]:
    """(HTML environment with autoescaping, CSS environment without)."""
    loader = jinja2.FileSystemLoader([str(root / TEMPLATE_DIR), str(Path(__file__).parents[2] / TEMPLATE_DIR)])
    html = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)
    html.filters["text"] = plain_text
    css = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True)
    return html, css


@jinja2.pass_context
def plain_text(context: Any, value: str) -> str:
    """Protocol text for print: references resolved for the manual being printed, as plain text."""
    return expand(str(value), context["manual"], plain=True)


def render_job(envs: tuple[jinja2.Environment, jinja2.Environment], job: PrintJob, language: str = "en",
               contacts: list[Any] | None = None) -> str:
    html_env, css_env = envs
    css = css_env.get_template("print/print.css.j2").render(paper=job.variant.paper, large=job.variant.large)
    return html_env.get_template("print/worksheet.html.j2").render(
        manual=job.manual, worksheets=job.worksheets, checklist=job.checklist, css=css,
        document_title=job.title, language=language, line_mm=LINE_MM[job.variant.large], large=job.variant.large,
        circle_mm=CIRCLE_MM[job.variant.large], contacts=contacts or [])
