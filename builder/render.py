"""Rendering assembled manuals into MyST pages through Jinja2 templates.

:func:`render_site` is pure: manuals in, ``{relative path: text}`` out.
Writing the files is :mod:`builder.generate`'s job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from . import changemarks, paths
from .changemarks import redline_markdown
from .fences import fenced_lines
from .model import Manual, Phase, Session
from .printing import plan
from .references import expand
from .resources import template_search_path
from .review import pending
from .rules import FOCUS_PREFIX, MIDDLE_PHASE, SECTION_OPS


def environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_search_path(root)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # these templates write Markdown; worksheet HTML templates autoescape
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    env.filters["anchor"] = anchor
    env.filters["demote_headings"] = demote_headings
    env.filters["text"] = markdown_text
    env.filters["course"] = course
    env.filters["pending_review"] = pending
    env.filters["session_range"] = session_range
    env.filters["redline"] = lambda before, after: redline_markdown(demote_headings(before), demote_headings(after))
    # text written for another manual (the base), resolved for it as plain words: no link into the wrong manual
    env.filters["for_manual"] = lambda text, other: expand(text, other, plain=True)
    env.filters["ins"] = changemarks.ins
    env.filters["del"] = changemarks.delete
    env.filters["page_title"] = lambda item_id, pages: pages[item_id].title if item_id in pages else item_id
    env.globals["section_ops"] = SECTION_OPS
    env.globals["focus_prefix"] = FOCUS_PREFIX
    return env


def session_range(phase: Phase) -> str:
    """A phase's sessions in words: "session 0", "sessions 1–3"."""
    return f"session {phase.first}" if phase.first == phase.last else f"sessions {phase.first}–{phase.last}"


_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def markdown_text(value: object) -> str:
    """Plain text (a clinic's setting) as MyST shows it literally: every ASCII punctuation character
    backslash-escaped (CommonMark's escapes), line breaks as spaces.  For text outside roles and
    directive options only."""
    text = " ".join(str(value).split())
    return "".join("\\" + c if c in _PUNCTUATION else c for c in text)


def demote_headings(text: str) -> str:
    """Turn Markdown headings into bold lines (for text shown inside a dropdown or tab)."""
    out = []
    lines = text.split("\n")
    for line, fenced in zip(lines, fenced_lines(lines, max_indent=None), strict=True):
        stripped = line.lstrip()
        if not fenced and stripped.startswith("#"):
            title = stripped.lstrip("#").strip()
            out.append(f"**{title}**" if title else "")
        else:
            out.append(line)
    return "\n".join(out)


def course(manual: Manual) -> list[str]:
    """The badges that describe a course: "8 sessions", "90 minutes each", "+ session 0: …".

    The manifest's ``sessions`` counts sessions from 1; a session 0 (an engagement or pre-group
    session) is named on its own, with its length when it differs.
    """
    counted = [s for s in manual.sessions if s.number >= 1]
    lengths = sorted({s.minutes for s in counted}) or [manual.session_minutes]
    minutes = (f"{lengths[0]} minutes each" if len(lengths) == 1
               else f"{lengths[0]}–{lengths[-1]} minutes")
    badges = [f"{len(counted)} sessions", minutes]
    for extra in (s for s in manual.sessions if s.number < 1):
        phase = manual.phase_of(extra.number)
        name = phase.title if phase.first == phase.last else extra.title.split(":")[0]
        length = "" if extra.minutes in lengths else f", {extra.minutes} minutes"
        badges.append(f"+ session {extra.number}: {name}{length}")
    return badges


def anchor(manual: Manual, doc: str, section_id: str) -> str:
    """The stable, project-unique anchor of a section."""
    return f"ipt-{manual.id}-{doc.replace('/', '-')}-{section_id}"


def session_context(manual: Manual, session: Session) -> dict[str, Any]:
    phase = manual.phase_of(session.number)
    focus = [s for s in session.sections if s.id.startswith(FOCUS_PREFIX)]
    ordered = sorted(focus, key=lambda s: _area_index(manual, s.id[len(FOCUS_PREFIX):]))
    blocks: list[tuple[str, Any]] = []
    tabs_placed = False
    for section in session.sections:
        if section.id.startswith(FOCUS_PREFIX):
            if not tabs_placed:
                blocks.append(("tabs", ordered))
                tabs_placed = True
            continue
        blocks.append(("section", section))
    index = manual.sessions.index(session)
    return {
        "session": session,
        "phase": phase,
        "blocks": blocks,
        "is_middle": phase.id == MIDDLE_PHASE,
        "previous": manual.sessions[index - 1] if index > 0 else None,
        "next": manual.sessions[index + 1] if index + 1 < len(manual.sessions) else None,
        "area_titles": {a: manual.problem_area_pages[a].title for a in manual.problem_areas
                        if a in manual.problem_area_pages},
        "last_number": manual.session_numbers[-1] if manual.sessions else 0,
        "difference": next((r.difference for r in manual.report.sessions if r.number == session.number), None)
        if manual.report else None,
    }


def _area_index(manual: Manual, area: str) -> int:
    return manual.problem_areas.index(area) if area in manual.problem_areas else len(manual.problem_areas)


def correspondence(manuals: list[Manual]) -> dict[str, Any]:
    """For each session of the first (root) manual, the sessions of each adaptation that come from it
    (through the session maps, also of an adaptation of an adaptation); a last row lists new sessions."""
    by_id = {m.id: m for m in manuals}
    root = manuals[0]
    adaptations = [m for m in manuals if m.extends]

    def root_sessions(manual: Manual, session: Session) -> list[int]:
        base = by_id.get(manual.extends)
        if base is None or base is root:
            return list(session.from_sessions)
        return [n for b in session.from_sessions if (s := base.session(b)) for n in root_sessions(base, s)]

    origins = {m.id: {s.number: root_sessions(m, s) for s in m.sessions} for m in adaptations}
    rows: list[dict[str, Any]] = [
        {"session": s, "cells": [[n for n, came in origins[m.id].items() if s.number in came] for m in adaptations]}
        for s in root.sessions]
    rows.append({"session": None, "cells": [[n for n, came in origins[m.id].items() if not came] for m in adaptations]})
    return {"root": root, "adaptations": adaptations, "rows": rows}


def page_file(manual: Manual, kind: str, item_id: str) -> str:
    """The generated file of a page (:func:`builder.paths.page_doc`, with its suffix)."""
    return paths.page_doc(manual.id, kind, item_id) + ".md"


def render_manual(env: jinja2.Environment, manual: Manual, manuals: list[Manual],
                  paper: str = "a4") -> dict[str, str]:

    out: dict[str, str] = {}
    base = next((m for m in manuals if m.id == manual.extends), None)
    ctx = {"manual": manual, "manuals": manuals, "paper": paper, "print": plan,
           "base": base, "base_name": base.short_title if base else manual.extends}
    out[page_file(manual, "page", "index")] = env.get_template("manual/index.md.j2").render(**ctx)
    for page_id in manual.page_order:
        page = manual.pages[page_id]
        out[page_file(manual, "page", page_id)] = env.get_template("manual/page.md.j2").render(
            **ctx, page=page, doc=page_id)
    for session in manual.sessions:
        out[page_file(manual, "session", session.id)] = env.get_template("manual/session.md.j2").render(
            **ctx, doc=f"sessions/{session.id}", **session_context(manual, session))
    for page_kind, pages, kind in (("problem-area", manual.problem_area_pages, "Problem areas"),
                                   ("technique", manual.techniques, "Techniques")):
        folder = paths.PAGE_FOLDERS[page_kind]
        ordered = ([pages[a] for a in manual.problem_areas if a in pages] if page_kind == "problem-area"
                   else sorted(pages.values(), key=lambda p: p.title.lower()))
        out[page_file(manual, page_kind, "index")] = env.get_template("manual/page-index.md.j2").render(
            **ctx, pages=ordered, heading=kind, folder=folder)
        for page in ordered:
            out[page_file(manual, page_kind, page.id)] = env.get_template("manual/page.md.j2").render(
                **ctx, page=page, doc=f"{folder}/{page.id}")
    if manual.report is not None and base is not None:
        out[f"{manual.id}/differences.md"] = env.get_template("manual/differences.md.j2").render(
            **ctx, report=manual.report)
    if manual.local_report:
        out[f"{manual.id}/local-changes.md"] = env.get_template("manual/local.md.j2").render(**ctx)
    worksheets = sorted(manual.worksheets.values(), key=lambda w: w.title.lower())
    out[page_file(manual, "worksheet", "index")] = env.get_template("manual/worksheet-index.md.j2").render(
        **ctx, worksheets=worksheets)
    for ws in worksheets:
        used_in = [s for s in manual.sessions if ws.id in s.worksheets]
        out[page_file(manual, "worksheet", ws.id)] = env.get_template("manual/worksheet.md.j2").render(
            **ctx, worksheet=ws, used_in=used_in)
    return {path: expand(text, manual) for path, text in out.items()}


def render_site(root: Path, manuals: list[Manual], extra_pages: dict[str, str] | None = None,
                paper: str = "a4", clinic: dict[str, str] | None = None) -> dict[str, str]:
    """Every generated page of the site, keyed by its path inside the generated folder."""
    env = environment(root)
    extra = extra_pages or {}
    docs = [name.removesuffix(".md") for name in sorted(extra)]
    clinic = clinic or {"name": "", "contact_line": ""}
    out: dict[str, str] = {"index.md": env.get_template("site/index.md.j2").render(manuals=manuals, docs=docs,
                                                                                   clinic=clinic)}
    for manual in manuals:
        out.update(render_manual(env, manual, manuals, paper))
    if len(manuals) > 1:
        phase_ids: list[str] = []
        for m in manuals:
            phase_ids += [p.id for p in m.phases if p.id not in phase_ids]
        titles = {wid: ws.title for m in manuals for wid, ws in m.worksheets.items()}
        firsts = {pid: min(p.first for m in manuals for p in m.phases if p.id == pid) for pid in phase_ids}
        phases = [(pid, next(p.title for m in manuals for p in m.phases if p.id == pid))
                  for pid in sorted(phase_ids, key=lambda pid: firsts[pid])]
        out["matrix.md"] = env.get_template("site/matrix.md.j2").render(
            manuals=manuals, phases=phases, worksheet_titles=sorted(titles.items(), key=lambda kv: kv[1]),
            titles={m.id: m.short_title for m in manuals}, grid=correspondence(manuals))
    out.update(extra)
    return out


def pages_key(root: Path, model_key: str, settings: Any, manuals: list[str], folder: Path) -> str:
    """A key over everything :func:`render_site` reads for a build (``settings``: the validated
    SiteConfig): the assembled project's inputs (``model_key``: model_cache.inputs_key), the templates,
    the project's docs/ pages, the settings, the published manuals and the folder the pages go to
    (see builder/record.py)."""
    from .record import inputs_digest

    parts = [model_key, repr(settings), " ".join(manuals), str(folder)]
    return inputs_digest(parts, [*map(Path, template_search_path(root)), root / "docs"])
