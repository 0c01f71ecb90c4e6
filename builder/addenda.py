"""A clinic's local addenda: its own pages and section-level notes or overrides, as the last layer.

They live in their own folder (``local/`` by default, setting ``ipt_addenda``), one
sub-folder per manual, so upgrading the protocol sources never overwrites them::

    local/<manual-id>/sessions/session-NN.md     operations on that session (as in an overlay)
    local/<manual-id>/pages/<id>.md              operations on a page, or a new local page
    local/<manual-id>/problem-areas/<id>.md      operations on a problem-area page
    local/<manual-id>/techniques/<id>.md         operations on a technique page

:func:`apply_addenda` is pure: it returns a new manual; every section it touches is
marked ``local``, so pages, the differs-from-core page and the diff show it as local.
"""

from __future__ import annotations

import copy
from pathlib import Path

from .errors import Problems
from .fields import did_you_mean
from .loader import load_page, page_files, source_files
from .model import Manual, PageReport, SessionReport
from .overlay_parse import PAGE_OVERLAY_FIELDS, SESSION_OVERLAY_FIELDS, read_overlay_file
from .rules import SESSION_FILE_RE
from .section_ops import apply_overlay, apply_page_overlay, overlay_notes


def apply_addenda(manual: Manual, folder: Path, problems: Problems) -> Manual:
    if not folder.is_dir():
        return manual
    out = copy.deepcopy(manual)
    for path in source_files(folder / "sessions", ".md"):
        m = SESSION_FILE_RE.fullmatch(path.stem)
        session = out.session(int(m.group(1))) if m else None
        if session is None:
            problems.add(path, 1, f"{manual.id} has no session for the local file '{path.name}'",
                         did_you_mean(path.stem, {s.id for s in out.sessions}))
            continue
        overlay = read_overlay_file(path, problems, SESSION_OVERLAY_FIELDS)
        if overlay is None:
            continue
        changes, section_changes = apply_overlay(session, overlay, problems, f"{manual.id} session {session.number}",
                                                 layer="local")
        out.local_report.append(SessionReport(session.number, "adapted", [], session.title,
                                              overlay_notes(overlay, problems), changes, section_changes))
    groups = {"page": out.pages, "problem-area": out.problem_area_pages, "technique": out.techniques}
    for kind, path in page_files(folder, problems):
        group = groups[kind]
        if path.stem in group:
            overlay = read_overlay_file(path, problems, PAGE_OVERLAY_FIELDS)
            if overlay is None:
                continue
            page, report = apply_page_overlay(group[path.stem], overlay, problems, layer="local")
            group[path.stem] = page
            out.local_report.append(report)
        elif kind == "page":
            page = load_page(path, "page", problems)
            if page is None:
                continue
            page.origin = "local"
            for section in page.sections:
                section.origin = "local"
            out.pages[page.id] = page
            out.page_order.append(page.id)
            out.local_report.append(PageReport("page", page.id, page.title, True, "", []))
        else:
            problems.add(path, 1, f"{manual.id} has no {kind} '{path.stem}' to change locally",
                         did_you_mean(path.stem, set(group)) + "; new local pages go in pages/")
    return out


def apply_all(manuals: list[Manual], folder: Path, problems: Problems) -> list[Manual]:
    """Apply ``folder/<manual-id>/`` to each manual; report folders that name no manual."""
    if not folder.is_dir():
        return manuals
    ids = {m.id for m in manuals}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if sub.name not in ids:
            problems.add(sub / "sessions", 1, f"local addenda folder '{sub.name}' names no manual",
                         did_you_mean(sub.name, ids))
    return [apply_addenda(m, folder / m.id, problems) for m in manuals]
