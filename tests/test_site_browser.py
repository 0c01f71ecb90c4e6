"""The clinic's site in a real headless Chromium: accessibility (axe-core), privacy, keyboard, phone, search."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from .browser import axe_source, chromium_available, search_from, wait_for_search

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed")]

#: One page of each type.
PAGES = {
    "landing": "index.html",
    "manual": "core/index.html",
    "session": "core/sessions/session-06.html",
    "problem area": "core/problem-areas/role-disputes.html",
    "technique": "core/techniques/communication-analysis.html",
    "worksheet": "core/worksheets/interpersonal-inventory.html",
    "differs-from-core": "adolescent/differences.html",
    "matrix": "matrix.html",
    "search": "search.html?q=grief",
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_accessibility_violations(browser, site: str, kind: str) -> None:
    # axe is injected by the test harness, so let it past the site's own Content-Security-Policy
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site}/{PAGES[kind]}")
    page.wait_for_load_state("networkidle")
    page.evaluate(axe_source())
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(serious)
    context.close()


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_request_leaves_the_site(browser, site: str, kind: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site}/{PAGES[kind]}")
    page.wait_for_load_state("networkidle")
    outside = [u for u in requests if not u.startswith(site) and not u.startswith("data:")]
    assert requests and outside == []
    context.close()


def test_language_is_set_and_headings_are_in_order(browser, site: str) -> None:
    page = browser.new_page()
    for path in PAGES.values():
        page.goto(f"{site}/{path}")
        assert page.get_attribute("html", "lang") == "en"
        levels = page.eval_on_selector_all("article[role=main] :is(h1,h2,h3,h4,h5,h6)",
                                           "els => els.map(e => Number(e.tagName[1]))")
        assert levels and levels[0] <= 2, path
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (path, levels)
    page.close()


def _tab_to(page, predicate_js: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
            return
    raise AssertionError(f"never reached an element matching {predicate_js}")


def test_keyboard_only_walk(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    _tab_to(page, "el.closest('article') && el.href && el.href.endsWith('/core/index.html')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/core/index\.html$"))
    _tab_to(page, "el.closest('article') && el.href && el.href.endsWith('/sessions/session-01.html')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/session-01\.html$"))
    _tab_to(page, "el.closest('.ipt-session-nav') && el.textContent.startsWith('Next')", limit=400)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/session-02\.html$"))
    # problem-area tabs by keyboard
    page.goto(f"{site}/core/sessions/session-06.html")
    _tab_to(page, "el.closest('.ipt-problem-area-tabs') !== null", limit=400)
    focus_visible = page.evaluate("getComputedStyle(document.activeElement).outlineStyle !== 'none' || "
                                  "getComputedStyle(document.activeElement).boxShadow !== 'none'")
    assert focus_visible, "the focused tab has no visible focus indicator"
    before = page.locator(".ipt-problem-area-tabs > .sd-tab-content:visible").inner_text()
    page.keyboard.press("ArrowRight")
    after = page.locator(".ipt-problem-area-tabs > .sd-tab-content:visible").inner_text()
    assert after != before
    page.close()


def test_search_finds_the_right_pages(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/search.html?q=closeness+circle")
    wait_for_search(page)
    results = page.locator("#search-results ul.search li a")
    hrefs = [results.nth(i).get_attribute("href") for i in range(min(results.count(), 15))]
    assert any("worksheets/closeness-circle" in h for h in hrefs), hrefs
    page.close()


@pytest.mark.parametrize(("manual", "query", "topic"), [
    ("older-adult", "grief", "problem-areas/grief.html"),
    ("perinatal", "role transitions", "problem-areas/role-transitions.html"),
    ("adolescent", "role dispute", "problem-areas/role-disputes.html"),
    ("group", "interpersonal inventory", "worksheets/interpersonal-inventory.html"),
])
def test_searching_a_topic_from_a_manual_reaches_that_manuals_page_first(browser, site: str, manual: str,
                                                                         query: str, topic: str) -> None:
    # the real site: every manual has a page on these topics, so only scope and ranking put the right one first
    page = browser.new_page()
    hrefs = search_from(page, f"{site}/{manual}/sessions/session-02.html", query)
    assert hrefs and hrefs[0].startswith(f"{manual}/{topic}"), hrefs[:5]
    assert all(h.startswith(f"{manual}/") for h in hrefs), hrefs
    title = page.locator(f"#search-results ul.search li > a[href^='{manual}/{topic}']").first.inner_text()
    assert title.endswith(")") and "(" in title, title  # the result names its manual
    page.close()


def test_phone_viewport(browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    for path in PAGES.values():
        page.goto(f"{site}/{path}")
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} overflows horizontally by {overflow}px"
    page.goto(f"{site}/core/index.html")
    page.locator("label.toc-overlay-icon, .nav-overlay-icon").first.click()
    page.locator(".sidebar-drawer a", has_text="Session 1:").first.click()
    page.wait_for_url(re.compile(r"/session-01\.html$"))
    context.close()


def test_crisis_contact_on_session_1_and_in_the_ending_plan(browser, site: str, real_site: Path) -> None:
    import conf  # the project's own conf.py

    contact = conf.ipt_crisis_contacts[0]["name"]
    page = browser.new_page()
    page.goto(f"{site}/core/sessions/session-01.html")
    assert contact in page.locator(".ipt-clinic-contacts").first.inner_text()
    page.close()
    text = " ".join(p.extract_text() for p in PdfReader(real_site / "pdf" / "core" / "core-ending-plan-a4.pdf").pages)
    assert contact in " ".join(text.split())
