"""each-NAME.md: section operations over a phase or a list of sessions."""

from __future__ import annotations

from pathlib import Path

from builder.project import load_project

from .helpers import apply_case, with_teen

EACH = """\
---
applies_to: middle
add:
  goals: [Check in about school.]
notes: Every middle-phase session asks about school.
---

## School check-in {#school after=tasks}

Ask how school went this week.

## {#between-sessions append}

Agree one school task.
"""


def load(tmp_path: Path, files: dict[str, str | None]):  # type: ignore[no-untyped-def]
    root = with_teen(tmp_path)
    apply_case(root, {"files": files})
    return load_project(root)


def test_each_file_applies_to_every_session_of_a_phase(tmp_path: Path) -> None:
    project = load(tmp_path, {"adaptations/teen/sessions/each-school.md": EACH})
    assert [p.format() for p in project.problems] == []
    teen = project.manual("teen")
    for number in (2, 3):  # the teen middle phase
        session = teen.session(number)
        ids = [s.id for s in session.sections]
        assert ids[ids.index("tasks") + 1] == "school"
        assert session.section("school").origin == "new"
        assert session.section("between-sessions").body.endswith("Agree one school task.")
        assert session.goals[-1] == "Check in about school."
    assert teen.session(1).section("school") is None
    report = {r.number: r for r in teen.report.sessions}
    assert report[2].kind == "adapted"
    assert [(c.section, c.operation) for c in report[2].sections] == [("school", "after"),
                                                                      ("between-sessions", "append")]


def test_each_file_with_a_list_of_sessions_and_its_errors(tmp_path: Path) -> None:
    project = load(tmp_path, {"adaptations/teen/sessions/each-school.md": EACH.replace("middle", "[1, 9]")})
    assert [p.format() for p in project.problems] == [
        "adaptations/teen/sessions/each-school.md:2: applies_to: this adaptation has no session 9\n"
        "    hint: its sessions are 0-4 (this adaptation's numbers)"]
    assert project.manual("teen").session(1).section("school") is not None
    project = load(tmp_path / "b", {"adaptations/teen/sessions/each-school.md": EACH.replace("middle", "midle")})
    assert [p.format() for p in project.problems] == [
        "adaptations/teen/sessions/each-school.md:2: applies_to: this adaptation has no phase 'midle'\n"
        "    hint: did you mean 'middle'?"]
