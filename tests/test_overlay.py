"""Overlay resolution: one fixture overlay per operation, the error corpus, and purity."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from builder.errors import Problems
from builder.loader import load_manual
from builder.model import AgendaItem
from builder.overlay import resolve, scale_agenda
from builder.overlay_parse import parse_adaptation
from builder.project import load_project

from .helpers import FIXTURES, apply_case, located, with_teen

pytestmark = pytest.mark.fast  # make test-fast

CASES = yaml.safe_load((FIXTURES / "bad_overlays.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def teen_root(tmp_path: Path) -> Path:
    return with_teen(tmp_path)


def resolved(root: Path):
    project = load_project(root)
    assert [p.format() for p in project.problems] == []
    return project.manual("core"), project.manual("teen")


def test_replace_keeps_position_and_records_core_text(teen_root: Path) -> None:
    core, teen = resolved(teen_root)
    s1 = teen.session(1)
    tasks = s1.section("tasks")
    assert (tasks.title, tasks.body, tasks.origin, tasks.operation) == (
        "Teen tasks", "Teen tasks replace core tasks.", "adapted", "replace")
    assert tasks.base_body == core.session(1).section("tasks").body
    assert tasks.ref.path == "adaptations/teen/sessions/session-01.md"


def test_append_and_prepend_keep_the_core_text(teen_root: Path) -> None:
    core, teen = resolved(teen_root)
    s1 = teen.session(1)
    risk = s1.section("risk")
    assert risk.body.startswith(core.session(1).section("risk").body)
    assert risk.body.endswith("Also ask the parent about risk.")
    between = s1.section("between-sessions")
    assert between.body.startswith("Before anything else, agree a school plan.")
    assert between.body.endswith("Notice what happens.")


def test_insert_after_and_add(teen_root: Path) -> None:
    _, teen = resolved(teen_root)
    ids = [s.id for s in teen.session(1).sections]
    assert ids == ["tasks", "parent-meeting", "risk", "between-sessions", "closing"]
    assert teen.session(1).section("parent-meeting").origin == "new"


def test_remove_and_compression(teen_root: Path) -> None:
    _, teen = resolved(teen_root)
    s3 = teen.session(3)
    assert s3.from_sessions == [3, 4]
    ids = [s.id for s in s3.sections]
    # core 3 then core 4, with 4's colliding ids renamed; risk-4 removed by the overlay;
    # the grief focus is gone because the adaptation leaves that problem area out
    assert ids == ["tasks", "risk", "focus-role-disputes", "between-sessions", "tasks-4", "between-sessions-4"]
    assert s3.worksheets == []
    assert [a.minutes for a in s3.agenda] == [15, 5]


def test_front_matter_changes(teen_root: Path) -> None:
    core, teen = resolved(teen_root)
    s1 = teen.session(1)
    assert s1.title == "Starting with a parent"
    assert s1.participants == ["teen", "therapist", "parent"]
    assert s1.worksheets == ["inventory", "plan"]
    assert s1.fidelity == {"parent-met": "Met the parent."}
    assert s1.minutes == 20 and sum(a.minutes for a in s1.agenda) == 20
    assert core.session(1).minutes == 30  # the base is untouched


def test_new_sessions_pages_and_worksheets(teen_root: Path) -> None:
    _, teen = resolved(teen_root)
    assert [s.number for s in teen.sessions] == [0, 1, 2, 3, 4]
    assert teen.session(0).origin == "new"
    assert teen.page_order == ["overview", "parents"]
    assert teen.pages["overview"].title == "Teen overview"
    assert teen.pages["overview"].section("about").body == "A teen fixture."
    assert "plan" in teen.worksheets and "inventory" in teen.worksheets
    assert list(teen.problem_area_pages) == ["role-disputes"]


def test_inherited_links_follow_the_session_map(teen_root: Path) -> None:
    _, teen = resolved(teen_root)
    # core session 2's text links {session}`1` (core 1 → teen 1); core technique text links {session}`2`
    assert "{session}`1`" in teen.session(2).section("tasks").body
    # the core overview's link to the grief page (left out here) now points into core
    assert "{problem-area}`core:grief`" in teen.pages["overview"].section("about").base_body


def test_report_lists_every_change(teen_root: Path) -> None:
    _, teen = resolved(teen_root)
    report = teen.report
    kinds = {s.number: s.kind for s in report.sessions}
    assert kinds == {0: "new", 1: "adapted", 2: "same", 3: "compressed", 4: "new"}
    ops = [(c.section, c.operation) for c in report.sessions[1].sections]
    assert ops == [("tasks", "replace"), ("risk", "append"), ("between-sessions", "prepend"),
                   ("parent-meeting", "after"), ("closing", "add")]
    assert report.problem_areas_removed == ["grief"]
    assert report.worksheets_added == ["plan"]
    assert [(p.id, p.new) for p in report.pages] == [("overview", False), ("parents", True)]


def test_resolve_is_pure(teen_root: Path) -> None:
    problems = Problems(teen_root)
    core = load_manual(teen_root / "manual", problems)
    snapshot = copy.deepcopy(core)
    adaptation = parse_adaptation(teen_root / "adaptations" / "teen", problems)
    first = resolve(core, adaptation, problems)
    second = resolve(core, adaptation, problems)
    assert core == snapshot
    assert first == second


def test_empty_overlay_gives_the_core_back(minimal: Path) -> None:
    folder = minimal / "adaptations" / "same"
    folder.mkdir(parents=True)
    (folder / "adaptation.yaml").write_text(
        "id: same\nextends: core\ntitle: Same\nversion: 1.0.0\nsessions: 4\n"
        "audience: {for: [a], not_for: [b]}\n"
        "phases:\n  - {id: initial, title: Initial phase, sessions: 1}\n"
        "  - {id: middle, title: Middle phase, sessions: 2-3}\n  - {id: termination, title: T, sessions: 4}\n"
        "session_map: [{session: 1, from: 1}, {session: 2, from: 2}, {session: 3, from: 3}, {session: 4, from: 4}]\n",
        encoding="utf-8")
    project = load_project(minimal)
    assert not project.problems
    core, same = project.manual("core"), project.manual("same")
    for a, b in zip(core.sessions, same.sessions, strict=True):
        assert (a.title, a.minutes, a.participants, a.goals, a.agenda, a.fidelity) == (
            b.title, b.minutes, b.participants, b.goals, b.agenda, b.fidelity)
        assert [(s.id, s.title, s.body) for s in a.sections] == [(s.id, s.title, s.body) for s in b.sections]
    assert all(s.kind == "same" and not s.changes for s in same.report.sessions)


@pytest.mark.parametrize(("minutes", "agenda"), [(20, [10, 20]), (45, [5, 12, 10, 8, 8, 4, 3]), (90, [50])])
def test_scale_agenda_keeps_exact_total(minutes: int, agenda: list[int]) -> None:
    scaled = scale_agenda([AgendaItem(m, f"a{i}") for i, m in enumerate(agenda)], minutes)
    assert sum(a.minutes for a in scaled) == minutes
    assert [a.activity for a in scaled] == [f"a{i}" for i in range(len(agenda))]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_overlay_reports_path_and_line(tmp_path: Path, case: dict) -> None:
    root = with_teen(tmp_path)
    apply_case(root, case)
    problems = list(load_project(root).problems)
    assert located(problems) == case["expect"]
    if "hint" in case:
        assert any(p.hint == case["hint"] for p in problems), [p.hint for p in problems]


@pytest.mark.parametrize(("minutes", "expected"), [(20, "30 → 20")])
def test_session_length_is_compared_with_the_base_session(teen_root: Path, minutes: int, expected: str) -> None:
    # teen sessions are 20 minutes; core's are 30. Setting the session's length again must not read "20 → 20".
    path = teen_root / "adaptations" / "teen" / "sessions" / "session-01.md"
    path.write_text(path.read_text(encoding="utf-8").replace("set:\n", f"set:\n  minutes: {minutes}\n", 1),
                    encoding="utf-8")
    _core, teen = resolved(teen_root)
    report = next(s for s in teen.report.sessions if s.number == 1)
    assert report.changes.get("minutes") == expected
    assert teen.session(1).minutes == minutes
