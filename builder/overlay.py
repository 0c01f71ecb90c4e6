"""Adaptations as overlays: resolving a parsed adaptation on its base manual.

:func:`resolve` is pure and does no I/O: a base manual and an adaptation read by
:func:`builder.overlay_parse.parse_adaptation` in, a complete new manual out (the base is never
modified).  It is a sequence of small steps: the manifest's checks against the base, link
targets, pages, worksheets, the session map, sessions, ``each-*.md`` files, examples, and the
report of what the adaptation changed.  Problems found while resolving (an operation on a
section that does not exist, a session map with gaps, …) are recorded with the overlay file's line.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from .differences import session_difference
from .errors import Problems
from .examples import apply_example_overlays
from .fields import did_you_mean
from .loader import build_worksheet, parse_page, ref
from .model import (
    AdaptationReport,
    AgendaItem,
    Manual,
    Page,
    PageReport,
    Phase,
    Section,
    SectionChange,
    Session,
    SessionReport,
    SourceRef,
    Worksheet,
    last_session,
)
from .overlay_parse import (
    PAGE_OVERLAY_FIELDS,
    Adaptation,
    FileOverlay,
    MapEntry,
    SourceText,
    parse_adaptation,
    parse_overlay,
)
from .references import map_inherited
from .rules import FOCUS_PREFIX, LINK_ROLES, RESERVED_MANUAL_IDS, ROLE_RE
from .section_ops import apply_overlay, apply_page_overlay, overlay_notes
from .sections import role_target
from .sourcefile import LocDict
from .validate import validate_manual
from .worksheet_overlay import overlay_worksheet


@dataclass
class _Resolution:
    """What every step of :func:`resolve` reads: the two inputs and the manifest's values, with the
    base's where the adaptation inherits them."""

    base: Manual
    adaptation: Adaptation
    problems: Problems
    minutes: int
    participants: list[str]
    problem_areas: list[str]
    retarget: Callable[[str], str] = field(default=lambda text: text)

    @property
    def first(self) -> int:
        return self.adaptation.manifest.first_session

    @property
    def last(self) -> int:
        return last_session(self.adaptation.manifest.first_session, self.adaptation.manifest.sessions_count)


@dataclass
class _Pages:
    pages: dict[str, Page]
    problem_area_pages: dict[str, Page]
    techniques: dict[str, Page]
    order: list[str]
    reports: list[PageReport]

    def groups(self) -> tuple[dict[str, Page], ...]:
        return self.pages, self.problem_area_pages, self.techniques


# --- resolution -----------------------------------------------------------------------------------

def resolve(base: Manual, adaptation: Adaptation, problems: Problems) -> Manual:
    """Core (or another adaptation) + overlay → a complete manual. Pure: ``base`` and ``adaptation``
    are not modified, and nothing is read from disk."""
    manifest = adaptation.manifest
    check_manifest(base, adaptation, problems)
    areas = [a for a in (manifest.problem_areas or base.problem_areas) if a in base.problem_areas]
    r = _Resolution(base, adaptation, problems, manifest.session_minutes or base.session_minutes,
                    manifest.participants or list(base.participants), areas)
    r.retarget = _retargeter(r)
    pages = _resolve_pages(r)
    worksheets = _resolve_worksheets(r)
    by_number = check_session_map(r)
    sessions, reports = _resolve_sessions(r, by_number)
    apply_each_files(sessions, reports, adaptation, manifest.phases, problems)
    examples = _apply_examples(r, sessions, pages)
    manual = _assemble(r, sessions, pages, worksheets, _report(r, reports, pages, examples))
    for session_report in reports:
        assembled = manual.session(session_report.number)
        if session_report.kind != "new" and assembled is not None:
            session_report.difference = session_difference(base, manual, assembled, session_report)
    return manual


def check_manifest(base: Manual, adaptation: Adaptation, problems: Problems) -> None:
    """The manifest against its base: the version range, problem areas and pages to remove."""
    manifest, path = adaptation.manifest, adaptation.manifest_path
    _check_version_range(base, adaptation, problems)
    for area in manifest.problem_areas:
        if area not in base.problem_areas:
            problems.add(path, manifest.line_of("problem_areas"), f"problem area '{area}' is not in {base.id}",
                         did_you_mean(area, base.problem_areas))
    for p in manifest.pages_remove:
        if p not in base.pages:
            problems.add(path, manifest.line_of("pages_remove"), f"pages_remove: {base.id} has no page '{p}'",
                         did_you_mean(p, base.pages))


def _check_version_range(base: Manual, adaptation: Adaptation, problems: Problems) -> None:
    manifest = adaptation.manifest
    if not manifest.extends_version:
        return
    line = manifest.line_of("extends_version")
    try:
        spec = SpecifierSet(manifest.extends_version)
    except InvalidSpecifier:
        problems.add(adaptation.manifest_path, line, f"'{manifest.extends_version}' is not a version range",
                     "write e.g. '>=1.0.0,<2.0.0'")
        return
    if Version(base.version) not in spec:
        problems.add(adaptation.manifest_path, line,
                     f"{base.id} is at version {base.version}, outside this adaptation's range "
                     f"'{manifest.extends_version}'",
                     "review the adaptation against the new core, then widen 'extends_version'")


def _retargeter(r: _Resolution) -> Callable[[str], str]:
    """Inherited text → text whose links point at what the adaptation will have (or at the base)."""
    base, adaptation = r.base, r.adaptation
    session_of_base: dict[int, int] = {}
    for entry in sorted(adaptation.manifest.session_map, key=lambda e: e.session):
        for n in entry.from_sessions:
            session_of_base.setdefault(n, entry.session)
    own_targets = {
        "techniques": set(base.techniques),
        "problem_areas": set(r.problem_areas),
        "worksheets": set(base.worksheets) | set(adaptation.worksheets),
        "pages": ({p for p in base.pages if p not in adaptation.manifest.pages_remove}
                  | {pid for kind, pid in adaptation.page_files if kind == "page"}),
        "sessions": set(),
    }
    return lambda text: retarget_links(text, base, session_of_base, own_targets)


# --- pages and worksheets -------------------------------------------------------------------------

def _resolve_pages(r: _Resolution) -> _Pages:
    """The base's pages (links retargeted), with the adaptation's page files applied."""
    base, remove = r.base, r.adaptation.manifest.pages_remove
    pages = _Pages(
        pages={k: _inherit_page(v, r.retarget) for k, v in base.pages.items()},
        problem_area_pages={k: _inherit_page(v, r.retarget) for k, v in base.problem_area_pages.items()
                            if k in r.problem_areas},
        techniques={k: _inherit_page(v, r.retarget) for k, v in base.techniques.items()},
        order=[p for p in base.page_order if p not in remove], reports=[])
    for (kind, pid), source in sorted(r.adaptation.page_files.items()):
        _apply_page_file(r, pages, kind, pid, source)
    return pages


def _inherit_page(page: Page, retarget: Callable[[str], str]) -> Page:
    new = copy.deepcopy(page)
    new.summary = retarget(new.summary)
    for sec in new.sections:
        sec.body = retarget(sec.body)
        sec.spans = [(retarget(t), p, n) for t, p, n in sec.spans]
    return new


def _apply_page_file(r: _Resolution, pages: _Pages, kind: str, pid: str, source: SourceText) -> None:
    """A page file: an overlay on the base's page of that id, or (in ``pages/``) a new page."""
    group = {"page": pages.pages, "problem-area": pages.problem_area_pages, "technique": pages.techniques}[kind]
    if pid in group:
        overlay = (parse_overlay(source.path, source.text, r.problems, PAGE_OVERLAY_FIELDS)
                   if source.text is not None else None)
        if overlay is not None:
            group[pid], report = apply_page_overlay(group[pid], overlay, r.problems)
            pages.reports.append(report)
    elif kind != "page":
        r.problems.add(source.path, 1, f"{r.base.id} has no {kind} '{pid}' to adapt",
                       did_you_mean(pid, set(group)) + "; new pages go in pages/")
    else:
        page = parse_page(source.path, source.text, "page", r.problems) if source.text is not None else None
        if page is None:
            return
        page.origin = "new"
        for s in page.sections:
            s.origin = "new"
        pages.pages[pid] = page
        pages.order.append(pid)
        pages.reports.append(PageReport("page", pid, page.title, True, "", []))


def _resolve_worksheets(r: _Resolution) -> dict[str, Worksheet]:
    worksheets = {k: retarget_worksheet(v, r.retarget) for k, v in r.base.worksheets.items()}
    for wid, (path, data) in r.adaptation.worksheets.items():
        if wid in worksheets:
            worksheets[wid] = overlay_worksheet(worksheets[wid], data, path, r.problems, r.base.id)
        else:
            worksheets[wid] = build_worksheet(path, data, r.problems)
            worksheets[wid].origin = "new"
    return worksheets


# --- the session map ------------------------------------------------------------------------------

def check_session_map(r: _Resolution) -> dict[int, MapEntry]:
    """The session map against the manifest's sessions and the base: each session of the adaptation
    once, within its range, from sessions the base has; no gap; every base session mapped or dropped.
    Returns the entries by this adaptation's session number."""
    by_number, used = _map_entries(r)
    unused = [s for s in r.base.sessions if s.number not in used and s.number not in r.adaptation.manifest.dropped]
    gaps, unused = _check_gaps(r, by_number, unused)
    _check_dropped(r, used)
    manifest, path = r.adaptation.manifest, r.adaptation.manifest_path
    for s in unused:
        r.problems.add(path, manifest.line_of("session_map"), f"{r.base.id} session {s.number} ('{s.title}') is "
                                                              "neither mapped nor dropped",
                       "map it with 'from:' or list it under 'dropped' so the difference is deliberate")
    for number, session_path in sorted(r.adaptation.session_files.items()):
        if number not in by_number and number not in gaps:
            r.problems.add(session_path, 1, f"session {number} is not in the session map",
                           f"add it to session_map in adaptation.yaml ({{session: {number}, from: N}} or "
                           f"{{session: {number}, new: true}}); NN in session-NN.md is this adaptation's number")
    return by_number


def _map_entries(r: _Resolution) -> tuple[dict[int, MapEntry], dict[int, MapEntry]]:
    """The entries by session number (each once, within range), and by the base session they use."""
    base, path = r.base, r.adaptation.manifest_path
    by_number: dict[int, MapEntry] = {}
    used: dict[int, MapEntry] = {}
    for entry in r.adaptation.manifest.session_map:
        if entry.session in by_number:
            r.problems.add(path, entry.line, f"session {entry.session} appears twice in the session map",
                           f"first on line {by_number[entry.session].line}")
            continue
        if not r.first <= entry.session <= r.last:
            r.problems.add(path, entry.line, f"session map: session {entry.session} is outside this manual's "
                                             f"sessions ({r.first}-{r.last})", "change 'sessions' or the entry")
        by_number[entry.session] = entry
        for n in entry.from_sessions:
            if base.session(n) is None:
                r.problems.add(path, entry.line, f"session map: {base.id} has no session {n}",
                               did_you_mean(str(n), {str(s.number) for s in base.sessions}))
            used.setdefault(n, entry)
    return by_number, used


def _check_gaps(r: _Resolution, by_number: dict[int, MapEntry],
                unused: list[Session]) -> tuple[list[int], list[Session]]:
    """Sessions of the adaptation no entry makes (each hint suggests an unused base session);
    returns them and the base sessions still unused."""
    manifest, path = r.adaptation.manifest, r.adaptation.manifest_path
    gaps = [n for n in range(r.first, r.last + 1) if n not in by_number]
    for n in gaps:
        before = [e for e in sorted(by_number.values(), key=lambda e: e.session) if e.session < n]
        line = before[-1].line if before else manifest.line_of("session_map")
        candidate = next((s for s in unused if s.number == n), unused[0] if unused else None)
        source = (f"{{session: {n}, from: {candidate.number}}} ({r.base.id} session {candidate.number}, "
                  f"'{candidate.title}', is not used yet), " if candidate else f"{{session: {n}, from: N}}, ")
        r.problems.add(path, line, f"session map leaves a gap: this adaptation has no session {n}",
                       f"add {source}or {{session: {n}, new: true}} with sessions/session-{n:02d}.md written in "
                       f"full; or change 'sessions' ({manifest.sessions_count}) if the manual is shorter")
        unused = [s for s in unused if s is not candidate]
    return gaps, unused


def _check_dropped(r: _Resolution, used: dict[int, MapEntry]) -> None:
    manifest, path, base = r.adaptation.manifest, r.adaptation.manifest_path, r.base
    for n in manifest.dropped:
        if base.session(n) is None:
            r.problems.add(path, manifest.line_of("dropped"), f"dropped: {base.id} has no session {n}")
        elif n in used:
            r.problems.add(path, manifest.line_of("dropped"), f"session {n} of {base.id} is both dropped and used "
                                                              f"(session map line {used[n].line})")


# --- sessions -------------------------------------------------------------------------------------

def _resolve_sessions(r: _Resolution, by_number: dict[int, MapEntry]) -> tuple[list[Session], list[SessionReport]]:
    """One session per map entry: new (its file, in full) or from base sessions (with its overlay file)."""
    sessions: list[Session] = []
    reports: list[SessionReport] = []
    for number in sorted(by_number):
        entry = by_number[number]
        made = _new_session(r, entry) if entry.new else _inherited_session(r, entry)
        if made is not None:
            sessions.append(made[0])
            reports.append(made[1])
    return sessions, reports


def _new_session(r: _Resolution, entry: MapEntry) -> tuple[Session, SessionReport] | None:
    number = entry.session
    path = r.adaptation.session_files.get(number)
    if path is None:
        r.problems.add(r.adaptation.manifest_path, entry.line, f"session {number} is new but has no file",
                       f"write sessions/session-{number:02d}.md in full")
        return None
    written = r.adaptation.new_sessions.get(number)
    if written is None:
        return None
    session = copy.deepcopy(written)
    session.minutes = session.minutes or r.minutes
    session.participants = session.participants or list(r.participants)
    if session.number != number:
        r.problems.add(path, session.lines.get("number", 1),
                       f"file is session {number} in the session map but says number {session.number}")
    session.origin = "new"
    for sec in session.sections:
        sec.origin = "new"
    return session, SessionReport(number, "new", [], session.title, "", {}, [])


def _inherited_session(r: _Resolution, entry: MapEntry) -> tuple[Session, SessionReport] | None:
    parts = [s for n in entry.from_sessions if (s := r.base.session(n)) is not None]
    if not parts:
        return None
    session, changes = _from_base(r, entry, parts)
    notes, section_changes = "", []
    overlay = r.adaptation.session_overlays.get(entry.session)
    if overlay is not None:
        notes, section_changes = _apply_session_file(r, session, overlay, entry, changes)
        minutes_change(changes, parts[0].minutes, session.minutes)
        if changes or section_changes:
            session.origin = "adapted"
    session.sections = [s for s in session.sections
                        if not s.id.startswith(FOCUS_PREFIX) or s.id[len(FOCUS_PREFIX):] in r.problem_areas]
    session.notes, session.changes = notes, changes
    kind = "compressed" if len(parts) > 1 else ("adapted" if session.origin == "adapted" else "same")
    return session, SessionReport(entry.session, kind, list(entry.from_sessions), session.title, notes, changes,
                                  section_changes)


def _from_base(r: _Resolution, entry: MapEntry, parts: list[Session]) -> tuple[Session, dict[str, str]]:
    """The base session(s) an entry names, as this adaptation's session: merged, renumbered, links
    retargeted, participants and length of the adaptation (agenda scaled). Returns it and its changes."""
    session = _merge_sessions(parts) if len(parts) > 1 else copy.deepcopy(parts[0])
    session.number = entry.session
    session.from_sessions = list(entry.from_sessions)
    session.origin = "adapted" if len(parts) > 1 else "core"
    session.text_path = parts[0].text_path or parts[0].ref.path
    session.text_lines = parts[0].text_lines or dict(parts[0].lines)
    session.ref = SourceRef(r.problems.rel(r.adaptation.manifest_path), entry.line)
    session.lines = {}
    retarget_session(session, r.retarget)
    changes: dict[str, str] = {}
    base = r.base
    if session.participants == base.participants and r.participants != base.participants:
        session.participants = list(r.participants)
    if r.minutes != base.session_minutes and session.minutes == base.session_minutes:
        changes["minutes"] = f"{session.minutes} → {r.minutes} (agenda scaled)"
        session.minutes = r.minutes
        session.agenda = scale_agenda(session.agenda, r.minutes)
    return session, changes


def _apply_session_file(r: _Resolution, session: Session, overlay: FileOverlay, entry: MapEntry,
                        changes: dict[str, str]) -> tuple[str, list[SectionChange]]:
    """The adaptation's ``session-NN.md`` on an inherited session; returns its notes and section changes."""
    notes = overlay_notes(overlay, r.problems)
    what = f"{r.base.id} session {'+'.join(map(str, entry.from_sessions))}"
    field_changes, section_changes = apply_overlay(session, overlay, r.problems, what)
    changes.update(field_changes)
    session.ref = SourceRef(r.problems.rel(overlay.path), 1)
    session.lines = {k: overlay.meta.line_of(k) for k in overlay.meta}
    set_block = overlay.meta.get("set")
    if isinstance(set_block, LocDict) and "agenda" in set_block:
        session.lines["agenda"] = set_block.line_of("agenda")
    return notes, section_changes


# --- a session's length, merging, link retargeting --------------------------------------------------

def minutes_change(changes: dict[str, str], base_minutes: int, minutes: int) -> None:
    """Session length compared with the base session (not with the length already scaled to the manual)."""
    if minutes == base_minutes:
        changes.pop("minutes", None)
    elif changes.get("minutes", "").endswith("(agenda scaled)") and "agenda" not in changes:
        changes["minutes"] = f"{base_minutes} → {minutes} (agenda scaled)"
    else:
        changes["minutes"] = f"{base_minutes} → {minutes}"


def scale_agenda(agenda: list[AgendaItem], minutes: int) -> list[AgendaItem]:
    """Scale agenda minutes proportionally to a new session length (largest remainder; exact total)."""
    total = sum(a.minutes for a in agenda)
    if total == 0 or total == minutes:
        return [AgendaItem(a.minutes, a.activity) for a in agenda]
    exact = [a.minutes * minutes / total for a in agenda]
    floors = [int(x) for x in exact]
    rest = minutes - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:rest]:
        floors[i] += 1
    return [AgendaItem(max(m, 0), a.activity) for m, a in zip(floors, agenda, strict=True)]


def _merge_sessions(parts: list[Session]) -> Session:
    """Compress several base sessions into one (see docs/source-format.md)."""
    first = copy.deepcopy(parts[0])
    seen = {s.id for s in first.sections}
    for other in parts[1:]:
        for section in other.sections:
            sec = copy.copy(section)
            if sec.id in seen:
                sec.id = f"{sec.id}-{other.number}"
            seen.add(sec.id)
            first.sections.append(sec)
        first.goals += [g for g in other.goals if g not in first.goals]
        first.techniques += [t for t in other.techniques if t not in first.techniques]
        first.worksheets += [w for w in other.worksheets if w not in first.worksheets]
        for k, v in other.fidelity.items():
            first.fidelity.setdefault(k if k not in first.fidelity else f"{k}-{other.number}", v)
    return first


def retarget_links(text: str, base: Manual, session_map: dict[int, int], own: dict[str, set[str]]) -> str:
    """Rewrite link roles in inherited text so they point where the adaptation has that thing.

    Session numbers follow the session map (:func:`builder.references.map_inherited`; a dropped
    session becomes ``base:N``, reported by the checks); a page the adaptation lacks is linked in
    the base manual.
    """
    text = map_inherited(text, session_map, base)

    def fix(m: re.Match[str]) -> str:
        role = m.group("role")
        if role not in LINK_ROLES or role == "session":
            return m.group(0)
        label, target = role_target(m.group("body"))
        if ":" in target or target in own[LINK_ROLES[role]]:
            return m.group(0)
        new_target = f"{base.id}:{target}"
        return f"{{{role}}}`{label} <{new_target}>`" if label else f"{{{role}}}`{new_target}`"

    return ROLE_RE.sub(fix, text)


def retarget_session(session: Session, retarget: Callable[[str], str]) -> None:
    """Inherited session text (sections and front matter) through ``retarget``."""
    for sec in session.sections:
        sec.body = retarget(sec.body)
        sec.spans = [(retarget(t), p, n) for t, p, n in sec.spans]
    session.goals = [retarget(g) for g in session.goals]
    session.fidelity = {k: retarget(v) for k, v in session.fidelity.items()}
    session.agenda = [AgendaItem(a.minutes, retarget(a.activity)) for a in session.agenda]


def retarget_worksheet(ws: Worksheet, retarget: Callable[[str], str]) -> Worksheet:
    new = copy.deepcopy(ws)
    for key in ("title", "purpose", "for_clinician", "for_client"):
        setattr(new, key, retarget(getattr(ws, key)))
    return new


# --- examples, the report, the manual -------------------------------------------------------------

def _apply_examples(r: _Resolution, sessions: list[Session], pages: _Pages) -> list[tuple[str, str]]:
    """Replace or drop inherited examples by id; returns (id, "replaced" | "dropped") for each."""
    examples, used = r.adaptation.examples, set[str]()
    for s in sessions:
        s.sections = apply_example_overlays(s.sections, examples, r.problems, used)
    for group in pages.groups():
        for page in group.values():
            page.sections = apply_example_overlays(page.sections, examples, r.problems, used)
    for eid, overlay in examples.items():
        if eid not in used:
            ids = sorted({e.id for sec in _all_sections(r.base) for e in sec.examples})
            r.problems.add(overlay.path, 1, f"{r.base.id} has no example '{eid}' to replace or drop",
                           did_you_mean(eid, ids) or "the file's name is the id of the example it replaces")
    return sorted((eid, "dropped" if examples[eid].drop else "replaced") for eid in used)


def _all_sections(manual: Manual) -> list[Section]:
    found = [sec for s in manual.sessions for sec in s.sections]
    for group in (manual.pages, manual.problem_area_pages, manual.techniques):
        found += [sec for p in group.values() for sec in p.sections]
    return found


def _report(r: _Resolution, reports: list[SessionReport], pages: _Pages,
            examples: list[tuple[str, str]]) -> AdaptationReport:
    base, adaptation = r.base, r.adaptation
    return AdaptationReport(
        base=base.id, base_version=base.version, sessions=reports,
        dropped=[(n, s.title) for n in sorted(adaptation.manifest.dropped) if (s := base.session(n)) is not None],
        pages=pages.reports, problem_areas_removed=[a for a in base.problem_areas if a not in r.problem_areas],
        worksheets_added=sorted(w for w in adaptation.worksheets if w not in base.worksheets),
        worksheets_adapted=sorted(w for w in adaptation.worksheets if w in base.worksheets),
        pages_removed=[p for p in adaptation.manifest.pages_remove if p in base.pages], examples=examples)


def _assemble(r: _Resolution, sessions: list[Session], pages: _Pages, worksheets: dict[str, Worksheet],
              report: AdaptationReport) -> Manual:
    m, base = r.adaptation.manifest, r.base
    return Manual(
        id=r.adaptation.id, title=m.title, short_title=m.short_title, version=m.version,
        sessions_count=m.sessions_count, first_session=m.first_session, session_minutes=r.minutes,
        participants=r.participants, audience=copy.deepcopy(m.audience), phases=copy.deepcopy(m.phases),
        problem_areas=r.problem_areas,
        page_order=pages.order, sessions=sessions, pages=pages.pages, problem_area_pages=pages.problem_area_pages,
        techniques=pages.techniques, worksheets=worksheets, ref=ref(r.problems, r.adaptation.manifest_path, 1),
        extends=base.id, extends_version=m.extends_version, dropped=sorted(m.dropped), report=report,
        terms={**base.terms, **m.terms}, example_population=m.example_population or base.example_population,
        reviewed=dict(r.adaptation.reviewed), lines=dict(m.lines))


# --- each-NAME.md: one change to several sessions -------------------------------------------------

def apply_each_files(sessions: list[Session], reports: list[SessionReport], adaptation: Adaptation,
                     phases: list[Phase], problems: Problems) -> None:
    """``sessions/each-NAME.md``: section operations (and ``add:``) over a phase or a list of sessions,
    after each session's own overlay file."""
    numbers = [s.number for s in sessions]
    for overlay in adaptation.each_files:
        for number in _each_targets(overlay, phases, numbers, problems):
            session = sessions[numbers.index(number)]
            report = next(r for r in reports if r.number == number)
            changes, done = apply_overlay(session, overlay, problems, f"session {number}")
            session.changes.update(changes)
            report.changes.update(changes)
            report.sections += done
            if session.origin == "core" and (changes or done):
                session.origin, report.kind = "adapted", "adapted" if report.kind == "same" else report.kind


def _each_targets(overlay: FileOverlay, phases: list[Phase], numbers: list[int], problems: Problems) -> list[int]:
    """The sessions an each-file's ``applies_to`` names: a phase id, or a list of session numbers."""
    value, line = overlay.meta.get("applies_to"), overlay.meta.line_of("applies_to")
    if isinstance(value, str):
        phase = next((p for p in phases if p.id == value), None)
        if phase is None:
            problems.add(overlay.path, line, f"applies_to: this adaptation has no phase '{value}'",
                         did_you_mean(value, [p.id for p in phases]))
            return []
        return [n for n in numbers if phase.contains(n)]
    if isinstance(value, list) and value and all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        missing = [n for n in value if n not in numbers]
        if missing:
            problems.add(overlay.path, line, f"applies_to: this adaptation has no session {missing[0]}",
                         f"its sessions are {numbers[0]}-{numbers[-1]} (this adaptation's numbers)" if numbers else "")
        return [n for n in value if n in numbers]
    problems.add(overlay.path, line, "applies_to must name a phase or list sessions",
                 "write 'applies_to: middle' (a phase id of this adaptation) or 'applies_to: [3, 4, 5]'")
    return []


# --- the whole adaptations folder -----------------------------------------------------------------

def load_adaptations(folder: Path, core: Manual, problems: Problems) -> list[Manual]:
    """Load every adaptation under ``folder`` and resolve each on what it extends (in dependency order)."""
    if not folder.is_dir():
        return []
    found = _parse_all(folder, core, problems)
    resolved: dict[str, Manual] = {core.id: core}
    visiting: list[str] = []

    def get(aid: str) -> Manual | None:
        if aid in resolved:
            return resolved[aid]
        adaptation = found[aid]
        if aid in visiting:
            cycle = " → ".join([*visiting[visiting.index(aid):], aid])
            problems.add(adaptation.manifest_path, adaptation.manifest.line_of("extends"),
                         f"adaptations extend each other in a cycle: {cycle}", "one of them must extend the core")
            return None
        if adaptation.manifest.extends not in found and adaptation.manifest.extends not in resolved:
            problems.add(adaptation.manifest_path, adaptation.manifest.line_of("extends"),
                         f"extends unknown manual '{adaptation.manifest.extends}'",
                         did_you_mean(adaptation.manifest.extends, {core.id, *found}))
            return None
        visiting.append(aid)
        base = get(adaptation.manifest.extends)
        visiting.pop()
        if base is None:
            return None
        manual = resolve(base, adaptation, problems)
        validate_manual(manual, problems, [core, *resolved.values()])
        resolved[aid] = manual
        return manual

    return [manual for aid in found if (manual := get(aid)) is not None]


def _parse_all(folder: Path, core: Manual, problems: Problems) -> dict[str, Adaptation]:
    """Every adaptation folder, parsed, by id (an id that is reserved is a problem)."""
    found: dict[str, Adaptation] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        adaptation = parse_adaptation(sub, problems)
        if adaptation is not None and adaptation.id in {core.id, *RESERVED_MANUAL_IDS}:
            problems.add(adaptation.manifest_path, adaptation.manifest.line_of("id"),
                         f"'{adaptation.id}' is reserved and cannot be an adaptation's id",
                         "choose another id (and rename the folder to match)")
        elif adaptation is not None:
            found[adaptation.id] = adaptation
    return found
