"""Typed access to YAML fields, recording a problem (with its line) when a field is wrong."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import Problems
from .rules import (
    DEFAULT_NUMBER_LIMIT,
    ID_RE,
    NUMBER_LIMITS,
    SEMVER_RE,
    TITLE_FIELDS,
    TITLE_FORBIDDEN,
    id_hint,
    visible,
)
from .sourcefile import LocDict, LocList

_TYPE_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "a mapping", bool: "true or false"}


class FieldReader:
    """Reads fields of one YAML mapping; every problem goes to ``problems``."""

    def __init__(self, data: LocDict, path: Path, problems: Problems, what: str) -> None:
        self.data, self.path, self.problems, self.what = data, path, problems, what
        self.used: set[str] = set()

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def problem(self, key: str | None, message: str, hint: str = "") -> None:
        line = self.data.line_of(key) if key is not None else self.data.line
        self.problems.add(self.path, line, message, hint)

    def get(self, key: str, kind: type, default: Any = None, required: bool = True) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                self.problem(None, f"{self.what}: missing field '{key}'",
                             "see docs/source-format.md for the fields this file needs")
            return default
        value = self.data[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value, ok = str(value), True
        if not ok:
            self.problem(key, f"'{key}' must be {_type_name(kind)}, not {_describe(value)}")
            return default
        if kind is int:
            limit = NUMBER_LIMITS.get(key, DEFAULT_NUMBER_LIMIT)
            if value > limit:
                self.problem(key, f"'{key}' must be at most {limit}, not {value}",
                             "see docs/source-format.md for what this number means")
                return default
        if kind is str:
            value = value.strip()
            if required and not value:
                self.problem(key, f"'{key}' is empty")
                return default
            if key in TITLE_FIELDS and any(c in value for c in TITLE_FORBIDDEN):
                self.problem(key, f"'{key}' must be one line of text without backquotes (`)",
                             "titles are shown as plain text in badges, links and headings; remove the ` "
                             "and write the title on one line")
                return default
        return value

    def positive_int(self, key: str, default: int | None = None, required: bool = True,
                     minimum: int = 1) -> int | None:
        value = self.get(key, int, default, required)
        if isinstance(value, int) and value < minimum:
            self.problem(key, f"'{key}' must be at least {minimum}, not {value}")
            return default
        return value

    def text_list(self, key: str, required: bool = True, ids: bool = False) -> list[str]:
        value = self.get(key, list, LocList(), required)
        out: list[str] = []
        for i, item in enumerate(value):
            line = value.line_of(i) if isinstance(value, LocList) else self.line(key)
            if not isinstance(item, str) or not item.strip():
                self.problems.add(self.path, line, f"'{key}' item {i + 1} must be text, not {_describe(item)}")
                continue
            if ids and not ID_RE.match(item.strip()):
                self.problems.add(self.path, line, f"'{visible(item)}' in '{key}' is not a valid id",
                                  id_hint(item.strip()))
                continue
            out.append(item.strip())
        return out

    def records(self, key: str, what: str, shape: str, required: bool = True) -> Iterator[FieldReader]:
        """A reader for each mapping in the list ``key``; a problem for each item that is not a mapping.

        ``what`` names an item ("phase"), ``shape`` says what it must hold ("must have 'minutes' and ...").
        """
        raw = self.get(key, list, LocList(), required)
        for i, item in enumerate(raw):
            if not isinstance(item, LocDict):
                self.problems.add(self.path, raw.line_of(i), f"{what} {i + 1} {shape}")
                continue
            yield FieldReader(item, self.path, self.problems, f"{what} {i + 1}")

    def version(self, key: str = "version") -> str:
        value = self.get(key, str, "0.0.0")
        if not SEMVER_RE.match(value):
            self.problem(key, f"'{value}' is not a semantic version", "write MAJOR.MINOR.PATCH, e.g. 1.2.0")
            return "0.0.0"
        return value

    def ident(self, key: str, required: bool = True) -> str:
        value = self.get(key, str, "", required)
        if value and not ID_RE.match(value):
            self.problem(key, f"'{visible(value)}' is not a valid id", id_hint(value))
            return ""
        return value

    def unknown(self, allowed: set[str] | None = None) -> None:
        allowed = allowed if allowed is not None else self.used
        for key in self.data:
            if key not in allowed:
                close = _closest(str(key), allowed)
                hint = f"did you mean '{close}'?" if close else "remove it"
                self.problem(key, f"{self.what}: unknown field '{key}'", hint)


def _type_name(kind: type) -> str:
    """How a message names a type (``LocDict`` is "a mapping", as ``dict``)."""
    return next((_TYPE_NAMES[k] for k in kind.__mro__ if k in _TYPE_NAMES), kind.__name__)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (dict, LocDict)):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"'{value}'"


def _closest(word: str, choices: set[str] | list[str]) -> str:
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return match[0] if match else ""


def did_you_mean(word: str, choices: set[str] | list[str]) -> str:
    close = _closest(word, choices)
    return f"did you mean '{close}'?" if close else f"known: {', '.join(sorted(choices)) or 'none'}"


def parse_range(value: Any) -> tuple[int, int] | None:
    """``"1-3"`` or ``4`` → (first, last)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, str):
        m = re.match(r"^\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*$", value)
        if m:
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) else first
            return first, last
    return None
