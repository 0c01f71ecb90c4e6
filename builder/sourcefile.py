"""Reading source files: bytes → text → YAML with line numbers.

YAML values come back as :class:`LocDict` / :class:`LocList`, plain containers
that also remember the source line of each key or item, so every later check
can point at the exact line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems
from .rules import MAX_SOURCE_BYTES

MAX_DEPTH = 20


class LocDict(dict):  # type: ignore[type-arg]
    """A mapping that knows the line of each key (``.lines``) and its own (``.line``)."""

    line: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LocList(list):  # type: ignore[type-arg]
    """A list that knows the line of each item (``.lines``) and its own (``.line``)."""

    line: int = 1

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _Invalid(Exception):
    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def _convert(node: yaml.Node, offset: int, depth: int = 0) -> Any:
    line = node.start_mark.line + 1 + offset
    if depth > MAX_DEPTH:
        raise _Invalid(line, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
    if isinstance(node, yaml.MappingNode):
        out = LocDict()
        out.line = line
        for key_node, value_node in node.value:
            key = _convert(key_node, offset, depth + 1)
            if isinstance(key, (dict, list)) or key is None:
                raise _Invalid(key_node.start_mark.line + 1 + offset, "a key must be a plain word")
            if key in out:
                raise _Invalid(key_node.start_mark.line + 1 + offset, f"duplicate key '{key}'",
                               "each key may appear only once")
            out[key] = _convert(value_node, offset, depth + 1)
            out.lines[key] = key_node.start_mark.line + 1 + offset
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LocList()
        seq.line = line
        for item in node.value:
            seq.append(_convert(item, offset, depth + 1))
            seq.lines.append(item.start_mark.line + 1 + offset)
        return seq
    assert isinstance(node, yaml.ScalarNode)
    return yaml.SafeLoader.construct_object(_SCALAR_LOADER, node)  # type: ignore[arg-type]


_SCALAR_LOADER = yaml.SafeLoader("")


def parse_yaml(text: str, path: Path, problems: Problems, offset: int = 0) -> Any:
    """Parse YAML text; on error record a problem and return ``None``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        problems.add(path, line, f"malformed YAML: {exc.problem or exc.context}",
                     "check indentation, colons and quotes on this line")
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        problems.add(path, 1 + offset, f"malformed YAML: {exc}")
        return None
    except RecursionError:
        problems.add(path, 1 + offset, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
        return None
    if node is None:
        return None
    try:
        return _convert(node, offset)
    except _Invalid as exc:
        problems.add(path, exc.line, exc.message, exc.hint)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        problems.add(path, 1 + offset, f"malformed YAML value: {exc}")
    return None


def read_text(path: Path, problems: Problems) -> str | None:
    """Read a UTF-8 source file; normalise a byte-order mark and CRLF line endings."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            problems.add(path, 1, f"file is too large ({size:,} bytes; the limit is {MAX_SOURCE_BYTES:,})",
                         "split the text into several sections or pages")
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.add(path, 1, f"cannot read file: {exc.strerror}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(path, line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                     "save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.add(path, 1, "file is empty", "write the content, or delete the file")
        return None
    return text


@dataclass
class FrontMatterDoc:
    meta: LocDict
    body: str
    body_line: int  #: line number of the first body line


def split_front_matter(text: str, path: Path, problems: Problems) -> FrontMatterDoc | None:
    """Split ``---`` YAML front matter from a Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "missing YAML front matter", "start the file with a line '---', the fields, and '---'")
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            meta = parse_yaml("\n".join(lines[1:i]), path, problems, offset=1)
            if meta is None:
                if not any(p.path == problems.rel(path) for p in problems):
                    problems.add(path, 1, "front matter is empty", "add the fields described in docs/source-format.md")
                return None
            if not isinstance(meta, LocDict):
                problems.add(path, 2, "front matter must be a mapping of fields", "write 'key: value' lines")
                return None
            return FrontMatterDoc(meta, "\n".join(lines[i + 1:]), i + 2)
    problems.add(path, 1, "front matter is not closed", "end the front matter with a line '---'")
    return None
