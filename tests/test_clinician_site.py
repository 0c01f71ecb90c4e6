"""The site as a clinician uses it, in a real headless Chromium: which manual am I in, search,
the draft banner and release mode, printing a session, rendering details, no missing files."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from .browser import chromium_available, search_from, wait_for_search
from .conftest import EXAMPLE_SETTINGS, run_cli, two_manual_project

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed")]

#: One page of each type in the adaptation, and what it should be called.
TEEN_PAGES = {
    "manual home": "teen/index.html",
    "session": "teen/sessions/session-01.html",
    "problem area": "teen/problem-areas/role-disputes.html",
    "technique": "teen/techniques/clarification.html",
    "page": "teen/parents.html",
    "worksheet": "teen/worksheets/plan.html",
    "differences": "teen/differences.html",
}
SITE_PAGES = {"landing": "index.html", "matrix": "matrix.html", "search": "search.html?q=grief",
              "not found": "404.html"}


@pytest.mark.parametrize("kind", list(TEEN_PAGES))
def test_title_header_and_strip_name_the_manual(browser, draft_site, kind: str) -> None:
    _root, url, _out = draft_site
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{url}/{TEEN_PAGES[kind]}")
    assert "Teen" in page.title()
    header = page.locator(".mobile-header .brand")
    assert header.is_visible() and header.inner_text().startswith("Teen")
    strip = page.locator("article .ipt-manual-strip")
    assert strip.is_visible() and "Fixture teen manual" in strip.inner_text() and "version 1.0.0" in strip.inner_text()
    core = page.goto(f"{url}/{TEEN_PAGES[kind].replace('teen/', 'core/')}")
    if core is not None and core.ok:
        assert "Teen" not in page.title() and "Fixture" in page.title()
    context.close()


def test_session_titles_differ_between_manuals(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    titles = []
    for manual in ("core", "teen"):
        page.goto(f"{url}/{manual}/sessions/session-02.html")
        titles.append(page.title())
    assert titles[0] != titles[1] and all(t.startswith("Session 2:") for t in titles)
    page.close()


def _manual(url: str, href: str) -> str:
    rel = href[len(url) + 1:] if href.startswith(url) else href
    return rel.split("/")[0] if "/" in rel else ""


def test_previous_and_next_never_cross_manuals(browser, draft_site) -> None:
    root, url, _out = draft_site
    html = root / "_build" / "html"
    page = browser.new_page()
    checked = 0
    for manual in ("core", "teen"):
        for file in sorted((html / manual).rglob("*.html")):
            page.goto(f"{url}/{file.relative_to(html).as_posix()}")
            links = page.eval_on_selector_all(
                "link[rel=next], link[rel=prev], .related-pages a, .ipt-session-nav a", "els => els.map(e => e.href)")
            assert all(_manual(url, h) == manual for h in links), (file, links)
            checked += len(links)
    assert checked > 20
    # the last core page does not lead into the adaptation, and the arrow key stays put
    last = "core/worksheets/inventory.html"
    page.goto(f"{url}/{last}")
    assert page.locator(".related-pages a.next-page").count() == 0
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.url.endswith(last)
    page.close()


def test_sidebar_groups_sessions_by_phase(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/teen/sessions/session-02.html")
    items = page.locator(".sidebar-tree li.toctree-l1.current > ul > li").all_text_contents()
    items = [i.split("\n")[0].strip() for i in items]
    start = items.index("Engagement")
    assert items[start:start + 9] == ["Engagement", "Session 0: Engagement", "Initial phase",
                                      "Session 1: Starting with a parent", "Middle phase",
                                      "Session 2: Fixture meeting 2", "Session 3: Middle and end together",
                                      "Termination phase", "Session 4: Saying goodbye"]
    page.close()


def test_adaptation_session_cards_say_where_sessions_come_from(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/teen/index.html")
    cards = page.locator(".ipt-session-card").all_inner_texts()
    assert "New in Teen" in cards[0]
    assert "Adapted from core session 1" in cards[1]
    assert "core sessions 3, 4" in cards[3]
    page.goto(f"{url}/index.html")
    page.locator("article .sd-card", has_text="Fixture teen manual").get_by_role(
        "link", name=re.compile("How Teen differs")).click()
    page.wait_for_url(re.compile(r"/teen/differences\.html$"))
    page.close()


@pytest.mark.parametrize("query", ["role dispute", "role disputes"])
def test_search_from_a_manual_finds_its_topic_page_first(browser, draft_site, query: str) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    hrefs = search_from(page, f"{url}/teen/sessions/session-02.html", query)
    assert "manual=teen" in page.url
    results = page.locator("#search-results ul.search li > a")
    assert hrefs[0].startswith("teen/problem-areas/role-disputes.html"), hrefs
    assert all(h.startswith("teen/") for h in hrefs), hrefs
    assert results.first.inner_text().endswith("(Teen)")
    # a way to search every manual
    page.get_by_role("link", name="Search all manuals").click()
    wait_for_search(page)
    hrefs = page.eval_on_selector_all("#search-results ul.search li > a", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.startswith("core/") for h in hrefs) and any(h.startswith("teen/") for h in hrefs)
    assert not any(re.search(r"(index|differences)\.html", h) for h in hrefs[:2]), hrefs
    page.close()


@pytest.mark.parametrize("path", [*TEEN_PAGES.values(), *SITE_PAGES.values()])
def test_draft_banner_on_every_page(browser, draft_site, path: str) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/{path}")
    banner = page.locator(".announcement")
    assert banner.is_visible()
    assert "Draft: clinic contacts not set" in banner.inner_text()
    assert "ipt_contact_line" in banner.inner_text()
    page.close()


def test_build_says_draft_and_release_mode_refuses_examples(draft_site, tmp_path: Path) -> None:
    _root, _url, output = draft_site
    assert "DRAFT site: clinic contacts not set" in output
    root = two_manual_project(tmp_path, EXAMPLE_SETTINGS)
    result = run_cli("build", "--release", "--project", str(root))
    assert result.returncode == 1
    lines = (root / "conf.py").read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("ipt_contact_line"))
    assert f"conf.py:{number}: ipt_contact_line still holds the example value" in result.stderr
    assert "ipt_referral_pathways" in result.stderr
    assert not (root / "_build" / "html").exists()


def test_release_mode_builds_a_site_with_real_contacts(tmp_path: Path) -> None:
    root = two_manual_project(tmp_path)
    result = run_cli("build", "--release", "--project", str(root))
    assert result.returncode == 0, result.stderr
    page = (root / "_build" / "html" / "teen" / "index.html").read_text(encoding="utf-8")
    assert "Draft: clinic contacts not set" not in page and 'class="announcement"' not in page


def test_printed_session_names_manual_and_keeps_badges_readable(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/teen/sessions/session-01.html")
    page.wait_for_load_state("networkidle")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    first = " ".join(pdf.pages[0].extract_text().split())
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Skip to content" not in text
    assert "Teen (version 1.0.0)" in first and "Session 1: Starting with a parent" in first
    assert f"Page 1 of {len(pdf.pages)}" in first
    assert "Fixture crisis line" in text and "Draft: clinic contacts not set" in first
    # the rendering on paper: badges black on white, no skip link, the crisis box unbroken
    page.emulate_media(media="print")
    styles = page.eval_on_selector_all(".ipt-session-header .sd-badge", """els => els.map(e => {
        const s = getComputedStyle(e); return [s.color, s.backgroundColor]; })""")
    assert styles and all(s == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"] for s in styles), styles
    assert page.locator(".skip-to-content").is_hidden()
    assert page.eval_on_selector(".ipt-clinic-contacts", "e => getComputedStyle(e).breakInside") == "avoid"
    page.close()


def test_checklist_box_sits_on_the_line_of_its_item(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/core/sessions/session-01.html")
    boxes = page.eval_on_selector_all(".ipt-fidelity li", """els => els.map(li => {
        const text = li.firstElementChild || li; const r = text.getBoundingClientRect(), l = li.getBoundingClientRect();
        const box = getComputedStyle(li, '::before');
        return {content: box.content, dx: r.left - l.left, dy: r.top - l.top,
                lineHeight: parseFloat(getComputedStyle(text).lineHeight)};
    })""")
    assert boxes
    for b in boxes:
        assert b["content"] == '"☐"'
        assert b["dx"] > 10, b  # the text starts to the right of the box...
        assert b["dy"] < b["lineHeight"] / 2, b  # ...on the same line
    page.close()


@pytest.mark.parametrize("path", [*TEEN_PAGES.values(), *SITE_PAGES.values()])
def test_no_request_fails_and_no_versions_json(browser, draft_site, path: str) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    failed: list[str] = []
    requested: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and
            not r.url.endswith("/404.html") else None)
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{url}/{path}")
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert not any("versions.json" in u for u in requested)
    assert any(u.endswith("ipt-favicon.svg") for u in requested) or page.locator("link[rel=icon]").count() == 1
    page.close()


def test_theme_switch_works_under_the_csp(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/teen/index.html")
    assert page.evaluate("document.body.dataset.theme") == "auto"
    toggle = page.locator(".theme-toggle-content .theme-toggle")
    assert toggle.bounding_box()["width"] > 10
    toggle.click()
    assert page.evaluate("document.body.dataset.theme") in ("dark", "light")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_matrix_fits_1280_pixels(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/matrix.html")
    overflow = page.eval_on_selector_all("article table",
                                         "els => els.map(t => t.scrollWidth - t.parentElement.clientWidth)")
    assert overflow and max(overflow) <= 1, overflow
    page.close()


def test_404_page_leads_back(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/404.html")
    assert page.locator("h1").inner_text() == "Page not found"
    page.get_by_role("link", name="Go to the list of manuals").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    assert not (Path(_root) / "_build" / "html" / "genindex.html").exists()
    page.close()


def nginx_locations() -> list[dict[str, str]]:
    """The add_header lines of each location of deploy/nginx.conf."""
    text = (Path(__file__).parents[1] / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    blocks = re.findall(r"location [^{]+\{(.*?)\n    \}", text, re.S)
    return [dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', block)) for block in blocks]


def test_nginx_recipe_sends_the_declared_headers() -> None:
    from builder.headers import headers_for

    pages, static = nginx_locations()
    assert pages == headers_for("/core/index.html")
    assert static == headers_for("/_static/ipt.css")
    assert "frame-ancestors 'none'" in pages["Content-Security-Policy"]


def recipe_server(site: Path, prefix: Path):  # type: ignore[no-untyped-def]
    """Debian's nginx running deploy/nginx.conf itself; where nginx is missing, a Python server sending the
    same header list (checked above) with the same error page. CI installs nginx, so CI runs the recipe."""
    from builder.headers import headers_for

    from .browser import nginx_available, serve_with_headers, serve_with_nginx

    if nginx_available():
        return serve_with_nginx(site, prefix)
    assert not os.environ.get("CI"), "CI must run the real nginx recipe: .ci/run installs nginx-light"
    return serve_with_headers(site, headers_for)


def test_site_served_with_the_recipe_headers(browser, draft_site, tmp_path: Path) -> None:
    root, _url, _out = draft_site
    with recipe_server(root / "_build" / "html", tmp_path / "nginx") as url:
        page = browser.new_page()
        for path, cache in (("teen/sessions/session-01.html", "no-cache"),
                            ("_static/ipt.css", "public, max-age=86400")):
            response = page.goto(f"{url}/{path}")
            headers = response.headers
            assert headers["x-robots-tag"] == "noindex, nofollow"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["cache-control"] == cache
        missing = page.goto(f"{url}/teen/no-such-page.html")
        assert missing.status == 404 and "Page not found" in page.locator("h1").inner_text()
        page.close()


# --- issue 13 item 4: differences written for clinicians --------------------------------------------

#: Text of the article without the collapsed maintainers' details.
CLINICIAN_TEXT = """() => { const a = document.querySelector('article').cloneNode(true);
    a.querySelectorAll('.ipt-maintainers').forEach(e => e.remove()); return a.innerText; }"""


def _axe_serious(browser, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    from .browser import axe_source

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.evaluate(axe_source())
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    context.close()
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_differences_page_speaks_to_clinicians(browser, draft_site) -> None:
    root, url, _out = draft_site
    from builder.project import load_project

    teen = load_project(root).manual("teen")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/teen/differences.html")
    text = page.evaluate(CLINICIAN_TEXT)
    # no internal ids, operation names or counts outside the maintainers' details
    # (ids that are also English words, like "tasks", cannot be told apart from prose)
    ids = {c.section for r in teen.report.sessions for c in r.sections if "-" in c.section} | {"did-open", "parent-met"}
    assert {"parent-meeting", "between-sessions", "risk-4"} <= ids
    for word in [*sorted(ids), "after=", "append", "prepend", "section change", "goals: replaced", "session-0"]:
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), word
    assert not re.search(r"\((\d+)–\1\)", text) and not re.search(r"\b(\d+) → \1\b", text), text
    assert "Engagement (session 0)" in text and "Middle phase (sessions 2–3)" in text
    # one plain line per session: the overlay's notes, or derived from what changed
    assert "What to do differently: The parent joins the first session." in text
    assert re.search(r"What to do differently: Covers Fixture sessions 3 and 4 in one session;.*"
                     r"leave out “Risk \(from Fixture session 4\)”", text)
    # changes in clinical words, goals and agenda shown as changes
    assert "New sections: “Meeting the parent”, “Closing”" in text
    assert "Replaced with new text: “Therapist tasks”" in text
    assert re.search(r"Goals added:\s+Agree how the ending will go\.\s+Goals left out:\s+Goal of meeting 4\.", text)
    rows = page.eval_on_selector_all("article table", """ts => ts.filter(t => t.innerText.startsWith('Agenda item'))
        .map(t => [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim())))""")
    assert ["Opening", "10", "7", "10 → 7 minutes"] in rows[0]
    assert ["Work", "—", "15", "new item"] in rows[1] and ["Opening", "10", "—", "left out"] in rows[1]
    # the ids are in a collapsed maintainers' detail
    details = page.locator("details.ipt-maintainers")
    assert details.count() >= 2 and not details.first.evaluate("d => d.open")
    assert "parent-meeting" in details.first.text_content() and not details.first.locator("code").first.is_visible()
    details.first.locator("summary").click()
    assert details.first.locator("code", has_text="parent-meeting").is_visible()
    page.close()
    assert _axe_serious(browser, f"{url}/teen/differences.html") == []


def test_core_text_box_marks_changed_words_and_session_marks_changes(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/teen/sessions/session-01.html")
    box = page.locator(".ipt-core-text", has_text="Therapist tasks")
    box.locator("summary").click()
    deleted, inserted = box.locator("del.ipt-del"), box.locator("ins.ipt-ins")
    assert deleted.first.is_visible() and inserted.first.is_visible()
    assert "Tasks of meeting 1." in deleted.first.inner_text()
    assert "Teen tasks replace core tasks." in inserted.last.inner_text()
    assert box.locator("del.ipt-del").first.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    # screen readers hear what is removed and added; sighted readers see the marks, not the labels
    label = inserted.first.locator(".ipt-sr").first
    assert label.text_content() == "[added: " and label.bounding_box()["width"] <= 1
    appended = page.locator(".ipt-core-text", has_text="Risk")
    assert "Also ask the parent about risk." in appended.locator("ins.ipt-ins").last.text_content()
    # agenda minutes old → new
    cells = page.eval_on_selector_all(
        "section[id$='-agenda'] table tbody tr td:first-child",
        "cs => cs.map(c => [c.querySelector('del')?.textContent, c.querySelector('ins')?.textContent])")
    assert cells[:2] == [["[removed: 10]", "[added: 7]"], ["[removed: 20]", "[added: 13]"]]
    # session 3: a new goal and new agenda items are marked, a goal left out is struck through
    page.goto(f"{url}/teen/sessions/session-03.html")
    goals = page.locator("section[id$='-goals'] li").all_inner_texts()
    assert any(g.startswith("Agree how the ending will go.") and "New in Teen" in g for g in goals)
    assert not any("New in Teen" in g for g in goals if g.startswith("Goal of meeting 3."))
    assert page.locator("section[id$='-goals'] del.ipt-del", has_text="Goal of meeting 4.").is_visible()
    agenda = page.locator("section[id$='-agenda'] tbody tr").all_inner_texts()
    assert "New in Teen" in agenda[0] and "Work" in agenda[0]
    assert page.locator("section[id$='-agenda'] del.ipt-del", has_text="Main work").is_visible()
    page.close()
    assert _axe_serious(browser, f"{url}/teen/sessions/session-01.html") == []


def test_matrix_uses_titles_and_shows_corresponding_sessions(browser, draft_site) -> None:
    root, url, _out = draft_site
    from builder.project import load_project

    project = load_project(root)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/matrix.html")
    tables = page.eval_on_selector_all("article table", """ts => ts.map(t => [...t.querySelectorAll('tr')]
        .map(r => [...r.cells].map(c => c.innerText.trim())))""")
    facts = {row[0]: row[1:] for row in tables[0]}
    areas = ["; ".join(m.problem_area_pages[a].title for a in m.problem_areas) for m in project.manuals]
    assert facts["Problem areas"] == areas
    assert facts["Based on"] == ["—", "Fixture"] and facts["Engagement"] == ["—", "session 0"]
    assert not any(k.startswith("Phase:") for k in facts)
    grid = {row[0]: row[1:] for row in tables[1]}
    assert grid["Fixture session"] == ["Teen"]
    assert grid["3: Fixture meeting 3"] == ["3"] and grid["4: Fixture meeting 4"] == ["3"]
    assert grid["New sessions"] == ["0 (new), 4 (new)"]
    page.get_by_role("link", name="4 (new)").click()
    page.wait_for_url(re.compile(r"/teen/sessions/session-04\.html$"))
    page.go_back()
    # no table scrolls sideways inside its frame, and the page itself does not scroll sideways
    overflow = page.eval_on_selector_all("article .table-wrapper", "els => els.map(e => e.scrollWidth - e.clientWidth)")
    assert len(overflow) == 3 and max(overflow) <= 1, overflow
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()
    assert _axe_serious(browser, f"{url}/matrix.html") == []


def test_worksheets_only_in_the_adaptation_are_marked_new(browser, draft_site) -> None:
    _root, url, _out = draft_site
    page = browser.new_page()
    page.goto(f"{url}/teen/worksheets/index.html")
    plan = page.locator(".sd-card", has_text="Parent and teen plan")
    assert plan.locator(".sd-badge", has_text="New in Teen").is_visible()
    assert page.locator(".sd-card", has_text="Inventory").locator(".sd-badge", has_text="New in").count() == 0
    page.goto(f"{url}/core/worksheets/index.html")
    assert page.locator(".sd-badge", has_text="New in").count() == 0
    page.goto(f"{url}/teen/worksheets/plan.html")
    assert page.locator("article .sd-badge", has_text="New in Teen").is_visible()
    page.close()
    assert _axe_serious(browser, f"{url}/teen/worksheets/index.html") == []
