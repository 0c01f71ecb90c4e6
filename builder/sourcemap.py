"""From a line of a generated page back to the source file and line it came from.

Generated pages (``_site/…``) place the model's text with templates, so a problem Sphinx finds
there (a broken link, an image that cannot be read) is really a problem in a source file.
:func:`source_index` keeps, for each manual, where every page's text came from; :func:`locate`
finds the source of one generated line by looking for that text in the generated page.
Pure: no Sphinx, no files.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Manual, Page, Section, Session

#: (text, source path, first source line) of a piece of a section body.
Span = tuple[str, str, int]


@dataclass(frozen=True)
class PageSource:
    """Where one page's (or session's) text came from."""

    path: str  #: the page's own file (its title and other fields)
    line: int
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class ManualSource:
    path: str  #: the manifest (for pages built from the manual's fields)
    line: int
    pages: tuple[PageSource, ...]


def _spans(section: Section) -> list[Span]:
    if section.spans:
        return list(section.spans)
    return [(section.body, section.ref.path, section.body_line or section.ref.line + 1)]


def _page(item: Page | Session) -> PageSource:
    spans = [span for section in item.sections for span in _spans(section)]
    return PageSource(item.ref.path, item.ref.line, tuple(s for s in spans if s[0].strip()))


def source_index(manuals: list[Manual]) -> dict[str, ManualSource]:
    """For each manual id, where the text of each of its pages and sessions came from."""
    index = {}
    for manual in manuals:
        items: list[Page | Session] = [*manual.sessions, *manual.pages.values(),
                                       *manual.problem_area_pages.values(), *manual.techniques.values()]
        index[manual.id] = ManualSource(manual.ref.path, manual.ref.line, tuple(_page(i) for i in items))
    return index


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _best_page(manual: ManualSource, generated: str) -> PageSource | None:
    """The page whose section texts the generated page holds (the most of them)."""
    best, found = None, 0
    for page in manual.pages:
        count = sum(1 for text, _, _ in page.spans if text.strip() in generated)
        if count > found:
            best, found = page, count
    return best


def locate(index: dict[str, ManualSource], docname: str, generated: str, line: int | None) -> tuple[str, int]:
    """The (source path, line) of ``line`` of the generated page ``docname`` (text ``generated``)."""
    manual = index.get(docname.split("/", 1)[0])
    if manual is None:
        return "", 0
    page = _best_page(manual, generated)
    if page is None:
        return manual.path, manual.line
    if line:
        for text, path, first in page.spans:
            start = generated.find(text.strip())
            if start == -1:
                continue
            skipped = len(text) - len(text.lstrip())  # leading blank lines of the body
            first_gen = _line_of(generated, start)
            last_gen = first_gen + text.strip().count("\n")
            if first_gen <= line <= last_gen:
                return path, first + text.count("\n", 0, skipped) + (line - first_gen)
    return page.path, page.line
