"""The inheritance review: which inherited text an adaptation's maintainers have read and accepted.

``adaptations/<id>/inherited.lock`` maps each reviewed unit to a hash of the inherited text as it
was read.  A unit is *pending* when it was never reviewed, or its text changed since.  Pure
functions over an assembled manual, plus reading and writing the lock file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Problems
from .examples import manual_examples
from .model import Manual
from .sourcefile import LocDict, LocList, parse_yaml, read_text
from .texts import Text, inherited, manual_texts

LOCK_FILE = "inherited.lock"
HASH_RE = re.compile(r"^[0-9a-f]{12}\Z")
LOCK_HEADER = "# Inherited text read and accepted for this adaptation. Written by `ipt-manual review`.\n"


@dataclass(frozen=True)
class Unit:
    id: str
    text: str  #: the inherited text of the unit, as assembled
    path: str  #: where it was written (first part)
    line: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Pending:
    unit: Unit
    status: str  #: "never reviewed" | "changed since it was reviewed"


def inherited_units(manual: Manual) -> dict[str, Unit]:
    """Every unit of inherited text in an adaptation, by unit id (examples also on their own)."""
    parts: dict[str, list[Text]] = {}
    for text in manual_texts(manual):
        if text.text and inherited(manual, text.path):
            parts.setdefault(text.unit, []).append(text)
    units = {uid: Unit(uid, "\n\n".join(t.text for t in texts), texts[0].path, texts[0].line)
             for uid, texts in parts.items()}
    for example in _examples(manual):
        if inherited(manual, example.path):
            units[f"example/{example.id}"] = Unit(f"example/{example.id}", example.text, example.path, example.line)
    return dict(sorted(units.items()))


def _examples(manual: Manual):  # type: ignore[no-untyped-def]
    return [e for _, e in manual_examples(manual)]


def pending(manual: Manual) -> list[Pending]:
    """Inherited units not reviewed for ``manual``, or changed since they were."""
    if not manual.extends:
        return []
    out = []
    for unit in inherited_units(manual).values():
        seen = manual.reviewed.get(unit.id)
        if seen != unit.digest:
            out.append(Pending(unit, "never reviewed" if seen is None else "changed since it was reviewed"))
    return out


def review_warnings(manual: Manual, problems: Problems) -> None:
    """One located message per pending unit (warnings for ``check``, errors for ``check --strict``)."""
    for p in pending(manual):
        problems.add(p.unit.path, p.unit.line,
                     f"inherited by '{manual.id}' and {p.status} there ({p.unit.id})",
                     f"read it with 'ipt-manual review {manual.id} {p.unit.id} --show', change the adaptation "
                     f"if it is wrong for it, then record it: 'ipt-manual review {manual.id} {p.unit.id}'")


# --- the lock file --------------------------------------------------------------------------------

def read_lock(folder: Path, problems: Problems) -> dict[str, str]:
    """``inherited.lock`` of an adaptation folder (absent: nothing reviewed). Damage is a located problem."""
    path = folder / LOCK_FILE
    if not path.exists():
        return {}
    text = read_text(path, problems)
    data = parse_yaml(text, path, problems) if text is not None else None
    if data is None:
        return {}
    units = data.get("units") if isinstance(data, LocDict) else None
    if not isinstance(data, LocDict) or set(data) - {"units"} or not isinstance(units, (LocDict, type(None))):
        line = data.line if isinstance(data, (LocDict, LocList)) else 1
        problems.add(path, line, "inherited.lock must be a mapping 'units:' of unit: hash",
                     "it is written by 'ipt-manual review'; restore it from git, or delete it and review again")
        return {}
    out: dict[str, str] = {}
    for key, value in (units or {}).items():
        if not isinstance(key, str) or not isinstance(value, str) or not HASH_RE.match(value):
            problems.add(path, units.line_of(key), f"inherited.lock: '{key}' needs a 12-character hash",
                         "it is written by 'ipt-manual review'; run 'ipt-manual review ID UNIT' again")
            continue
        out[key] = value
    return out


def write_lock(folder: Path, reviewed: dict[str, str]) -> Path:
    path = folder / LOCK_FILE
    lines = [LOCK_HEADER, "units:\n" if reviewed else "units: {}\n"]
    lines += [f"  {unit}: {_plain(digest)}\n" for unit, digest in sorted(reviewed.items())]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _plain(digest: str) -> str:
    """The hash as YAML: quoted only where YAML would read it as a number (``123456789012``, ``1e5…``)."""

    return digest if isinstance(yaml.safe_load(digest), str) else f"'{digest}'"


def record(manual: Manual, unit_ids: list[str]) -> dict[str, str]:
    """The manual's review record with ``unit_ids`` recorded as read now (units no longer inherited drop out)."""
    units = inherited_units(manual)
    reviewed = {uid: digest for uid, digest in manual.reviewed.items() if uid in units}
    for uid in unit_ids:
        reviewed[uid] = units[uid].digest
    return reviewed
