"""Printed worksheets read back: pages, paper size, form fields, footer, type size, tags, rendering."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from builder.printing.html import environments, print_settings, render_job
from builder.printing.plan import WORKSHEET_VARIANTS, Variant, plan_manual
from builder.printing.run import print_all

from .browser import chromium_available
from .conftest import REPO, run_cli
from .helpers import loaded_project, real_project

PROJECT = real_project()
CORE = PROJECT.manual("core")
PAPER_PT = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
GOLDEN = Path(__file__).parent / "golden"
SETTINGS = print_settings(REPO)


@pytest.fixture(scope="module")
def printed(real_site: Path) -> Path:
    """The real site's PDFs (built once per test session); every PDF of every manual is also read back
    by tests/test_print_site.py, so the checks here are the ones particular to core's sheets."""
    return real_site


CASES = [(ws, v) for ws in sorted(CORE.worksheets) for v in WORKSHEET_VARIANTS]


def pdf_path(printed: Path, ws: str, variant: Variant) -> Path:
    return printed / "pdf" / "core" / f"core-{ws}-{variant.suffix}.pdf"


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


def test_printable_manual_has_cover_contents_header_and_page_numbers(minimal: Path) -> None:
    assert run_cli("build", "--project", str(minimal)).returncode == 0
    book = minimal / "_build" / "html" / "pdf" / "core" / "core-printable-manual-a4.pdf"
    with pdfplumber.open(book) as pdf:
        pages = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert "Fixture core manual" in pages[0] and "Version 1.0.0" in pages[0]
    assert pages[1].startswith("Fixture · version 1.0.0") and "Contents" in pages[1]
    assert "Session 2: Fixture meeting 2" in pages[1]
    fixture = loaded_project(minimal).manual("core")
    for phase in fixture.phases:  # contents grouped by phase, each session with its worksheets
        assert phase.title in pages[1]
    for session in fixture.sessions:
        for ws in session.worksheets:
            assert f"Worksheet: {fixture.worksheets[ws].title}" in pages[1]
    assert "Sessions at a glance" in pages[1]
    with pdfplumber.open(book) as pdf:
        glance = next(p for p in pdf.pages if (p.extract_text() or "").split("\n")[1:2] == ["Sessions at a glance"]
                      or "Sessions at a glance No." in " ".join((p.extract_text() or "").split()))
        table = glance.find_tables()[0].extract()
    assert table[0] == ["No.", "Session", "Minutes", "Worksheets"]
    assert [row[0] for row in table if row[0] and row[0].isdigit()] == [str(s.number) for s in fixture.sessions]
    with pdfplumber.open(book) as pdf:  # no empty bullets: no line that is only a list marker
        lines = [ln.strip() for p in pdf.pages for ln in (p.extract_text() or "").splitlines()]
    assert not [ln for ln in lines if ln in ("•", "◦", "▪", "-")]
    for paper, (width, height) in PAPER_PT.items():
        reader = PdfReader(book.with_name(f"core-printable-manual-{paper}.pdf"))
        assert all(abs(float(p.mediabox.width) - width) < 0.5 and abs(float(p.mediabox.height) - height) < 0.5
                   for p in reader.pages)
    import re as _re

    assert _re.search(r"Session 2: Fixture meeting 2\s*\.+\s*\d+", pages[1]), pages[1]
    for number, text in enumerate(pages[2:], start=3):
        assert text.startswith("Fixture · version 1.0.0"), text[:80]
        assert f"{number} / {len(pages)}" in text


def test_pack_packet_and_names(printed: Path) -> None:
    site = printed / "pdf" / "core"
    pack = PdfReader(site / "core-worksheet-pack-a4.pdf")
    assert len(pack.pages) == len(CORE.worksheets)
    packet = PdfReader(site / "core-session-02-packet-a4.pdf")
    text = " ".join(p.extract_text() for p in packet.pages)
    assert "Session 2:" in text and "Fidelity checklist" in text
    for ws in CORE.session(2).worksheets:
        assert f"worksheet {ws}" in text
    assert any(name.startswith("checklist__") for name in packet.get_fields())


def test_cache_makes_a_warm_run_render_nothing(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "roots" / "minimal"
    core = loaded_project(fixture).manual("core")
    first = print_all([core], fixture, tmp_path / "site", tmp_path / "previews", tmp_path / "cache", "a4", workers=1)
    assert first.rendered == len(first.jobs) > 0
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*.pdf")}
    again = print_all([core], fixture, tmp_path / "site", tmp_path / "previews", tmp_path / "cache", "a4")
    assert again.rendered == 0
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*.pdf")} == before


def test_same_input_same_bytes(tmp_path: Path) -> None:
    job = plan_manual(CORE, "a4")[0]
    html = render_job(environments(REPO), job, SETTINGS)
    from builder.printing.pdf import render_pdf

    assert render_pdf(html, str(REPO)) == render_pdf(html, str(REPO))


@pytest.mark.fast
def test_a_stylesheet_parsed_once_prints_the_same_bytes_as_inline() -> None:
    """Print workers parse each stylesheet once and share it between documents; the PDFs must be exactly
    what WeasyPrint makes from the HTML with its stylesheet inline, whatever was printed before."""
    from weasyprint import HTML

    from builder.printing.pdf import RENDER_OPTIONS, parsed_stylesheet, render_pdf

    jobs = plan_manual(CORE, "a4")
    chosen = [jobs[0], next(j for j in jobs if j.variant.large), next(j for j in jobs if j.kind == "packet"), jobs[1]]
    parsed_stylesheet.cache_clear()
    for job in chosen:
        html = render_job(environments(REPO), job, SETTINGS)
        inline = HTML(string=html, base_url=str(REPO)).write_pdf(**RENDER_OPTIONS)
        assert render_pdf(html, str(REPO)) == inline, job.path
    assert parsed_stylesheet.cache_info().hits >= 1  # a stylesheet was shared, not parsed again


def page_one_image(path: Path) -> Image.Image:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return doc[0].render(scale=100 / 72).to_pil().convert("L")
    finally:
        doc.close()


@pytest.mark.parametrize("variant", WORKSHEET_VARIANTS, ids=[v.suffix for v in WORKSHEET_VARIANTS])
def test_page_one_matches_reviewed_reference(printed, variant: Variant) -> None:
    """Reviewed references (tests/golden/); regenerate deliberately: IPT_UPDATE_GOLDEN=1."""
    import os

    image = page_one_image(pdf_path(printed, "interpersonal-inventory", variant))
    golden = GOLDEN / f"core-interpersonal-inventory-{variant.suffix}.png"
    if os.environ.get("IPT_UPDATE_GOLDEN"):
        image.save(golden, optimize=True)
    reference = Image.open(golden).convert("L")
    assert image.size == reference.size
    diff = ImageChops.difference(image, reference)
    # hinting moves glyph edges by a pixel: count only strong differences, and the mean
    changed = sum(diff.histogram()[65:]) / (image.size[0] * image.size[1])
    assert changed < 0.002, f"{changed:.2%} of pixels differ from the reviewed reference"
    assert ImageStat.Stat(diff).mean[0] < 2


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("ws", sorted(CORE.worksheets))
def test_chromium_prints_the_same_number_of_pages(browser, tmp_path: Path, ws: str) -> None:
    # the print HTML opened in Chromium and printed with the page size its CSS sets (@page), as a
    # trainer printing the page from a browser would: one page, like WeasyPrint's
    page = browser.new_page()
    for paper in ("a4", "letter"):
        job = next(j for j in plan_manual(CORE, paper) if j.kind == "worksheet" and j.worksheets[0].id == ws
                   and j.variant == Variant(paper))
        html = tmp_path / f"{ws}-{paper}.html"
        html.write_text(render_job(environments(REPO), job, SETTINGS), encoding="utf-8")
        page.goto(html.as_uri())
        data = page.pdf(prefer_css_page_size=True, print_background=True)
        assert len(PdfReader(io.BytesIO(data)).pages) == 1, paper
    page.close()


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
    assert catalog["printable_manual"] == ["pdf/core/core-printable-manual-a4.pdf",
                                           "pdf/core/core-printable-manual-letter.pdf"]
    assert catalog["sessions"][0]["packet"] == "pdf/core/core-session-01-packet-a4.pdf"


# --- forms people can use (issue: worksheets a trainer hands out) -----------------------------------

MULTILINE = 1 << 12  #: /Ff bit 13: a multi-line text field


def widgets(page) -> list[dict]:
    """The form widgets of a pdfplumber page: name, flags, kind and rectangle (top-down)."""
    out = []
    for annot in page.annots:
        data = annot["data"]
        name = data.get("T") or (data.get("Parent") or {}).get("T") if isinstance(data.get("Parent"), dict) else \
            data.get("T")
        kind = data.get("FT") or (data.get("Parent") or {}).get("FT")
        out.append({"name": (name or b"").decode("latin-1") if isinstance(name, bytes) else str(name or ""),
                    "kind": str(kind), "ff": int(data.get("Ff", 0) or 0),
                    "x0": annot["x0"], "x1": annot["x1"], "top": annot["top"], "bottom": annot["bottom"]})
    return out


def test_table_cell_fields_fill_their_cells(printed) -> None:
    with pdfplumber.open(pdf_path(printed, "communication-analysis", Variant("a4"))) as pdf:
        page = pdf.pages[0]
        cells = [w for w in widgets(page) if w["name"].startswith("communication-analysis__exchange__r")]
        columns = len(CORE.worksheets["communication-analysis"].fields[1].options["columns"])
        table_width = page.width - 2 * 15 * 72 / 25.4
        for w in cells:
            assert w["x1"] - w["x0"] >= table_width / columns - 2, w
            assert w["bottom"] - w["top"] >= 20, w  # two written lines


def test_timeline_fields_sit_under_the_tick_marks(printed) -> None:
    for variant in WORKSHEET_VARIANTS:
        with pdfplumber.open(pdf_path(printed, "mood-and-events", variant)) as pdf:
            for page in pdf.pages:
                boxes = [w for w in widgets(page) if w["name"].startswith("mood-and-events__onset-timeline__")]
                if not boxes:
                    continue
                top = min(b["top"] for b in boxes)
                ticks = sorted({round(line["x0"], 1) for line in page.lines if abs(line["x0"] - line["x1"]) < 0.5
                                and top - 40 < line["top"] < top})
                centres = sorted((b["x0"] + b["x1"]) / 2 for b in boxes)
                assert len(ticks) == len(centres) == 6, (variant.suffix, ticks)
                assert all(abs(t - c) < 1 for t, c in zip(ticks, centres, strict=True)), (ticks, centres)
                assert all(b["bottom"] - b["top"] >= 45 for b in boxes)  # room to write by hand


def test_closeness_circle_has_room(printed) -> None:
    with pdfplumber.open(pdf_path(printed, "closeness-circle", Variant("a4"))) as pdf:
        page = pdf.pages[0]
        rings = [w for w in widgets(page) if "__circle__ring" in w["name"]]
        assert len(rings) == 3
        assert all(w["ff"] & MULTILINE and w["bottom"] - w["top"] >= 55 for w in rings)
        circles = [c for c in page.curves if c["x1"] - c["x0"] > 250]
        assert circles, "the outer ring is at least 250 pt (about 88 mm) across"


def test_a_sheet_for_two_people_has_two_name_fields(tmp_path: Path) -> None:
    from builder.printing.pdf import render_pdf

    manual = PROJECT.manual("adolescent")
    job = next(j for j in plan_manual(manual) if j.kind == "worksheet" and j.variant == Variant("a4")
               and j.worksheets[0].id == "parent-adolescent-plan")
    fields = PdfReader(io.BytesIO(render_pdf(render_job(environments(REPO), job, SETTINGS), str(REPO)))).get_fields()
    names = sorted(str(f.get("/TU")) for n, f in fields.items() if n.startswith("parent-adolescent-plan__name"))
    assert names == ["Name (Parent or carer)", "Name (Young person)"]


def test_wide_tables_become_lists_in_large_print(printed) -> None:
    with pdfplumber.open(pdf_path(printed, "interpersonal-inventory", Variant("a4", True))) as pdf:
        text = " ".join(p.extract_text() for p in pdf.pages)
        width = pdf.pages[0].width - 2 * 14 * 72 / 25.4
        cells = [w for p in pdf.pages for w in widgets(p) if "__people__r" in w["name"]]
        assert cells and all(w["x1"] - w["x0"] > width / 2 for w in cells)  # one labelled field a line
    for column in CORE.worksheets["interpersonal-inventory"].fields[0].options["columns"]:
        assert " ".join(column.split()) in " ".join(text.split())


def test_safety_sheets_print_the_clinics_contacts_or_a_draft_mark(tmp_path: Path) -> None:
    from builder.config import SiteConfig
    from builder.printing.pdf import render_pdf

    own = SiteConfig(crisis_contacts=[{"name": "Riverside duty team", "phone": "0100 000000"}])
    example = SiteConfig(crisis_contacts=[{"name": "Duty clinician", "phone": "replace with your duty line"}])
    sheets = [("core", "ending-plan"), ("group", "group-agreement"), ("older-adult", "caregiver-sheet")]
    for manual_id, ws in sheets:
        manual = PROJECT.manual(manual_id)
        job = next(j for j in plan_manual(manual) if j.kind == "worksheet" and j.variant == Variant("a4")
                   and j.worksheets[0].id == ws)
        for config, draft in ((own, False), (example, True), (SiteConfig(), True)):
            html = render_job(environments(REPO), job, print_settings(REPO, config))
            text = " ".join(PdfReader(io.BytesIO(render_pdf(html, str(REPO)))).pages[0].extract_text().split())
            for contact in config.contacts():
                assert f"{contact.name}: {contact.phone}" in text, (ws, text)
            assert ("DRAFT" in text) is draft, (ws, config.crisis_contacts)


def test_packet_agenda_is_readable(printed: Path) -> None:
    session = CORE.session(2)
    with pdfplumber.open(printed / "pdf" / "core" / "core-session-02-packet-a4.pdf") as pdf:
        page = pdf.pages[0]
        text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
        table = next(t for t in page.find_tables() if "Activity" in (t.extract()[0][0] or ""))
        activity, minutes = table.rows[0].cells
        assert (activity[2] - activity[0]) > 4 * (minutes[2] - minutes[0])
        assert table.extract()[-1] == ["Total", str(sum(a.minutes for a in session.agenda))]
    for ws in session.worksheets:
        assert CORE.worksheets[ws].title in text
