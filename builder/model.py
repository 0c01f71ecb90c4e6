"""The typed model of a protocol: what the loader produces and renderers consume.

Source-level objects (as written in files) and assembled objects (a complete
manual after overlays) share these classes; ``origin`` records where each
piece came from so renderers can mark adapted text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .paths import session_name
from .rules import EXAMPLE_AGES, EXAMPLE_FORMATS

#: Where a section or session of an assembled manual came from.
Origin = Literal["core", "adapted", "new", "local"]


def last_session(first: int, count: int) -> int:
    """The last session number of a manifest's ``first_session`` and ``sessions`` (``sessions`` counts
    from 1: a session 0 is extra)."""
    return count if first == 0 else first + count - 1


@dataclass(frozen=True)
class SourceRef:
    """A place in a source file, for messages."""

    path: str
    line: int


@dataclass
class Example:
    """A fictional example block (``:::{example} id``) and the population it shows."""

    id: str
    population: list[str]
    line: int  #: line of the opening fence in ``path``
    end: int  #: line of the closing fence
    path: str = ""
    text: str = ""  #: the whole block, as written


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
    #: The fictional examples in ``body`` (builder.examples), parsed once.
    examples: list[Example] = field(default_factory=list)


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
    line: int = field(default=0, compare=False)  #: source line of its ``sessions`` range

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
    #: Source line of each front-matter field, for messages.
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    #: The file its inherited front matter (goals, agenda, fidelity) was written in, when not ``ref.path``.
    text_path: str = field(default="", compare=False)
    text_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        return session_name(self.number)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


#: The kinds of page a manual has besides its sessions.
PageKind = Literal["problem-area", "technique", "page"]


@dataclass
class Page:
    """A problem-area, technique or front-matter page."""

    id: str
    kind: PageKind
    title: str
    summary: str
    sections: list[Section]
    ref: SourceRef
    origin: Origin = "core"
    notes: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False)

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
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    #: For text fields an overlay changed: where each part of the text came from (text, path, line).
    spans: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict, compare=False)
    #: For adapted worksheets: what the overlay changed (field → description), and the base's texts.
    changes: dict[str, str] = field(default_factory=dict)
    base: Worksheet | None = field(default=None, repr=False)
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
    #: The words this manual's readers use (``terms:``): patient, patients, therapist, therapists.
    terms: dict[str, str] = field(default_factory=dict)
    #: Who its fictional examples may show (``example_population:``).
    example_population: ExamplePopulation | None = None
    #: Source line of each manifest field, for messages.
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    #: For adaptations: inherited units its maintainers reviewed (unit id → hash; ``inherited.lock``).
    reviewed: dict[str, str] = field(default_factory=dict)

    @property
    def session_numbers(self) -> list[int]:
        return [s.number for s in self.sessions]

    @property
    def last_session(self) -> int:
        """The last session number the manifest declares (``sessions`` counts from 1; a session 0 is extra)."""
        return last_session(self.first_session, self.sessions_count)

    def term(self, word: str) -> str:
        return self.terms.get(word, word)

    def phase_of(self, number: int) -> Phase:
        for phase in self.phases:
            if phase.contains(number):
                return phase
        raise KeyError(number)

    def session(self, number: int) -> Session | None:
        return next((s for s in self.sessions if s.number == number), None)


@dataclass
class ExamplePopulation:
    """Who a manual's fictional examples may show (docs/source-format.md, "Fictional examples")."""

    age: list[str]
    format: list[str]
    perinatal: str = "optional"  #: required | excluded | optional

    def excludes(self, population: list[str]) -> str:
        """Why an example showing ``population`` does not fit ("" when it fits)."""

        ages = [t for t in population if t in EXAMPLE_AGES]
        formats = [t for t in population if t in EXAMPLE_FORMATS]
        if ages and ages[0] not in self.age:
            return f"age band '{ages[0]}' (this manual: {', '.join(self.age)})"
        if formats and formats[0] not in self.format:
            return f"format '{formats[0]}' (this manual: {', '.join(self.format)})"
        perinatal = "perinatal" in population
        if self.perinatal == "required" and not perinatal:
            return "not perinatal (this manual's examples are perinatal)"
        if self.perinatal == "excluded" and perinatal:
            return "perinatal (this manual leaves perinatal examples out)"
        return ""


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
    #: The same changes in clinical words, compared with the base session(s) (builder.differences).
    difference: SessionDifference | None = None


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
    examples: list[tuple[str, str]] = field(default_factory=list)  #: (example id, "replaced" | "dropped")
    worksheets_adapted: list[str] = field(default_factory=list)


@dataclass
class AgendaChange:
    """One agenda item compared with the base session(s): minutes before and after (None: not there)."""

    activity: str
    before: int | None
    after: int | None

    @property
    def kind(self) -> str:
        """same, new, removed or minutes."""
        if self.before is None:
            return "new"
        if self.after is None:
            return "removed"
        return "same" if self.before == self.after else "minutes"


@dataclass
class SessionDifference:
    """What a session does differently from the base session(s) it comes from, in the protocol's words
    (titles, not ids): the differences page and the marks on session pages read it."""

    summary: str  #: one plain line: the first sentence of the overlay's ``notes``, or derived from the changes
    details: str = ""  #: the rest of the overlay's ``notes``
    minutes: tuple[int, int] | None = None
    title: tuple[str, str] | None = None
    goals_added: list[str] = field(default_factory=list)
    goals_removed: list[str] = field(default_factory=list)
    agenda: list[AgendaChange] = field(default_factory=list)  #: the new agenda, then removed items
    participants_added: list[str] = field(default_factory=list)
    participants_removed: list[str] = field(default_factory=list)
    techniques_added: list[str] = field(default_factory=list)  #: titles
    techniques_removed: list[str] = field(default_factory=list)
    worksheets_added: list[str] = field(default_factory=list)  #: titles
    worksheets_removed: list[str] = field(default_factory=list)
    fidelity_added: list[str] = field(default_factory=list)  #: checklist texts
    fidelity_removed: list[str] = field(default_factory=list)
    sections_added: list[str] = field(default_factory=list)  #: section titles
    sections_replaced: list[str] = field(default_factory=list)
    sections_extended: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)

    @property
    def agenda_changed(self) -> bool:
        return any(a.kind != "same" for a in self.agenda)
