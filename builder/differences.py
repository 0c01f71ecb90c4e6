"""What an adapted session does differently from the base session(s) it comes from, in clinical words.

Pure: the assembled session is compared with its base session(s), and the overlay's section
operations are named by section title.  The differences page and the marks on session pages
(new goals, agenda minutes old → new) read the result; ids stay in the maintainers' detail.
"""

from __future__ import annotations

import re

from .model import AgendaChange, AgendaItem, Manual, Session, SessionDifference, SessionReport
from .rules import SECTION_OPS


def session_difference(base: Manual, manual: Manual, session: Session, report: SessionReport) -> SessionDifference:
    """``session`` of ``manual`` compared with the base session(s) it was assembled from."""
    parts = [s for n in report.from_sessions if (s := base.session(n)) is not None]
    diff = SessionDifference(summary="")
    if not parts:
        return diff
    if parts[0].minutes != session.minutes:
        diff.minutes = (parts[0].minutes, session.minutes)
    if len(parts) == 1 and parts[0].title != session.title:
        diff.title = (parts[0].title, session.title)
    base_goals = [g for p in parts for g in p.goals]
    diff.goals_added = [g for g in session.goals if g not in base_goals]
    diff.goals_removed = [g for g in base_goals if g not in session.goals]
    diff.agenda = compare_agenda([a for p in parts for a in p.agenda], session.agenda)
    # the manual's own participants replace the base's everywhere (shown once, "at a glance")
    before = manual.participants if parts[0].participants == base.participants else parts[0].participants
    diff.participants_added, diff.participants_removed = _added_removed(before, session.participants)
    techniques = _added_removed(_union(p.techniques for p in parts), session.techniques)
    diff.techniques_added, diff.techniques_removed = (
        [_title(manual.techniques, t) or _title(base.techniques, t) or t for t in ids] for ids in techniques)
    worksheets = _added_removed(_union(p.worksheets for p in parts), session.worksheets)
    diff.worksheets_added, diff.worksheets_removed = (
        [_title(manual.worksheets, w) or _title(base.worksheets, w) or w for w in ids] for ids in worksheets)
    diff.fidelity_added, diff.fidelity_removed = _added_removed(
        [t for p in parts for t in p.fidelity.values()], list(session.fidelity.values()))
    for change in report.sections:
        section = session.section(change.section)
        title = section.base_title if change.operation == "replace" and section and section.base_title else change.title
        getattr(diff, "sections_" + SECTION_OPS[change.operation]).append(
            section_name(change.section, title, report.from_sessions, base.short_title))
    own_length = session.minutes != manual.session_minutes
    diff.summary = first_sentence(report.notes) or derive_summary(diff, report, base.short_title, own_length)
    diff.details = " ".join(report.notes.split())[len(diff.summary):].strip() if report.notes else ""
    return diff


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` on one line (an overlay's ``notes`` may run to a paragraph)."""
    flat = " ".join(text.split())
    return re.split(r"(?<=[a-z0-9)”`][.!?])\s+(?=[A-Z{“])", flat, maxsplit=1)[0]


def compare_agenda(before: list[AgendaItem], after: list[AgendaItem]) -> list[AgendaChange]:
    """The new agenda item by item (matched to base items by activity), then the base items left out."""
    unmatched = list(before)
    out: list[AgendaChange] = []
    for item in after:
        match = next((b for b in unmatched if _same_activity(b.activity, item.activity)), None)
        if match is not None:
            unmatched.remove(match)
        out.append(AgendaChange(item.activity, match.minutes if match else None, item.minutes))
    left_out: list[str] = []
    for item in unmatched:
        if not any(_same_activity(item.activity, a.activity) for a in after) and item.activity not in left_out:
            left_out.append(item.activity)
            out.append(AgendaChange(item.activity, item.minutes, None))
    return out


def section_name(section_id: str, title: str, from_sessions: list[int], base_title: str = "core") -> str:
    """A section's title; in a compressed session, a section from a later base session says which."""
    m = re.search(r"-(\d+)$", section_id)
    if m and int(m.group(1)) in from_sessions[1:]:
        return f"{title} (from {base_title} session {m.group(1)})"
    return title


def derive_summary(diff: SessionDifference, report: SessionReport, base_title: str, own_length: bool) -> str:
    """One plain line of what to do differently, when the overlay gives no ``notes`` (a session length
    the whole manual shares is said once, at a glance, and not here unless ``own_length``)."""
    parts: list[str] = []
    if len(report.from_sessions) > 1:
        numbers = ", ".join(map(str, report.from_sessions[:-1])) + f" and {report.from_sessions[-1]}"
        parts.append(f"covers {base_title} sessions {numbers} in one session")
    if diff.minutes and own_length:
        parts.append(f"{diff.minutes[1]} minutes instead of {diff.minutes[0]}")
    if diff.participants_added:
        parts.append(f"also with the {', '.join(diff.participants_added)}")
    if diff.sections_added:
        parts.append(f"add {_words(diff.sections_added)}")
    if diff.sections_replaced:
        parts.append(f"follow new guidance for {_words(diff.sections_replaced)}")
    if diff.sections_extended:
        parts.append(f"more guidance for {_words(diff.sections_extended)}")
    if diff.sections_removed:
        parts.append(f"leave out {_words(diff.sections_removed)}")
    if diff.goals_added or diff.goals_removed:
        parts.append("changed goals")
    if any(a.kind in ("new", "removed") for a in diff.agenda):
        parts.append("a different agenda")
    if diff.worksheets_added:
        parts.append(f"use {_words(diff.worksheets_added)}")
    if diff.worksheets_removed:
        parts.append(f"stop using {_words(diff.worksheets_removed)}")
    if not parts:
        return f"As in {base_title}."
    line = "; ".join(parts)
    return line[0].upper() + line[1:] + "."


def _words(items: list[str]) -> str:
    quoted = [f"“{i}”" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _same_activity(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _added_removed(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    return [a for a in after if a not in before], [b for b in before if b not in after]


def _union(lists: object) -> list[str]:
    out: list[str] = []
    for items in lists:  # type: ignore[attr-defined]
        out += [i for i in items if i not in out]
    return out


def _title(pages: dict, item_id: str) -> str:  # type: ignore[type-arg]
    page = pages.get(item_id)
    return page.title if page is not None else ""
