"""Adaptations as overlays: loading ``adaptations/<id>/`` and resolving it on its base manual.

:func:`resolve` is a pure function: a base manual and a parsed overlay in, a
complete new manual out (the base is never modified).  Problems found while
resolving (an operation on a section that does not exist, a session map with
gaps, …) are recorded with the overlay file's line.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from .differences import session_difference
from .errors import Problems
from .examples import (
    ExampleOverlay,
    apply_example_overlays,
    read_example_overlays,
    read_population,
    section_examples,
)
from .fields import FieldReader, did_you_mean
from .loader import (
    PAGE_DIRS,
    build_worksheet,
    load_page,
    load_session,
    load_yaml_file,
    read_agenda,
    read_audience,
    read_fidelity,
    read_phases,
    read_terms,
    ref,
    source_files,
)
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
)
from .references import map_inherited
from .review import read_lock
from .rules import CHANGING_OPS, FOCUS_PREFIX, ID_RE, LINK_ROLES, RESERVED_MANUAL_IDS, ROLE_RE
from .sections import RawSection, role_target, split_sections
from .sourcefile import LocDict, LocList, read_text, split_front_matter
from .validate import validate_manual
from .worksheet_overlay import overlay_worksheet

MANIFEST = "adaptation.yaml"
CONTACTS_DIRECTIVE = "{clinic-contacts}"
EACH_FILE_RE = re.compile(r"each-[a-z0-9]+(?:-[a-z0-9]+)*")
SESSION_SET_FIELDS = {"title": str, "minutes": int, "participants": list, "goals": list, "agenda": list,
                      "techniques": list, "worksheets": list, "fidelity": dict}
LIST_FIELDS = ("participants", "goals", "techniques", "worksheets")
PAGE_SET_FIELDS = {"title": str, "summary": str}


# --- parsed overlay ---------------------------------------------------------

@dataclass
class MapEntry:
    session: int
    from_sessions: list[int]
    new: bool
    line: int


@dataclass
class FileOverlay:
    """One overlay file: front-matter operations and section operations."""

    path: Path
    meta: LocDict
    sections: list[RawSection]


@dataclass
class Adaptation:
    id: str
    path: Path
    manifest: LocDict
    extends: str
    extends_version: str
    session_map: list[MapEntry] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    session_files: dict[int, Path] = field(default_factory=dict)
    page_files: dict[tuple[str, str], Path] = field(default_factory=dict)
    worksheets: dict[str, tuple[Path, LocDict]] = field(default_factory=dict)
    examples: dict[str, ExampleOverlay] = field(default_factory=dict)
    reviewed: dict[str, str] = field(default_factory=dict)
    each_files: list[Path] = field(default_factory=list)


def _line(data: LocDict, key: str) -> int:
    return data.line_of(key)


def load_adaptation(folder: Path, problems: Problems) -> Adaptation | None:
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        problems.add(manifest_path, 1, f"adaptation folder '{folder.name}' has no {MANIFEST}",
                     "run 'ipt-manual new-adaptation ID' to scaffold one")
        return None

    data = load_yaml_file(manifest_path, problems, "adaptation manifest")
    if data is None:
        return None
    r = FieldReader(data, manifest_path, problems, "adaptation manifest")
    aid = r.ident("id")
    if aid and aid != folder.name:
        r.problem("id", f"adaptation id '{aid}' does not match its folder name '{folder.name}'",
                  "rename the folder or change 'id'")
    extends = r.ident("extends")
    extends_version = r.get("extends_version", str, "", required=False)
    adaptation = Adaptation(aid or folder.name, folder, data, extends, extends_version)
    raw_map = r.get("session_map", list, LocList())
    for i, item in enumerate(raw_map):
        line = raw_map.line_of(i)
        if not isinstance(item, LocDict):
            problems.add(manifest_path, line, "a session map entry must be a mapping like {session: 1, from: 1}")
            continue
        er = FieldReader(item, manifest_path, problems, f"session map entry {i + 1}")
        number = er.positive_int("session", None, minimum=0)
        is_new = er.get("new", bool, False, required=False)
        src = item.get("from")
        er.used.add("from")
        er.unknown({"session", "from", "new"})
        sources: list[int] = []
        if is_new and src is not None:
            er.problem("from", "an entry is either 'new: true' or 'from: N', not both")
        elif not is_new:
            if isinstance(src, int) and not isinstance(src, bool):
                sources = [src]
            elif isinstance(src, list) and src and all(isinstance(x, int) and not isinstance(x, bool) for x in src):
                sources = list(src)
            else:
                er.problem("from" if "from" in item else None,
                           "say where the session comes from: 'from: N', 'from: [N, M]' or 'new: true'")
                continue
        if number is not None:
            adaptation.session_map.append(MapEntry(number, sources, bool(is_new), line))
    dropped = r.get("dropped", list, LocList(), required=False)
    for i, item in enumerate(dropped):
        if isinstance(item, int) and not isinstance(item, bool):
            adaptation.dropped.append(item)
        else:
            problems.add(manifest_path, dropped.line_of(i), f"'dropped' item {i + 1} must be a session number")
    for path in source_files(folder / "sessions", ".md"):
        m = re.fullmatch(r"session-(\d+)", path.stem)
        if EACH_FILE_RE.fullmatch(path.stem):
            adaptation.each_files.append(path)
            continue
        if not m:
            problems.add(path, 1, f"session file '{path.name}' should be named session-NN.md (NN: this "
                                  "adaptation's session number) or each-NAME.md (a change to several sessions)")
            continue
        adaptation.session_files[int(m.group(1))] = path
    for kind, sub in PAGE_DIRS.items():
        for path in source_files(folder / sub, ".md"):
            if not ID_RE.match(path.stem):
                problems.add(path, 1, f"file name '{path.name}' is not a valid id")
                continue
            adaptation.page_files[(kind, path.stem)] = path
    adaptation.examples = read_example_overlays(folder, problems)
    adaptation.reviewed = read_lock(folder, problems)
    for path in source_files(folder / "worksheets", ".yaml"):
        data = load_yaml_file(path, problems, "worksheet")
        if data is not None:
            adaptation.worksheets[path.stem] = (path, data)
    return adaptation


def read_overlay_file(path: Path, problems: Problems, allowed: set[str]) -> FileOverlay | None:
    text = read_text(path, problems)
    if text is None:
        return None
    doc = split_front_matter(text, path, problems) if text.lstrip().startswith("---") else None
    if doc is None and text.lstrip().startswith("---"):
        return None
    meta = doc.meta if doc else LocDict()
    body, body_line = (doc.body, doc.body_line) if doc else (text, 1)
    r = FieldReader(meta, path, problems, "overlay")
    r.unknown(allowed)
    return FileOverlay(path, meta, split_sections(body, body_line, path, problems, allow_ops=True))


# --- pure resolution helpers --------------------------------------------------

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


def apply_section_ops(sections: list[Section], overlay: FileOverlay, problems: Problems,
                      what: str, layer: str = "adaptation") -> tuple[list[Section], list[SectionChange]]:
    """Apply an overlay's section operations; returns new sections and what was done.

    ``layer`` is "adaptation" (changed sections become "adapted", added ones "new") or
    "local" (a clinic's addenda: both become "local").
    """
    changed_origin, new_origin = ("local", "local") if layer == "local" else ("adapted", "new")
    out = [copy.copy(s) for s in sections]
    changes: list[SectionChange] = []
    rel = problems.rel(overlay.path)
    for op in overlay.sections:
        ids = [s.id for s in out]
        op_ref = SourceRef(rel, op.line)
        body_span = (op.body, rel, op.body_line)
        if not op.op:
            problems.add(overlay.path, op.line, f"section '{op.id}' says nothing to do with {what}",
                         f"add an operation: '{{#{op.id} replace}}', '{{#{op.id} append}}', "
                         f"'{{#{op.id} add}}', '{{#{op.id} after=ID}}' …")
            continue
        if op.op in CHANGING_OPS:
            if op.id not in ids:
                problems.add(overlay.path, op.line, f"{op.op}: {what} has no section '{op.id}'",
                             did_you_mean(op.id, ids))
                continue
            index = ids.index(op.id)
            base = out[index]
            if op.op == "remove":
                del out[index]
                changes.append(SectionChange(op.id, "remove", base.title))
                continue
            new = copy.copy(base)
            new.origin, new.operation = changed_origin, op.op
            new.base_title, new.base_body = base.title, base.body
            base_span = (base.body, base.ref.path, base.body_line)
            if op.op == "replace" and CONTACTS_DIRECTIVE in base.body and CONTACTS_DIRECTIVE not in op.body:
                problems.add(overlay.path, op.line, f"replace: section '{op.id}' of {what} shows the clinic's crisis "
                             "contacts ({clinic-contacts}), and the new text does not",
                             "keep a ```{clinic-contacts}``` block in the new text, or use "
                             f"'{{#{op.id} append}}' to add to the section instead")
            if op.op == "replace":
                new.title = op.title or base.title
                new.body, new.ref, new.body_line, new.spans = op.body, op_ref, op.body_line, [body_span]
            elif op.op == "append":
                new.body = f"{base.body}\n\n{op.body}".strip("\n")
                new.spans = [*(base.spans or [base_span]), body_span]
            else:
                new.body = f"{op.body}\n\n{base.body}".strip("\n")
                new.spans = [body_span, *(base.spans or [base_span])]
            new.examples = section_examples(new)
            out[index] = new
            changes.append(SectionChange(op.id, op.op, new.title))
            continue
        if op.id in ids:
            problems.add(overlay.path, op.line, f"{op.op}: {what} already has a section '{op.id}'",
                         f"use '{{#{op.id} replace}}' to change it, or choose a new id")
            continue
        section = Section(op.id, op.title, op.body, op_ref, origin=new_origin, operation=op.op,
                          body_line=op.body_line, spans=[body_span])
        section.examples = section_examples(section)
        if op.op == "add":
            out.append(section)
        else:
            if op.target not in ids:
                problems.add(overlay.path, op.line, f"{op.op}={op.target}: {what} has no section '{op.target}'",
                             did_you_mean(op.target, ids))
                continue
            index = ids.index(op.target) + (1 if op.op == "after" else 0)
            out.insert(index, section)
        changes.append(SectionChange(op.id, op.op, op.title, op.target))
    return out, changes


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


# --- resolution ---------------------------------------------------------------

def resolve(base: Manual, adaptation: Adaptation, problems: Problems) -> Manual | None:
    """Core (or another adaptation) + overlay → a complete manual. Pure: ``base`` is not modified."""
    data = adaptation.manifest
    mpath = adaptation.path / MANIFEST
    r = FieldReader(data, mpath, problems, "adaptation manifest")
    r.used |= {"id", "extends", "extends_version", "session_map", "dropped"}
    _check_version_range(base, adaptation, data, mpath, problems)
    title = r.get("title", str, "")
    short_title = r.get("short_title", str, title, required=False) or title
    version = r.version()
    count = r.positive_int("sessions", 0) or 0
    first = r.positive_int("first_session", 1, required=False, minimum=0)
    first = 1 if first is None else first
    minutes = r.positive_int("session_minutes", base.session_minutes, required=False) or base.session_minutes
    participants = r.text_list("participants", required=False) or list(base.participants)
    audience = read_audience(r)
    phases = read_phases(r)
    problem_areas = (r.text_list("problem_areas", required=False, ids=True) or list(base.problem_areas))
    for area in problem_areas:
        if area not in base.problem_areas:
            r.problem("problem_areas", f"problem area '{area}' is not in {base.id}",
                      did_you_mean(area, base.problem_areas))
    problem_areas = [a for a in problem_areas if a in base.problem_areas]
    pages_remove = r.text_list("pages_remove", required=False, ids=True)
    terms = {**base.terms, **read_terms(r)}
    population = read_population(r) or base.example_population
    r.unknown({"id", "extends", "extends_version", "title", "short_title", "version", "sessions",
               "first_session", "session_minutes", "participants", "audience", "phases", "problem_areas",
               "pages_remove", "session_map", "dropped", "terms", "example_population"})

    # what the adaptation will have, so inherited links can be pointed at it (or at the base)
    session_of_base: dict[int, int] = {}
    for entry in sorted(adaptation.session_map, key=lambda e: e.session):
        for n in entry.from_sessions:
            session_of_base.setdefault(n, entry.session)
    own_targets = {
        "techniques": set(base.techniques),
        "problem_areas": set(problem_areas),
        "worksheets": set(base.worksheets) | set(adaptation.worksheets),
        "pages": ({p for p in base.pages if p not in pages_remove}
                  | {pid for kind, pid in adaptation.page_files if kind == "page"}),
        "sessions": set(),
    }

    def retarget(text: str) -> str:
        return retarget_links(text, base, session_of_base, own_targets)

    def inherit(page: Page) -> Page:
        new = copy.deepcopy(page)
        new.summary = retarget(new.summary)
        for sec in new.sections:
            sec.body = retarget(sec.body)
            sec.spans = [(retarget(t), p, n) for t, p, n in sec.spans]
        return new

    # pages
    pages = {k: inherit(v) for k, v in base.pages.items()}
    area_pages = {k: inherit(v) for k, v in base.problem_area_pages.items() if k in problem_areas}
    techniques = {k: inherit(v) for k, v in base.techniques.items()}
    page_order = [p for p in base.page_order if p not in pages_remove]
    for p in pages_remove:
        if p not in base.pages:
            r.problem("pages_remove", f"pages_remove: {base.id} has no page '{p}'", did_you_mean(p, base.pages))
    page_reports: list[PageReport] = []
    groups = {"page": pages, "problem-area": area_pages, "technique": techniques}
    for (kind, pid), path in sorted(adaptation.page_files.items()):
        group = groups[kind]
        if pid in group:
            overlay = read_overlay_file(path, problems, {"set", "notes"})
            if overlay is None:
                continue
            page, report = _overlay_page(group[pid], overlay, problems)
            group[pid] = page
            page_reports.append(report)
        elif kind != "page":
            problems.add(path, 1, f"{base.id} has no {kind} '{pid}' to adapt",
                         did_you_mean(pid, set(group)) + "; new pages go in pages/")
        else:

            page = load_page(path, "page", problems)
            if page is None:
                continue
            page.origin = "new"
            for s in page.sections:
                s.origin = "new"
            pages[pid] = page
            page_order.append(pid)
            page_reports.append(PageReport("page", pid, page.title, True, "", []))

    # worksheets
    worksheets = {k: retarget_worksheet(v, retarget) for k, v in base.worksheets.items()}
    for wid, (ws_path, ws_data) in adaptation.worksheets.items():
        if wid in worksheets:
            worksheets[wid] = overlay_worksheet(worksheets[wid], ws_data, ws_path, problems, base.id)
        else:
            worksheets[wid] = build_worksheet(ws_path, ws_data, problems)
            worksheets[wid].origin = "new"

    # sessions
    last = count if first == 0 else first + count - 1
    by_number: dict[int, MapEntry] = {}
    used: dict[int, MapEntry] = {}
    for entry in adaptation.session_map:
        if entry.session in by_number:
            problems.add(mpath, entry.line, f"session {entry.session} appears twice in the session map",
                         f"first on line {by_number[entry.session].line}")
            continue
        if not first <= entry.session <= last:
            problems.add(mpath, entry.line, f"session map: session {entry.session} is outside this manual's "
                                            f"sessions ({first}-{last})", "change 'sessions' or the entry")
        by_number[entry.session] = entry
        for n in entry.from_sessions:
            if base.session(n) is None:
                problems.add(mpath, entry.line, f"session map: {base.id} has no session {n}",
                             did_you_mean(str(n), {str(s.number) for s in base.sessions}))
            used.setdefault(n, entry)
    unused = [s for s in base.sessions if s.number not in used and s.number not in adaptation.dropped]
    gaps = [n for n in range(first, last + 1) if n not in by_number]
    for n in gaps:
        before = [e for e in sorted(by_number.values(), key=lambda e: e.session) if e.session < n]
        line = before[-1].line if before else _line(data, "session_map")
        candidate = next((s for s in unused if s.number == n), unused[0] if unused else None)
        source = (f"{{session: {n}, from: {candidate.number}}} ({base.id} session {candidate.number}, "
                  f"'{candidate.title}', is not used yet), " if candidate else f"{{session: {n}, from: N}}, ")
        problems.add(mpath, line, f"session map leaves a gap: this adaptation has no session {n}",
                     f"add {source}or {{session: {n}, new: true}} with sessions/session-{n:02d}.md written in "
                     f"full; or change 'sessions' ({count}) if the manual is shorter")
        unused = [s for s in unused if s is not candidate]
    for n in adaptation.dropped:
        if base.session(n) is None:
            problems.add(mpath, _line(data, "dropped"), f"dropped: {base.id} has no session {n}")
        elif n in used:
            problems.add(mpath, _line(data, "dropped"), f"session {n} of {base.id} is both dropped and used "
                                                        f"(session map line {used[n].line})")
    for s in unused:
        problems.add(mpath, _line(data, "session_map"), f"{base.id} session {s.number} ('{s.title}') is "
                                                        "neither mapped nor dropped",
                     "map it with 'from:' or list it under 'dropped' so the difference is deliberate")

    sessions: list[Session] = []
    reports: list[SessionReport] = []
    for number in sorted(by_number):
        entry = by_number[number]
        path = adaptation.session_files.get(number)
        if entry.new:
            if path is None:
                problems.add(mpath, entry.line, f"session {number} is new but has no file",
                             f"write sessions/session-{number:02d}.md in full")
                continue
            session = load_session(path, problems, minutes, participants)
            if session is None:
                continue
            if session.number != number:
                problems.add(path, session.lines.get("number", 1),
                             f"file is session {number} in the session map but says number {session.number}")
            session.origin = "new"
            for sec in session.sections:
                sec.origin = "new"
            sessions.append(session)
            reports.append(SessionReport(number, "new", [], session.title, "", {}, []))
            continue
        parts = [s for n in entry.from_sessions if (s := base.session(n)) is not None]
        if not parts:
            continue
        session = _merge_sessions(parts) if len(parts) > 1 else copy.deepcopy(parts[0])
        session.number = number
        session.from_sessions = list(entry.from_sessions)
        session.origin = "adapted" if len(parts) > 1 else "core"
        session.text_path = parts[0].text_path or parts[0].ref.path
        session.text_lines = parts[0].text_lines or dict(parts[0].lines)
        session.ref = SourceRef(problems.rel(mpath), entry.line)
        session.lines = {}
        retarget_session(session, retarget)
        changes: dict[str, str] = {}
        section_changes: list[SectionChange] = []
        notes = ""
        if session.participants == base.participants and participants != base.participants:
            session.participants = list(participants)
        if minutes != base.session_minutes and session.minutes == base.session_minutes:
            changes["minutes"] = f"{session.minutes} → {minutes} (agenda scaled)"
            session.minutes = minutes
            session.agenda = scale_agenda(session.agenda, minutes)
        if path is not None:
            overlay = read_overlay_file(path, problems, {"set", "add", "remove", "notes"})
            if overlay is not None:
                notes = _text(overlay.meta, "notes", path, problems)
                changes.update(_apply_front_matter(session, overlay, problems))
                what = f"{base.id} session {'+'.join(map(str, entry.from_sessions))}"
                session.sections, section_changes = apply_section_ops(session.sections, overlay, problems, what)
                session.ref = SourceRef(problems.rel(path), 1)
                session.lines = {k: overlay.meta.line_of(k) for k in overlay.meta}
                set_block = overlay.meta.get("set")
                if isinstance(set_block, LocDict) and "agenda" in set_block:
                    session.lines["agenda"] = set_block.line_of("agenda")
                minutes_change(changes, parts[0].minutes, session.minutes)
                if changes or section_changes:
                    session.origin = "adapted"
        session.sections = [s for s in session.sections
                            if not s.id.startswith(FOCUS_PREFIX) or s.id[len(FOCUS_PREFIX):] in problem_areas]
        session.notes, session.changes = notes, changes
        kind = "compressed" if len(parts) > 1 else ("adapted" if session.origin == "adapted" else "same")
        sessions.append(session)
        reports.append(SessionReport(number, kind, list(entry.from_sessions), session.title, notes, changes,
                                     section_changes))
    for number, path in sorted(adaptation.session_files.items()):
        if number not in by_number and number not in gaps:
            problems.add(path, 1, f"session {number} is not in the session map",
                         f"add it to session_map in adaptation.yaml ({{session: {number}, from: N}} or "
                         f"{{session: {number}, new: true}}); NN in session-NN.md is this adaptation's number")
    apply_each_files(sessions, reports, adaptation, phases, problems)
    used_examples: set[str] = set()
    for s in sessions:
        s.sections = apply_example_overlays(s.sections, adaptation.examples, problems, used_examples)
    for group in (pages, area_pages, techniques):
        for page in group.values():
            page.sections = apply_example_overlays(page.sections, adaptation.examples, problems, used_examples)
    for eid, overlay in adaptation.examples.items():
        if eid not in used_examples:
            ids = sorted({e.id for sec in _all_sections(base) for e in sec.examples})
            problems.add(overlay.path, 1, f"{base.id} has no example '{eid}' to replace or drop",
                         did_you_mean(eid, ids) or "the file's name is the id of the example it replaces")
    example_changes = sorted((eid, "dropped" if adaptation.examples[eid].drop else "replaced")
                             for eid in used_examples)
    removed_areas = [a for a in base.problem_areas if a not in problem_areas]
    report = AdaptationReport(
        base=base.id, base_version=base.version, sessions=reports,
        dropped=[(n, s.title) for n in sorted(adaptation.dropped) if (s := base.session(n)) is not None],
        pages=page_reports, problem_areas_removed=removed_areas,
        worksheets_added=sorted(w for w in adaptation.worksheets if w not in base.worksheets),
        worksheets_adapted=sorted(w for w in adaptation.worksheets if w in base.worksheets),
        pages_removed=[p for p in pages_remove if p in base.pages], examples=example_changes)
    manual = Manual(
        id=adaptation.id, title=title, short_title=short_title, version=version, sessions_count=count,
        first_session=first, session_minutes=minutes, participants=participants, audience=audience,
        phases=phases, problem_areas=problem_areas, page_order=page_order, sessions=sessions, pages=pages,
        problem_area_pages=area_pages, techniques=techniques, worksheets=worksheets,
        ref=ref(problems, mpath, 1), extends=base.id, extends_version=adaptation.extends_version,
        dropped=sorted(adaptation.dropped), report=report, terms=terms, example_population=population,
        reviewed=dict(adaptation.reviewed),
        lines={k: data.line_of(k) for k in data})
    for session_report in reports:
        assembled = manual.session(session_report.number)
        if session_report.kind != "new" and assembled is not None:
            session_report.difference = session_difference(base, manual, assembled, session_report)
    return manual


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


def apply_each_files(sessions: list[Session], reports: list[SessionReport], adaptation: Adaptation,
                     phases: list[Phase], problems: Problems) -> None:
    """``sessions/each-NAME.md``: section operations (and ``add:``) over a phase or a list of sessions,
    after each session's own overlay file."""
    numbers = [s.number for s in sessions]
    for path in adaptation.each_files:
        overlay = read_overlay_file(path, problems, {"applies_to", "add", "notes"})
        if overlay is None:
            continue
        for number in _each_targets(overlay, phases, numbers, problems):
            session = sessions[numbers.index(number)]
            report = next(r for r in reports if r.number == number)
            changes = _apply_front_matter(session, overlay, problems)
            session.sections, done = apply_section_ops(session.sections, overlay, problems, f"session {number}")
            session.changes.update(changes)
            report.changes.update(changes)
            report.sections += done
            if session.origin == "core" and (changes or done):
                session.origin, report.kind = "adapted", "adapted" if report.kind == "same" else report.kind


def _all_sections(manual: Manual) -> list[Section]:
    found = [sec for s in manual.sessions for sec in s.sections]
    for group in (manual.pages, manual.problem_area_pages, manual.techniques):
        found += [sec for p in group.values() for sec in p.sections]
    return found


def _check_version_range(base: Manual, adaptation: Adaptation, data: LocDict, mpath: Path,
                         problems: Problems) -> None:
    if not adaptation.extends_version:
        return
    try:
        spec = SpecifierSet(adaptation.extends_version)
    except InvalidSpecifier:
        problems.add(mpath, _line(data, "extends_version"),
                     f"'{adaptation.extends_version}' is not a version range", "write e.g. '>=1.0.0,<2.0.0'")
        return
    if Version(base.version) not in spec:
        problems.add(mpath, _line(data, "extends_version"),
                     f"{base.id} is at version {base.version}, outside this adaptation's range "
                     f"'{adaptation.extends_version}'",
                     "review the adaptation against the new core, then widen 'extends_version'")


def _text(meta: LocDict, key: str, path: Path, problems: Problems) -> str:
    value = meta.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(path, meta.line_of(key), f"'{key}' must be text")
        return ""
    return value.strip()


def _apply_front_matter(session: Session, overlay: FileOverlay, problems: Problems) -> dict[str, str]:
    """Apply set/add/remove to a session; returns a description of each change."""
    changes: dict[str, str] = {}
    path = overlay.path
    for op in ("set", "add", "remove"):
        if op not in overlay.meta:
            continue
        block = overlay.meta.get(op)
        if not isinstance(block, LocDict):
            problems.add(path, overlay.meta.line_of(op), f"'{op}' must be a mapping of fields")
            continue
        r = FieldReader(block, path, problems, op)
        allowed = set(SESSION_SET_FIELDS) if op == "set" else {*LIST_FIELDS, "fidelity"}
        if op != "set" and "agenda" in block:
            problems.add(path, block.line_of("agenda"), f"{op}: the agenda cannot be changed item by item",
                         "write the whole new agenda under 'set:' ('set: {agenda: [{minutes: 10, activity: …}, …]}'; "
                         "its minutes add up to the session's length)")
        r.unknown(allowed | {"agenda"})
        for key in block:
            if key not in allowed:
                continue
            if op == "set":
                _set_field(session, key, r, changes)
            elif key == "fidelity":
                if op == "add":
                    added = read_fidelity(r, required=False)
                    for k, v in added.items():
                        if k in session.fidelity:
                            problems.add(path, block["fidelity"].line_of(k),
                                         f"fidelity item '{k}' already exists", "use 'set' or a new id")
                        session.fidelity[k] = v
                    changes["fidelity"] = _join(changes.get("fidelity"), "+ " + ", ".join(added))
                else:
                    ids = r.text_list("fidelity", required=False)
                    for k in ids:
                        if k not in session.fidelity:
                            problems.add(path, block.line_of("fidelity"), f"remove: no fidelity item '{k}'",
                                         did_you_mean(k, set(session.fidelity)))
                        session.fidelity.pop(k, None)
                    changes["fidelity"] = _join(changes.get("fidelity"), "− " + ", ".join(ids))
            else:
                items = r.text_list(key, required=False)
                current: list[str] = getattr(session, key)
                if op == "add":
                    setattr(session, key, current + [i for i in items if i not in current])
                    changes[key] = _join(changes.get(key), "+ " + ", ".join(items))
                else:
                    for i in items:
                        if i not in current:
                            problems.add(path, block.line_of(key), f"remove: '{i}' is not in {key}",
                                         did_you_mean(i, current))
                    setattr(session, key, [c for c in current if c not in items])
                    changes[key] = _join(changes.get(key), "− " + ", ".join(items))
    return changes


def minutes_change(changes: dict[str, str], base_minutes: int, minutes: int) -> None:
    """Session length compared with the base session (not with the length already scaled to the manual)."""
    if minutes == base_minutes:
        changes.pop("minutes", None)
    elif changes.get("minutes", "").endswith("(agenda scaled)") and "agenda" not in changes:
        changes["minutes"] = f"{base_minutes} → {minutes} (agenda scaled)"
    else:
        changes["minutes"] = f"{base_minutes} → {minutes}"


def _set_field(session: Session, key: str, r: FieldReader, changes: dict[str, str]) -> None:
    before: Any = getattr(session, key)
    if key == "agenda":
        agenda = read_agenda(r)
        if agenda:
            session.agenda = agenda
            changes["agenda"] = "replaced"
        return
    if key == "fidelity":
        session.fidelity = read_fidelity(r)
        changes["fidelity"] = "replaced"
        return
    if key == "minutes":
        value = r.positive_int("minutes", None)
        if value is not None:
            session.minutes = value
            changes["minutes"] = f"{before} → {value}"
        return
    if key == "title":
        value = r.get("title", str, None)
        if value:
            session.title = value
            changes["title"] = f"“{before}” → “{value}”"
        return
    items = r.text_list(key)
    setattr(session, key, items)
    changes[key] = "replaced" if key == "goals" else ", ".join(items)


def _join(a: str | None, b: str) -> str:
    return f"{a}; {b}" if a else b


def _overlay_page(page: Page, overlay: FileOverlay, problems: Problems,
                  layer: str = "adaptation") -> tuple[Page, PageReport]:
    new = copy.deepcopy(page)
    block = overlay.meta.get("set")
    if isinstance(block, LocDict):
        r = FieldReader(block, overlay.path, problems, "set")
        r.unknown(set(PAGE_SET_FIELDS))
        if "title" in block:
            new.title = r.get("title", str, new.title)
        if "summary" in block:
            new.summary = r.get("summary", str, new.summary)
    elif block is not None:
        problems.add(overlay.path, overlay.meta.line_of("set"), "'set' must be a mapping of fields")
    new.sections, changes = apply_section_ops(new.sections, overlay, problems, f"{page.kind} '{page.id}'", layer)
    new.origin = "local" if layer == "local" else "adapted"
    notes = _text(overlay.meta, "notes", overlay.path, problems)
    new.notes = notes
    return new, PageReport(page.kind, page.id, new.title, False, notes, changes)


# --- the whole adaptations folder ------------------------------------------------

def load_adaptations(folder: Path, core: Manual, problems: Problems) -> list[Manual]:
    """Load every adaptation under ``folder`` and resolve each on what it extends (in dependency order)."""
    if not folder.is_dir():
        return []

    found: dict[str, Adaptation] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        adaptation = load_adaptation(sub, problems)
        if adaptation is not None and adaptation.id in {core.id, *RESERVED_MANUAL_IDS}:
            problems.add(adaptation.path / MANIFEST, _line(adaptation.manifest, "id"),
                         f"'{adaptation.id}' is reserved and cannot be an adaptation's id",
                         "choose another id (and rename the folder to match)")
        elif adaptation is not None:
            found[adaptation.id] = adaptation
    resolved: dict[str, Manual] = {core.id: core}
    visiting: list[str] = []

    def get(aid: str) -> Manual | None:
        if aid in resolved:
            return resolved[aid]
        adaptation = found[aid]
        if aid in visiting:
            cycle = " → ".join([*visiting[visiting.index(aid):], aid])
            problems.add(adaptation.path / MANIFEST, _line(adaptation.manifest, "extends"),
                         f"adaptations extend each other in a cycle: {cycle}", "one of them must extend the core")
            return None
        if adaptation.extends not in found and adaptation.extends not in resolved:
            problems.add(adaptation.path / MANIFEST, _line(adaptation.manifest, "extends"),
                         f"extends unknown manual '{adaptation.extends}'",
                         did_you_mean(adaptation.extends, {core.id, *found}))
            return None
        visiting.append(aid)
        base = get(adaptation.extends)
        visiting.pop()
        if base is None:
            return None
        manual = resolve(base, adaptation, problems)
        if manual is not None:
            validate_manual(manual, problems, [core, *resolved.values()])
        if manual is not None:
            resolved[aid] = manual
        return manual

    out: list[Manual] = []
    for aid in found:
        manual = get(aid)
        if manual is not None:
            out.append(manual)
    return out
