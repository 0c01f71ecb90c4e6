"""Worksheet overlays: an adaptation changes an inherited worksheet (pure; docs/source-format.md).

``adaptations/<id>/worksheets/<worksheet-id>.yaml`` whose id is an inherited worksheet holds
``set`` / ``append`` / ``prepend`` (text fields) and ``fields`` (``replace`` / ``remove`` / ``add``
with ``after``/``before``), the section operations for fields.
"""

from __future__ import annotations

import copy
from pathlib import Path

from .errors import Problems
from .fields import FieldReader, did_you_mean
from .loader import read_field
from .model import Field, Worksheet
from .rules import WORKSHEET_FIELD_OPS, WORKSHEET_OVERLAY_KEYS, WORKSHEET_TEXT_FIELDS
from .sourcefile import LocDict, LocList

TEXT_OP_NAMES = {"set": "replaced", "append": "text added at the end", "prepend": "text added at the start"}
FIELD_OPS_HINT = "each item is '- replace: ID' (then the new field), '- remove: ID' or '- add: ID' (then the field)"


def _spans(ws: Worksheet, key: str) -> list[tuple[str, str, int]]:
    return ws.spans.get(key) or [(getattr(ws, key), ws.ref.path, ws.lines.get(key, 1))]


def apply_text_ops(ws: Worksheet, data: LocDict, path: Path, problems: Problems) -> dict[str, str]:
    """``set`` / ``append`` / ``prepend`` on the worksheet's text fields; returns what changed."""
    changes: dict[str, str] = {}
    rel = problems.rel(path)
    for op in ("set", "append", "prepend"):
        block = data.get(op)
        if block is None:
            continue
        if not isinstance(block, LocDict):
            problems.add(path, data.line_of(op), f"'{op}' must be a mapping of text fields",
                         f"write e.g. '{op}: {{for_clinician: …}}' ({', '.join(WORKSHEET_TEXT_FIELDS)})")
            continue
        r = FieldReader(block, path, problems, op)
        r.unknown(set(WORKSHEET_TEXT_FIELDS))
        for key in WORKSHEET_TEXT_FIELDS:
            value = r.get(key, str, None, required=False) if key in block else None
            if not value:
                continue
            span = (value, rel, block.line_of(key))
            old = _spans(ws, key)
            parts = [span] if op == "set" else [*old, span] if op == "append" else [span, *old]
            ws.spans[key] = parts
            setattr(ws, key, "\n\n".join(t for t, _, _ in parts if t))
            changes[key] = TEXT_OP_NAMES[op]
    return changes


def _field_op(item: LocDict) -> tuple[str, str]:
    ops = [op for op in WORKSHEET_FIELD_OPS if op in item]
    if len(ops) != 1 or not isinstance(item.get(ops[0]), str):
        return "", ""
    return ops[0], item[ops[0]]


def apply_field_ops(ws: Worksheet, data: LocDict, path: Path, problems: Problems) -> list[str]:
    """``fields:`` operations; returns a description of each."""
    raw = data.get("fields")
    if raw is None:
        return []
    if not isinstance(raw, LocList):
        problems.add(path, data.line_of("fields"), "'fields' must be a list of operations", FIELD_OPS_HINT)
        return []
    done: list[str] = []
    for i, item in enumerate(raw):
        line = raw.line_of(i)
        op, fid = _field_op(item) if isinstance(item, LocDict) else ("", "")
        if not op:
            problems.add(path, line, f"fields item {i + 1} says no operation", FIELD_OPS_HINT)
            continue
        ids = [f.id for f in ws.fields]
        if op in ("replace", "remove") and fid not in ids:
            problems.add(path, line, f"{op}: worksheet '{ws.id}' has no field '{fid}'", did_you_mean(fid, ids))
            continue
        if op == "remove":
            ws.fields = [f for f in ws.fields if f.id != fid]
            done.append(f"− {fid}")
            continue
        new = read_field(item, line, path, problems, f"fields item {i + 1}", fid)
        if new is None:
            continue
        if op == "replace":
            ws.fields[ids.index(fid)] = new
            done.append(f"{fid} replaced")
        elif _insert(ws.fields, new, item, path, line, problems):
            done.append(f"+ {fid}")
    return done


def _insert(fields: list[Field], new: Field, item: LocDict, path: Path, line: int, problems: Problems) -> bool:
    ids = [f.id for f in fields]
    if new.id in ids:
        problems.add(path, line, f"add: the worksheet already has a field '{new.id}'",
                     f"use '- replace: {new.id}' to change it, or choose a new id")
        return False
    where = next((k for k in ("after", "before") if k in item), None)
    if where is None:
        fields.append(new)
        return True
    target = item[where]
    if target not in ids:
        problems.add(path, item.line_of(where), f"add: {where}={target}: the worksheet has no field '{target}'",
                     did_you_mean(str(target), ids))
        return False
    fields.insert(ids.index(target) + (where == "after"), new)
    return True


def overlay_worksheet(base: Worksheet, data: LocDict, path: Path, problems: Problems,
                      base_id: str = "core") -> Worksheet:
    """``base`` with the overlay applied (``base`` is not modified)."""
    ws = copy.deepcopy(base)
    ws.spans = {k: list(v) for k, v in base.spans.items()}
    for key in WORKSHEET_TEXT_FIELDS:
        if key in data:
            problems.add(path, data.line_of(key), f"'{key}' at the top of a worksheet overlay: '{ws.id}' is "
                         f"inherited from {base_id}, so this file changes it",
                         f"write 'set: {{{key}: …}}' (or append:/prepend:) to change it, or give a new "
                         "worksheet a new id")
    FieldReader(data, path, problems, "worksheet overlay").unknown({*WORKSHEET_OVERLAY_KEYS, *WORKSHEET_TEXT_FIELDS})
    changes = apply_text_ops(ws, data, path, problems)
    fields = apply_field_ops(ws, data, path, problems)
    if fields:
        changes["fields"] = "; ".join(fields)
    if not ws.fields:
        problems.add(path, data.line_of("fields"), f"worksheet '{ws.id}' has no fields left",
                     "a worksheet needs at least one field")
    ws.origin, ws.changes, ws.base = "adapted", changes, base
    return ws
