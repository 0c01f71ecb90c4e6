"""The print fonts are the project's own on every machine, and the print cache trusts nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.config import SiteConfig
from builder.printing.fonts import PrintFontError, load_fonts
from builder.printing.html import environments, print_settings, render_job
from builder.printing.pdf import render_pdf
from builder.printing.plan import Variant, plan_manual
from builder.printing.run import print_all
from builder.project import load_project

from .conftest import REPO

#: Prints every PDF of a project (worksheets, packs, packets, printable manuals) into a folder.
PRINT_SCRIPT = """
import sys
from pathlib import Path
from builder.printing.book import print_books
from builder.printing.run import print_all
from builder.project import load_project
root, out = Path(sys.argv[1]), Path(sys.argv[2])
project = load_project(root)
report = print_all(project.manuals, root, out / "site", out / "previews", out / "cache", "a4", workers=1)
print_books(project.manuals, root, out / "site", out / "cache")
assert not report.problems, report.problems
"""


def print_project(root: Path, out: Path, env: dict[str, str]) -> dict[str, bytes]:
    result = subprocess.run([sys.executable, "-c", PRINT_SCRIPT, str(root), str(out)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "site").rglob("*.pdf"))}


def pdf_fonts(path: Path) -> set[str]:
    reader = PdfReader(path)
    names = set()
    resources = [page.get("/Resources", {}) for page in reader.pages]
    form = reader.trailer["/Root"].get("/AcroForm")
    if form is not None:
        resources.append(form.get_object().get("/DR", {}))
    for res in resources:
        fonts = res.get_object().get("/Font", {}) if res else {}
        for ref in fonts.get_object().values() if fonts else []:
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def test_pdfs_are_the_same_without_any_system_font(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "roots" / "minimal"
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                     f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    normal = print_project(fixture, tmp_path / "normal", env)
    bare = print_project(fixture, tmp_path / "bare", {**env, "FONTCONFIG_FILE": str(empty)})
    assert len(normal) >= 16 and sum("printable-manual" in name for name in normal) == 2
    assert normal.keys() == bare.keys()
    differ = [name for name in normal if normal[name] != bare[name]]
    assert differ == [], f"{len(differ)} PDFs differ without system fonts, e.g. {differ[:3]}"
    families = load_fonts(tuple(SiteConfig().print_fonts), REPO).families
    for name in normal:
        fonts = pdf_fonts(tmp_path / "normal" / name)
        assert fonts, name
        for font in fonts:
            family = re.sub(r"^/[A-Z]{6}\+", "", font)
            assert any(family.startswith(f) for f in families), (name, font)


def test_form_fields_use_the_project_font() -> None:
    core = load_project(REPO).manual("core")
    job = next(j for j in plan_manual(core) if j.kind == "worksheet" and j.variant == Variant("a4"))
    settings = print_settings(REPO)
    import io

    reader = PdfReader(io.BytesIO(render_pdf(render_job(environments(REPO), job, settings), str(REPO))))
    form_fonts = reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"]
    names = {str(f.get_object()["/BaseFont"]) for f in form_fonts.values()}
    assert names and all("+ipt-atkinson-hyperlegible" in n for n in names), names
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    appearance = {str(a["/DA"]) for a in annots if a.get("/FT") == "/Tx"}
    assert appearance and all(re.search(r"/[A-Z]{6} [\d.]+ Tf", da) for da in appearance)


def test_text_no_print_font_covers_stops_with_the_text(tmp_path: Path) -> None:
    fonts = load_fonts(tuple(SiteConfig().print_fonts), REPO)
    html = (f'<html lang="en"><head><style>{fonts.css()} html {{ font-family: {fonts.stack} }}</style></head>'
            "<body><p>Arrows → and boxes ☐ are fine; a snowman ☃ is not</p></body></html>")
    with pytest.raises(PrintFontError) as caught:
        render_pdf(html, str(REPO), None, fonts)
    message = str(caught.value)
    assert "U+2603 SNOWMAN" in message and "a snowman ☃ is not" in message
    assert "→" not in message.split("needed by")[0]
    render_pdf(html.replace("☃", "*"), str(REPO), None, fonts)  # the rest is covered


def test_a_sheet_with_an_uncovered_character_is_reported_by_name(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(REPO / "tests" / "roots" / "minimal", root)
    sheet = root / "manual" / "worksheets" / "inventory.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("label:", "label: ☃", 1), encoding="utf-8")
    report = print_all(load_project(root).manuals, root, tmp_path / "site", tmp_path / "prev", tmp_path / "c",
                       workers=1)
    problems = [(src, msg) for src, msg in report.problems if "inventory" in msg]
    assert problems and problems[0][0] == "manual/worksheets/inventory.yaml"
    assert "U+2603" in problems[0][1] and "core-inventory-a4.pdf" in problems[0][1]


def test_a_clinic_can_swap_the_fonts(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(REPO / "tests" / "roots" / "minimal", root)
    folder = root / "local" / "fonts" / "clinic-sans"
    folder.mkdir(parents=True)
    shutil.copy(load_fonts(("atkinson-hyperlegible",), REPO).faces[0].path.parent /
                "AtkinsonHyperlegible-Regular.ttf", folder / "ClinicSans.ttf")
    settings = SiteConfig(print_fonts=["local/fonts/clinic-sans", "atkinson-hyperlegible", "ipt-symbols"])
    out = tmp_path / "out"
    report = print_all(load_project(root).manuals, root, out, tmp_path / "prev", tmp_path / "c", workers=1,
                       settings=settings)
    assert not report.problems
    fonts = pdf_fonts(out / "pdf" / "core" / "core-inventory-a4.pdf")
    assert any("+ipt-clinic-sans" in f for f in fonts), fonts
    with pytest.raises(PrintFontError, match="unknown font 'no-such-font'"):
        print_settings(root, SiteConfig(print_fonts=["no-such-font"]))
    with pytest.raises(PrintFontError, match="outside the project"):
        print_settings(root, SiteConfig(print_fonts=["../outside/fonts"]))


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage"])
def test_a_damaged_cache_entry_is_rendered_again_and_said(tmp_path: Path, damage: str) -> None:
    root = REPO / "tests" / "roots" / "minimal"
    manuals = load_project(root).manuals
    args = (root, tmp_path / "site", tmp_path / "prev", tmp_path / "cache")
    first = print_all(manuals, *args, workers=1)
    published = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*.pdf")}
    entry = sorted((tmp_path / "cache").rglob("*.pdf"))[0]
    good = entry.read_bytes()
    entry.write_bytes({"truncated": good[: len(good) // 2], "empty": b"", "garbage": b"%PDF-1.7 nonsense"}[damage])
    target = next(p for p, data in published.items() if data == good)
    target.unlink()  # as if the site were fresh: the cache alone would supply it
    notes: list[str] = []
    again = print_all(manuals, *args, workers=1, progress=notes.append)
    assert again.rendered == 1 and len(again.repaired) == 1
    assert str(entry) in again.repaired[0] and "damaged" in again.repaired[0]
    assert any(again.repaired[0] in note for note in notes)
    assert entry.read_bytes() == good and target.read_bytes() == good
    assert first.rendered == len(first.jobs)
