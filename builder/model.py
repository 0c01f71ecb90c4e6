"""The typed model of a protocol: what the loader produces and renderers consume.

Source-level objects (as written in files) and assembled objects (a complete
manual after overlays) share these classes; ``origin`` records where each
piece came from so renderers can mark adapted text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Where a section or session of an assembled manual came from.
Origin = Literal["core", "adapted", "new", "local"]


@dataclass(frozen=True)
class SourceRef:
    """A place in a source file, for messages."""

    path: str
    line: int


@dataclass
class Section:
    id: str
    title: str
    body: str  #: MyST Markdown, as written
    ref: SourceRef
    origin: Origin = "core"
    body_line: int = 0  #: source line of the first body line
    #: Where each part of ``body`` came from, for messages: (text, path, first line).
    spans: list[tuple[str, str, int]] = field(default_factory=list)
    #: For adapted sections: the operation applied and the inherited text it changed.
    operation: str = ""
    base_title: str = ""
    base_body: str = ""


@dataclass
class AgendaItem:
    minutes: int
    activity: str


@dataclass
class Phase:
    id: str
    title: str
    first: int
    last: int
    summary: str = ""

    def contains(self, number: int) -> bool:
        return self.first <= number <= self.last


@dataclass
class Audience:
    for_: list[str]
    not_for: list[str]


@dataclass
class Session:
    number: int
    title: str
    minutes: int
    participants: list[str]
    goals: list[str]
    agenda: list[AgendaItem]
    techniques: list[str]
    worksheets: list[str]
    fidelity: dict[str, str]
    sections: list[Section]
    ref: SourceRef
    origin: Origin = "core"
    #: Core session numbers this session was assembled from (adaptations).
    from_sessions: list[int] = field(default_factory=list)
    notes: str = ""
    #: Front-matter fields changed by an overlay (name → short description).
    changes: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"session-{self.number:02d}"

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


@dataclass
class Page:
    """A problem-area, technique or front-matter page."""

    id: str
    kind: Literal["problem-area", "technique", "page"]
    title: str
    summary: str
    sections: list[Section]
    ref: SourceRef
    origin: Origin = "core"
    notes: str = ""

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


@dataclass
class Field:
    id: str
    kind: str
    label: str
    options: dict[str, object]
    ref: SourceRef


@dataclass
class Worksheet:
    id: str
    title: str
    purpose: str
    for_clinician: str
    for_client: str
    fields: list[Field]
    ref: SourceRef
    origin: Origin = "core"
    #: The people the sheet is for, when it is for more than one (a set of name fields each)
    people: list[str] = field(default_factory=list)


@dataclass
class Manual:
    """A complete manual: the core, or an adaptation after overlays are resolved."""

    id: str
    title: str
    short_title: str
    version: str
    sessions_count: int
    first_session: int
    session_minutes: int
    participants: list[str]
    audience: Audience
    phases: list[Phase]
    problem_areas: list[str]
    page_order: list[str]
    sessions: list[Session]
    pages: dict[str, Page]
    problem_area_pages: dict[str, Page]
    techniques: dict[str, Page]
    worksheets: dict[str, Worksheet]
    ref: SourceRef
    extends: str = ""
    extends_version: str = ""
    dropped: list[int] = field(default_factory=list)
    #: For adaptations: what the overlay changed, for the differs-from-core page and the catalog.
    report: AdaptationReport | None = None
    #: What the clinic's local addenda changed (sessions and pages), shown as local.
    local_report: list[SessionReport | PageReport] = field(default_factory=list)

    def phase_of(self, number: int) -> Phase:
        for phase in self.phases:
            if phase.contains(number):
                return phase
        raise KeyError(number)

    def session(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)


@dataclass
class SectionChange:
    """One section-level operation of an overlay, as applied."""

    section: str
    operation: str  #: replace, append, prepend, remove, add, after, before
    title: str
    target: str = ""


@dataclass
class SessionReport:
    number: int
    kind: Literal["same", "adapted", "compressed", "new"]
    from_sessions: list[int]
    title: str
    notes: str
    changes: dict[str, str]
    sections: list[SectionChange]


@dataclass
class PageReport:
    kind: str  #: page, problem-area, technique
    id: str
    title: str
    new: bool
    notes: str
    sections: list[SectionChange]


@dataclass
class AdaptationReport:
    base: str
    base_version: str
    sessions: list[SessionReport]
    dropped: list[tuple[int, str]]  #: (core number, core title)
    pages: list[PageReport]
    worksheets_added: list[str]
    problem_areas_removed: list[str]
    pages_removed: list[str]
