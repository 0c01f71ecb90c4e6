"""The options of every directive in a Markdown body, in both of MyST's forms, decoded as MyST reads them.

MyST takes a directive's options either as ``:key: value`` lines right after the opening line, or
as a YAML block between ``---`` lines.  The source check (:func:`builder.sections.check_markup`)
reads both forms through :func:`directive_options`, so a path given in either form is checked.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from .fences import fence_line

#: The info string of a directive's opening fence: ``{name} …``.
_DIRECTIVE_INFO_RE = re.compile(r"\{[^{}\s]+\}")
_OPTION_LINE_RE = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*))?$")
_YAML_KEY_RE = re.compile(r"^[ \t]*['\"]?(?P<key>[\w-]+)['\"]?[ \t]*:")


@dataclass(frozen=True)
class DirectiveOption:
    offset: int  #: where the option's line starts in the body
    key: str  #: lower case
    value: str  #: as MyST reads it (quotes and YAML escapes decoded)


def _scalar(text: str) -> str:
    """A YAML scalar as written after ``key:``, decoded (quotes, escapes); tags are not applied."""
    text = text.strip()
    if not text or text[0] not in "'\"":
        return text
    try:
        value = yaml.load(text, Loader=yaml.BaseLoader)  # BaseLoader builds strings only
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str) else text


def _yaml_block(lines: list[str], offsets: list[int], first: int) -> Iterator[DirectiveOption]:
    """The options of a ``---`` block starting at ``lines[first]`` (the opening ``---``)."""
    end = next((i for i in range(first + 1, len(lines)) if lines[i].lstrip().startswith("---")), len(lines))
    block = lines[first + 1:end]
    try:
        data = yaml.load(textwrap.dedent("\n".join(block)), Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        data = None  # MyST refuses the block too: the directive is not built
    if not isinstance(data, dict):
        return
    where = {}
    for i, line in enumerate(block):
        m = _YAML_KEY_RE.match(line)
        if m and m.group("key").lower() not in where:
            where[m.group("key").lower()] = offsets[first + 1 + i]
    for key, value in data.items():
        for text in _strings(value):
            yield DirectiveOption(where.get(str(key).lower(), offsets[first]), str(key).lower(), text)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _opens_directive(line: str) -> bool:
    """Whether ``line`` looks like a directive's opening fence (```` ```{name} ````, ``~~~{name}``,
    ``:::{name}``), at any indentation and wherever it is: the check reads more than MyST runs."""
    fence = fence_line(line, max_indent=None)
    return fence is not None and bool(_DIRECTIVE_INFO_RE.match(fence.info))


def directive_options(text: str) -> Iterator[DirectiveOption]:
    """Every option of every fenced directive in ``text`` (a Markdown body)."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    for i, line in enumerate(lines):
        if not _opens_directive(line) or i + 1 >= len(lines):
            continue
        if lines[i + 1].lstrip().startswith("---"):
            yield from _yaml_block(lines, offsets, i + 1)
            continue
        j = i + 1
        while j < len(lines) and (m := _OPTION_LINE_RE.match(lines[j])):
            yield DirectiveOption(offsets[j], m.group("key").lower(), _scalar(m.group("value") or ""))
            j += 1
