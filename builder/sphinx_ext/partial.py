"""Partial sites (``ipt_publish``): a published adaptation brings the manuals it builds on, and
manuals no longer published leave the built site."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def with_bases(manuals: list[Any], publish: list[str]) -> list[Any]:
    """The manuals to publish: those named, and every manual they extend (in project order)."""
    if not publish:
        return list(manuals)
    by_id = {m.id: m for m in manuals}
    wanted: set[str] = set()
    for name in publish:
        while name in by_id and name not in wanted:
            wanted.add(name)
            name = by_id[name].extends
    return [m for m in manuals if m.id in wanted]


def remove_unpublished(outdir: Path, all_ids: list[str], published: list[str]) -> list[str]:
    """Delete the pages and PDFs of known manuals that are not published any more."""
    removed = []
    for manual_id in all_ids:
        if manual_id in published:
            continue
        for folder in (outdir / manual_id, outdir / "pdf" / manual_id):
            if folder.is_dir():
                shutil.rmtree(folder)
                removed.append(manual_id)
    return sorted(set(removed))
