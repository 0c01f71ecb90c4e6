"""Applying one overlay file to a session or a page: section operations and front-matter changes.

Used by adaptations (:mod:`builder.overlay`, layer "adaptation") and by a clinic's local
addenda (:mod:`builder.addenda`, layer "local").  No I/O: the overlay file is already parsed
(:mod:`builder.overlay_parse`).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import Problems
from .examples import section_examples
from .fields import FieldReader, did_you_mean
from .loader import read_agenda, read_fidelity
from .model import Page, PageReport, Section, SectionChange, Session, SourceRef
from .overlay_parse import FileOverlay
from .rules import CHANGING_OPS
from .sections import RawSection
from .sourcefile import LocDict

CONTACTS_DIRECTIVE = "{clinic-contacts}"
SESSION_SET_FIELDS = {"title": str, "minutes": int, "participants": list, "goals": list, "agenda": list,
                      "techniques": list, "worksheets": list, "fidelity": dict}
LIST_FIELDS = ("participants", "goals", "techniques", "worksheets")
PAGE_SET_FIELDS = {"title": str, "summary": str}


# --- a whole file ---------------------------------------------------------------------------------

def apply_overlay(session: Session, overlay: FileOverlay, problems: Problems, what: str,
                  layer: str = "adaptation") -> tuple[dict[str, str], list[SectionChange]]:
    """Apply an overlay file to ``session`` (changed in place): its front matter's ``set``/``add``/
    ``remove``, then its section operations.  Returns what changed: fields (name → description)
    and sections."""
    changes = _apply_front_matter(session, overlay, problems)
    session.sections, section_changes = apply_section_ops(session.sections, overlay, problems, what, layer)
    return changes, section_changes


def apply_page_overlay(page: Page, overlay: FileOverlay, problems: Problems,
                       layer: str = "adaptation") -> tuple[Page, PageReport]:
    """A new page: ``page`` with an overlay file applied, and the report of what changed."""
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
    notes = overlay_notes(overlay, problems)
    new.notes = notes
    return new, PageReport(page.kind, page.id, new.title, False, notes, changes)


def overlay_notes(overlay: FileOverlay, problems: Problems) -> str:
    """The file's ``notes:`` (what changed and why, for the differs-from-core page)."""
    value = overlay.meta.get("notes", "")
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(overlay.path, overlay.meta.line_of("notes"), "'notes' must be text")
        return ""
    return value.strip()


# --- section operations -----------------------------------------------------------------------------

def apply_section_ops(sections: list[Section], overlay: FileOverlay, problems: Problems,
                      what: str, layer: str = "adaptation") -> tuple[list[Section], list[SectionChange]]:
    """Apply an overlay's section operations; returns new sections and what was done.

    ``layer`` is "adaptation" (changed sections become "adapted", added ones "new") or
    "local" (a clinic's addenda: both become "local").
    """
    out = [copy.copy(s) for s in sections]
    changes: list[SectionChange] = []
    for op in overlay.sections:
        if not op.op:
            problems.add(overlay.path, op.line, f"section '{op.id}' says nothing to do with {what}",
                         f"add an operation: '{{#{op.id} replace}}', '{{#{op.id} append}}', "
                         f"'{{#{op.id} add}}', '{{#{op.id} after=ID}}' …")
            continue
        apply = _change_section if op.op in CHANGING_OPS else _add_section
        change = apply(out, op, overlay, problems, what, layer)
        if change is not None:
            changes.append(change)
    return out, changes


def _change_section(out: list[Section], op: RawSection, overlay: FileOverlay, problems: Problems, what: str,
                    layer: str) -> SectionChange | None:
    """replace, append, prepend or remove a section ``out`` has."""
    ids = [s.id for s in out]
    if op.id not in ids:
        problems.add(overlay.path, op.line, f"{op.op}: {what} has no section '{op.id}'", did_you_mean(op.id, ids))
        return None
    index = ids.index(op.id)
    base = out[index]
    if op.op == "remove":
        del out[index]
        return SectionChange(op.id, "remove", base.title)
    if op.op == "replace" and CONTACTS_DIRECTIVE in base.body and CONTACTS_DIRECTIVE not in op.body:
        problems.add(overlay.path, op.line, f"replace: section '{op.id}' of {what} shows the clinic's crisis "
                     "contacts ({clinic-contacts}), and the new text does not",
                     "keep a ```{clinic-contacts}``` block in the new text, or use "
                     f"'{{#{op.id} append}}' to add to the section instead")
    new = copy.copy(base)
    new.origin, new.operation = "local" if layer == "local" else "adapted", op.op
    new.base_title, new.base_body = base.title, base.body
    rel = problems.rel(overlay.path)
    body_span = (op.body, rel, op.body_line)
    base_spans = base.spans or [(base.body, base.ref.path, base.body_line)]
    if op.op == "replace":
        new.title = op.title or base.title
        new.body, new.ref, new.body_line, new.spans = op.body, SourceRef(rel, op.line), op.body_line, [body_span]
    elif op.op == "append":
        new.body = f"{base.body}\n\n{op.body}".strip("\n")
        new.spans = [*base_spans, body_span]
    else:
        new.body = f"{op.body}\n\n{base.body}".strip("\n")
        new.spans = [body_span, *base_spans]
    new.examples = section_examples(new)
    out[index] = new
    return SectionChange(op.id, op.op, new.title)


def _add_section(out: list[Section], op: RawSection, overlay: FileOverlay, problems: Problems, what: str,
                 layer: str) -> SectionChange | None:
    """add (at the end), after=ID or before=ID: a section ``out`` does not have yet."""
    ids = [s.id for s in out]
    if op.id in ids:
        problems.add(overlay.path, op.line, f"{op.op}: {what} already has a section '{op.id}'",
                     f"use '{{#{op.id} replace}}' to change it, or choose a new id")
        return None
    rel = problems.rel(overlay.path)
    section = Section(op.id, op.title, op.body, SourceRef(rel, op.line), origin="local" if layer == "local" else "new",
                      operation=op.op, body_line=op.body_line, spans=[(op.body, rel, op.body_line)])
    section.examples = section_examples(section)
    if op.op == "add":
        out.append(section)
    elif op.target not in ids:
        problems.add(overlay.path, op.line, f"{op.op}={op.target}: {what} has no section '{op.target}'",
                     did_you_mean(op.target, ids))
        return None
    else:
        out.insert(ids.index(op.target) + (1 if op.op == "after" else 0), section)
    return SectionChange(op.id, op.op, op.title, op.target)


# --- front matter: set, add, remove -------------------------------------------------------------------

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
                _change_fidelity(session, op, r, changes)
            else:
                _change_list(session, op, key, r, changes)
    return changes


def _change_fidelity(session: Session, op: str, r: FieldReader, changes: dict[str, str]) -> None:
    """``add: {fidelity: {id: text}}`` or ``remove: {fidelity: [id, …]}``."""
    block, path, problems = r.data, r.path, r.problems
    if op == "add":
        added = read_fidelity(r, required=False)
        for k, v in added.items():
            if k in session.fidelity:
                problems.add(path, block["fidelity"].line_of(k), f"fidelity item '{k}' already exists",
                             "use 'set' or a new id")
            session.fidelity[k] = v
        changes["fidelity"] = _join(changes.get("fidelity"), "+ " + ", ".join(added))
        return
    ids = r.text_list("fidelity", required=False)
    for k in ids:
        if k not in session.fidelity:
            problems.add(path, block.line_of("fidelity"), f"remove: no fidelity item '{k}'",
                         did_you_mean(k, set(session.fidelity)))
        session.fidelity.pop(k, None)
    changes["fidelity"] = _join(changes.get("fidelity"), "− " + ", ".join(ids))


def _change_list(session: Session, op: str, key: str, r: FieldReader, changes: dict[str, str]) -> None:
    """``add:`` or ``remove:`` items of a list field (participants, goals, techniques, worksheets)."""
    items = r.text_list(key, required=False)
    current: list[str] = getattr(session, key)
    if op == "add":
        setattr(session, key, current + [i for i in items if i not in current])
        changes[key] = _join(changes.get(key), "+ " + ", ".join(items))
        return
    for i in items:
        if i not in current:
            r.problems.add(r.path, r.data.line_of(key), f"remove: '{i}' is not in {key}", did_you_mean(i, current))
    setattr(session, key, [c for c in current if c not in items])
    changes[key] = _join(changes.get(key), "− " + ", ".join(items))


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
