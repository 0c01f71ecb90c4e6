"""Reading PDFs back quickly with pdfium (C): pages, text, characters with their font, and form widgets.

pdfplumber (pure Python) reads a page in about a tenth of a second; pdfium in a few milliseconds, which
is what lets the suite read back every PDF of the real site. Coordinates are in points, top-down.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

#: FPDF_FORMFIELD_* types.
CHECKBOX, TEXT = raw.FPDF_FORMFIELD_CHECKBOX, raw.FPDF_FORMFIELD_TEXTFIELD
MULTILINE = 1 << 12  #: /Ff bit 13: a multi-line text field


@dataclass(frozen=True)
class Widget:
    page: int  #: 1-based
    name: str
    label: str  #: /TU, what a screen reader says
    kind: int  #: CHECKBOX, TEXT, ...
    flags: int
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Char:
    text: str
    font: str
    size: float
    x0: float
    top: float
    bottom: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    text: str
    chars: list[Char]
    widgets: list[Widget]


def _utf16(fn, *args) -> str:  # type: ignore[no-untyped-def]
    size = fn(*args, None, 0)
    if size <= 2:
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    fn(*args, buffer, size)
    return bytes(buffer)[:size - 2].decode("utf-16-le")


def _widgets(page: pdfium.PdfPage, number: int, form: object, height: float) -> list[Widget]:
    out = []
    for index in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, index)
        try:
            if raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_WIDGET:
                continue
            rect = raw.FS_RECTF()
            raw.FPDFAnnot_GetRect(annot, rect)
            out.append(Widget(
                number, _utf16(raw.FPDFAnnot_GetFormFieldName, form, annot),
                _utf16(raw.FPDFAnnot_GetFormFieldAlternateName, form, annot),
                raw.FPDFAnnot_GetFormFieldType(form, annot), raw.FPDFAnnot_GetFormFieldFlags(form, annot),
                min(rect.left, rect.right), height - max(rect.top, rect.bottom),
                max(rect.left, rect.right), height - min(rect.top, rect.bottom)))
        finally:
            raw.FPDFPage_CloseAnnot(annot)
    return out


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[Char]:
    chars = []
    name = ctypes.create_string_buffer(256)
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        if code in (0, 0xFFFE, 0xFFFF) or chr(code).isspace():
            continue
        left, bottom, right, top = (ctypes.c_double() for _ in range(4))
        raw.FPDFText_GetCharBox(textpage.raw, i, left, right, bottom, top)
        raw.FPDFText_GetFontInfo(textpage.raw, i, ctypes.cast(name, ctypes.c_void_p), 256, None)
        matrix = raw.FS_MATRIX()
        raw.FPDFText_GetMatrix(textpage.raw, i, matrix)  # the size as printed: font size times the text's scale
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        chars.append(Char(chr(code), name.value.decode("latin-1"), raw.FPDFText_GetFontSize(textpage.raw, i) * scale,
                          left.value, height - top.value, height - bottom.value))
    return chars


@contextmanager
def opened(path: Path) -> Iterator[pdfium.PdfDocument]:
    doc = pdfium.PdfDocument(str(path))
    try:
        yield doc
    finally:
        doc.close()


def read_pdf(path: Path, chars: bool = True) -> list[Page]:
    """Every page of ``path``: size, text, characters (when ``chars``) and form widgets."""
    pages = []
    with opened(path) as doc:
        form = doc.init_forms()
        handle = doc.formenv.raw if doc.formenv is not None else form
        for number, page in enumerate(doc, start=1):
            width, height = page.get_size()
            textpage = page.get_textpage()
            pages.append(Page(number, width, height, textpage.get_text_range(),
                              _chars(textpage, height) if chars else [], _widgets(page, number, handle, height)))
    return pages
