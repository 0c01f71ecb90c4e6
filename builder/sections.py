"""Splitting a Markdown body into sections with stable ids.

A section starts at ``## Title {#id}`` (optionally with an overlay operation
after the id) and runs to the next such heading.  Headings inside fenced
blocks (```` ``` ````, ``~~~``, ``:::``) do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problems
from .rules import (
    FENCE_RE,
    FORBIDDEN_PATTERNS,
    ID_RE,
    LEVEL1_RE,
    LEVEL2_RE,
    LINK_ROLES,
    ROLE_RE,
    ROLE_TARGET_RE,
    SECTION_HEADING_RE,
)


@dataclass
class RawSection:
    id: str
    title: str
    op: str  #: "" for a plain section, else an overlay operation
    target: str  #: the section an ``after=``/``before=`` operation places it next to
    body: str
    line: int  #: line of the heading
    has_headings: bool = False
    body_line: int = 0  #: line of the first line of ``body``


@dataclass
class RoleUse:
    role: str
    target: str
    line: int


def _fences(lines: list[str]) -> list[bool]:
    """For each line, whether it is inside (or is) a fenced block."""
    inside: list[bool] = []
    stack: list[str] = []
    for line in lines:
        m = FENCE_RE.match(line)
        if m:
            fence = m.group("fence")
            rest = line.strip()[len(fence):].strip()
            if stack and fence[0] == stack[-1][0] and len(fence) >= len(stack[-1]) and not rest:
                stack.pop()
            else:
                stack.append(fence)
            inside.append(True)
            continue
        inside.append(bool(stack))
    return inside


def parse_op(raw: str) -> tuple[str, str, str]:
    """Parse the text after the id: ``replace`` / ``after=tasks`` → (op, target, error)."""
    words = raw.split()
    if not words:
        return "", "", ""
    if len(words) > 1:
        return "", "", f"one operation per heading, found '{raw.strip()}'"
    word = words[0]
    if "=" in word:
        op, _, target = word.partition("=")
        if op not in ("after", "before"):
            return "", "", f"unknown operation '{op}='"
        if not ID_RE.match(target):
            return "", "", f"'{target}' is not a valid section id"
        return op, target, ""
    if word not in ("replace", "append", "prepend", "remove", "add"):
        return "", "", f"unknown operation '{word}'"
    return word, "", ""


def split_sections(body: str, body_line: int, path: Path, problems: Problems,
                   allow_ops: bool = False) -> list[RawSection]:
    lines = body.split("\n")
    fenced = _fences(lines)
    sections: list[RawSection] = []
    current: RawSection | None = None
    buf: list[str] = []
    seen: dict[str, int] = {}

    def close() -> None:
        if current is not None:
            leading = 0
            while leading < len(buf) and not buf[leading].strip():
                leading += 1
            current.body = "\n".join(buf).strip("\n")
            current.body_line = current.line + 1 + leading
            sections.append(current)

    for i, line in enumerate(lines):
        lineno = body_line + i
        if fenced[i]:
            buf.append(line)
            continue
        m = SECTION_HEADING_RE.match(line)
        if m:
            close()
            buf = []
            sid, title = m.group("id"), m.group("title").strip()
            op, target, err = parse_op(m.group("op"))
            if err:
                problems.add(path, lineno, err,
                             "operations: replace, append, prepend, remove, add, after=ID, before=ID")
            elif op and not allow_ops:
                problems.add(path, lineno, f"operation '{op}' is only allowed in an adaptation's overlay",
                             "write '## Title {#id}'")
            if not ID_RE.match(sid):
                problems.add(path, lineno, f"'{sid}' is not a valid section id",
                             "use lower-case words joined by hyphens, e.g. {#sick-role}")
            elif sid in seen:
                problems.add(path, lineno, f"duplicate section id '{sid}' (first used on line {seen[sid]})",
                             "section ids must be unique within a file")
            else:
                seen[sid] = lineno
            if not title and op in ("", "replace", "add", "after", "before"):
                problems.add(path, lineno, f"section '{sid}' has no heading text", "write '## Heading text {#id}'")
            current = RawSection(sid, title, op, target, "", lineno)
            continue
        if LEVEL2_RE.match(line):
            problems.add(path, lineno, "level-2 heading without a section id",
                         "end the heading with an explicit id, e.g. '## Goals {#goals}'")
        elif LEVEL1_RE.match(line):
            problems.add(path, lineno, "level-1 headings are not allowed in the body",
                         "the page title comes from 'title' in the front matter")
        elif current is None and line.strip():
            problems.add(path, lineno, "text before the first section",
                         "start the body with '## Heading {#id}'")
        elif line.startswith("###") and current is not None:
            current.has_headings = True
        buf.append(line)
    close()
    for s in sections:
        _check_text(s, path, problems)
    return sections


def _check_text(section: RawSection, path: Path, problems: Problems) -> None:
    for offset, line in enumerate(section.body.split("\n")):
        for pattern, message, hint in FORBIDDEN_PATTERNS:
            if pattern.search(line):
                problems.add(path, section.body_line + offset, message, hint)


def role_uses(section: RawSection) -> list[RoleUse]:
    """Every link role used in a section, with its line."""
    uses: list[RoleUse] = []
    for offset, line in enumerate(section.body.split("\n")):
        for m in ROLE_RE.finditer(line):
            if m.group("role") not in LINK_ROLES:
                continue
            t = ROLE_TARGET_RE.match(m.group("body").strip())
            target = (t.group("target") or t.group("bare") or "").strip() if t else ""
            uses.append(RoleUse(m.group("role"), target, (section.body_line or section.line + 1) + offset))
    return uses


def role_target(body: str) -> tuple[str, str]:
    """``text <target>`` → (text, target); ``target`` → ("", target)."""
    t = ROLE_TARGET_RE.match(body.strip())
    if not t:
        return "", body.strip()
    if t.group("target"):
        return (t.group("text") or "").strip(), t.group("target").strip()
    return "", (t.group("bare") or "").strip()
