"""The printable whole manual: the site's own pages of one manual, in reading order, in one PDF.

It is assembled from the HTML Sphinx has just written (not from the sources), so
it shows exactly what the site shows: adapted sections, expanded tabs, tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from ..model import Manual
from .html import environments
from .pdf import RenderResult, produce

#: Render options for the book: tagged, no form fields (tabs' radio buttons would become fields).
BOOK_OPTIONS: dict[str, object] = {"pdf_tags": True}


@dataclass
class Chapter:
    anchor: str
    title: str
    html: str
    level: int = 1


def reading_order(manual: Manual) -> list[tuple[str, int]]:
    """(docname, contents level) of each page in the book, in order."""
    m = manual.id
    docs: list[tuple[str, int]] = [(f"{m}/index", 1)]
    docs += [(f"{m}/{p}", 1) for p in manual.page_order]
    if manual.extends:
        docs.append((f"{m}/differences", 1))
    docs += [(f"{m}/sessions/{s.id}", 1) for s in manual.sessions]
    docs += [(f"{m}/problem-areas/{a}", 1) for a in manual.problem_areas if a in manual.problem_area_pages]
    docs += [(f"{m}/techniques/{t}", 1) for t in sorted(manual.techniques)]
    return docs


def chapter_from_page(html: str, anchor: str) -> Chapter:
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one("[role=main]") or soup.body
    for selector in (".headerlink", ".ipt-session-nav", "script", "style", "a.ipt-download", "img",
                     ".sd-tab-set > input", ".sd-card-footer", "form"):
        for node in main.select(selector):
            node.decompose()
    for label in main.select(".sd-tab-set > label"):
        label.name = "h4"
        label.attrs = {"class": ["tab-title"]}
    for details in main.select("details"):
        details["open"] = ""
    for link in main.select("a[href]"):
        link.name = "span"
        link.attrs = {}
    for node in main.select("[id]"):
        node["id"] = f"{anchor}--{node['id']}"
    heading = main.find("h1")
    title = heading.get_text(" ", strip=True).rstrip("#¶ ") if heading else anchor
    return Chapter(anchor, title, main.decode_contents())


def build_book(manual: Manual, root: Path, outdir: Path, cache: Path, paper: str, target_uri: Callable[[str], str],
               target: str) -> RenderResult:
    chapters = []
    for docname, level in reading_order(manual):
        page = outdir / target_uri(docname)
        chapter = chapter_from_page(page.read_text(encoding="utf-8"), docname.replace("/", "-"))
        chapter.level = level
        chapters.append(chapter)
    html_env, css_env = environments(root)
    css = css_env.get_template("print/book.css.j2").render(paper=paper, manual=manual)
    html = html_env.get_template("print/book.html.j2").render(manual=manual, chapters=chapters, css=css,
                                                             language="en")
    return produce(html, outdir / target, cache, str(outdir), BOOK_OPTIONS)
