"""What the last good build printed, so that a build with nothing new to print does not plan printing.

Even when every PDF is in the cache, finding that out means rendering the print HTML of every sheet,
packet and printable manual to compute its cache key: most of a no-op build. The record keeps a key
over everything printing reads (the assembled project's inputs, the print templates, the settings
and print fonts, WeasyPrint's version, where the files go) and the size and time of every file the
printing wrote. When the key and every one of those files are the same, the build takes the record's
list of PDFs and prints nothing. Any difference, or a missing or edited file, and printing runs as usual.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..generate import write_if_changed

RECORD_FILE = "ipt-print-record.json"


def print_key(parts: Iterable[str], template_folders: Iterable[Path]) -> str:
    """A key over ``parts`` (text naming the inputs) and every file in ``template_folders``."""
    from .pdf import weasyprint_version

    digest = hashlib.sha256(weasyprint_version().encode())
    for part in parts:
        digest.update(part.encode() + b"\0")
    for folder in template_folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


@dataclass(frozen=True)
class PrintRecord:
    """The PDFs of the last good build (site path → pages) and the stamp of each file it wrote."""

    key: str
    pdfs: dict[str, int]
    stamps: dict[str, list[int]]

    def still_true(self, key: str) -> bool:
        """Whether ``key`` is this record's and every file is still as the build left it."""
        return key == self.key and all(_stamp(Path(path)) == stamp for path, stamp in self.stamps.items())


def read_record(path: Path) -> PrintRecord | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PrintRecord(str(data["key"]), dict(data["pdfs"]), dict(data["stamps"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(path: Path, key: str, pdfs: dict[str, int], outdir: Path, previews: Path) -> None:
    """Record ``pdfs`` (site path → pages, all written into ``outdir``) and the previews in ``previews``."""
    files = [outdir / pdf for pdf in pdfs]
    files += sorted(previews.rglob("*.png")) if previews.is_dir() else []
    stamps = {os.fspath(file): _stamp(file) for file in files}
    if None in stamps.values():
        return  # a file is already gone: no record, so the next build prints as usual
    write_if_changed(path, json.dumps({"key": key, "pdfs": pdfs, "stamps": stamps}, sort_keys=True))


def forget_record(path: Path) -> None:
    path.unlink(missing_ok=True)


def printing_key(root: Path, settings: object, outdir: Path, previews: Path, manuals: Iterable[str]) -> str:
    """The key of everything a build's printing reads (``settings``: the validated SiteConfig)."""
    from ..model_cache import inputs_key
    from ..project import LoadOptions
    from ..resources import TEMPLATES
    from .html import print_settings

    parts = [inputs_key(root, LoadOptions.from_settings(settings)), repr(settings),
             print_settings(root, settings).fonts.fingerprint,  # type: ignore[arg-type]
             os.fspath(outdir), os.fspath(previews), " ".join(manuals)]
    return print_key(parts, [root / "_templates" / "print", TEMPLATES / "print"])
