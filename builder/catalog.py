"""The machine-readable catalog (``catalog.json``) of everything the site holds.

Schema (version 1), stable: fields are only ever added.

.. code-block:: text

    {"schema": 1, "generator": "ipt-manual X.Y.Z",
     "manuals": [{"id", "title", "short_title", "version", "extends", "url",
                  "session_count", "session_minutes", "participants",
                  "audience": {"for": [...], "not_for": [...]},
                  "phases": [{"id", "title", "first", "last"}],
                  "sessions": [{"id", "number", "title", "phase", "minutes", "participants",
                                "techniques", "worksheets", "origin", "from_sessions", "url", "packet",
                                "sections": [{"id", "title", "origin", "operation"}]}],
                  "problem_areas": [{"id", "title", "url"}],
                  "techniques": [{"id", "title", "url"}],
                  "pages": [{"id", "title", "url"}],
                  "worksheets": [{"id", "title", "url", "origin",
                                  "pdf": {"a4", "letter", "a4-large", "letter-large"},
                                  "fields": [{"id", "kind", "label"}]}],
                  "worksheet_packs": [...], "printable_manual": [...]}]}

PDF paths are relative to the site root.

URLs are relative to the site root.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import __version__, paths
from .model import Manual
from .printing import plan

SCHEMA_VERSION = 1


def manual_entry(manual: Manual, url: Callable[[str], str], files: set[str], paper: str) -> dict[str, Any]:
    m = manual.id

    def existing(*paths: str) -> list[str]:
        return [p for p in paths if p in files]

    def worksheet_pdfs(wid: str) -> dict[str, str]:
        return {v.suffix: p for v in plan.WORKSHEET_VARIANTS
                if (p := plan.worksheet_path(m, wid, v)) in files}

    return {
        "id": m,
        "title": manual.title,
        "short_title": manual.short_title,
        "version": manual.version,
        "extends": manual.extends or None,
        "url": url(paths.page_doc(m, "page", "index")),
        "session_count": len(manual.sessions),
        "session_minutes": manual.session_minutes,
        "participants": manual.participants,
        "audience": {"for": manual.audience.for_, "not_for": manual.audience.not_for},
        "phases": [{"id": p.id, "title": p.title, "first": p.first, "last": p.last} for p in manual.phases],
        "sessions": [
            {
                "id": s.id,
                "number": s.number,
                "title": s.title,
                "phase": manual.phase_of(s.number).id,
                "minutes": s.minutes,
                "participants": s.participants,
                "techniques": s.techniques,
                "worksheets": s.worksheets,
                "origin": s.origin,
                "from_sessions": s.from_sessions,
                "url": url(paths.session_doc(m, s.number)),
                "packet": (existing(plan.packet_path(m, s.number, paper)) or [None])[0],
                "sections": [{"id": sec.id, "title": sec.title, "origin": sec.origin,
                              "operation": sec.operation or None} for sec in s.sections],
            }
            for s in manual.sessions
        ],
        "problem_areas": [{"id": a, "title": manual.problem_area_pages[a].title,
                           "url": url(paths.page_doc(m, "problem-area", a))}
                          for a in manual.problem_areas if a in manual.problem_area_pages],
        "techniques": [{"id": t.id, "title": t.title, "url": url(paths.page_doc(m, "technique", t.id))}
                       for t in sorted(manual.techniques.values(), key=lambda t: t.id)],
        "pages": [{"id": p, "title": manual.pages[p].title, "url": url(paths.page_doc(m, "page", p))}
                  for p in manual.page_order],
        "worksheets": [{"id": w.id, "title": w.title, "url": url(paths.page_doc(m, "worksheet", w.id)),
                        "origin": w.origin, "pdf": worksheet_pdfs(w.id),
                        "fields": [{"id": f.id, "kind": f.kind, "label": f.label} for f in w.fields]}
                       for w in sorted(manual.worksheets.values(), key=lambda w: w.id)],
        "worksheet_packs": existing(*(plan.pack_path(m, p) for p in plan.PAPERS)),
        "printable_manual": existing(*(plan.book_path(m, p) for p in plan.PAPERS)),
    }


def build_catalog(manuals: list[Manual], url: Callable[[str], str], files: set[str] | None = None,
                  paper: str = "a4") -> dict[str, Any]:
    """The catalog; ``files`` are the printed files (paths relative to the site) that exist."""
    return {"schema": SCHEMA_VERSION, "generator": f"ipt-manual {__version__}", "paper": paper,
            "manuals": [manual_entry(m, url, files or set(), paper) for m in manuals]}


def dumps(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
