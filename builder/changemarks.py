"""Changed words on generated pages: ``<ins>``/``<del>`` with a label screen readers read out.

MyST passes inline HTML through, so the marks sit inside ordinary Markdown (paragraphs, list
items, table cells).  :func:`redline_markdown` marks the words an adaptation changed in a
section's core text; it keeps the Markdown's block structure (lists, headings, fenced blocks,
tables) and never splits a role or a link.  Styles: ``.ipt-ins``/``.ipt-del``/``.ipt-sr`` in
builder/static/ipt.css.
"""

from __future__ import annotations

import difflib
import itertools
import re

from .fences import fenced_lines
from .rules import ROLE_RE
from .wordiff import MD_LINK_RE

#: A role, a Markdown link, or a run of non-space characters: the units words are compared in.
TOKEN_RE = re.compile(f"{ROLE_RE.pattern}|{MD_LINK_RE.pattern}|\\S+")
#: What starts a line and must stay outside a mark: indentation, a list marker, a quote, a heading.
PREFIX_RE = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)])\s+|>\s*|#{1,6}\s+)*")


def ins(text: str) -> str:
    return f'<ins class="ipt-ins"><span class="ipt-sr">[added: </span>{text}<span class="ipt-sr">]</span></ins>'


def delete(text: str) -> str:
    return f'<del class="ipt-del"><span class="ipt-sr">[removed: </span>{text}<span class="ipt-sr">]</span></del>'


def _structural(lines: list[str]) -> list[bool]:
    """For each line: whether it is part of a fenced block, a table row or blank (never marked)."""
    return [fenced or not line.strip() or line.lstrip().startswith("|")
            for line, fenced in zip(lines, fenced_lines(lines, max_indent=None), strict=True)]


def _mark_line(line: str, mark: object) -> str:
    prefix = PREFIX_RE.match(line).group(0)  # type: ignore[union-attr]
    rest = line[len(prefix):].strip()
    return prefix + mark(rest) if rest else line  # type: ignore[operator]


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """Words (roles and links whole) and the space after each ("" where the next one is glued on)."""
    found = list(TOKEN_RE.finditer(text))
    spaces = [(" " if text[m.end():nxt.start()] else "") for m, nxt in itertools.pairwise(found)]
    return [m.group(0) for m in found], [*spaces, ""]


def redline_line(before: str, after: str) -> str:
    """``after`` with the words changed from ``before`` marked (one line, its prefix kept)."""
    prefix = PREFIX_RE.match(after).group(0)  # type: ignore[union-attr]
    a, a_space = _tokens(before[len(PREFIX_RE.match(before).group(0)):])  # type: ignore[union-attr]
    b, b_space = _tokens(after[len(prefix):])
    out = prefix

    def run(words: list[str], spaces: list[str]) -> str:
        return "".join(w + s for w, s in zip(words[:-1], spaces[:-1], strict=True)) + words[-1]

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out += "".join(w + s for w, s in zip(b[j1:j2], b_space[j1:j2], strict=True))
            continue
        if i2 > i1:
            out += delete(run(a[i1:i2], a_space[i1:i2])) + (" " if j2 > j1 else a_space[i2 - 1])
        if j2 > j1:
            out += ins(run(b[j1:j2], b_space[j1:j2])) + b_space[j2 - 1]
    return out.rstrip()


def redline_markdown(before: str, after: str) -> str:
    """``after`` with what changed from ``before`` marked: removed lines and words struck through,
    added ones underlined.  Fenced blocks, tables and blank lines are taken from ``after`` unmarked."""
    a, b = before.split("\n"), after.split("\n")
    a_fixed, b_fixed = _structural(a), _structural(b)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out += b[j1:j2]
            continue
        old = [line for line, fixed in zip(a[i1:i2], a_fixed[i1:i2], strict=True) if not fixed]
        for k, line in enumerate(b[j1:j2]):
            if b_fixed[j1 + k]:
                out.append(line)
            elif old:
                out.append(redline_line(old.pop(0), line))
            else:
                out.append(_mark_line(line, ins))
        out += [_mark_line(line, delete) for line in old]
    return "\n".join(out)
