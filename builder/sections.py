"""Splitting a Markdown body into sections with stable ids.

A section starts at ``## Title {#id}`` (optionally with an overlay operation
after the id) and runs to the next such heading.  Headings inside fenced
blocks (```` ``` ````, ``~~~``, ``:::``) do not count.
"""

from __future__ import annotations

import bisect
import html
import re
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from .directive_options import directive_options
from .errors import Problems
from .fences import fenced_blocks, fenced_lines
from .rules import (
    DANGEROUS_TAG_RE,
    DATA_URL_RE,
    DOWNLOAD_ROLE_RE,
    EVENT_HANDLER_RE,
    FILE_OPTION_HINT,
    FILE_OPTION_MESSAGE,
    FILE_OPTIONS,
    FORBIDDEN_DIRECTIVE_RE,
    FORBIDDEN_DIRECTIVES,
    FORBIDDEN_PATTERNS,
    ID_RE,
    IMAGE_DIRECTIVE_RE,
    IMAGE_OPTION_RE,
    IMAGE_OPTIONS,
    LEVEL1_RE,
    LEVEL2_RE,
    LINK_DEF_RE,
    LINK_OPTIONS,
    LINK_ROLES,
    MAX_FENCE_DEPTH,
    MD_LINK_RE,
    NOT_EVENT_HANDLERS,
    PLACING_OPS,
    RAW_HTML_RE,
    ROLE_RE,
    SCRIPT_URL_RE,
    SECTION_OPS,
    SECTION_OPS_SYNTAX,
    TITLED_OPS,
    id_hint,
    visible,
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


_ID_PART_RE = re.compile(r"[^\s}]*")


def section_heading(line: str) -> tuple[str, str, str] | None:
    """``## Title {#id op}`` → (title, id, op text), as :data:`~builder.rules.SECTION_HEADING_RE`
    matches it, in linear time (the regex backtracks for minutes on a long line full of ``{#``)."""
    if not LEVEL2_RE.match(line):
        return None
    end = line.rstrip(" \t")
    if not end.endswith("}"):
        return None
    start = end.find("{#", end.rfind("}", 0, len(end) - 1) + 1)
    if start < 0:
        return None
    block = end[start + 2:-1]
    sid = _ID_PART_RE.match(block).group()  # type: ignore[union-attr]
    return end[2:start].strip(), sid, block[len(sid):]


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
        if op not in PLACING_OPS:
            return "", "", f"unknown operation '{op}='"
        if not ID_RE.match(target):
            return "", "", f"'{visible(target)}' is not a valid section id"
        return op, target, ""
    if word not in SECTION_OPS or word in PLACING_OPS:
        return "", "", f"unknown operation '{word}'"
    return word, "", ""


def split_sections(body: str, body_line: int, path: Path, problems: Problems,
                   allow_ops: bool = False, allow_raw_html: bool | None = None) -> list[RawSection]:
    """Split ``body`` (whose first line is line ``body_line`` of ``path``) into sections.

    Every problem goes to ``problems``, including hostile markup anywhere in the body
    (:func:`check_markup`; ``allow_raw_html=None`` follows :data:`RAW_HTML_POLICY`).
    """
    lines = body.split("\n")
    blocks = fenced_blocks(lines)
    fenced = fenced_lines(lines, blocks=blocks)
    too_deep = next((b.start for b in blocks if b.depth > MAX_FENCE_DEPTH), None)
    if too_deep is not None:
        problems.add(path, body_line + too_deep, f"blocks nested deeper than {MAX_FENCE_DEPTH} levels",
                     f"flatten the structure (at most {MAX_FENCE_DEPTH} blocks inside one another)")
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
        heading = section_heading(line)
        if heading:
            close()
            buf = []
            current = _open_section(heading, lineno, path, problems, allow_ops, seen)
            continue
        _check_line(line, lineno, current, path, problems)
        buf.append(line)
    close()
    check_markup(body, body_line, path, problems, allow_raw_html)
    return sections


def _open_section(heading: tuple[str, str, str], lineno: int, path: Path, problems: Problems, allow_ops: bool,
                  seen: dict[str, int]) -> RawSection:
    """A section's heading line: its id, title and operation, checked (``seen``: ids so far, with their line)."""
    title, sid, raw_op = heading
    op, target, err = parse_op(raw_op)
    if err:
        problems.add(path, lineno, err, f"operations: {SECTION_OPS_SYNTAX}")
    elif op and not allow_ops:
        problems.add(path, lineno, f"operation '{op}' is only allowed in an adaptation's overlay",
                     "write '## Title {#id}'")
    if not ID_RE.match(sid):
        problems.add(path, lineno, f"'{visible(sid)}' is not a valid section id",
                     id_hint(sid, "use lower-case words joined by hyphens, e.g. {#sick-role}"))
    elif sid in seen:
        problems.add(path, lineno, f"duplicate section id '{sid}' (first used on line {seen[sid]})",
                     "section ids must be unique within a file")
    else:
        seen[sid] = lineno
    if not title and (not op or op in TITLED_OPS):
        problems.add(path, lineno, f"section '{sid}' has no heading text", "write '## Heading text {#id}'")
    return RawSection(sid, title, op, target, "", lineno)


def _check_line(line: str, lineno: int, current: RawSection | None, path: Path, problems: Problems) -> None:
    """A body line outside fenced blocks that is not a section heading: other headings, text before
    the first section (and ``###`` headings, noted on the section)."""
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

# --- hostile and forbidden markup ------------------------------------------------

#: Whether raw HTML is allowed where no explicit ``allow_raw_html`` is passed: the site setting
#: ``ipt_allow_raw_html``. Strict (False) unless a caller sets it for one load
#: (``load_project(root, LoadOptions(allow_raw_html=True))`` sets it for one load).
RAW_HTML_POLICY: ContextVar[bool] = ContextVar("ipt_allow_raw_html", default=False)


@contextmanager
def raw_html_policy(allowed: bool) -> Iterator[None]:
    """Within the block, sources are checked as if the site set ``ipt_allow_raw_html = allowed``."""
    token = RAW_HTML_POLICY.set(bool(allowed))
    try:
        yield
    finally:
        RAW_HTML_POLICY.reset(token)


_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,10};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
#: Roles (``{technique}`text <target>```) and inline code: text, not HTML, so masked before
#: looking for raw HTML (the rules for dangerous markup read the text unmasked).
_MASK_RE = re.compile(r"\{[^{}\s`]+\}`[^`]*`|`[^`\n]+`")
_SCHEME_RE = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]+):", re.I)
_NOT_PATH_SCHEMES = ("javascript", "vbscript", "livescript", "data")  # reported by their own rules
IMAGE_HINT = "images must be files in the repository, given by a relative path without '..'"
LINK_HINT = ("link to parts of the manual with the {technique}, {session}, ... roles, "
             "and to the web with https:// addresses")
DANGER_HINT = "this is refused even where a site allows raw HTML (ipt_allow_raw_html)"


def _decode_entities(text: str) -> tuple[str, list[int] | None]:
    """``text`` with HTML character references decoded, and the offset in ``text`` of each character."""
    if "&" not in text:
        return text, None
    parts: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _ENTITY_RE.finditer(text):
        parts.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        decoded = html.unescape(m.group())
        parts.append(decoded)
        where.extend([m.start()] * len(decoded))
        pos = m.end()
    parts.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(parts), where


def _mask(match: re.Match[str]) -> str:
    return "".join("\n" if c == "\n" else " " for c in match.group())


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def outside_repository(dest: str, image: bool) -> str:
    """Why a link or image target points outside the repository ("" when it does not).

    Links may go to web addresses; images must be files in the repository.  ``javascript:``
    and ``data:`` targets are left to their own rules.
    """
    d = html.unescape(urllib.parse.unquote(dest.strip())).replace("\\", "/").strip()
    d = d.split("#", 1)[0].split("?", 1)[0]
    if not d:
        return ""
    m = _SCHEME_RE.match(d)
    if m:  # two letters or more: a one-letter "scheme" is a Windows drive
        scheme = m.group("scheme").lower()
        if scheme in _NOT_PATH_SCHEMES:
            return ""
        if scheme == "file":
            return "is a file: URL (a file on the computer that builds the site)"
        return "is not in the repository" if image else ""
    if d.startswith("//"):
        return "is not in the repository" if image else ""
    if re.match(r"^[a-z]:", d, re.I) or d.startswith(("/", "~")):
        return "is an absolute path"
    if ".." in d.split("/"):
        return "leaves the repository ('..')"
    return ""


def _link_dest(m: re.Match[str]) -> str:
    if m.group("angle") is not None:
        return m.group("angle")
    dest = m.group("dest")
    while dest.endswith(")") and dest.count(")") > dest.count("("):
        dest = dest[:-1]
    return dest


def check_markup(text: str, first_line: int, path: Path | str, problems: Problems,
                 allow_raw_html: bool | None = None, single_line: bool = False) -> None:
    """Report forbidden or hostile markup in ``text`` (a Markdown body, or a YAML string that a
    template places in a page), each problem at its line.

    Always refused: scripts, frames, forms, embedded objects and the other
    :data:`~builder.rules.DANGEROUS_TAGS`, event-handler attributes, ``javascript:`` and
    ``data:`` URLs, the directives and roles in :data:`~builder.rules.FORBIDDEN_DIRECTIVES`,
    links and images that leave the repository.  Any other raw HTML is refused unless
    ``allow_raw_html`` (default: :data:`RAW_HTML_POLICY`).  With ``single_line`` every problem is
    reported at ``first_line`` (a folded YAML string).
    """
    if allow_raw_html is None:
        allow_raw_html = RAW_HTML_POLICY.get()
    report = _Reporter(text, first_line, path, problems, single_line)
    _check_forbidden(text, report)
    _check_html(text, report, allow_raw_html)
    _check_urls(text, report)
    _check_paths(text, report)


class _Reporter:
    """Reports markup problems of one text at their lines: one problem per rule and line."""

    def __init__(self, text: str, first_line: int, path: Path | str, problems: Problems, single_line: bool) -> None:
        self.first_line, self.path, self.problems, self.single_line = first_line, path, problems, single_line
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.reported: set[tuple[str, int]] = set()
        self.danger_lines: set[int] = set()  #: lines with a dangerous tag (no raw-HTML problem on them too)

    def line_of(self, offset: int) -> int:
        return self.first_line if self.single_line else self.first_line + bisect.bisect_right(self.starts, offset) - 1

    def __call__(self, rule: str, offset: int, message: str, hint: str) -> None:
        line = self.line_of(offset)
        if (rule, line) not in self.reported:
            self.reported.add((rule, line))
            self.problems.add(self.path, line, message, hint)


def _check_forbidden(text: str, report: _Reporter) -> None:
    """Line by line: labels, substitutions, options that read files; then forbidden directives."""
    starts = report.starts
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(text)
        line = text[start:end]
        for pattern, message, hint in FORBIDDEN_PATTERNS:
            if pattern.search(line):
                report(message, start, message, hint)
    for m in FORBIDDEN_DIRECTIVE_RE.finditer(text):
        name = m.group("name").lower()
        report("directive", m.start(), f"'{{{name}}}' is not allowed in protocol sources",
               FORBIDDEN_DIRECTIVES[name])


def _check_html(text: str, report: _Reporter, allow_raw_html: bool) -> None:
    """HTML: elements that are never allowed, event handlers, then any raw HTML where not allowed."""
    for m in DANGEROUS_TAG_RE.finditer(text):
        name = m.group("name").lower()
        report.danger_lines.add(report.line_of(m.start()))
        report("tag", m.start(), f"raw HTML is not allowed in protocol sources: <{name}> "
               f"{'runs code' if name in ('script', 'object', 'embed', 'applet') else 'is never allowed'}",
               f"scripts, frames, forms, embedded objects, styles and page metadata: {DANGER_HINT}")
    for m in EVENT_HANDLER_RE.finditer(text):
        if m.group("name").lower() in NOT_EVENT_HANDLERS:
            continue
        report("handler", m.start(), f"event-handler attribute '{_short(m.group('name'), 40)}=' is not allowed "
               "in protocol sources", f"it runs code in the reader's browser; {DANGER_HINT}")
    if allow_raw_html:
        return
    masked = _MASK_RE.sub(_mask, text) if "`" in text else text
    for m in RAW_HTML_RE.finditer(masked):
        line = report.line_of(m.start())
        if line not in report.danger_lines and ("raw", line) not in report.reported:  # one per line: skip fast
            end = masked.find(">", m.start(), m.start() + 40)
            snippet = _short(masked[m.start():end + 1] if end != -1 else masked[m.start():m.start() + 40] + "…", 40)
            report("raw", m.start(), f"raw HTML is not allowed in protocol sources: '{snippet}'",
                   "write Markdown instead (a site may allow plain HTML with ipt_allow_raw_html; "
                   "see docs/source-format.md)")


def _check_urls(text: str, report: _Reporter) -> None:
    """URLs that run code or hide content, after HTML character references are decoded."""
    decoded, where = _decode_entities(text)
    for pattern, hint in ((SCRIPT_URL_RE, "such a link runs code when clicked; " + LINK_HINT),
                          (DATA_URL_RE, "a data: URL hides content inside the address; " + LINK_HINT)):
        for m in pattern.finditer(decoded):
            offset = m.start("scheme")
            scheme = re.sub(r"[\s\\]", "", m.group("scheme")).lower()
            report(scheme, where[offset] if where else offset,
                   f"'{scheme}:' URLs are not allowed in protocol sources", hint)


def _check_paths(text: str, report: _Reporter) -> None:
    """Links and images whose target leaves the repository."""
    targets: list[tuple[int, str, bool]] = []
    for m in MD_LINK_RE.finditer(text):
        targets.append((m.start(), _link_dest(m), bool(m.group("bang"))))
    for m in LINK_DEF_RE.finditer(text):
        targets.append((m.start(), _link_dest(m), False))
    for m in IMAGE_DIRECTIVE_RE.finditer(text):
        targets.append((m.start(), m.group("dest"), True))
    for m in IMAGE_OPTION_RE.finditer(text):
        targets.append((m.start(), m.group("dest"), m.group("option").lower().startswith("img")))
    for m in DOWNLOAD_ROLE_RE.finditer(text):
        targets.append((m.start(), role_target(m.group("body"))[1], False))
    targets += _option_targets(text, report)
    for offset, dest, image in targets:
        why = outside_repository(dest, image)
        if why:
            what = "image" if image else "link target"
            report("path", offset, f"{what} '{_short(dest)}' {why}", IMAGE_HINT if image else LINK_HINT)


def _option_targets(text: str, report: Callable[[str, int, str, str], None]) -> list[tuple[int, str, bool]]:
    """Directive options in either MyST form (``:key: value`` lines or a ``---`` YAML block), decoded:
    the image and link targets to check, after reporting file options and code or data URLs."""

    targets: list[tuple[int, str, bool]] = []
    for option in directive_options(text):
        if option.key in FILE_OPTIONS:
            report(FILE_OPTION_MESSAGE, option.offset, FILE_OPTION_MESSAGE, FILE_OPTION_HINT)
        value = html.unescape(urllib.parse.unquote(option.value)).strip()
        scheme = _SCHEME_RE.match(re.sub(r"[\s\\]", "", value))
        name = scheme.group("scheme").lower() if scheme else ""
        if name in _NOT_PATH_SCHEMES:
            why = ("a data: URL hides content inside the address; " if name == "data"
                   else "such a link runs code when clicked; ")
            report(name, option.offset, f"'{name}:' URLs are not allowed in protocol sources", why + LINK_HINT)
        elif option.key in IMAGE_OPTIONS or option.key in LINK_OPTIONS:
            targets.append((option.offset, option.value, option.key in IMAGE_OPTIONS))
    return targets


def split_role_body(body: str) -> tuple[str, str, str] | None:
    """A role's text, as :data:`~builder.rules.ROLE_TARGET_RE` matches ``body.strip()``:
    ``text <target>`` → (text, target, ""), ``target`` → ("", "", target), else ``None``.

    Linear time: the regex backtracks for minutes on a long role body of spaces then ``<``.
    """
    s = body.strip()
    if s.endswith(">"):
        k = s.rfind("<")
        target = s[k + 1:-1] if k >= 0 else ""
        text = s[:k].rstrip() if k >= 0 else ""
        if target and ">" not in target:
            return text, target, ""
        return None
    if s and "<" not in s and ">" not in s:
        return "", "", s
    return None


def role_uses(section: RawSection) -> list[RoleUse]:
    """Every link role used in a section, with its line."""
    uses: list[RoleUse] = []
    line, counted = section.body_line or section.line + 1, 0
    for m in ROLE_RE.finditer(section.body):
        if m.group("role") not in LINK_ROLES:
            continue
        line += section.body.count("\n", counted, m.start())  # roles may span lines; count each newline once
        counted = m.start()
        t = split_role_body(m.group("body"))
        target = (t[1] or t[2]).strip() if t else ""
        uses.append(RoleUse(m.group("role"), target, line))
    return uses


def role_target(body: str) -> tuple[str, str]:
    """``text <target>`` → (text, target); ``target`` → ("", target).

    The one parser of role text: the renderer, link retargeting in overlays, ``check`` and the diff
    all use it, so a line break inside a role's text means the same to each (a space).
    """
    t = split_role_body(body)
    if not t:
        return "", body.strip()
    if t[1]:
        return " ".join(t[0].split()), t[1].strip()
    return "", t[2].strip()
