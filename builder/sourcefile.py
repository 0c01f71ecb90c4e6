"""Reading source files: bytes → text → YAML with line numbers.

YAML values come back as :class:`LocDict` / :class:`LocList`, plain containers
that also remember the source line of each key or item, so every later check
can point at the exact line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.resolver import Resolver

from .errors import Problems
from .rules import MAX_SOURCE_BYTES
from .sections import check_markup

MAX_DEPTH = 20
#: Control characters no text source contains (tab, line feed and form feed are fine).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


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


class _Checked:
    """Composing no deeper than :data:`MAX_DEPTH`, refusing aliases and tags.

    Aliases (``*name``) are refused because they let a few lines expand into billions of
    values (and a ``&a [*a]`` into a cycle); deep nesting is refused here, before PyYAML's
    recursive composer runs out of stack.
    """

    offset: int = 0
    depth: int = 0
    check_event: Any
    peek_event: Any

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _Invalid(mark.line + 1 + self.offset, "YAML aliases ('*name') are not allowed in protocol sources",
                           "write the value out in full")
        tag = getattr(self.peek_event(), "tag", None)
        if tag not in (None, "!"):  # explicit tags, on values, lists and mappings alike
            shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            raise _Invalid(self.peek_event().start_mark.line + 1 + self.offset,
                           f"YAML tags ('{shown}') are not allowed in protocol sources",
                           "remove the tag; quote the value if it should be text")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:
                mark = self.peek_event().start_mark
                raise _Invalid(mark.line + 1 + self.offset, f"nesting deeper than {MAX_DEPTH} levels",
                               "flatten the structure")
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1


class _Composer(_Checked, yaml.SafeLoader):
    """PyYAML's safe loader, checked: its messages and lines are the ones problems report."""

    def __init__(self, text: str, offset: int) -> None:
        yaml.SafeLoader.__init__(self, text)
        self.offset, self.depth = offset, 0


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _FastComposer(_Checked, Composer, CParser, Resolver):  # type: ignore[misc]
        """The same checked composition over libyaml's parser, about 8 times faster. It makes the same
        nodes (tags, values, lines); a text it cannot read is read again with :class:`_Composer`, so a
        problem is always reported in PyYAML's words."""

        def __init__(self, text: str, offset: int) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            Resolver.__init__(self)
            self.offset, self.depth = offset, 0
else:  # a PyYAML built without libyaml: its own parser does it all
    _FastComposer = None  # type: ignore[assignment,misc]


def _compose(text: str, offset: int) -> Any:
    """The YAML node of ``text`` (libyaml when this PyYAML has it); PyYAML's own error otherwise."""
    if _FastComposer is not None:
        fast = _FastComposer(text, offset)
        try:
            return fast.get_single_node()
        except Exception:  # read again below, for PyYAML's own message and line
            pass
        finally:
            fast.dispose()
    loader = _Composer(text, offset)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _convert(node: yaml.Node, offset: int, depth: int = 0,
             strings: list[tuple[int, bool, str]] | None = None) -> Any:
    line = node.start_mark.line + 1 + offset
    if depth > MAX_DEPTH:
        raise _Invalid(line, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
    if isinstance(node, yaml.MappingNode):
        out = LocDict()
        out.line = line
        for key_node, value_node in node.value:
            key = _convert(key_node, offset, depth + 1)
            if isinstance(key, (dict, list, set)) or key is None:
                raise _Invalid(key_node.start_mark.line + 1 + offset, "a key must be a plain word")
            if key in out:
                raise _Invalid(key_node.start_mark.line + 1 + offset, f"duplicate key '{key}'",
                               "each key may appear only once")
            out[key] = _convert(value_node, offset, depth + 1, strings)
            out.lines[key] = key_node.start_mark.line + 1 + offset
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LocList()
        seq.line = line
        for item in node.value:
            seq.append(_convert(item, offset, depth + 1, strings))
            seq.lines.append(item.start_mark.line + 1 + offset)
        return seq
    if not isinstance(node, yaml.ScalarNode):  # pragma: no cover - PyYAML has no other node kind
        raise _Invalid(line, "unexpected YAML node")
    try:
        value = yaml.SafeLoader.construct_object(_SCALAR_LOADER, node)  # type: ignore[arg-type]
    except Exception as exc:  # PyYAML's constructors raise anything on odd values (e.g. !!timestamp x)
        if isinstance(exc, yaml.YAMLError):
            message = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        else:
            shown = node.value if len(node.value) <= 40 else node.value[:39] + "…"
            message = f"'{shown}' is not a valid {str(node.tag).rsplit(':', 1)[-1]}"
        raise _Invalid(line, f"malformed YAML value: {message}",
                       "check the value on this line (quote it to make it text)") from None
    finally:  # the shared constructor would otherwise keep every node it has seen, forever
        _SCALAR_LOADER.constructed_objects.clear()
        _SCALAR_LOADER.recursive_objects.clear()
    if isinstance(value, str) and strings is not None:
        if node.style == "|":  # a literal block keeps its lines; its text starts on the next line
            strings.append((line + 1, False, value))
        else:
            strings.append((line, True, value))
    return value


_SCALAR_LOADER = yaml.SafeLoader("")


def parse_yaml(text: str, path: Path, problems: Problems, offset: int = 0) -> Any:
    """Parse YAML text; on error record a problem and return ``None``.

    Every text value is checked like Markdown (:func:`~builder.sections.check_markup`): the
    templates place titles, goals, labels and notes into pages.
    """

    try:
        node = _compose(text, offset)
    except _Invalid as exc:
        problems.add(path, exc.line, exc.message, exc.hint)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        problems.add(path, line, f"malformed YAML: {exc.problem or exc.context}",
                     "check indentation, colons and quotes on this line")
        return None
    except yaml.reader.ReaderError as exc:
        line = text[: max(exc.position, 0)].count("\n") + 1 + offset
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        problems.add(path, line, f"YAML does not allow the character U+{char:04X} here",
                     "remove the control character (or write it as an escape in a quoted string)")
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        problems.add(path, 1 + offset, f"malformed YAML: {str(exc).splitlines()[0] if str(exc) else exc!r}")
        return None
    except RecursionError:  # pragma: no cover - the composer stops at MAX_DEPTH first
        problems.add(path, 1 + offset, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
        return None
    if node is None:
        return None
    strings: list[tuple[int, bool, str]] = []
    try:
        data = _convert(node, offset, strings=strings)
    except _Invalid as exc:
        problems.add(path, exc.line, exc.message, exc.hint)
        return None
    except RecursionError:  # pragma: no cover - defensive
        problems.add(path, 1 + offset, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
        return None
    for line, folded, value in strings:
        check_markup(value, line, path, problems, single_line=folded)
    return data


def _outside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symbolic link on the way followed (files and folders), leaves ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return True
    return False


def read_text(path: Path, problems: Problems) -> str | None:
    """Read a UTF-8 source file; normalise a byte-order mark and CRLF line endings."""
    if problems.root is not None and _outside(path, problems.root):
        # the link's own path (Problems.rel would follow the link out of the project)
        shown = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(problems.root))).as_posix()
        what = "file is a link" if path.is_symlink() else "file is in a linked folder that leads"
        problems.add(shown, 1, f"{what} to somewhere outside the project",
                     "copy the text into the repository instead of linking to it")
        return None
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
    bad = _CONTROL_RE.search(text)
    if bad:
        problems.add(path, text.count("\n", 0, bad.start()) + 1,
                     f"the text contains the control character U+{ord(bad.group()):04X}",
                     "the file may be damaged or not a text file; remove the character")
        return None
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
