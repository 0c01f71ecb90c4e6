"""The record of the last good build's printing (builder/printing/record.py): what makes it stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.config import SiteConfig
from builder.printing.record import PrintRecord, printing_key, read_record, write_record

from .helpers import edit

pytestmark = pytest.mark.fast


def key(root: Path, settings: SiteConfig | None = None, outdir: str = "out") -> str:
    return printing_key(root, settings or SiteConfig(), root / outdir, root / "_previews", ["core"])


def test_the_key_follows_everything_printing_reads(minimal: Path) -> None:
    first = key(minimal)
    assert key(minimal) == first  # stable
    keys = {"outdir": key(minimal, outdir="elsewhere"),
            "setting": key(minimal, SiteConfig(clinic_name="Riverside"))}
    edit(minimal / "manual" / "sessions" / "session-02.md", "Notice what happens.", "Notice what changes.")
    keys["source"] = key(minimal)
    own = minimal / "_templates" / "print"
    own.mkdir(parents=True)
    (own / "print.css.j2").write_text("/* a clinic's own stylesheet */", encoding="utf-8")
    keys["template"] = key(minimal)
    assert len({first, *keys.values()}) == 1 + len(keys), keys


def test_a_record_holds_only_while_every_file_is_as_it_was(tmp_path: Path) -> None:
    out, previews = tmp_path / "out", tmp_path / "previews"
    (out / "pdf").mkdir(parents=True)
    previews.mkdir()
    (out / "pdf" / "a.pdf").write_bytes(b"%PDF a")
    (previews / "a.png").write_bytes(b"png")
    write_record(tmp_path / "record.json", "k1", {"pdf/a.pdf": 1}, out, previews)
    record = read_record(tmp_path / "record.json")
    assert isinstance(record, PrintRecord) and record.pdfs == {"pdf/a.pdf": 1}
    assert record.still_true("k1") and not record.still_true("k2")
    stat = (previews / "a.png").stat()
    os.utime(previews / "a.png", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not record.still_true("k1")  # a preview touched since
    (tmp_path / "record.json").write_text("{not json", encoding="utf-8")
    assert read_record(tmp_path / "record.json") is None


def test_no_record_when_a_file_is_already_missing(tmp_path: Path) -> None:
    write_record(tmp_path / "record.json", "k", {"pdf/gone.pdf": 1}, tmp_path, tmp_path / "previews")
    assert not (tmp_path / "record.json").exists()
