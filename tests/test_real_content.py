"""The real manuals, built once with warnings as errors (-W -n): structure, links, catalog."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.rules import MIDDLE_PHASE

from .helpers import real_project

pytestmark = pytest.mark.slow
PROJECT = real_project()
MANUALS = {m.id: m for m in PROJECT.manuals}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_real_sources_are_clean() -> None:
    assert [p.format() for p in PROJECT.problems] == []


def test_all_six_manuals_are_built(real_site: Path) -> None:
    catalog = json.loads((real_site / "catalog.json").read_text(encoding="utf-8"))
    ids = [m["id"] for m in catalog["manuals"]]
    assert ids[0] == "core"
    assert sorted(ids) == sorted(["core", "adolescent", "older-adult", "perinatal", "group", "brief"])
    for manual in catalog["manuals"]:
        assert (real_site / manual["url"]).is_file()
        for key in ("sessions", "problem_areas", "techniques", "worksheets", "pages"):
            for entry in manual[key]:
                assert (real_site / entry["url"]).is_file(), entry["url"]


def test_core_session_pages_state_what_the_model_holds(real_site: Path) -> None:
    """Every core session page: its number of the last, its phase, length and the manual's version, the
    required headings, an agenda that adds up, the problem-area tabs in the middle phase, previous/next."""
    core = MANUALS["core"]
    numbers = core.session_numbers
    areas = [core.problem_area_pages[a].title for a in core.problem_areas]
    for session in core.sessions:
        n = session.number
        page = soup(real_site / "core" / "sessions" / f"{session.id}.html")
        header = words(page.select_one(".ipt-session-header"))
        assert f"Session {n} of {numbers[-1]}" in header
        assert core.phase_of(n).title in header
        assert f"{session.minutes} minutes" in header and f"version {core.version}" in header
        main = page.select_one("[role=main]")
        headings = [h.get_text(strip=True).rstrip("#¶") for h in main.select("h2")]
        for required in ("Goals", "Agenda", "Therapist tasks", "Techniques used", "Worksheets used",
                         "Fidelity checklist"):
            assert required in headings, (n, required)
        rows = main.select("table")[0].select("tbody tr")
        minutes = [int(r.select("td")[0].get_text(strip=True).strip("*")) for r in rows]
        assert sum(minutes[:-1]) == minutes[-1] == session.minutes
        tabs = [t.get_text(strip=True) for t in main.select(".ipt-problem-area-tabs > label")]
        if core.phase_of(n).id == MIDDLE_PHASE:
            assert tabs == areas
        nav = {a.get_text(" ", strip=True).split(":")[0] for a in main.select(".ipt-session-nav a")}
        assert nav == ({"Next"} if n == numbers[0] else {"← Previous"} if n == numbers[-1]
                       else {"← Previous", "Next"})


def test_every_internal_link_resolves(real_site: Path) -> None:
    """Every relative link of every page reaches a file, and its #fragment an element of that page.
    (lxml's own tree: reading 300 pages through BeautifulSoup took most of a minute.)"""
    import lxml.html

    site = real_site.resolve()  # _build/html is a link to the published slot
    trees = {page: lxml.html.fromstring(page.read_bytes()) for page in site.rglob("*.html")}
    ids = {page: set(tree.xpath("//@id")) for page, tree in trees.items()}
    exists = functools.cache(lambda path: path.exists())
    broken = []
    for page, tree in trees.items():
        for href in tree.xpath("//a/@href"):
            if re.match(r"^[a-z]+:", href) or href.startswith("#"):
                continue
            target, _, fragment = href.partition("#")
            path = Path(os.path.normpath(page.parent / target))
            if not exists(path):
                broken.append(f"{page.relative_to(site)} → {href}")
            elif fragment and path.suffix == ".html" and fragment not in ids.get(path, set()):
                broken.append(f"{page.relative_to(site)} → {href} (no anchor)")
    assert len(trees) > 100 and broken == []


def test_risk_and_training_statements_are_present(real_site: Path) -> None:
    session1 = words(soup(real_site / "core" / "sessions" / "session-01.html"))
    assert "Local crisis and referral contacts" in session1
    assert "suicid" in session1.lower()
    for manual in MANUALS:
        landing = words(soup(real_site / manual / "index.html"))
        assert "does not replace IPT training" in landing
        assert "Who it is not for" in landing


@pytest.mark.parametrize("manual_id", [m for m in MANUALS if m != "core"])
def test_differs_page_lists_every_overlay_change(real_site: Path, manual_id: str) -> None:
    manual = MANUALS[manual_id]
    page = soup(real_site / manual_id / "differences.html")
    text = words(page)
    rows = page.select("[role=main] table")[1].select("tbody tr")
    assert len(rows) == len(manual.sessions)
    for report in manual.report.sessions:
        for change in report.sections:
            assert f"Section {change.section} (" in text, (report.number, change.section)
    for number, title in manual.report.dropped:
        assert f"Session {number}: {title}" in text


@pytest.mark.parametrize("manual_id", [m for m in MANUALS if m != "core"])
def test_adapted_sections_are_marked_with_the_core_text(real_site: Path, manual_id: str) -> None:
    manual = MANUALS[manual_id]
    for session in manual.sessions:
        adapted = [s for s in session.sections if s.origin == "adapted" and not s.id.startswith("focus-")]
        if not adapted:
            continue
        page = soup(real_site / manual_id / "sessions" / f"{session.id}.html")
        assert len(page.select(".ipt-core-text")) >= len(adapted), session.number


def test_matrix_matches_the_manifests(real_site: Path) -> None:
    page = soup(real_site / "matrix.html")
    table = page.select("[role=main] table")[0]
    header = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    assert header == [m.short_title for m in MANUALS.values()]
    rows = {tr.select("td")[0].get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")[1:]]
            for tr in table.select("tbody tr")}
    assert [c.split(" ")[0] for c in rows["Sessions"]] == [str(len(m.sessions)) for m in MANUALS.values()]
    assert rows["Session length"] == [f"{m.session_minutes} min" for m in MANUALS.values()]
