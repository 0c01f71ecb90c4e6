"""Tier 3: whole builds of a tiny fixture project copied to a temp dir."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from .conftest import run_cli


def build(root: Path) -> Path:
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    return root / "_build" / "html"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_session_page_anatomy(built_minimal: Path) -> None:
    html = built_minimal / "_build" / "html"
    page = soup(html / "core" / "sessions" / "session-02.html")
    text = page.get_text(" ", strip=True)
    header = page.select_one(".ipt-session-header").get_text(" ", strip=True)
    for expected in ("Fixture", "version 1.0.0", "Middle phase", "Session 2 of 4", "30 minutes"):
        assert expected in header
    headings = [h.get_text(strip=True).rstrip("#¶") for h in page.select("[role=main] h2")]
    assert headings[:2] == ["Goals", "Agenda"]
    for required in ("Therapist tasks", "Guidance by problem area", "Techniques used", "Worksheets used",
                     "Fidelity checklist"):
        assert required in headings
    assert "Total" in text
    tabs = [label.get_text(strip=True) for label in page.select(".sd-tab-set > label")]
    assert tabs == ["Area grief", "Area role-disputes"]
    nav = page.select_one(".ipt-session-nav")
    links = {a.get_text(" ", strip=True): a["href"] for a in nav.select("a")}
    assert links == {"← Previous: Session 1, Fixture meeting 1": "session-01.html",
                     "Next: Session 3, Fixture meeting 3 →": "session-03.html"}
    assert page.select_one("a[href='../techniques/clarification.html']") is not None
    assert page.select_one("a[href='../worksheets/inventory.html']") is not None
    assert [li.get_text(strip=True) for li in page.select(".ipt-fidelity li")] == ["Opened meeting 2."]


def test_initial_session_has_no_tabs_and_shows_the_clinic_contacts(built_minimal: Path) -> None:
    html = built_minimal / "_build" / "html"
    page = soup(html / "core" / "sessions" / "session-01.html")
    assert page.select(".sd-tab-set") == []
    contacts = page.select_one(".ipt-clinic-contacts")
    assert "Fixture crisis line: 0000 000000" in contacts.get_text(" ", strip=True).replace(" :", ":")
    assert page.select_one(".ipt-session-nav a").get_text(strip=True).startswith("Next")


def test_without_contacts_a_placeholder_shows_and_the_build_warns(minimal: Path) -> None:
    conf = minimal / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").split("ipt_crisis_contacts")[0], encoding="utf-8")
    strict = run_cli("build", "--project", str(minimal))
    assert strict.returncode == 1
    assert "no local crisis contacts are configured" in strict.stderr
    relaxed = run_cli("build", "--project", str(minimal), "--no-strict")
    assert relaxed.returncode == 0, relaxed.stderr
    page = soup(minimal / "_build" / "html" / "core" / "sessions" / "session-01.html")
    assert page.select_one(".ipt-clinic-contacts.ipt-placeholder") is not None


def test_landing_page_lists_phases_and_sessions(built_minimal: Path) -> None:
    html = built_minimal / "_build" / "html"
    page = soup(html / "core" / "index.html")
    phases = [h.get_text(strip=True).rstrip("#¶") for h in page.select("[role=main] h3")]
    assert phases == ["Initial phase (session 1)", "Middle phase (sessions 2–3)", "Termination phase (session 4)"]
    cards = page.select(".ipt-session-card")
    assert len(cards) == 4
    assert "does not replace IPT training" in " ".join(page.get_text(" ").split())


def test_catalog_lists_manual_sessions_and_pages(built_minimal: Path) -> None:
    html = built_minimal / "_build" / "html"
    catalog = json.loads((html / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["schema"] == 1
    (core,) = catalog["manuals"]
    assert (core["id"], core["version"], core["title"]) == ("core", "1.0.0", "Fixture core manual")
    assert [s["number"] for s in core["sessions"]] == [1, 2, 3, 4]
    s2 = core["sessions"][1]
    assert s2["phase"] == "middle" and s2["minutes"] == 30 and s2["participants"] == ["patient", "therapist"]
    for entry in core["sessions"] + core["problem_areas"] + core["techniques"] + core["worksheets"] + core["pages"]:
        assert (html / entry["url"]).is_file(), entry["url"]
    assert [w["id"] for w in core["worksheets"]] == ["inventory"]


def test_internal_links_resolve(built_minimal: Path) -> None:
    html = built_minimal / "_build" / "html"
    broken = []
    for page in html.rglob("*.html"):
        for a in soup(page).select("a[href]"):
            href = a["href"].split("#")[0]
            if not href or re.match(r"^[a-z]+:", href):
                continue
            if not (page.parent / href).resolve().exists():
                broken.append(f"{page.relative_to(html)} → {href}")
    assert broken == []


def test_generated_folder_is_pruned(minimal: Path) -> None:
    build(minimal)
    stale = minimal / "_site" / "core" / "stale.md"
    stale.write_text("# stale\n", encoding="utf-8")
    build(minimal)
    assert not stale.exists()


def test_incremental_rebuild_rewrites_only_the_changed_session(minimal: Path) -> None:
    html = build(minimal)

    def stamp() -> dict[str, int]:
        files = list((minimal / "_site").rglob("*.md")) + list(html.rglob("*.html"))
        return {p.relative_to(minimal).as_posix(): p.stat().st_mtime_ns for p in files}

    before = stamp()
    session = minimal / "manual" / "sessions" / "session-03.md"
    session.write_text(session.read_text(encoding="utf-8").replace("Tasks of meeting 3.", "Tasks of session three."),
                       encoding="utf-8")
    build(minimal)
    after = stamp()
    changed = sorted(k for k in after if before.get(k) != after[k])
    # Sphinx always regenerates its search page and the 404 page, and rewrites the manual's landing page
    # because its navigation lists the changed page; no other page is touched.
    assert changed == ["_build/html/404.html", "_build/html/core/index.html",
                       "_build/html/core/sessions/session-03.html", "_build/html/search.html",
                       "_site/core/sessions/session-03.md"]
    assert "Tasks of session three." in (html / "core" / "sessions" / "session-03.html").read_text(encoding="utf-8")


def test_same_sources_build_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    import shutil as _shutil

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sites = []
    for name in ("first", "second"):
        root = tmp_path / name
        _shutil.copytree(Path(__file__).parent / "roots" / "minimal", root)
        sites.append(build(root))
    files = sorted(p.relative_to(sites[0]) for p in sites[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sites[1]) for p in sites[1].rglob("*") if p.is_file())
    different = [f for f in files if (sites[0] / f).read_bytes() != (sites[1] / f).read_bytes()]
    assert different == []
