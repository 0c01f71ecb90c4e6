"""The semantic diff: what changed for the protocol between two sets of assembled manuals.

It compares *assembled* manuals (after overlays), manual → session → section,
worksheets and their fields, so an edit to core shows up under core and, marked
as inherited, under every adaptation that inherits the edited text.

:func:`diff_manuals` is pure.  Every :class:`Change` has an impact level:

- **structural**: sessions, phases, problem areas, worksheets or worksheet fields added or removed;
- **content**: what a clinician is told to do changes;
- **editorial**: wording, typos, titles.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .model import Manual, Page, Section, Session, Worksheet
from .review import pending
from .rules import SECTION_OPS, SESSION_FILE_RE
from .wordiff import compare

IMPACTS = ("structural", "content", "editorial")
SESSION_PATH_RE = re.compile(rf"{SESSION_FILE_RE.pattern}\.md$")
RANK = {"structural": 3, "content": 2, "editorial": 1, "": 0}


@dataclass(frozen=True)
class Change:
    """One protocol-level change. This is also the JSON schema of ``ipt-manual diff --format json``."""

    manual: str
    kind: str  #: added, removed, changed, renumbered, moved
    impact: str  #: structural, content, editorial
    summary: str  #: one line in words
    session: int | None = None  #: session number in HEAD (in BASE when removed)
    page: str | None = None  #: "technique:role-play", "page:overview", "problem-area:grief"
    section: str | None = None  #: section id
    worksheet: str | None = None
    field: str | None = None  #: a session or manifest field, or a worksheet field id
    inherited_from: str | None = None  #: the base manual when the change reached this manual through it
    from_session: int | None = None  #: for inherited session text: the base manual's session number
    local: bool = False  #: the change comes from the clinic's local addenda
    #: The adaptation that has not reviewed this inherited text since it changed (inherited.lock).
    needs_review: str | None = None
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Ctx:
    manual: str
    out: list[Change] = field(default_factory=list)

    def add(self, kind: str, impact: str, summary: str, **where: Any) -> None:
        self.out.append(Change(self.manual, kind, impact, summary, **where))


def _text_change(ctx: _Ctx, before: str, after: str, what: str, **where: Any) -> None:
    change = compare(before, after)
    if change.impact:
        ctx.add("changed", change.impact, f"{what}: {'wording' if change.impact == 'editorial' else 'text'} changed",
                before=before, after=after, **where)


def _list_change(ctx: _Ctx, before: list[str], after: list[str], what: str, impact: str, **where: Any) -> None:
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    if added or removed:
        parts = [f"added {', '.join(added)}"] if added else []
        parts += [f"removed {', '.join(removed)}"] if removed else []
        ctx.add("changed", impact, f"{what}: {'; '.join(parts)}", before=before, after=after, **where)


def _inherited(manual: Manual, section: Section | None, session: Session | None = None) -> str | None:
    if not manual.extends:
        return None
    if section is not None:
        return manual.extends if section.origin == "core" else None
    if session is not None:
        return manual.extends if session.origin == "core" else None
    return None


def _from_session(section: Section, inherited: str | None) -> dict[str, int]:
    """``{"from_session": N}`` when ``section`` is inherited session text from the base's session N."""
    m = SESSION_PATH_RE.search(section.ref.path) if inherited else None
    return {"from_session": int(m.group(1))} if m else {}


def _sections(ctx: _Ctx, manual_b: Manual, manual_h: Manual, base: list[Section], head: list[Section],
              label: str, **where: Any) -> None:
    b = {s.id: s for s in base}
    h = {s.id: s for s in head}
    for sid in [s.id for s in head if s.id not in b]:
        sec = h[sid]
        ctx.add("added", "content", f"{label}: section '{sec.title}' added", section=sid, after=sec.body,
                inherited_from=_inherited(manual_h, sec), local=sec.origin == "local", **where)
    for sid in [s.id for s in base if s.id not in h]:
        sec = b[sid]
        ctx.add("removed", "content", f"{label}: section '{sec.title}' removed", section=sid, before=sec.body,
                inherited_from=_inherited(manual_b, sec), local=sec.origin == "local", **where)
    for sid in [s.id for s in head if s.id in b]:
        old, new = b[sid], h[sid]
        inh = _inherited(manual_h, new)
        extended = new.origin == "adapted" and SECTION_OPS.get(new.operation) == "extended"
        if inh is None and manual_h.extends and extended and old.base_body != new.base_body:
            inh = manual_h.extends  # the inherited part of an extended section changed
        local = new.origin == "local" or old.origin == "local"
        src = _from_session(new, inh) if "session" in where else {}
        if old.title != new.title:
            ctx.add("changed", "editorial", f"{label}: section '{sid}' retitled", section=sid,
                    before=old.title, after=new.title, inherited_from=inh, local=local, **src, **where)
        _text_change(ctx, old.body, new.body, f"{label}: section '{new.title}'", section=sid,
                     inherited_from=inh, local=local, **src, **where)
    common_b = [s.id for s in base if s.id in h]
    common_h = [s.id for s in head if s.id in b]
    if common_b != common_h:
        ctx.add("moved", "editorial", f"{label}: sections reordered", before=common_b, after=common_h, **where)


def _session_similarity(a: Session, b: Session) -> float:
    ids_a, ids_b = {s.id for s in a.sections}, {s.id for s in b.sections}
    overlap = len(ids_a & ids_b) / max(len(ids_a | ids_b), 1)
    title = difflib.SequenceMatcher(a=a.title.lower(), b=b.title.lower()).ratio()
    text = difflib.SequenceMatcher(a=" ".join(s.body[:400] for s in a.sections),
                                   b=" ".join(s.body[:400] for s in b.sections), autojunk=False).quick_ratio()
    return 0.2 * overlap + 0.3 * title + 0.5 * text


def match_sessions(base: list[Session], head: list[Session]) -> list[tuple[Session | None, Session | None]]:
    """Pair each session with its most alike counterpart; a slight preference keeps the same number.

    A session that moved keeps its identity (reported as renumbered) instead of every later
    session appearing to change.
    """
    free_b = {s.number: s for s in base}
    free_h = {s.number: s for s in head}
    scored = sorted(((_session_similarity(b, h) + (0.05 if b.number == h.number else 0.0), -abs(b.number - h.number),
                      b.number, h.number) for b in base for h in head), reverse=True)
    pairs: list[tuple[Session | None, Session | None]] = []
    for score, _, nb, nh in scored:
        if score < 0.6 or nb not in free_b or nh not in free_h:
            continue
        pairs.append((free_b.pop(nb), free_h.pop(nh)))
    for n in sorted(set(free_b) & set(free_h)):
        pairs.append((free_b.pop(n), free_h.pop(n)))
    pairs += [(s, None) for s in free_b.values()] + [(None, s) for s in free_h.values()]
    return sorted(pairs, key=lambda p: (p[1] or p[0]).number)  # type: ignore[union-attr]


def _sessions(ctx: _Ctx, mb: Manual, mh: Manual) -> None:
    for old, new in match_sessions(mb.sessions, mh.sessions):
        if old is None and new is not None:
            ctx.add("added", "structural", f"session {new.number} '{new.title}' added", session=new.number,
                    after=new.title)
            continue
        if new is None and old is not None:
            ctx.add("removed", "structural", f"session {old.number} '{old.title}' removed", session=old.number,
                    before=old.title)
            continue
        assert old is not None and new is not None
        where: dict[str, Any] = {"session": new.number}
        inh = _inherited(mh, None, new) if new.origin == "core" else None
        if old.number != new.number:
            ctx.add("renumbered", "structural", f"session {old.number} '{new.title}' is now session {new.number}",
                    before=old.number, after=new.number, **where)
        label = f"session {new.number}"
        if old.title != new.title:
            ctx.add("changed", "editorial", f"{label}: title changed", field="title", before=old.title,
                    after=new.title, inherited_from=inh, **where)
        if old.minutes != new.minutes:
            ctx.add("changed", "content", f"{label}: length {old.minutes} → {new.minutes} minutes", field="minutes",
                    before=old.minutes, after=new.minutes, inherited_from=inh, **where)
        _list_change(ctx, old.participants, new.participants, f"{label}: participants", "content",
                     field="participants", inherited_from=inh, **where)
        _list_change(ctx, old.techniques, new.techniques, f"{label}: techniques", "content", field="techniques",
                     inherited_from=inh, **where)
        _list_change(ctx, old.worksheets, new.worksheets, f"{label}: worksheets", "content", field="worksheets",
                     inherited_from=inh, **where)
        if old.goals != new.goals:
            _text_change(ctx, "\n".join(old.goals), "\n".join(new.goals), f"{label}: goals", field="goals",
                         inherited_from=inh, **where)
        before_agenda = [(a.minutes, a.activity) for a in old.agenda]
        after_agenda = [(a.minutes, a.activity) for a in new.agenda]
        if before_agenda != after_agenda:
            timing = [m for m, _ in before_agenda] != [m for m, _ in after_agenda]
            impact = "content" if timing else compare(" ".join(a for _, a in before_agenda),
                                                      " ".join(a for _, a in after_agenda)).impact or "editorial"
            ctx.add("changed", impact, f"{label}: agenda changed", field="agenda", before=before_agenda,
                    after=after_agenda, inherited_from=inh, **where)
        for fid in [k for k in new.fidelity if k not in old.fidelity]:
            ctx.add("added", "content", f"{label}: fidelity item '{fid}' added", field=f"fidelity.{fid}",
                    after=new.fidelity[fid], inherited_from=inh, **where)
        for fid in [k for k in old.fidelity if k not in new.fidelity]:
            ctx.add("removed", "content", f"{label}: fidelity item '{fid}' removed", field=f"fidelity.{fid}",
                    before=old.fidelity[fid], inherited_from=inh, **where)
        for fid in [k for k in new.fidelity if k in old.fidelity]:
            _text_change(ctx, old.fidelity[fid], new.fidelity[fid], f"{label}: fidelity item '{fid}'",
                         field=f"fidelity.{fid}", inherited_from=inh, **where)
        _sections(ctx, mb, mh, old.sections, new.sections, label, **where)


def _pages(ctx: _Ctx, mb: Manual, mh: Manual) -> None:
    groups: list[tuple[str, dict[str, Page], dict[str, Page]]] = [
        ("page", mb.pages, mh.pages), ("problem-area", mb.problem_area_pages, mh.problem_area_pages),
        ("technique", mb.techniques, mh.techniques)]
    for kind, base, head in groups:
        for pid in sorted(set(base) | set(head)):
            where = {"page": f"{kind}:{pid}"}
            if pid not in base:
                ctx.add("added", "structural" if kind == "problem-area" else "content",
                        f"{kind} '{head[pid].title}' added", **where)
            elif pid not in head:
                ctx.add("removed", "structural" if kind == "problem-area" else "content",
                        f"{kind} '{base[pid].title}' removed", **where)
            else:
                if base[pid].title != head[pid].title:
                    ctx.add("changed", "editorial", f"{kind} '{pid}': title changed", before=base[pid].title,
                            after=head[pid].title, **where)
                _sections(ctx, mb, mh, base[pid].sections, head[pid].sections, f"{kind} '{pid}'", **where)


def _worksheets(ctx: _Ctx, mh: Manual, base: dict[str, Worksheet], head: dict[str, Worksheet]) -> None:
    for wid in sorted(set(base) | set(head)):
        if wid not in base:
            ctx.add("added", "structural", f"worksheet '{head[wid].title}' added", worksheet=wid)
            continue
        if wid not in head:
            ctx.add("removed", "structural", f"worksheet '{base[wid].title}' removed", worksheet=wid)
            continue
        old, new = base[wid], head[wid]
        inh = mh.extends if (mh.extends and new.origin == "core") else None
        for name in ("title", "purpose", "for_clinician", "for_client"):
            _text_change(ctx, getattr(old, name), getattr(new, name), f"worksheet '{wid}': {name.replace('_', ' ')}",
                         worksheet=wid, field=name, inherited_from=inh)
        fb = {f.id: f for f in old.fields}
        fh = {f.id: f for f in new.fields}
        for fid in [f.id for f in new.fields if f.id not in fb]:
            ctx.add("added", "structural", f"worksheet '{wid}': field '{fh[fid].label}' added", worksheet=wid,
                    field=fid, after=fh[fid].label, inherited_from=inh)
        for fid in [f.id for f in old.fields if f.id not in fh]:
            ctx.add("removed", "structural", f"worksheet '{wid}': field '{fb[fid].label}' removed", worksheet=wid,
                    field=fid, before=fb[fid].label, inherited_from=inh)
        for fid in [f.id for f in new.fields if f.id in fb]:
            a, b = fb[fid], fh[fid]
            if a.kind != b.kind:
                ctx.add("changed", "structural", f"worksheet '{wid}': field '{fid}' kind {a.kind} → {b.kind}",
                        worksheet=wid, field=fid, before=a.kind, after=b.kind, inherited_from=inh)
            if a.label != b.label:
                _text_change(ctx, a.label, b.label, f"worksheet '{wid}': field '{fid}' label", worksheet=wid,
                             field=fid, inherited_from=inh)
            if a.options != b.options:
                ctx.add("changed", "content", f"worksheet '{wid}': field '{fid}' layout changed", worksheet=wid,
                        field=fid, before=a.options, after=b.options, inherited_from=inh)


def _manifest(ctx: _Ctx, mb: Manual, mh: Manual) -> None:
    if mb.title != mh.title:
        ctx.add("changed", "editorial", "title changed", field="title", before=mb.title, after=mh.title)
    if len(mb.sessions) != len(mh.sessions):
        ctx.add("changed", "structural", f"number of sessions {len(mb.sessions)} → {len(mh.sessions)}",
                field="sessions", before=len(mb.sessions), after=len(mh.sessions))
    if mb.session_minutes != mh.session_minutes:
        ctx.add("changed", "content", f"session length {mb.session_minutes} → {mh.session_minutes} minutes",
                field="session_minutes", before=mb.session_minutes, after=mh.session_minutes)
    pb = {p.id: (p.first, p.last) for p in mb.phases}
    ph = {p.id: (p.first, p.last) for p in mh.phases}
    for pid in sorted(set(pb) | set(ph)):
        if pb.get(pid) != ph.get(pid):
            fmt = lambda r: f"{r[0]}–{r[1]}" if r else "none"  # noqa: E731
            ctx.add("changed", "structural", f"phase '{pid}': sessions {fmt(pb.get(pid))} → {fmt(ph.get(pid))}",
                    field=f"phases.{pid}", before=pb.get(pid), after=ph.get(pid))
    _list_change(ctx, mb.problem_areas, mh.problem_areas, "problem areas", "structural", field="problem_areas")
    _list_change(ctx, mb.participants, mh.participants, "participants", "content", field="participants")
    for name, a, b in (("audience.for", mb.audience.for_, mh.audience.for_),
                       ("audience.not_for", mb.audience.not_for, mh.audience.not_for)):
        if a != b:
            _text_change(ctx, "\n".join(a), "\n".join(b), name.replace(".", ": ").replace("_", " "), field=name)


def diff_manuals(base: Iterable[Manual], head: Iterable[Manual]) -> list[Change]:
    """Every protocol-level change from ``base`` to ``head`` (pure)."""
    b = {m.id: m for m in base}
    h = {m.id: m for m in head}
    changes: list[Change] = []
    for mid in [*[m for m in h if m not in b], *[m for m in h if m in b], *[m for m in b if m not in h]]:
        ctx = _Ctx(mid)
        if mid not in b:
            ctx.add("added", "structural", f"manual '{h[mid].title}' added", after=h[mid].version)
        elif mid not in h:
            ctx.add("removed", "structural", f"manual '{b[mid].title}' removed", before=b[mid].version)
        else:
            _manifest(ctx, b[mid], h[mid])
            _sessions(ctx, b[mid], h[mid])
            _pages(ctx, b[mid], h[mid])
            _worksheets(ctx, h[mid], b[mid].worksheets, h[mid].worksheets)
        changes += _mark_review(ctx.out, h.get(mid))
    return changes


def change_unit(c: Change) -> str | None:
    """The review unit (builder.review) a change falls in, if any."""
    if c.worksheet:
        return f"worksheet/{c.worksheet}"
    if c.section and c.page:
        kind, _, pid = c.page.partition(":")
        return f"{kind}/{pid}/{c.section}"
    if c.section and c.session is not None:
        return f"session-{c.session:02d}/{c.section}"
    return None


def _mark_review(changes: list[Change], head: Manual | None) -> list[Change]:
    """Inherited changes the adaptation has not reviewed: marked "inherited, needs review by <adaptation>"."""
    if head is None or not head.extends:
        return changes


    waiting = {p.unit.id for p in pending(head)}
    return [replace(c, needs_review=head.id) if c.inherited_from and change_unit(c) in waiting else c
            for c in changes]


def highest_impact(changes: Iterable[Change]) -> str:
    best = ""
    for c in changes:
        if RANK[c.impact] > RANK[best]:
            best = c.impact
    return best
