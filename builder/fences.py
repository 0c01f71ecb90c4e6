"""Fenced blocks in a Markdown body (```` ``` ````, ``~~~``, ``:::``), found one way for every reader.

The one scanner of fenced blocks: sections (headings inside blocks do not count), examples
(``:::{example}`` blocks), the redline of changed text and heading demotion (lines inside blocks
are left alone), and the directive-option check (opening lines) all use it.

The rules, as markdown-it and MyST read them (:data:`~builder.rules.FENCE_RE`):

- a fence line is three or more backticks, tildes or colons, then an info string
  (``{directive} argument``, a language, or nothing);
- a block ends at the first line that closes it: the same character, at least as long, nothing
  after it; closing an outer block closes the blocks inside it;
- inside a code block (a backtick or tilde fence that is not a ``{directive}``) nothing else
  opens; inside a directive, blocks nest.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rules import FENCE_RE, MAX_FENCE_INDENT


@dataclass(frozen=True)
class FenceLine:
    marker: str  #: the run of backticks, tildes or colons
    info: str  #: what follows the marker, stripped ("" on a closing line)


@dataclass(frozen=True)
class FencedBlock:
    start: int  #: index of the opening line
    end: int  #: index of the line that closes it (the last line when nothing does)
    marker: str
    info: str  #: the opening line's info string, e.g. ``{example} session-05-ms-k``
    depth: int  #: 1 for a block inside no other

    @property
    def is_code(self) -> bool:
        """A code block: its text is shown as written (nothing inside opens a block)."""
        return self.marker[0] != ":" and not self.info.startswith("{")


def fence_line(line: str, max_indent: int | None = MAX_FENCE_INDENT) -> FenceLine | None:
    """``line`` as a fence line (opening or closing), or ``None``; ``max_indent=None``: any indentation."""
    m = FENCE_RE.match(line)
    if not m or (max_indent is not None and len(m.group("indent")) > max_indent):
        return None
    return FenceLine(m.group("fence"), m.group("info").strip())


def fenced_blocks(lines: list[str], max_indent: int | None = MAX_FENCE_INDENT) -> list[FencedBlock]:
    """Every fenced block of a body split into ``lines``, in order of their opening lines."""
    found: list[FencedBlock] = []
    stack: list[FencedBlock] = []  # open blocks, outermost first (``end`` not known yet)
    for index, line in enumerate(lines):
        fence = fence_line(line, max_indent)
        if fence is None:
            continue
        closes = None
        if not fence.info:
            closes = next((i for i, b in enumerate(stack)
                           if b.marker[0] == fence.marker[0] and len(fence.marker) >= len(b.marker)), None)
        if closes is not None:
            found += [FencedBlock(b.start, index, b.marker, b.info, b.depth) for b in stack[closes:]]
            del stack[closes:]
        elif not stack or not stack[-1].is_code:
            stack.append(FencedBlock(index, -1, fence.marker, fence.info, len(stack) + 1))
    found += [FencedBlock(b.start, len(lines) - 1, b.marker, b.info, b.depth) for b in stack]
    return sorted(found, key=lambda b: b.start)


def fenced_lines(lines: list[str], max_indent: int | None = MAX_FENCE_INDENT,
                 blocks: list[FencedBlock] | None = None) -> list[bool]:
    """For each line, whether it is a fence line or inside a fenced block (``blocks``: found already)."""
    inside = [False] * len(lines)
    for block in fenced_blocks(lines, max_indent) if blocks is None else blocks:
        inside[block.start:block.end + 1] = [True] * (block.end + 1 - block.start)
    return inside
