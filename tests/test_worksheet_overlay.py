"""Worksheet overlays: set/append/prepend on text, replace/remove/add on fields, and their errors."""

from __future__ import annotations

from pathlib import Path

from builder.project import load_project
from builder.render import render_site

from .helpers import apply_case, with_teen

OVERLAY = """\
set:
  title: Teen inventory
append:
  for_clinician: With a teen, fill it in together.
prepend:
  for_client: Take your time.
fields:
  - replace: people
    kind: table
    label: People who matter
    columns: [Name, How close]
    rows: 6
  - remove: mood
  - add: worries
    before: people
    kind: lines
    label: Worries
    lines: 3
"""


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    root = with_teen(tmp_path)
    apply_case(root, {"files": {"adaptations/teen/worksheets/inventory.yaml": text}})
    return root, load_project(root)


def test_worksheet_overlay_changes_text_and_fields(tmp_path: Path) -> None:
    root, project = load(tmp_path, OVERLAY)
    assert [p.format() for p in project.problems] == []
    core, teen = project.manual("core").worksheets["inventory"], project.manual("teen").worksheets["inventory"]
    assert teen.title == "Teen inventory"
    assert teen.for_clinician == "Use in {session-no}`1`.\n\nWith a teen, fill it in together."
    assert teen.for_client == "Take your time.\n\nWrite the names of people who matter to you."
    assert [(f.id, f.kind, f.label) for f in teen.fields] == [("worries", "lines", "Worries"),
                                                             ("people", "table", "People who matter")]
    assert teen.fields[1].options == {"columns": ["Name", "How close"], "rows": 6}
    assert teen.origin == "adapted" and core.title == "Inventory" and len(core.fields) == 2
    assert teen.spans["for_clinician"][1] == ("With a teen, fill it in together.",
                                              "adaptations/teen/worksheets/inventory.yaml", 4)
    assert teen.changes == {"title": "replaced", "for_clinician": "text added at the end",
                            "for_client": "text added at the start",
                            "fields": "people replaced; − mood; + worries"}
    assert project.manual("teen").report.worksheets_adapted == ["inventory"]
    pages = render_site(root, project.manuals)
    assert "{bdg-warning}`Adapted for Teen`" in pages["teen/worksheets/inventory.md"]
    assert "Use in {session}`session 1 <1>`.\n\nWith a teen" in pages["teen/worksheets/inventory.md"]
    differences = pages["teen/differences.md"]
    # in clinical words on the page; the field-level detail for maintainers
    assert "- {worksheet}`inventory`: changes its title, notes for the clinician, text for the client, fields" \
        in differences
    assert "- `inventory`: title replaced; for clinician text added at the end" in differences


def test_worksheet_overlay_errors_are_located(tmp_path: Path) -> None:
    _, project = load(tmp_path, "set:\n  for_clinican: x\nfields:\n  - remove: mod\n  - add: people\n"
                                "    kind: rating\n    label: P\n  - add: extra\n    after: nowhere\n"
                                "    kind: rating\n    label: E\n  - {kind: rating}\n")
    assert [p.format().split("\n    hint: ") for p in project.problems] == [
        ["adaptations/teen/worksheets/inventory.yaml:2: set: unknown field 'for_clinican'",
         "did you mean 'for_clinician'?"],
        ["adaptations/teen/worksheets/inventory.yaml:4: remove: worksheet 'inventory' has no field 'mod'",
         "did you mean 'mood'?"],
        ["adaptations/teen/worksheets/inventory.yaml:5: add: the worksheet already has a field 'people'",
         "use '- replace: people' to change it, or choose a new id"],
        ["adaptations/teen/worksheets/inventory.yaml:9: add: after=nowhere: the worksheet has no field 'nowhere'",
         "known: mood, people"],
        ["adaptations/teen/worksheets/inventory.yaml:12: fields item 4 says no operation",
         "each item is '- replace: ID' (then the new field), '- remove: ID' or '- add: ID' (then the field)"],
    ]
