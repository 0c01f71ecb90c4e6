"""Literal session numbers, counts and lengths in protocol text: refused, with the role to write.

Text written for one manual is read in others (an adaptation inherits the core's text), so a
literal "session 15" or "16 sessions" is wrong wherever the session map or the manifest differ.
The patterns are :data:`builder.rules.LITERAL_PATTERNS`; ``{as-published}`…``` is the escape.
This check reads each manual's own source files (every file once, against the manual it is
written for), line by line, so every problem has its exact line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .errors import Problems
from .model import Manual
from .rules import ESCAPE_HINT, LITERAL_MINUTES_RE, LITERAL_PATTERNS, LITERAL_WORDS, MINUTES_HINT
from .sourcefile import read_text

#: Roles (any, including the escape) and inline code are masked before the patterns run.
_MASK_RE = re.compile(r"\{[a-z-]+\}`[^`]*`|`[^`\n]+`")
_YAML_COMMENT_RE = re.compile(r"(?:^|\s)#.*$")
#: Folders of a manual whose files are protocol text (worksheets, sessions, pages, examples).
TEXT_FOLDERS = ("sessions", "pages", "problem-areas", "techniques", "worksheets", "examples")


def _mask(text: str) -> str:
    return _MASK_RE.sub(lambda m: " " * len(m.group()), text)


def literal_problems(line: str, minutes: int) -> Iterator[tuple[str, str]]:
    """(message, hint) for each literal in one line of protocol text (roles already masked)."""
    folded = line.casefold()  # as the patterns' IGNORECASE folds (ſ is s, K is k)
    if not any(word in folded for word in LITERAL_WORDS):  # most lines: none of the patterns can match
        return
    taken: list[tuple[int, int]] = []
    for pattern, what, hint in LITERAL_PATTERNS:
        for m in pattern.finditer(line):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            yield (f"'{m.group().strip()}' is a literal {what}: it is wrong in a manual with other numbers",
                   f"{hint}; {ESCAPE_HINT}")
    for m in LITERAL_MINUTES_RE.finditer(line):
        if int(m.group("n")) == minutes and not any(a < m.end() and m.start() < b for a, b in taken):
            yield (f"'{m.group().strip()}' is a literal session length (this manual's sessions last {minutes} "
                   "minutes): it is wrong in a manual with other lengths", f"{MINUTES_HINT}; {ESCAPE_HINT}")


def check_text(text: str, first_line: int, path: Path | str, minutes: int, problems: Problems,
               yaml_comments: bool = False) -> None:
    """Report every literal in ``text`` (whose first line is ``first_line`` of ``path``)."""
    for offset, raw in enumerate(_mask(text).split("\n")):
        line = _YAML_COMMENT_RE.sub("", raw) if yaml_comments else raw
        for message, hint in literal_problems(line, minutes):
            problems.add(path, first_line + offset, message, hint)


def _summary_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines of a manifest that belong to a phase's ``summary:`` (its value and continuation lines)."""
    indent = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        depth = len(line) - len(stripped)
        if stripped.startswith("summary:"):
            indent = depth
            yield number, stripped[len("summary:"):]
        elif indent is not None and stripped and depth > indent:
            yield number, line
        elif stripped:
            indent = None


def manual_folder(root: Path, manual: Manual) -> Path:
    """The folder holding a manual's own sources (``manual/`` or ``adaptations/<id>/``)."""
    return (root / manual.ref.path).parent


def check_manual_literals(root: Path, manual: Manual, problems: Problems) -> None:
    """Every literal in the files the manual's folder holds (not the text it inherits)."""
    folder = manual_folder(root, manual)
    scratch = Problems(root)  # unreadable files are reported by the loader
    manifest = root / manual.ref.path
    text = read_text(manifest, scratch)
    if text is not None:
        for number, line in _summary_lines(text):
            check_text(line, number, manifest, manual.session_minutes, problems, yaml_comments=True)
    for sub in TEXT_FOLDERS:
        directory = folder / sub
        if not directory.is_dir():
            continue
        for path in sorted(p for p in directory.iterdir() if p.suffix in (".md", ".yaml") and p.is_file()):
            text = read_text(path, scratch)
            if text is not None:
                check_text(text, 1, path, manual.session_minutes, problems, yaml_comments=path.suffix == ".yaml")


def check_literals(root: Path, manuals: list[Manual], problems: Problems) -> None:
    for manual in manuals:
        check_manual_literals(root, manual, problems)
