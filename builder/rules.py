"""The rules of the source format, declared once.

The loader, the validator, the CLI ``check`` and the Sphinx build all import
these names; docs/source-format.md describes them for authors.
"""

from __future__ import annotations

import re
import unicodedata

#: Ids of manuals, sessions sections, pages, worksheets and fields (``\Z``, not ``$``: an id
#: never ends with a newline).
ID_PATTERN = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
ID_RE = re.compile(rf"^{ID_PATTERN}\Z")
#: A semantic version, MAJOR.MINOR.PATCH, without leading zeros: manifests' ``version`` and release tags.
SEMVER_PATTERN = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
SEMVER_RE = re.compile(rf"^{SEMVER_PATTERN}\Z")
#: The name (without ``.md``) of a session file: ``session-NN``, NN the session's number.
SESSION_FILE_RE = re.compile(r"session-(\d+)")
#: The name of an adaptation's file of changes to several sessions: ``each-NAME``.
EACH_FILE_RE = re.compile(rf"each-{ID_PATTERN}")
#: Ids an adaptation may not take: the core's, and names of the site's own pages and folders.
RESERVED_MANUAL_IDS = frozenset({"core", "index", "matrix", "search", "genindex", "pdf"})


def visible(value: object) -> str:
    """``value`` as text for a message, with invisible and direction-changing characters escaped."""
    return "".join(c if c == " " or unicodedata.category(c)[0] not in "CZ" else f"\\u{ord(c):04x}"
                   for c in str(value))


def id_hint(value: str, hint: str = "use lower-case words joined by hyphens") -> str:
    """The hint for an invalid id, naming a character the author may not see (é, a zero-width space)."""
    for char in str(value):
        if not ("a" <= char <= "z" or "0" <= char <= "9" or char == "-"):
            if char.isascii() and char.isprintable() and not char.isspace():
                break
            name = unicodedata.name(char, "a control character")
            return f"it contains U+{ord(char):04X} ({name}); {hint} (plain ASCII letters and digits only)"
    return hint


#: A section heading: ``## Title {#id op}`` (the definition; builder.sections.section_heading
#: matches it without backtracking).
SECTION_HEADING_RE = re.compile(r"^##[ \t]+(?P<title>.*?)[ \t]*\{#(?P<id>[^\s}]*)(?P<op>[^}]*)\}[ \t]*$")
#: Any level-2 heading (to catch ones without an id).
LEVEL2_RE = re.compile(r"^##[ \t]")
LEVEL1_RE = re.compile(r"^#[ \t]")
#: A fence line (builder.fences): three or more backticks, tildes or colons, then the info string.
FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
#: Most spaces before a fence in a body (more: an indented code block, as in CommonMark).
MAX_FENCE_INDENT = 3

#: Roles that link within a manual, and what kind of target each takes.
LINK_ROLES = {
    "technique": "techniques",
    "problem-area": "problem_areas",
    "worksheet": "worksheets",
    "session": "sessions",
    "page": "pages",
}
ROLE_RE = re.compile(r"\{(?P<role>[a-z-]+)\}`(?P<body>[^`]*)`")
#: The text of a link role: ``text <target>`` or ``target``; the text may be wrapped over lines (the definition;
#: builder.sections.split_role_body matches it without backtracking).
ROLE_TARGET_RE = re.compile(r"^(?:(?P<text>.*?)\s*<(?P<target>[^<>]+)>|(?P<bare>[^<>]+))$", re.S)

FILE_OPTION_MESSAGE = "directive options that read a file or an address (:file:, :url:) are not allowed"
FILE_OPTION_HINT = "write the content into the source itself"
#: Markdown constructs not allowed in protocol sources, checked line by line.
FORBIDDEN_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^\s*\([^)\s]+\)=\s*$"), "explicit targets `(label)=` are not allowed",
     "the builder adds anchors itself; link with the {technique}, {session}, ... roles"),
    (re.compile(r"\{\{"), "MyST substitutions '{{ ... }}' are not allowed in protocol sources",
     "they run template code when the site is built; write the text out"),
    (re.compile(r"^[ \t]*:(?:file|url|encoding):(?:[ \t]|$)", re.I), FILE_OPTION_MESSAGE, FILE_OPTION_HINT),
]

#: Directives and roles not allowed in protocol sources (names are case-insensitive, as in
#: docutils), with the hint shown for each.
FORBIDDEN_DIRECTIVES: dict[str, str] = {
    "raw": "raw output bypasses every check; write Markdown instead",
    "include": "files are inserted at build time; write the text into the source",
    "literalinclude": "files are inserted at build time; write the text into the source",
    "eval-rst": "embedded reStructuredText can include files and raw HTML; write Markdown instead",
    "restructuredtext-test": "embedded reStructuredText can include files and raw HTML; write Markdown instead",
    "meta": "page metadata is set by the builder",
    "glossary": "see docs/source-format.md, 'Links and special blocks'",
    "term": "see docs/source-format.md, 'Links and special blocks'",
    "cite": "see docs/source-format.md, 'Links and special blocks'",
}
FORBIDDEN_DIRECTIVE_RE = re.compile(
    r"\{(?P<name>" + "|".join(re.escape(n) for n in FORBIDDEN_DIRECTIVES) + r")\}", re.I)

# --- hostile markup (docs/source-format.md, "Links and special blocks") ------------------

#: HTML elements refused even where a site allows raw HTML (``ipt_allow_raw_html``): they run
#: code, load other pages or files, send data away, or change the whole page.
DANGEROUS_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "form",
                  "base", "meta", "link", "style")
DANGEROUS_TAG_RE = re.compile(
    r"<(?P<name>" + "|".join(re.escape(t) for t in DANGEROUS_TAGS) + r")(?=[\s/>]|\Z)", re.I)
#: Anything a browser would read as an HTML tag, comment, declaration or processing instruction
#: (a ``<`` then a letter, ``/``, ``!`` or ``?``). Used where raw HTML is not allowed.
RAW_HTML_RE = re.compile(r"<(?:[a-z][a-z0-9-]*(?=[\s/>]|\Z)|/[a-z]|!|\?)", re.I)
#: An event-handler attribute (``onerror=``), wherever it appears: text reaching the page
#: through a role or a raw block can carry one without an HTML tag of its own.
EVENT_HANDLER_RE = re.compile(r"(?<![\w-])(?P<name>on[a-z]+)\s*=", re.I)
#: English words that look like ``on…`` but name no event handler ("onset = 2 weeks" is prose).
NOT_EVENT_HANDLERS = frozenset({
    "one", "ones", "once", "only", "onto", "onset", "onsets", "onward", "onwards", "ongoing", "online",
    "onion", "onions", "onus", "onslaught", "onboard", "onboarding", "oncology", "oncologist",
    "onlooker", "onlookers", "onstage", "onrush", "onsite", "onscreen",
})


def _spaced(word: str) -> str:
    """A word as browsers read it in a URL: tabs, newlines (and Markdown backslashes) may split it."""
    return r"[\s\\]*".join(re.escape(c) for c in word)


#: ``javascript:`` (and the like) anywhere, after HTML character references are decoded.
SCRIPT_URL_RE = re.compile(r"(?<![a-z0-9])(?P<scheme>" + "|".join(_spaced(w) for w in
                           ("javascript", "vbscript", "livescript")) + r")[\s\\]*:", re.I)
#: ``data:`` where a URL goes: a Markdown link or image, a link definition, an autolink, an HTML
#: attribute value, a directive argument or option, a role target.
DATA_URL_RE = re.compile(
    r"(?:\]\(|^[ \t]{0,3}\[[^\]\n]+\]:|<|=|^[ \t]*:[\w-]+:|\}`?)"
    r"[\s\\\"'<]*(?P<scheme>" + _spaced("data") + r")[\s\\]*:", re.I | re.M)

#: Where a path or address is given: Markdown links and images, link definitions, the
#: ``{image}``/``{figure}`` directives, image options of cards, the ``{download}`` role.
MD_LINK_RE = re.compile(r"(?P<bang>!?)\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]"
                        r"\(\s*(?:<(?P<angle>[^<>\n]*)>|(?P<dest>[^\s<>]+))")
LINK_DEF_RE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*(?:<(?P<angle>[^<>\n]*)>|(?P<dest>\S+))", re.M)
IMAGE_DIRECTIVE_RE = re.compile(
    r"^[ \t]*(?:`{3,}|~{3,}|:{3,})[ \t]*\{(?:image|figure)\}[ \t]*(?P<dest>[^\n]*)$", re.I | re.M)
IMAGE_OPTION_RE = re.compile(r"^[ \t]*:(?P<option>img-top|img-bottom|img-background|target|link):[ \t]*"
                             r"(?P<dest>[^\n]*)$", re.I | re.M)
DOWNLOAD_ROLE_RE = re.compile(r"\{download\}`(?P<body>[^`]*)`", re.I)
#: Directive options (either MyST form, see builder/directive_options.py) whose value is an image the
#: build copies into the site, a link, or a file read at build time.
IMAGE_OPTIONS = frozenset({"img-top", "img-bottom", "img-background", "avatar"})
LINK_OPTIONS = frozenset({"target", "link", "avatar-link"})
FILE_OPTIONS = frozenset({"file", "url", "encoding"})

#: Fields holding a title (manifest, session, page, phase, worksheet): templates place titles inside roles,
#: directive arguments and headings, so a title is one line without backquotes (which close roles).
TITLE_FIELDS = frozenset({"title", "short_title"})
TITLE_FORBIDDEN = ("`", "\n")

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
    "lines": {"prefill": str, "multiline": bool},
    "text": {"prefill": str},
    "table": {},
    "ticklist": {},
    "closeness-circle": {},
    "timeline": {},
}

#: What a ``prefill`` may name: text the site fills in when printing (from its settings).
PREFILLS = ("clinic-contacts",)

#: Section every session must have.
REQUIRED_SESSION_SECTIONS = ("tasks",)
#: Prefix of the per-problem-area sections of middle-phase sessions.
FOCUS_PREFIX = "focus-"
#: Phase whose sessions carry one focus section per problem area.
MIDDLE_PHASE = "middle"
#: Sections every problem-area page must have.
REQUIRED_PROBLEM_AREA_SECTIONS = ("goals", "strategies")

#: Overlay operations on sections (``## Title {#id OPERATION}``), and what each does to the manual's
#: section, as a clinician reads it: the one list the parser, the overlay and the templates use.
SECTION_OPS = {"replace": "replaced", "append": "extended", "prepend": "extended", "remove": "removed",
               "add": "added", "after": "added", "before": "added"}
#: Operations that place a new section next to another one: ``after=ID``, ``before=ID``.
PLACING_OPS = ("after", "before")
#: Operations on a section the inherited text has (the others add a section).
CHANGING_OPS = tuple(op for op, effect in SECTION_OPS.items() if effect != "added")
#: Operations whose heading text becomes the section's title (the others keep the inherited one).
TITLED_OPS = tuple(op for op, effect in SECTION_OPS.items() if effect in ("replaced", "added"))
#: The operations as an author writes them, for hints.
SECTION_OPS_SYNTAX = ", ".join(f"{op}=ID" if op in PLACING_OPS else op for op in SECTION_OPS)

#: Largest source file the loader reads (bytes).
MAX_SOURCE_BYTES = 2_000_000
#: Deepest nesting of fenced blocks (directives inside directives) in a body: MyST parses each
#: level recursively, and a few hundred levels crash the Sphinx build.
MAX_FENCE_DEPTH = 10
#: Largest value of whole-number fields, by key (a typo such as ``sessions: 100000000`` would
#: otherwise make the checks and the printed worksheets loop for minutes); others: DEFAULT_NUMBER_LIMIT.
NUMBER_LIMITS = {"sessions": 100, "number": 100, "session": 100, "first_session": 1, "minutes": 600,
                 "session_minutes": 600, "rows": 100, "lines": 100, "rings": 10, "marks": 100}
DEFAULT_NUMBER_LIMIT = 10_000

# --- references that follow the manual (docs/source-format.md, "Numbers that follow the manual") ---

#: Roles resolved per manual from its model (session map, manifest, terms), not links to a page.
REFERENCE_ROLES = ("session-no", "phase", "manual", "who", "as-published")
#: The escape for quoting a published design ("a 16-session trial"): its text is never checked.
ESCAPE_ROLE = "as-published"
#: Roles whose target is a session (a number in the manual the text is written for, or relative).
SESSION_ROLES = ("session", "session-no")
#: A session target relative to the manual: ``first``, ``last``, ``last-1`` …
RELATIVE_SESSION_RE = re.compile(r"^(?P<anchor>first|last)(?:-(?P<back>[0-9]{1,2}))?\Z")
#: What ``{manual}`…``` can name, and the manifest field each comes from.
MANUAL_FACTS = {"sessions": "sessions", "minutes": "session_minutes", "short-title": "short_title",
                "title": "title"}
#: The words a manual may rename (``terms:`` in a manifest; ``{who}`patient```).
TERMS = ("patient", "patients", "therapist", "therapists")

_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                 "sixteen|seventeen|eighteen|nineteen|twenty")
_NUM = rf"(?:[0-9]{{1,3}}|{_NUMBER_WORDS})"
#: Literals that do not follow the manual, refused in protocol text outside the roles above:
#: (pattern, what it is, what to write instead). ``{minutes}`` patterns are checked separately
#: against the manual's session length (LITERAL_MINUTES_RE).
LITERAL_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(rf"\b{_NUM}\s+sessions?\s+(?:before|from)\s+the\s+end\b", re.I),
     "session counted from the end", "write {session-no}`last-N` (e.g. `last-2`)"),
    (re.compile(r"\bthe\s+(?:last|final|penultimate|next[- ]to[- ]last)\s+sessions?\b", re.I),
     "session named by its place", "write {session-no}`last` (or `last-1`, …), or {session}`last` for a link"),
    (re.compile(rf"\b{_NUM}[- ]minutes?(?:\s+(?:weekly|individual|group))?\s+sessions?\b"
                r"|\bsessions?\s+(?:of|lasting|last|lasts)\s+[0-9]{1,3}\s*minutes\b", re.I),
     "session length", "write {manual}`minutes` (the manual's session length)"),
    (re.compile(r"\bsessions?\s+[0-9]{1,3}(?:\s*(?:[-–—]|to|and|or|,)\s*[0-9]{1,3})*\b", re.I),
     "session number", "write {session-no}`N` (or {session}`N` for a link with the title), "
                         "{session-no}`last` / `last-1` / `first`, or {phase}`ID` for a phase's sessions"),
    (re.compile(rf"(?<!every )\b{_NUM}(?:[- ](?:weekly|individual|group))?[- ]sessions?\b"
                r"(?!\s+(?:before|after|a)\b)", re.I),
     "session count", "write {manual}`sessions` (the manual's number of sessions), or {phase}`ID`"),
]
#: ``50 minutes`` / ``50-minute``: a session length when the number is the manual's ``session_minutes``.
LITERAL_MINUTES_RE = re.compile(r"\b(?P<n>[0-9]{1,3})(?:[- ]minutes?\b|-min\b)", re.I)
MINUTES_HINT = "write {manual}`minutes` (the manual's session length)"
#: Every pattern above matches text holding one of these words (tests/test_references.py checks it).
LITERAL_WORDS = ("session", "min")
ESCAPE_HINT = "to quote a published design as it was, write {as-published}`…`"

# --- fictional examples (docs/source-format.md, "Fictional examples") ------------------------

EXAMPLE_AGES = ("adolescent", "adult", "older-adult")
EXAMPLE_FORMATS = ("individual", "group")
EXAMPLE_FLAGS = ("perinatal",)
PERINATAL_RULES = ("required", "excluded", "optional")
#: ``:::{example} id`` opening an example block (any colon or backtick fence of 3+).
EXAMPLE_OPEN_RE = re.compile(r"^(?P<fence>[ \t]{0,3}(?::{3,}|`{3,}))[ \t]*\{example\}[ \t]*(?P<id>\S*)[ \t]*$")
EXAMPLE_POPULATION_RE = re.compile(r"^[ \t]*:population:[ \t]*(?P<tokens>.*)$")

# --- worksheet overlays (docs/source-format.md, "Changing an inherited worksheet") ---------------

WORKSHEET_TEXT_FIELDS = ("title", "purpose", "for_clinician", "for_client")
WORKSHEET_FIELD_OPS = ("replace", "remove", "add")
WORKSHEET_OVERLAY_KEYS = ("set", "append", "prepend", "fields", "notes")
