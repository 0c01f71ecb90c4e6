"""The printable whole manual, rendered from the model through the print templates (like worksheets).

Nothing is read back from the site's HTML: the book depends only on the assembled manual, the
templates in ``_templates/print/`` and the settings, so it is cached by the hash of its print HTML
(see pdf.py) and "unchanged" is known by rendering a template, without parsing anything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import SiteConfig
from ..model import Manual
from .html import PrintSettings, environments, print_settings
from .markup import body_renderer
from .pdf import RenderResult, is_cached, produce, quiet_weasyprint, release_memory
from .plan import PAPERS, book_path
from .pools import PrintPool, Waiting

if TYPE_CHECKING:
    from .run import PrintBatch

#: Render options for the book: tagged, no form fields.
BOOK_OPTIONS: dict[str, object] = {"pdf_tags": True}

Progress = Callable[[str], None]


def book_htmls(manual: Manual, root: Path, settings: PrintSettings) -> dict[str, str]:
    """The print HTML of ``manual``'s printable manual on each paper. The section bodies are the same on
    every paper, so each is rendered once (most of the time of a build with nothing to print)."""
    html_env, css_env = environments(root)
    contacts = html_env.get_template("print/_contacts.html.j2").render(settings=settings, manual=manual)
    markdown = functools.lru_cache(maxsize=None)(body_renderer(manual, contacts))
    phases = [(phase, [s for s in manual.sessions if phase.contains(s.number)]) for phase in manual.phases]
    context = {
        "manual": manual, "language": "en", "phases": phases, "markdown": markdown,
        "pages": [manual.pages[p] for p in manual.page_order if p in manual.pages],
        "problem_areas": [manual.problem_area_pages[a] for a in manual.problem_areas
                          if a in manual.problem_area_pages],
        "techniques": [manual.techniques[t] for t in sorted(manual.techniques)],
        "worksheets": sorted(manual.worksheets.values(), key=lambda w: w.title.lower())}
    template = html_env.get_template("print/book.html.j2")
    return {paper: template.render(**context, css=css_env.get_template("print/book.css.j2").render(
        paper=paper, manual=manual, fonts=settings.fonts)) for paper in PAPERS}


def book_html(manual: Manual, root: Path, paper: str, settings: PrintSettings) -> str:
    """The print HTML of ``manual``'s printable manual on ``paper``."""
    return book_htmls(manual, root, settings)[paper]


def build_book(manual: Manual, root: Path, outdir: Path, cache: Path, paper: str,
               settings: PrintSettings | None = None) -> RenderResult:
    """Write ``manual``'s printable manual on ``paper`` (``pdf/<manual>/<manual>-printable-manual-<paper>.pdf``)."""
    settings = settings or print_settings(root)
    html = book_html(manual, root, paper, settings)
    return produce(html, outdir / book_path(manual.id, paper), cache, str(root), BOOK_OPTIONS, settings.fonts)


def _produce_book(html: str, target: str, cache: str, base_url: str, fonts: object) -> RenderResult:
    """Worker side: render one book (its HTML was made from the model in the build process)."""
    result = produce(html, Path(target), Path(cache), base_url, BOOK_OPTIONS, fonts)  # type: ignore[arg-type]
    if result.rendered:
        release_memory()
    return result


@dataclass
class BookBatch:
    """Printable manuals under way: cached ones already served, the rest rendering in a pool."""

    results: dict[str, RenderResult] = field(default_factory=dict)
    waiting: dict[str, Any] = field(default_factory=dict)  #: site path → AsyncResult or pools.Handle

    def finish(self, progress: Progress | None = None) -> dict[str, RenderResult]:
        """Wait for the books still rendering: {site path: result}."""
        self.results.update({path: pending.get() for path, pending in self.waiting.items()})
        self.waiting.clear()
        for path in sorted(self.results):
            result = self.results[path]
            if progress:
                note = result.problem or result.repaired or ("" if result.rendered else "unchanged")
                progress(f"ipt: printable manual {path}: {result.pages} pages" + (f" ({note})" if note else ""))
        return self.results


def start_books(manuals: list[Manual], root: Path, outdir: Path, cache: Path, settings: SiteConfig | None = None,
                submit: Callable[..., Any] | None = None) -> BookBatch:
    """Every printable manual, in A4 and Letter. Cached ones are served now; with ``submit`` (a worker
    pool's, returning an object with ``.get()``) the others render in the pool, the longest first, so
    that the last to finish are short."""
    quiet_weasyprint()
    printing = print_settings(root, settings)
    batch, to_render = BookBatch(), []
    for manual in manuals:
        for paper, html in book_htmls(manual, root, printing).items():
            path = book_path(manual.id, paper)
            args = (html, str(outdir / path), str(cache), str(root), printing.fonts)
            if submit is not None and not is_cached(html, cache, BOOK_OPTIONS):
                to_render.append((path, args))
            else:
                batch.results[path] = _produce_book(*args)
    for path, args in sorted(to_render, key=lambda job: -len(job[1][0])):  # stable: ties keep their order
        batch.waiting[path] = submit(_produce_book, *args)  # type: ignore[misc]
    return batch


def start_books_beside(sheets: PrintBatch, sheet_pool: PrintPool, book_pool: PrintPool, manuals: list[Manual],
                       root: Path, outdir: Path, cache: Path, settings: SiteConfig | None = None) -> BookBatch:
    """The printable manuals and the queued jobs of ``sheets``, side by side: each manual waits for a
    worker of ``book_pool``, or for one of ``sheet_pool`` once the sheets are done (pools.Waiting)."""
    waiting = Waiting(book_pool)
    books = start_books(manuals, root, outdir, cache, settings, submit=waiting.submit)
    sheets.submit_queued(sheet_pool)
    waiting.lend(sheet_pool)
    return books


def print_books(manuals: list[Manual], root: Path, outdir: Path, cache: Path, settings: SiteConfig | None = None,
                progress: Progress | None = None, submit: Callable[..., Any] | None = None) -> dict[str, RenderResult]:
    """Every printable manual, in A4 and Letter, and wait for them: {site path: result}. Cached by content."""
    return start_books(manuals, root, outdir, cache, settings, submit).finish(progress)
