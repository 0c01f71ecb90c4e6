"""The record of the last good build's printing (see builder/record.py).

Even when every PDF is in the cache, finding that out means rendering the print HTML of every sheet,
packet and printable manual to compute its cache key: most of a no-op build. The printing key covers
everything printing reads: the assembled project's inputs, the print templates, the settings and the
print fonts, WeasyPrint's version, and where the files go. The record's data is the site's PDFs with
their page counts; its files are those PDFs and the worksheet previews.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..record import forget_record, inputs_digest, write_record

if TYPE_CHECKING:
    from ..config import SiteConfig
    from .pdf import RenderResult
    from .run import PrintReport

def printing_key(root: Path, model_key: str, settings: SiteConfig, outdir: Path, previews: Path,
                 manuals: Iterable[str]) -> str:
    """The key of everything a build's printing reads: the assembled project's inputs (``model_key``:
    model_cache.inputs_key), the validated ``settings``, the print fonts' files, and so on."""
    from ..resources import TEMPLATES
    from .fonts import font_files
    from .pdf import weasyprint_version

    fonts = [f"{path}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
             for path in font_files(tuple(settings.print_fonts), root)]
    parts = [weasyprint_version(), model_key, repr(settings), *fonts, os.fspath(outdir), os.fspath(previews),
             " ".join(manuals)]
    return inputs_digest(parts, [root / "_templates" / "print", TEMPLATES / "print"])


def printed_files(pdfs: Iterable[str], outdir: Path, previews: Path) -> list[Path]:
    """The files a build's printing wrote: its PDFs (site paths) and the worksheet previews."""
    return [outdir / pdf for pdf in pdfs] + (sorted(previews.rglob("*.png")) if previews.is_dir() else [])


def record_printing(record_file: Path, key: str, report: PrintReport, book_results: dict[str, RenderResult],
                    outdir: Path, previews: Path) -> bool:
    """Record a build's printing when it ended well: every PDF made, none overflowing its page, no
    damaged cache entry. Otherwise no record, so the next build prints as usual. True when recorded."""
    results = {**report.results, **book_results}
    troubled = report.overflows or report.problems or report.repaired
    if not key or troubled or any(r.problem or r.repaired for r in results.values()):
        forget_record(record_file)
        return False
    pdfs = {path: result.pages for path, result in sorted(results.items())}
    write_record(record_file, key, pdfs, printed_files(pdfs, outdir, previews))
    return True
