"""Fictional examples: parsed into the model, checked against each manual's population, replaced by id."""

from __future__ import annotations

from pathlib import Path

from builder.model import Example
from builder.project import load_project

from .helpers import apply_case, core_session_2, with_teen

EXAMPLE = ":::{example} session-02-ms-a\n:population: adult individual\nMs A., 34, a fictional person.\n:::"
TEEN_POPULATION = "example_population:\n  age: [adolescent]\n  format: [individual]\n"


def project(tmp_path: Path, files: dict[str, str | None], population: bool = True):  # type: ignore[no-untyped-def]
    root = with_teen(tmp_path)
    apply_case(root, {"files": {"manual/sessions/session-02.md": core_session_2(EXAMPLE), **files}})
    if population:
        manifest = root / "adaptations" / "teen" / "adaptation.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8") + TEEN_POPULATION, encoding="utf-8")
    return load_project(root)


def test_examples_are_parsed_into_the_model(tmp_path: Path) -> None:
    p = project(tmp_path, {}, population=False)
    assert [x.format() for x in p.problems] == []
    section = p.manual("core").session(2).section("between-sessions")
    assert section.examples == [Example("session-02-ms-a", ["adult", "individual"], 40, 43,
                                        "manual/sessions/session-02.md", EXAMPLE)]


def test_inherited_example_outside_the_population_is_an_error(tmp_path: Path) -> None:
    assert [x.format() for x in project(tmp_path, {}).problems] == [
        "manual/sessions/session-02.md:40: inherited example 'session-02-ms-a' shows age band 'adult' "
        "(this manual: adolescent), which manual 'teen' leaves out\n"
        "    hint: replace it in adaptations/teen/examples/session-02-ms-a.md (front matter 'population: …' "
        "and the new text) or drop it there with 'drop: true'"]


def test_replacing_an_example_by_id(tmp_path: Path) -> None:
    p = project(tmp_path, {"adaptations/teen/examples/session-02-ms-a.md":
                           "---\npopulation: adolescent individual\n---\n\nJay, 15, a fictional person.\n"})
    assert [x.format() for x in p.problems] == []
    section = p.manual("teen").session(2).section("between-sessions")
    assert section.body.endswith(":::{example} session-02-ms-a\n:population: adolescent individual\n"
                                 "Jay, 15, a fictional person.\n:::")
    assert "Ms A." not in section.body and "Ms A." in section.base_body
    assert (section.origin, section.operation) == ("adapted", "example")
    assert [(e.id, e.population, e.line, e.end, e.path) for e in section.examples] == [
        ("session-02-ms-a", ["adolescent", "individual"], 3, 6, "adaptations/teen/examples/session-02-ms-a.md")]
    assert p.manual("teen").report.examples == [("session-02-ms-a", "replaced")]
    assert "Ms A." in p.manual("core").session(2).section("between-sessions").body


def test_dropping_an_example(tmp_path: Path) -> None:
    p = project(tmp_path, {"adaptations/teen/examples/session-02-ms-a.md": "---\ndrop: true\n---\n"})
    assert [x.format() for x in p.problems] == []
    section = p.manual("teen").session(2).section("between-sessions")
    assert section.body == "Notice what happens." and section.examples == []
    assert p.manual("teen").report.examples == [("session-02-ms-a", "dropped")]


def test_bad_example_sources_are_located(tmp_path: Path) -> None:
    p = project(tmp_path, {
        "adaptations/teen/examples/session-02-ms-b.md": "---\ndrop: true\n---\n",
        "manual/sessions/session-03.md": (Path(__file__).parent / "roots" / "minimal" / "manual" / "sessions" /
                                          "session-03.md").read_text(encoding="utf-8").replace(
            "Notice what happens.", "Notice.\n\n:::{example} s3\n:population: adult teen\nText.\n:::"),
    }, population=False)
    assert [x.format() for x in p.problems] == [
        "adaptations/teen/examples/session-02-ms-b.md:1: core has no example 'session-02-ms-b' to replace or drop\n"
        "    hint: did you mean 'session-02-ms-a'?",
        "manual/sessions/session-03.md:40: example 's3': unknown population word 'teen'\n"
        "    hint: write one age band (adolescent, adult, older-adult), one format (individual, group) and, if it "
        "applies, perinatal; e.g. ':population: adult individual'"]
