"""Printed worksheets read back: pages, paper size, form fields, footer, type size, tags, rendering."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from builder.printing.html import environments, render_job
from builder.printing.plan import WORKSHEET_VARIANTS, Variant, plan_manual
from builder.printing.run import print_all

from .browser import CHROMIUM, chromium_available
from .conftest import REPO, run_cli
from .helpers import real_project

PROJECT = real_project()
CORE = PROJECT.manual("core")
#: Worksheets that adaptations add, with their manual.
OWN_SHEETS = [(m, w) for m in PROJECT.manuals if m.extends for w in sorted(m.worksheets)
              if m.worksheets[w].origin == "new"]
PAPER_PT = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("print")
    report = print_all([CORE], REPO, out / "site", out / "previews", out / "cache", "a4")
    return out, report


CASES = [(ws, v) for ws in sorted(CORE.worksheets) for v in WORKSHEET_VARIANTS]


def pdf_path(printed, ws: str, variant: Variant) -> Path:
    out, _ = printed
    return out / "site" / "pdf" / "core" / f"core-{ws}-{variant.suffix}.pdf"


@pytest.mark.parametrize(("ws", "variant"), CASES, ids=[f"{w}-{v.suffix}" for w, v in CASES])
def test_worksheet_pdf(printed, ws: str, variant: Variant) -> None:
    path = pdf_path(printed, ws, variant)
    reader = PdfReader(path)
    worksheet = CORE.worksheets[ws]
    # pages and paper
    if not variant.large:
        assert len(reader.pages) == 1
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - PAPER_PT[variant.paper][0]) < 0.5 and abs(height - PAPER_PT[variant.paper][1]) < 0.5
    # form fields with accessible labels, one group per worksheet field
    fields = reader.get_fields()
    assert fields, "no form fields"
    names = set(fields)
    for field in worksheet.fields:
        prefix = f"{ws}__{field.id}"
        assert any(n == prefix or n.startswith(prefix + "__") for n in names), field.id
    unlabelled = [n for n, f in fields.items() if not f.get("/TU") and "." not in n]
    assert unlabelled == []
    # footer on every page: manual, version, worksheet id
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            text = " ".join(page.extract_text().split())
            assert f"Core IPT · version {CORE.version} · worksheet {ws}" in text
            assert "Page " in text
        sizes = [c["size"] for page in pdf.pages for c in page.chars]
    if variant.large:
        assert min(sizes) >= 16 - 0.01, f"smallest character {min(sizes):.1f} pt"
    # tagged PDF with title and language
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).startswith("en")
    assert worksheet.title in reader.metadata.title


@pytest.mark.parametrize(("manual", "ws"), OWN_SHEETS, ids=[f"{m.id}-{w}" for m, w in OWN_SHEETS])
def test_adaptation_worksheets_fit_and_carry_their_manual(tmp_path: Path, manual, ws: str) -> None:
    from builder.printing.pdf import render_pdf

    envs = environments(REPO)
    for job in plan_manual(manual, "a4"):
        if job.kind != "worksheet" or job.worksheets[0].id != ws:
            continue
        data = render_pdf(render_job(envs, job), str(REPO))
        reader = PdfReader(io.BytesIO(data))
        if not job.variant.large:
            assert len(reader.pages) == 1, job.path
        text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
        assert f"{manual.short_title} · version {manual.version} · worksheet {ws}" in text


def test_printable_manual_has_cover_contents_header_and_page_numbers(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    book = minimal / "_build" / "html" / "pdf" / "core" / "core-printable-manual-a4.pdf"
    with pdfplumber.open(book) as pdf:
        pages = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert "Fixture core manual" in pages[0] and "Version 1.0.0" in pages[0]
    assert pages[1].startswith("Fixture · version 1.0.0") and "Contents" in pages[1]
    assert "Session 2: Fixture session 2" in pages[1]
    import re as _re

    assert _re.search(r"Session 2: Fixture session 2\s*\.+\s*\d+", pages[1]), pages[1]
    for number, text in enumerate(pages[2:], start=3):
        assert text.startswith("Fixture · version 1.0.0"), text[:80]
        assert f"{number} / {len(pages)}" in text


def test_pack_packet_and_names(printed) -> None:
    out, report = printed
    site = out / "site" / "pdf" / "core"
    pack = PdfReader(site / "core-worksheet-pack-a4.pdf")
    assert len(pack.pages) == len(CORE.worksheets)
    packet = PdfReader(site / "core-session-02-packet-a4.pdf")
    text = " ".join(p.extract_text() for p in packet.pages)
    assert "Session 2:" in text and "Fidelity checklist" in text
    for ws in CORE.session(2).worksheets:
        assert f"worksheet {ws}" in text
    assert any(name.startswith("checklist__") for name in packet.get_fields())
    assert report.overflows == []


def test_cache_makes_a_warm_run_render_nothing(printed) -> None:
    out, _ = printed
    before = {p: p.read_bytes() for p in (out / "site").rglob("*.pdf")}
    again = print_all([CORE], REPO, out / "site", out / "previews", out / "cache", "a4")
    assert again.rendered == 0
    assert {p: p.read_bytes() for p in (out / "site").rglob("*.pdf")} == before


def test_same_input_same_bytes(tmp_path: Path) -> None:
    job = plan_manual(CORE, "a4")[0]
    html = render_job(environments(REPO), job)
    from builder.printing.pdf import render_pdf

    assert render_pdf(html, str(REPO)) == render_pdf(html, str(REPO))


def test_page_one_matches_reviewed_reference(printed) -> None:
    import pypdfium2 as pdfium

    path = pdf_path(printed, "interpersonal-inventory", Variant("a4"))
    doc = pdfium.PdfDocument(str(path))
    image = doc[0].render(scale=100 / 72).to_pil().convert("L")
    reference = Image.open(GOLDEN / "core-interpersonal-inventory-a4.png").convert("L")
    assert image.size == reference.size
    diff = ImageChops.difference(image, reference)
    changed = sum(diff.histogram()[65:]) / (image.size[0] * image.size[1])
    assert changed < 0.002, f"{changed:.2%} of pixels differ from the reviewed reference"
    assert ImageStat.Stat(diff).mean[0] < 2


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("ws", sorted(CORE.worksheets))
def test_chromium_prints_the_same_number_of_pages(tmp_path: Path, ws: str) -> None:
    for paper in ("a4", "letter"):
        job = next(j for j in plan_manual(CORE, paper) if j.kind == "worksheet" and j.worksheets[0].id == ws
                   and j.variant == Variant(paper))
        page = tmp_path / f"{ws}-{paper}.html"
        page.write_text(render_job(environments(REPO), job), encoding="utf-8")
        out = tmp_path / f"{ws}-{paper}.pdf"
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", page.as_uri()], check=True, capture_output=True, timeout=120)
        assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 1, paper


def test_overflowing_worksheet_fails_the_build_naming_it(minimal: Path) -> None:
    sheet = minimal / "manual" / "worksheets" / "inventory.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("rows: 5", "rows: 40"), encoding="utf-8")
    result = run_cli("build", "--project", str(minimal))
    assert result.returncode == 1
    assert "worksheet 'inventory' does not fit on one A4 page" in result.stderr
    assert "manual/worksheets/inventory.yaml:1" in result.stderr


def test_site_links_every_variant(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    html = minimal / "_build" / "html"
    page = (html / "core" / "worksheets" / "inventory.html").read_text(encoding="utf-8")
    for variant in WORKSHEET_VARIANTS:
        name = f"core-inventory-{variant.suffix}.pdf"
        assert f'href="../../pdf/core/{name}"' in page
        assert (html / "pdf" / "core" / name).is_file()
    assert "_images/core-inventory.png" in page
    assert (html / "pdf" / "core" / "core-printable-manual-a4.pdf").is_file()
    session = (html / "core" / "sessions" / "session-01.html").read_text(encoding="utf-8")
    assert 'href="../../pdf/core/core-session-01-packet-a4.pdf"' in session
    import json

    catalog = json.loads((html / "catalog.json").read_text(encoding="utf-8"))["manuals"][0]
    assert catalog["worksheets"][0]["pdf"] == {v.suffix: f"pdf/core/core-inventory-{v.suffix}.pdf"
                                               for v in WORKSHEET_VARIANTS}
    assert catalog["printable_manual"] == ["pdf/core/core-printable-manual-a4.pdf"]
    assert catalog["sessions"][0]["packet"] == "pdf/core/core-session-01-packet-a4.pdf"
