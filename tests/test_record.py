"""Records of the last build (builder/record.py): what makes the generated pages' and the printing's stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.config import SiteConfig
from builder.model_cache import inputs_key
from builder.printing.record import printed_files, printing_key
from builder.project import LoadOptions
from builder.record import Record, read_record, write_record
from builder.render import pages_key

from .helpers import edit

pytestmark = pytest.mark.fast


def model_key(root: Path, settings: SiteConfig) -> str:
    return inputs_key(root, LoadOptions.from_settings(settings))


@pytest.mark.parametrize("key_of", [
    lambda root, settings, out: printing_key(root, model_key(root, settings), settings, root / out,
                                             root / "_previews", ["core"]),
    lambda root, settings, out: pages_key(root, model_key(root, settings), settings, ["core"], root / out),
], ids=["printing", "pages"])
def test_the_key_follows_everything_the_step_reads(minimal: Path, key_of) -> None:  # type: ignore[no-untyped-def]
    first = key_of(minimal, SiteConfig(), "out")
    assert key_of(minimal, SiteConfig(), "out") == first  # stable
    keys = {"folder": key_of(minimal, SiteConfig(), "elsewhere"),
            "setting": key_of(minimal, SiteConfig(clinic_name="Riverside"), "out")}
    edit(minimal / "manual" / "sessions" / "session-02.md", "Notice what happens.", "Notice what changes.")
    keys["source"] = key_of(minimal, SiteConfig(), "out")
    own = minimal / "_templates" / "print"
    own.mkdir(parents=True)
    (own / "print.css.j2").write_text("/* a clinic's own stylesheet */", encoding="utf-8")
    keys["template"] = key_of(minimal, SiteConfig(), "out")
    assert len({first, *keys.values()}) == 1 + len(keys), keys


def test_a_record_holds_only_while_every_file_is_as_it_was(tmp_path: Path) -> None:
    out, previews = tmp_path / "out", tmp_path / "previews"
    (out / "pdf").mkdir(parents=True)
    previews.mkdir()
    (out / "pdf" / "a.pdf").write_bytes(b"%PDF a")
    (previews / "a.png").write_bytes(b"png")
    write_record(tmp_path / "record.json", "k1", {"pdf/a.pdf": 1}, printed_files(["pdf/a.pdf"], out, previews))
    record = read_record(tmp_path / "record.json")
    assert isinstance(record, Record) and record.data == {"pdf/a.pdf": 1}
    assert set(record.stamps) == {str(out / "pdf" / "a.pdf"), str(previews / "a.png")}
    assert record.still_true("k1") and not record.still_true("k2")
    stat = (previews / "a.png").stat()
    os.utime(previews / "a.png", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not record.still_true("k1")  # a preview touched since
    (tmp_path / "record.json").write_text("{not json", encoding="utf-8")
    assert read_record(tmp_path / "record.json") is None


def test_no_record_when_a_file_is_already_missing(tmp_path: Path) -> None:
    (tmp_path / "record.json").write_text("{}", encoding="utf-8")
    write_record(tmp_path / "record.json", "k", {"pdf/gone.pdf": 1}, [tmp_path / "pdf" / "gone.pdf"])
    assert not (tmp_path / "record.json").exists()


def test_the_printing_key_follows_the_bytes_of_the_print_fonts(minimal: Path) -> None:
    from builder.printing.fonts import font_files

    own = minimal / "local" / "fonts" / "house"
    own.mkdir(parents=True)
    shipped = font_files(("atkinson-hyperlegible",), minimal)[0]
    (own / shipped.name).write_bytes(shipped.read_bytes())
    settings = SiteConfig(print_fonts=["local/fonts/house", "ipt-symbols"])

    def key() -> str:
        return printing_key(minimal, model_key(minimal, settings), settings, minimal / "out", minimal / "p", ["core"])

    first = key()
    (own / shipped.name).write_bytes(shipped.read_bytes() + b"\0")  # same name, other bytes
    assert key() != first
