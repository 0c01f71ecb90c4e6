"""Every PDF of the real site read back (all six manuals): paper, pages, form controls, labels, large print.

The real site is built once per test session (conftest ``real_site``); pdfium reads each PDF in
milliseconds, so nothing is sampled. Expected values come from the model and the print plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.printing.plan import PAPERS, book_path, plan_manual

from .helpers import real_project
from .pdfread import CHECKBOX, MULTILINE, TEXT, Page, read_pdf

pytestmark = pytest.mark.slow

PROJECT = real_project()
MANUALS = PROJECT.manuals
PAPER_PT = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
#: The height of the footer and header bands of a large-print sheet (mm → pt), as in print.css.j2.
FOOTER_PT, HEADER_PT = 26 * 72 / 25.4, 22 * 72 / 25.4
ONE_PAGE_CEILING = 100_000  #: bytes; issue 14: a one-page fillable worksheet is at most 100 KB


def ids(manuals: list) -> list[str]:  # type: ignore[type-arg]
    return [m.id for m in manuals]


def jobs(manual, kind: str | None = None):  # type: ignore[no-untyped-def]
    return [j for j in plan_manual(manual) if kind is None or j.kind == kind]


def paper_of(path: Path) -> str:
    return next(p for p in PAPERS if f"-{p}" in path.name)


@pytest.fixture(scope="module")
def pdfs(real_site: Path):  # type: ignore[no-untyped-def]
    """(site, read): each PDF is read once per module; its characters (slow on a 160-page book) only
    when a test asks for them."""
    cache: dict[tuple[Path, bool], list[Page]] = {}

    def read(path: Path, chars: bool = False) -> list[Page]:
        if (path, chars) not in cache:
            cache[path, chars] = read_pdf(path, chars=chars)
        return cache[path, chars]

    return real_site, read


@pytest.mark.parametrize("manual", MANUALS, ids=ids(MANUALS))
def test_every_planned_pdf_exists_on_its_paper(pdfs, manual) -> None:  # type: ignore[no-untyped-def]
    site, read = pdfs
    expected = {j.path for j in jobs(manual)} | {book_path(manual.id, p) for p in PAPERS}
    found = {p.relative_to(site).as_posix() for p in (site / "pdf" / manual.id).glob("*.pdf")}
    assert found == expected
    for path in sorted(expected):
        width, height = PAPER_PT[paper_of(Path(path))]
        pages = read(site / path)
        assert pages, path
        wrong = [p.number for p in pages if abs(p.width - width) > 0.5 or abs(p.height - height) > 0.5]
        assert wrong == [], f"{path}: pages {wrong} are not {paper_of(Path(path))}"


@pytest.mark.parametrize("manual", MANUALS, ids=ids(MANUALS))
def test_one_page_sheets_fit_one_small_page(pdfs, manual) -> None:  # type: ignore[no-untyped-def]
    site, read = pdfs
    for job in jobs(manual, "worksheet"):
        if job.one_page:
            assert len(read(site / job.path)) == 1, job.path
            assert (site / job.path).stat().st_size <= ONE_PAGE_CEILING, job.path


@pytest.mark.parametrize("manual", MANUALS, ids=ids(MANUALS))
def test_checkboxes_are_big_square_and_labelled(pdfs, manual) -> None:  # type: ignore[no-untyped-def]
    site, read = pdfs
    seen = 0
    for job in jobs(manual):
        least = 14 if job.variant.large else 10
        for page in read(site / job.path):
            for w in page.widgets:
                assert w.label.strip(), f"{job.path} page {page.number}: field {w.name} has no label"
                if w.kind != CHECKBOX:
                    continue
                seen += 1
                assert min(w.width, w.height) >= least - 0.01, (job.path, w.name, w.width, w.height)
                assert abs(w.width - w.height) < 0.1, (job.path, w.name, w.width, w.height)
    assert seen, f"{manual.id}: no checkbox in any PDF (every packet has a fidelity checklist)"


def _fields(ws_id: str, pages: list[Page]) -> dict[str, list]:  # type: ignore[type-arg]
    return {w.name: w for p in pages for w in p.widgets if w.name.startswith(ws_id + "__")}  # type: ignore[misc]


@pytest.mark.parametrize("manual", MANUALS, ids=ids(MANUALS))
def test_sentences_get_multi_line_fields_and_labels_keep_their_words(pdfs, manual) -> None:  # type: ignore[no-untyped-def]
    site, read = pdfs
    for job in jobs(manual, "worksheet"):
        ws = job.worksheets[0]
        pages = read(site / job.path)
        fields = _fields(ws.id, pages)
        text = " ".join(" ".join(p.text.split()) for p in pages)
        for field in ws.fields:
            name = f"{ws.id}__{field.id}"
            if field.kind == "text" or (field.kind == "lines" and field.options["lines"] > 1):
                assert name in fields and fields[name].flags & MULTILINE, (job.path, name)
            if field.kind == "table" and not job.variant.large:
                cells = [w for n, w in fields.items() if n.startswith(name + "__r")]
                assert cells and all(c.kind == TEXT and c.flags & MULTILINE for c in cells), (job.path, name)
            if field.kind == "ticklist":
                labels = {w.label for w in fields.values()}
                for option in field.options["options"]:
                    words = " ".join(option.split())
                    assert words in labels, (job.path, option)  # what a screen reader says
                    assert words in " ".join(text.replace("\r", " ").split()), (job.path, option)


def _body(page: Page) -> list:  # type: ignore[type-arg]
    return [c for c in page.chars if c.top > HEADER_PT and c.bottom < page.height - FOOTER_PT]


@pytest.mark.parametrize("manual", MANUALS, ids=ids(MANUALS))
def test_every_page_of_a_sheet_has_title_and_footer_and_large_print_reads_in_order(pdfs, manual) -> None:  # type: ignore[no-untyped-def]
    site, read = pdfs
    for job in jobs(manual, "worksheet"):
        ws = job.worksheets[0]
        pages = read(site / job.path, chars=job.variant.large)
        for page in pages:
            text = " ".join(page.text.replace("\r", " ").replace("- ", "-").split())
            footer = f"{manual.short_title} · version {manual.version} · worksheet {ws.id}"
            assert footer in text, (job.path, page.number)
            assert f"of {len(pages)}" in text, (job.path, page.number)
            if page.number > 1:
                assert f"{ws.title} (continued)" in text, (job.path, page.number)
        if not job.variant.large:
            continue
        smallest = min(c.size for p in pages for c in p.chars)
        assert smallest >= 16 - 0.01, f"{job.path}: smallest character {smallest:.1f} pt"
        for page in pages[:-1]:
            body = _body(page)
            last_top = max(c.top for c in body)
            last_line = [c for c in body if abs(c.top - last_top) < 2]
            if all("Bold" in c.font for c in last_line):  # the page ends with a heading: a field must follow it
                assert any(w.bottom >= last_top for w in page.widgets), \
                    f"{job.path} page {page.number} ends with a heading and no field"


@pytest.mark.parametrize("manual", MANUALS, ids=ids(MANUALS))
def test_packets_list_worksheets_by_title_with_a_checklist(pdfs, manual) -> None:  # type: ignore[no-untyped-def]
    site, read = pdfs
    for job in jobs(manual, "packet"):
        pages = read(site / job.path)
        text = " ".join(" ".join(p.text.split()) for p in pages)
        session = job.checklist
        assert f"Session {session.number}:" in text, job.path
        assert any(w.name.startswith("checklist__") for p in pages for w in p.widgets), job.path
        for ws in job.worksheets:
            assert ws.title in text, (job.path, ws.id)
        assert f"Total {sum(a.minutes for a in session.agenda)}" in text, job.path
