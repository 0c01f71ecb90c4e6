"""Every piece of protocol text in an assembled manual, with where it came from.

One iterator for the checks that read text the manual inherits (references, terms, examples)
and for the inheritance review (which units of text an adaptation has read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from posixpath import dirname

from .model import Manual, Page, Section

#: Unit-id prefixes of pages by kind (docs/source-format.md, "Reviewing what an adaptation inherits").
PAGE_UNIT = {"page": "page", "technique": "technique", "problem-area": "problem-area"}


@dataclass(frozen=True)
class Text:
    unit: str  #: the review unit it belongs to: session-07/tasks, page/glossary/terms, worksheet/ending-plan …
    text: str
    path: str  #: the source file it was written in (the core's file for inherited text)
    line: int


def own_folder(manual: Manual) -> str:
    """``manual/`` or ``adaptations/<id>/``: where the manual's own files are."""
    return dirname(manual.ref.path) + "/"


def inherited(manual: Manual, path: str) -> bool:
    """Whether text written in ``path`` reaches ``manual`` from the manual it extends."""
    return bool(manual.extends) and path.startswith(("manual/", "adaptations/")) \
        and not path.startswith(own_folder(manual))


def section_texts(unit: str, section: Section) -> Iterator[Text]:
    spans = section.spans or [(section.body, section.ref.path, section.body_line or section.ref.line + 1)]
    for text, path, line in spans:
        yield Text(unit, text, path, line)


def page_unit(page: Page, section_id: str) -> str:
    return f"{PAGE_UNIT[page.kind]}/{page.id}/{section_id}"


def manual_texts(manual: Manual) -> Iterator[Text]:
    """Every text of the manual: sections (by span), session front matter, page summaries, worksheets."""
    for session in manual.sessions:
        for key, values in (("goals", session.goals), ("fidelity", list(session.fidelity.values())),
                            ("agenda", [a.activity for a in session.agenda])):
            own = key in session.changes or not session.text_path
            path = session.ref.path if own else session.text_path
            line = (session.lines if own else session.text_lines).get(key, 1)
            for value in values:
                yield Text(f"{session.id}/{key}", value, path, line)
        for section in session.sections:
            yield from section_texts(f"{session.id}/{section.id}", section)
    for group in (manual.pages, manual.problem_area_pages, manual.techniques):
        for page in group.values():
            yield Text(page_unit(page, "summary"), page.summary, page.ref.path, page.lines.get("summary", 1))
            for section in page.sections:
                yield from section_texts(page_unit(page, section.id), section)
    for ws in manual.worksheets.values():
        for key in ("title", "purpose", "for_clinician", "for_client"):
            for text, path, line in ws.spans.get(key) or [(getattr(ws, key), ws.ref.path, ws.lines.get(key, 1))]:
                yield Text(f"worksheet/{ws.id}", text, path, line)
        for f in ws.fields:
            yield Text(f"worksheet/{ws.id}", f.label, f.ref.path, f.ref.line)
