"""Property-based tests: the loading path never raises, whatever the sources hold.

Every property keeps ``max_examples`` modest and ``deadline=None`` so the whole file runs in
seconds.  The loader properties share one copy of the fixture project (with the teen
adaptation) per module, and restore the file they overwrote after every example.

TODO(semantic diff): when the semantic diff module lands, add its properties here:
``diff(x, x)`` is empty for any manual ``x``, and the diff is stable under reordering
(reordering sections or files without changing them yields no change).
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import Problems
from builder.loader import MANIFEST_FIELDS, SESSION_FIELDS, WORKSHEET_FIELDS
from builder.model import Section, SourceRef
from builder.overlay_parse import FileOverlay
from builder.project import load_project
from builder.rules import ROLE_TARGET_RE, SECTION_HEADING_RE, SECTION_OPS
from builder.section_ops import apply_section_ops
from builder.sections import RawSection, check_markup, section_heading, split_role_body, split_sections
from builder.sourcefile import LocDict

from .conftest import ROOTS
from .helpers import FIXTURES

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOADER = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # load_project each
SMALL = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TARGETS = {
    "session": "manual/sessions/session-02.md",
    "page": "manual/pages/overview.md",
    "manifest": "manual/protocol.yaml",
    "worksheet": "manual/worksheets/inventory.yaml",
    "adaptation-manifest": "adaptations/teen/adaptation.yaml",
    "overlay": "adaptations/teen/sessions/session-01.md",
    "new-worksheet": "adaptations/teen/worksheets/plan.yaml",
}


def make_project(dest: Path) -> Path:
    """A copy of the fixture project with the teen adaptation."""
    root = dest / "minimal"
    shutil.copytree(ROOTS / "minimal", root, ignore=shutil.ignore_patterns("_build", "_site"))
    shutil.copytree(FIXTURES / "overlays" / "teen", root / "adaptations" / "teen")
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project for the module: each example overwrites one file and restores it."""
    return make_project(tmp_path_factory.mktemp("fuzz"))


@contextmanager
def replaced(path: Path, data: bytes) -> Iterator[None]:
    original = path.read_bytes() if path.exists() else None
    path.write_bytes(data)
    try:
        yield
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


def assert_reported_sanely(root: Path, data: bytes, rel: str) -> None:
    with replaced(root / rel, data):
        loaded = load_project(root)  # must not raise
    for problem in loaded.problems:
        assert problem.line >= 1, problem
        assert problem.path and not Path(problem.path).is_absolute(), problem
        assert problem.message, problem
        assert "Traceback" not in problem.message


# --- the loader on arbitrary input --------------------------------------------------

@given(target=st.sampled_from(sorted(TARGETS)), data=st.binary(max_size=400))
@LOADER
def test_loader_never_raises_on_arbitrary_bytes(root: Path, target: str, data: bytes) -> None:
    assert_reported_sanely(root, data, TARGETS[target])


MARKDOWNISH = st.sampled_from([
    "---\n", "## ", "### ", "# ", "{#", "}", " replace", " after=tasks", "```", "~~~", ":::", "{note}",
    "{technique}`", "`", "<", ">", "<script>", "<div onclick=x>", "[x](", ")", "javascript:", "data:", "../",
    "{raw}", "{{", "(label)=", "\n", "\n\n", " ", "tasks", "risk", "é", "\u200b", "\u202e", "\r\n", "\t",
    "number: 2", "title: T", "goals: [a]", "agenda: [{minutes: 30, activity: A}]", "fidelity: {a: b}",
    "set:", "add:", "remove:", "  ", "- ", ": ", "[", "]", "{", "&a ", "*a", "!!timestamp ", "'", '"',
])
TEXTISH = st.lists(st.one_of(MARKDOWNISH, st.text(max_size=8)), max_size=40).map("".join)


@given(target=st.sampled_from(sorted(TARGETS)), text=TEXTISH)
@LOADER
def test_loader_never_raises_on_arbitrary_text(root: Path, target: str, text: str) -> None:
    assert_reported_sanely(root, text.encode("utf-8", "surrogatepass"), TARGETS[target])


# YAML documents of the right outer shape with wrong types and unknown keys inside
KEYS = sorted(SESSION_FIELDS | MANIFEST_FIELDS | WORKSHEET_FIELDS | {
    "kind", "label", "columns", "rows", "options", "lines", "low", "high", "rings", "marks", "minutes",
    "activity", "for", "not_for", "summary", "set", "add", "remove", "notes", "extends", "extends_version",
    "session_map", "session", "from", "new", "dropped", "pages_remove", "first_session"})
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.floats(allow_nan=True),
                    st.sampled_from(["core", "teen", "1-3", "2", "1.0.0", ">=1.0.0", "rating", "table", "tasks",
                                     "inventory", "clarification", "grief", "é", "x" * 50]),
                    st.text(max_size=10))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5), max_leaves=25)
DOCS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=12)


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@given(target=st.sampled_from(["manifest", "worksheet", "adaptation-manifest", "new-worksheet"]), doc=DOCS)
@LOADER
def test_loader_never_raises_on_wrongly_typed_yaml(root: Path, target: str, doc: dict) -> None:
    assert_reported_sanely(root, _dump(doc).encode("utf-8"), TARGETS[target])


@given(target=st.sampled_from(["session", "page", "overlay"]), doc=DOCS, body=TEXTISH)
@LOADER
def test_loader_never_raises_on_wrongly_typed_front_matter(root: Path, target: str, doc: dict, body: str) -> None:
    text = f"---\n{_dump(doc)}---\n\n## Therapist tasks {{#tasks}}\n\n{body}\n"
    assert_reported_sanely(root, text.encode("utf-8", "surrogatepass"), TARGETS[target])


# the fixture's own YAML with one to three values replaced, deleted or added, anywhere in it
def _paths(obj: object, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, original: object) -> object:
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(_paths(doc))))
        if not where:
            continue
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[where[-1]] = draw(VALUES)
        elif action == "delete":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return doc


def _split(text: str) -> tuple[object, str]:
    if not text.startswith("---\n"):
        return yaml.safe_load(text), ""
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


ORIGINALS = {}


def _original(target: str) -> tuple[object, str]:
    if target not in ORIGINALS:
        rel = TARGETS[target]
        base = FIXTURES / "overlays" / "teen" / rel.split("/", 2)[2] if rel.startswith("adaptations/") else ROOTS / \
            "minimal" / rel
        ORIGINALS[target] = _split(base.read_text(encoding="utf-8"))
    return ORIGINALS[target]


@given(data=st.data(), target=st.sampled_from(sorted(TARGETS)))
@LOADER
def test_loader_never_raises_on_mutated_sources(root: Path, data: st.DataObject, target: str) -> None:
    doc, body = _original(target)
    new = data.draw(mutated(doc))
    text = _dump(new) if not body else f"---\n{_dump(new)}---\n{body}"
    assert_reported_sanely(root, text.encode("utf-8"), TARGETS[target])


# --- sections and markup checks on arbitrary text -----------------------------------

@given(text=st.one_of(TEXTISH, st.text(max_size=300)), first=st.integers(1, 500), ops=st.booleans(),
       raw=st.booleans())
@FUZZ
def test_split_sections_never_raises(text: str, first: int, ops: bool, raw: bool) -> None:
    problems = Problems()
    sections = split_sections(text, first, Path("a.md"), problems, allow_ops=ops, allow_raw_html=raw)
    last = first + text.count("\n")
    for problem in problems:
        assert first <= problem.line <= last, (problem, first, last)
    for section in sections:
        assert first <= section.line <= last
        assert section.body in text
        if ops is False:
            assert section.op == ""


@given(text=st.one_of(TEXTISH, st.text(max_size=300)), raw=st.booleans())
@FUZZ
def test_check_markup_never_raises_and_points_inside_the_text(text: str, raw: bool) -> None:
    problems = Problems()
    check_markup(text, 10, Path("a.md"), problems, allow_raw_html=raw)
    for problem in problems:
        assert 10 <= problem.line <= 10 + text.count("\n")
        assert problem.hint


@given(line=st.lists(st.sampled_from(["#", "##", " ", "\t", "{", "}", "{#", "a", " replace", "=", "é", "\u200b",
                                      "\u3000", "\xa0", "x y"]), max_size=14).map("".join))
@FUZZ
def test_section_heading_matches_its_regex(line: str) -> None:
    for candidate in (line, "## " + line):
        m = SECTION_HEADING_RE.match(candidate)
        expected = (m.group("title").strip(), m.group("id"), m.group("op")) if m else None
        assert section_heading(candidate) == expected


@given(body=st.lists(st.sampled_from(["<", ">", " ", "\n", "\t", "a", "é", "\xa0", "<a>", "\x85"]),
                     max_size=12).map("".join))
@FUZZ
def test_role_body_split_matches_its_regex(body: str) -> None:
    m = ROLE_TARGET_RE.match(body.strip())
    expected = None
    if m and (m.group("target") or m.group("bare")):
        expected = ((m.group("text") or "") if m.group("target") else "", m.group("target") or "",
                    m.group("bare") or "")
    assert split_role_body(body) == expected


# --- overlay operations ---------------------------------------------------------------

IDS = st.sampled_from(["tasks", "risk", "focus-grief", "between-sessions", "closing", "new-bit", "x", "y-2"])
WORDS = st.text(alphabet="abc .\n", max_size=20)


@st.composite
def base_sections(draw: st.DrawFn) -> list[Section]:
    ids = draw(st.lists(IDS, unique=True, max_size=6))
    return [Section(i, draw(WORDS).replace("\n", " ") or i, draw(WORDS), SourceRef("manual/s.md", n * 5 + 1),
                    body_line=n * 5 + 2) for n, i in enumerate(ids)]


@st.composite
def overlay_ops(draw: st.DrawFn) -> list[RawSection]:
    ops = []
    for n in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["", *SECTION_OPS]))
        target = draw(IDS) if op in ("after", "before") else ""
        ops.append(RawSection(draw(IDS), draw(WORDS).replace("\n", " "), op, target, draw(WORDS), n * 4 + 1,
                              body_line=n * 4 + 2))
    return ops


@given(sections=base_sections(), ops=overlay_ops())
@FUZZ
def test_section_operations_never_raise(sections: list[Section], ops: list[RawSection]) -> None:
    snapshot = copy.deepcopy(sections)
    problems = Problems()
    out, changes = apply_section_ops(sections, FileOverlay(Path("o.md"), LocDict(), ops), problems, "core session 1")
    assert sections == snapshot  # the base is never modified
    ids = [s.id for s in out]
    assert len(ids) == len(set(ids))
    assert len(changes) + len(problems) == len(ops)  # every operation is either done or reported
    for problem in problems:
        assert problem.path == "o.md" and problem.line in {op.line for op in ops}
    if len({op.id for op in ops}) == len(ops):  # as in a file (a repeated id is already reported)
        removed = {c.section for c in changes if c.operation == "remove"}
        assert not removed & set(ids)


@given(sections=base_sections())
@FUZZ
def test_empty_overlay_gives_the_sections_back(sections: list[Section]) -> None:
    problems = Problems()
    out, changes = apply_section_ops(sections, FileOverlay(Path("o.md"), LocDict(), []), problems, "core")
    assert (out, changes, list(problems)) == (sections, [], [])


SAME = ("id: same\nextends: core\ntitle: Same\nversion: 1.0.0\nsessions: 4\n"
        "audience: {for: [a], not_for: [b]}\n"
        "phases:\n  - {id: initial, title: Initial phase, sessions: 1}\n"
        "  - {id: middle, title: Middle phase, sessions: 2-3}\n  - {id: termination, title: T, sessions: 4}\n"
        "session_map: [{session: 1, from: 1}, {session: 2, from: 2}, {session: 3, from: 3}, {session: 4, from: 4}]\n")
PROSE = st.text(alphabet="abcdefgh ijk.,;é—开始🌱\n", min_size=1, max_size=60).filter(lambda t: t.strip())


@given(bodies=st.lists(PROSE, min_size=1, max_size=3), title=PROSE.map(lambda t: " ".join(t.split())))
@SMALL
def test_empty_overlay_gives_the_core_back(bodies: list[str], title: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ipt-fuzz-") as tmp:
        root = make_project(Path(tmp))
        shutil.rmtree(root / "adaptations" / "teen")
        (root / "adaptations" / "same").mkdir(parents=True)
        (root / "adaptations" / "same" / "adaptation.yaml").write_text(SAME, encoding="utf-8")
        extra = "".join(f"\n## Extra {n} {{#extra-{n}}}\n\n{b}\n" for n, b in enumerate(bodies))
        for n in (1, 4):
            path = root / "manual" / "sessions" / f"session-0{n}.md"
            text = path.read_text(encoding="utf-8").replace(f"title: Fixture meeting {n}", f"title: '{title}'")
            path.write_text(text + extra, encoding="utf-8")
        loaded = load_project(root)
        assert [p.format() for p in loaded.problems] == []
        core, same = loaded.manual("core"), loaded.manual("same")
        for a, b in zip(core.sessions, same.sessions, strict=True):
            assert (a.title, a.minutes, a.participants, a.goals, a.agenda, a.fidelity) == (
                b.title, b.minutes, b.participants, b.goals, b.agenda, b.fidelity)
            assert [(s.id, s.title, s.body) for s in a.sections] == [(s.id, s.title, s.body) for s in b.sections]
        assert all(s.kind == "same" and not s.changes for s in same.report.sessions)


# --- titles and settings are text (issue 10) -----------------------------------------------

TITLE_TEXT = st.text(alphabet=st.sampled_from(list("ab `<>{}[]()*_#:|\\!&;=-\n\t\"'é\u2028")),
                     max_size=30)


@given(title=TITLE_TEXT)
@LOADER
def test_a_title_is_refused_or_stays_inside_its_markup(root: Path, title: str) -> None:
    """Any session title is refused with its line, or reaches the generated page as one line of its own text
    that leaves every role it is placed in balanced (no backquote, no line break)."""
    from builder.render import render_site

    rel = "manual/sessions/session-02.md"
    text = (root / rel).read_text(encoding="utf-8")
    head, rest = text.split("title: ", 1)
    rest = rest.split("\n", 1)[1]
    source = head + "title: " + yaml.safe_dump(title, width=10_000).strip().removesuffix("\n...") + "\n" + rest
    with replaced(root / rel, source.encode("utf-8")):
        loaded = load_project(root)
    if loaded.problems:
        assert any(p.path == rel for p in loaded.problems), [p.format() for p in loaded.problems]
        return
    core = next(m for m in loaded.manuals if m.id == "core")
    session = core.session(2)
    assert session is not None and "`" not in session.title and "\n" not in session.title
    page = render_site(root, loaded.manuals)["core/sessions/session-02.md"]
    for line in page.split("\n"):
        if line.startswith("{bdg-secondary}") or line.startswith("{session}"):
            assert line.count("`") % 2 == 0, line


SETTING_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["<script>alert(1)</script>", "{{ 7*7 }}", "`x`", "R&D &amp; co", "\\*not bold\\*", "[x](javascript:1)"])


@given(value=SETTING_TEXT)
@FUZZ
def test_a_text_setting_is_refused_or_shown_as_exactly_its_text(value: str) -> None:
    """The clinic name and contact line: refused when not one line of text, else MyST shows them literally
    (no markup, no substitution)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.substitution import substitution_plugin

    from builder.config import validate_values
    from builder.render import markdown_text

    if validate_values({"ipt_clinic_name": value, "ipt_contact_line": value}):
        return
    md = MarkdownIt("commonmark").use(substitution_plugin)
    tokens = md.parse("**Contact:** " + markdown_text(value))
    inline = [t for t in tokens if t.type == "inline"]
    kinds = {c.type for t in inline for c in (t.children or [])}
    assert kinds <= {"strong_open", "strong_close", "text", "softbreak"}, kinds
    shown = "".join(c.content for t in inline for c in (t.children or []) if c.type == "text")
    expected = "Contact: " + " ".join(value.split())
    assert " ".join(shown.split()) == " ".join(expected.replace("\x00", "\ufffd").split())
