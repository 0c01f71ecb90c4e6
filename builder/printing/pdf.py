"""Rendering print HTML to PDF with WeasyPrint, in process, with a content-hash cache.

The same HTML always gives the same bytes, so a PDF is re-rendered only when
its HTML (which includes the stylesheet) or the WeasyPrint version changes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..generate import write_if_changed

#: Options that change the output; part of the cache key.
RENDER_OPTIONS = {"pdf_forms": True, "pdf_tags": True}


@dataclass
class RenderResult:
    path: Path
    pages: int
    rendered: bool  #: False when the cache supplied it


def _weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__


def cache_key(html: str, options: dict[str, object]) -> str:
    digest = hashlib.sha256()
    digest.update(_weasyprint_version().encode())
    digest.update(repr(sorted(options.items())).encode())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


def count_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def quiet_weasyprint() -> None:
    """WeasyPrint logs every step at INFO; keep only its errors."""
    import logging

    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = name == "weasyprint"  # errors still reach the console once


def render_pdf(html: str, base_url: str, options: dict[str, object] | None = None) -> bytes:
    from weasyprint import HTML

    quiet_weasyprint()
    opts = dict(RENDER_OPTIONS if options is None else options)
    document = HTML(string=html, base_url=base_url).render(**opts)
    return document.write_pdf(**opts)


def cache_entry(html: str, cache: Path, options: dict[str, object] | None = None) -> Path:
    """Where the PDF of ``html`` is kept in ``cache`` (it exists only after a render)."""
    key = cache_key(html, dict(RENDER_OPTIONS if options is None else options))
    return cache / key[:2] / f"{key}.pdf"


def is_cached(html: str, cache: Path, options: dict[str, object] | None = None) -> bool:
    """True when :func:`produce` would take ``html`` from the cache without rendering."""
    entry = cache_entry(html, cache, options)
    return entry.exists() and entry.with_suffix(".pages").exists()


def produce(html: str, target: Path, cache: Path, base_url: str,
            options: dict[str, object] | None = None) -> RenderResult:
    """Make ``target`` hold the PDF of ``html``, rendering only on a cache miss."""
    opts = dict(RENDER_OPTIONS if options is None else options)
    cached = cache_entry(html, cache, opts)
    pages_file = cached.with_suffix(".pages")
    if cached.exists() and pages_file.exists():
        # warm path: no rendering and no PDF parsing, only a comparison with the published file
        data = cached.read_bytes()
        write_if_changed(target, data)
        return RenderResult(target, int(pages_file.read_text(encoding="utf-8")), False)
    data = render_pdf(html, base_url, opts)
    pages = count_pages(data)
    write_if_changed(cached, data)
    write_if_changed(pages_file, str(pages))
    write_if_changed(target, data)
    return RenderResult(target, pages, True)


def preview_png(pdf: Path, target: Path, width_px: int = 420) -> None:
    """Page 1 of ``pdf`` as a PNG ``width_px`` wide (pdfium, form fields drawn)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        doc.init_forms()
        page = doc[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale, may_draw_forms=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        write_if_changed(target, buffer.getvalue())
    finally:
        doc.close()
