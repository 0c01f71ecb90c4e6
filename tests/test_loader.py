"""Tier 1: loading and validation as pure functions over fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder.errors import Problems
from builder.project import load_project
from builder.sections import split_sections

from .conftest import REPO, copy_project
from .helpers import apply_case, located

pytestmark = pytest.mark.fast  # make test-fast

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "bad_sources.yaml").read_text(encoding="utf-8"))


def test_minimal_fixture_is_clean(minimal: Path) -> None:
    project = load_project(minimal)
    assert [p.format() for p in project.problems] == []
    core = project.manual("core")
    assert [s.number for s in core.sessions] == [1, 2, 3, 4]
    assert [p.id for p in core.phases] == ["initial", "middle", "termination"]
    assert core.phase_of(2).id == "middle"
    session = core.session(2)
    assert session is not None
    assert [s.id for s in session.sections] == ["tasks", "risk", "focus-grief", "focus-role-disputes",
                                                "between-sessions"]
    assert session.minutes == 30  # inherited from session_minutes
    assert session.fidelity == {"did-open": "Opened meeting 2."}
    assert core.worksheets["inventory"].fields[0].options == {"columns": ["Name", "Relationship"], "rows": 5}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_source_reports_path_and_line(tmp_path: Path, case: dict) -> None:
    root = copy_project("minimal", tmp_path)
    apply_case(root, case)
    assert located(load_project(root).problems) == case["expect"]


def test_every_problem_has_a_hint_or_is_self_explanatory(tmp_path: Path) -> None:
    root = copy_project("minimal", tmp_path)
    apply_case(root, next(c for c in CASES if c["name"] == "unknown-technique-and-worksheet"))
    problems = list(load_project(root).problems)
    technique = next(p for p in problems if "clarificaton" in p.message)
    assert technique.hint == "did you mean 'clarification'?"


def test_section_ids_survive_reordering_and_rewording(tmp_path: Path) -> None:
    body_a = "## Tasks {#tasks}\n\nDo this.\n\n## Risk {#risk}\n\nAsk.\n"
    body_b = "## Safety first {#risk}\n\nAsk directly.\n\n## What to do {#tasks}\n\nDo this.\n"
    problems = Problems()
    a = {s.id: s.body for s in split_sections(body_a, 1, tmp_path / "a.md", problems)}
    b = {s.id: s.body for s in split_sections(body_b, 1, tmp_path / "b.md", problems)}
    assert not problems
    assert set(a) == set(b) == {"tasks", "risk"}
    assert a["tasks"] == b["tasks"]


def test_headings_inside_fences_are_not_sections(tmp_path: Path) -> None:
    body = "## Tasks {#tasks}\n\n````markdown\n## Not a section {#nope}\n````\n\n:::{note}\n## Also not {#x}\n:::\n"
    problems = Problems()
    sections = split_sections(body, 1, tmp_path / "a.md", problems)
    assert [s.id for s in sections] == ["tasks"]
    assert "## Not a section" in sections[0].body


def test_bom_and_crlf_are_accepted(minimal: Path) -> None:
    path = minimal / "manual" / "techniques" / "clarification.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    project = load_project(minimal)
    assert [p.format() for p in project.problems] == []
    assert project.manual("core").techniques["clarification"].title == "Clarification"


def test_overlong_file_is_refused_quickly(minimal: Path) -> None:
    path = minimal / "manual" / "pages" / "overview.md"
    path.write_text("---\ntitle: X\nsummary: Y\n---\n\n## A {#a}\n\n" + "word " * 2_200_000, encoding="utf-8")
    problems = [p.format() for p in load_project(minimal).problems]
    assert any(p.startswith("manual/pages/overview.md:1: file is too large") for p in problems)


def _yaml_texts() -> list[str]:
    """The YAML of every real source: each ``.yaml`` file and each Markdown file's front matter."""
    texts = []
    for path in sorted([*(REPO / "manual").rglob("*"), *(REPO / "adaptations").rglob("*")]):
        text = path.read_text(encoding="utf-8") if path.suffix in (".md", ".yaml") else ""
        if path.suffix == ".md" and text.startswith("---\n"):
            text = text[4:text.index("\n---", 3)]
        texts.append(text)
    return [t for t in texts if t.strip()]


def _node(node: yaml.Node) -> tuple[object, ...]:
    """What the loader reads of a node: kind, tag, line, and the value (a scalar's style: literal or not)."""
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.start_mark.line, node.value, node.style == "|")
    if isinstance(node, yaml.MappingNode):
        return ("mapping", node.tag, node.start_mark.line, [(_node(k), _node(v)) for k, v in node.value])
    return ("sequence", node.tag, node.start_mark.line, [_node(item) for item in node.value])


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="this PyYAML has no libyaml")
def test_libyaml_reads_every_real_source_as_pyyaml_does() -> None:
    from builder.sourcefile import _Composer, _FastComposer

    texts = _yaml_texts()
    assert len(texts) > 250
    for text in texts:
        assert _node(_FastComposer(text, 0).get_single_node()) == _node(_Composer(text, 0).get_single_node())
