"""A reader in a real headless Chromium: navigate by the site's own links, and search."""

from __future__ import annotations

import re

import pytest

from .browser import chromium_available, wait_for_search

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed")]


def test_landing_to_session_1_and_on_to_session_2(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    page.locator("article .sd-card", has_text="Core Manual").first.click()
    page.wait_for_url(re.compile(r"/core/index\.html$"))
    page.locator(".ipt-session-card").first.click()
    page.wait_for_url(re.compile(r"/core/sessions/session-01\.html$"))
    assert "Session 1 of 16" in page.locator(".ipt-session-header").inner_text()
    page.locator(".ipt-session-nav").get_by_role("link", name=re.compile(r"^Next: Session 2")).click()
    page.wait_for_url(re.compile(r"/core/sessions/session-02\.html$"))
    assert page.locator("h1").inner_text().startswith("Session 2:")
    page.close()


def test_search_finds_the_interpersonal_inventory(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    box = page.locator("input[name=q]").first
    box.fill("interpersonal inventory")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q="))
    wait_for_search(page)
    results = page.locator("#search-results ul.search li")
    titles = " ".join(results.all_inner_texts())
    assert results.count() >= 3
    assert "interpersonal inventory" in titles.lower()
    page.close()


def test_problem_area_tabs_switch(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/core/sessions/session-06.html")
    tabs = page.locator(".ipt-problem-area-tabs > label")
    assert tabs.count() == 4
    tabs.nth(1).click()
    visible = page.locator(".ipt-problem-area-tabs > .sd-tab-content:visible")
    assert visible.count() == 1
    assert "dispute" in visible.inner_text().lower()
    page.close()


def test_session_page_prints_without_navigation_and_with_every_tab(browser, site: str) -> None:
    page = browser.new_page()
    page.goto(f"{site}/core/sessions/session-06.html")
    page.emulate_media(media="print")
    assert not page.locator(".sidebar-drawer").is_visible()
    assert not page.locator(".ipt-session-nav").is_visible()
    contents = page.locator(".ipt-problem-area-tabs > .sd-tab-content")
    assert contents.count() == 4
    assert all(contents.nth(i).is_visible() for i in range(4))
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.close()
