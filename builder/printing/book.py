"""The printable whole manual, rendered from the model through the print templates (like worksheets).

Nothing is read back from the site's HTML: the book depends only on the assembled manual, the
templates in ``_templates/print/`` and the settings, so it is cached by the hash of its print HTML
(see pdf.py) and "unchanged" is known by rendering a template, without parsing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import SiteConfig
from ..model import Manual
from .html import PrintSettings, environments, print_settings
from .markup import body_renderer
from .pdf import RenderResult, produce, quiet_weasyprint
from .plan import PAPERS, book_path

#: Render options for the book: tagged, no form fields.
BOOK_OPTIONS: dict[str, object] = {"pdf_tags": True}

Progress = Callable[[str], None]


def book_html(manual: Manual, root: Path, paper: str, settings: PrintSettings) -> str:
    """The print HTML of ``manual``'s printable manual on ``paper``."""
    html_env, css_env = environments(root)
    contacts = html_env.get_template("print/_contacts.html.j2").render(settings=settings, manual=manual)
    css = css_env.get_template("print/book.css.j2").render(paper=paper, manual=manual, fonts=settings.fonts)
    phases = [(phase, [s for s in manual.sessions if phase.contains(s.number)]) for phase in manual.phases]
    return html_env.get_template("print/book.html.j2").render(
        manual=manual, css=css, language="en", phases=phases, markdown=body_renderer(manual, contacts),
        pages=[manual.pages[p] for p in manual.page_order if p in manual.pages],
        problem_areas=[manual.problem_area_pages[a] for a in manual.problem_areas if a in manual.problem_area_pages],
        techniques=[manual.techniques[t] for t in sorted(manual.techniques)],
        worksheets=sorted(manual.worksheets.values(), key=lambda w: w.title.lower()))


def build_book(manual: Manual, root: Path, outdir: Path, cache: Path, paper: str,
               settings: PrintSettings | None = None) -> RenderResult:
    """Write ``manual``'s printable manual on ``paper`` (``pdf/<manual>/<manual>-printable-manual-<paper>.pdf``)."""
    settings = settings or print_settings(root)
    html = book_html(manual, root, paper, settings)
    return produce(html, outdir / book_path(manual.id, paper), cache, str(root), BOOK_OPTIONS, settings.fonts)


def print_books(manuals: list[Manual], root: Path, outdir: Path, cache: Path, settings: SiteConfig | None = None,
                progress: Progress | None = None) -> dict[str, RenderResult]:
    """Every printable manual, in A4 and Letter: {site path: result}. Cached by content."""
    quiet_weasyprint()
    printing = print_settings(root, settings)
    results = {}
    for manual in manuals:
        for paper in PAPERS:
            result = build_book(manual, root, outdir, cache, paper, printing)
            results[book_path(manual.id, paper)] = result
            if progress:
                note = result.problem or result.repaired or ("" if result.rendered else "unchanged")
                progress(f"ipt: printable manual {book_path(manual.id, paper)}: {result.pages} pages"
                         + (f" ({note})" if note else ""))
    return results
