"""The rules of the source format, declared once.

The loader, the validator, the CLI ``check`` and the Sphinx build all import
these names; docs/source-format.md describes them for authors.
"""

from __future__ import annotations

import re

#: Ids of manuals, sessions sections, pages, worksheets and fields.
ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

#: A section heading: ``## Title {#id op}``.
SECTION_HEADING_RE = re.compile(r"^##[ \t]+(?P<title>.*?)[ \t]*\{#(?P<id>[^\s}]*)(?P<op>[^}]*)\}[ \t]*$")
#: Any level-2 heading (to catch ones without an id).
LEVEL2_RE = re.compile(r"^##[ \t]")
LEVEL1_RE = re.compile(r"^#[ \t]")
FENCE_RE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,}|:{3,})")

#: Roles that link within a manual, and what kind of target each takes.
LINK_ROLES = {
    "technique": "techniques",
    "problem-area": "problem_areas",
    "worksheet": "worksheets",
    "session": "sessions",
    "page": "pages",
}
ROLE_RE = re.compile(r"\{(?P<role>[a-z-]+)\}`(?P<body>[^`]*)`")
ROLE_TARGET_RE = re.compile(r"^(?:(?P<text>.*?)\s*<(?P<target>[^<>]+)>|(?P<bare>[^<>]+))$")

#: Markdown constructs not allowed in protocol sources.
FORBIDDEN_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^\s*\([^)\s]+\)=\s*$"), "explicit targets `(label)=` are not allowed",
     "the builder adds anchors itself; link with the {technique}, {session}, ... roles"),
    (re.compile(r"\{(?:glossary|term|cite|raw|include|literalinclude)\}"),
     "this directive or role is not allowed in protocol sources",
     "see docs/source-format.md, 'Links and special blocks'"),
    (re.compile(r"<\s*/?\s*(?:script|iframe|form|object|embed|style|div|span|a|img)\b", re.I),
     "raw HTML is not allowed in protocol sources", "write Markdown instead"),
]

#: Worksheet field kinds and the keys each needs beyond id/kind/label.
FIELD_KINDS: dict[str, dict[str, type]] = {
    "lines": {"lines": int},
    "text": {"lines": int},
    "table": {"columns": list, "rows": int},
    "rating": {},
    "ticklist": {"options": list},
    "closeness-circle": {"rings": int},
    "timeline": {"marks": int},
}
FIELD_OPTIONAL: dict[str, dict[str, type]] = {
    "rating": {"low": str, "high": str},
    "lines": {},
    "text": {},
    "table": {},
    "ticklist": {},
    "closeness-circle": {},
    "timeline": {},
}

#: Section every session must have.
REQUIRED_SESSION_SECTIONS = ("tasks",)
#: Prefix of the per-problem-area sections of middle-phase sessions.
FOCUS_PREFIX = "focus-"
#: Phase whose sessions carry one focus section per problem area.
MIDDLE_PHASE = "middle"
#: Sections every problem-area page must have.
REQUIRED_PROBLEM_AREA_SECTIONS = ("goals", "strategies")

#: Overlay operations on sections.
SECTION_OPS = ("replace", "append", "prepend", "remove", "add", "after", "before")

#: Largest source file the loader reads (bytes).
MAX_SOURCE_BYTES = 2_000_000
