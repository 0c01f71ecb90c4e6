"""Rendering print HTML to PDF with WeasyPrint, in process, with a content-hash cache.

The same HTML always gives the same bytes, so a PDF is re-rendered only when
its HTML (which includes the stylesheet) or the WeasyPrint version changes.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..generate import write_if_changed
from .fonts import FontSet, PrintFontError, foreign_fonts, uncovered

#: Options that change the output; part of the cache key.
RENDER_OPTIONS = {"pdf_forms": True, "pdf_tags": True}


@dataclass
class RenderResult:
    path: Path
    pages: int
    rendered: bool  #: False when the cache supplied it
    #: What went wrong with the cached copy, when it was rendered again ("" if nothing)
    repaired: str = ""
    #: Why the PDF could not be made (a font problem); "" when it was made
    problem: str = ""


@functools.cache
def weasyprint_version() -> str:
    """From the installed package's metadata: importing WeasyPrint takes a second, and a build whose
    PDFs are all cached never needs it."""
    from importlib.metadata import version

    return version("weasyprint")


def cache_key(html: str, options: dict[str, object]) -> str:
    digest = hashlib.sha256()
    digest.update(weasyprint_version().encode())
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


#: The one stylesheet of a print document (the print templates put it in ``<head>``).
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.S)


@functools.lru_cache(maxsize=8)
def parsed_stylesheet(css: str, base_url: str) -> tuple[Any, Any]:
    """``css`` parsed once per process, with its own font configuration: (CSS, FontConfiguration).

    Every worksheet of one paper and size has the same stylesheet, and parsing it (with its
    ``@font-face`` rules) was about a quarter of rendering a one-page sheet. The PDF is the same
    bytes as with the stylesheet inline (tests/test_print.py checks this). Each stylesheet keeps
    its own font configuration, so two font sets never meet in one lookup."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return CSS(string=css, base_url=base_url, font_config=font_config), font_config


# A font configuration deletes its temporary font folder when it is freed: free them while the
# interpreter can still do it (print workers end normally too, so they clean up the same way).
atexit.register(parsed_stylesheet.cache_clear)


def layout(html: str, base_url: str, options: dict[str, object]) -> Any:
    """WeasyPrint's laid-out document for ``html``, its stylesheet parsed once per process."""
    from weasyprint import HTML

    style = STYLE_ELEMENT.search(html)
    if style is None:
        return HTML(string=html, base_url=base_url).render(**options)
    stylesheet, font_config = parsed_stylesheet(style.group(1), base_url)
    body = html[:style.start()] + html[style.end():]
    return HTML(string=body, base_url=base_url).render(stylesheets=[stylesheet], font_config=font_config,
                                                       **options)


def release_memory() -> None:
    """Give back to the system what a long render left free (a printable manual holds a few hundred MB
    of layout while it renders; without this a worker keeps most of it until it exits)."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the next render reuses the memory instead
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def render_pdf(html: str, base_url: str, options: dict[str, object] | None = None,
               fonts: FontSet | None = None) -> bytes:
    """The PDF of ``html``. With ``fonts``, only those fonts may be used (PrintFontError otherwise)."""
    quiet_weasyprint()
    if fonts is not None and (missing := uncovered(html, fonts)):
        raise PrintFontError("; ".join(missing))
    opts = dict(RENDER_OPTIONS if options is None else options)
    document = layout(html, base_url, opts)
    data = document.write_pdf(**opts)
    if fonts is not None and (foreign := foreign_fonts(document, fonts)):
        raise PrintFontError("; ".join(foreign))
    return data


@dataclass
class CacheEntry:
    """One cached PDF: ``<key>.pdf`` and ``<key>.json`` (its SHA-256, size and page count)."""

    pdf: Path

    @property
    def meta(self) -> Path:
        return self.pdf.with_suffix(".json")

    def read(self) -> tuple[bytes | None, int, str]:
        """(bytes, pages, "") when the entry is whole; (None, 0, what is wrong) when it is damaged;
        (None, 0, "") when there is no entry."""
        if not self.pdf.exists() and not self.meta.exists():
            return None, 0, ""
        try:
            meta = json.loads(self.meta.read_text(encoding="utf-8"))
            data = self.pdf.read_bytes()
            expected, pages = str(meta["sha256"]), int(meta["pages"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, 0, f"unreadable ({type(exc).__name__})"
        if not data:
            return None, 0, "empty"
        if hashlib.sha256(data).hexdigest() != expected:
            return None, 0, f"{len(data)} bytes, expected {meta.get('bytes', '?')}: content does not match its hash"
        return data, pages, ""

    def write(self, data: bytes, pages: int) -> None:
        write_if_changed(self.pdf, data)
        meta = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "pages": pages}
        write_if_changed(self.meta, json.dumps(meta, sort_keys=True))


def cache_entry(html: str, cache: Path, options: dict[str, object] | None = None) -> CacheEntry:
    """Where the PDF of ``html`` is kept in ``cache`` (it exists only after a render)."""
    key = cache_key(html, dict(RENDER_OPTIONS if options is None else options))
    return CacheEntry(cache / key[:2] / f"{key}.pdf")


def is_cached(html: str, cache: Path, options: dict[str, object] | None = None) -> bool:
    """True when :func:`produce` would take ``html`` from the cache without rendering (the entry is
    whole: its hash is checked when it is used)."""
    entry = cache_entry(html, cache, options)
    return entry.pdf.exists() and entry.meta.exists()


def produce(html: str, target: Path, cache: Path, base_url: str,
            options: dict[str, object] | None = None, fonts: FontSet | None = None) -> RenderResult:
    """Make ``target`` hold the PDF of ``html``, rendering only on a cache miss or a damaged entry."""
    opts = dict(RENDER_OPTIONS if options is None else options)
    entry = cache_entry(html, cache, opts)
    data, pages, damage = entry.read()
    if data is not None:
        # warm path: no rendering and no PDF parsing, only a comparison with the published file
        write_if_changed(target, data)
        return RenderResult(target, pages, False)
    try:
        data = render_pdf(html, base_url, opts, fonts)
    except PrintFontError as exc:
        return RenderResult(target, 0, False, problem=str(exc))
    pages = count_pages(data)
    entry.write(data, pages)
    write_if_changed(target, data)
    repaired = f"print cache entry {entry.pdf} was damaged ({damage}); rendered again" if damage else ""
    return RenderResult(target, pages, True, repaired)


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
