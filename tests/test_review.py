"""The inheritance review: inherited.lock, `ipt-manual review`, `check` warnings and --strict, the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.project import load_project
from builder.render import render_site
from builder.review import inherited_units, pending

from .conftest import run_cli
from .helpers import edit, git, teen_repo, with_teen

LOCK = Path("adaptations") / "teen" / "inherited.lock"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return teen_repo(tmp_path)


def test_every_inherited_unit_starts_unreviewed(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    project = load_project(root)
    teen = project.manual("teen")
    units = inherited_units(teen)
    # teen session 2 comes unchanged from core 2; session 1 replaces tasks but keeps risk (appended)
    assert {"session-02/tasks", "session-02/focus-role-disputes", "session-01/risk", "worksheet/inventory",
            "technique/clarification/what", "session-01/goals"} <= set(units)
    assert "session-01/tasks" not in units and "session-00/tasks" not in units and "worksheet/plan" not in units
    assert units["session-01/risk"].text.startswith("Check risk.")  # the core part only
    assert [p.unit.id for p in pending(teen)] == list(units)
    assert [p.format() for p in project.problems] == []
    assert ("manual/sessions/session-01.md", 4, "inherited by 'teen' and never reviewed there (session-01/goals)") \
        in [(p.path, p.line, p.message) for p in project.review]


def test_check_warns_strict_fails_review_records(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    result = run_cli("check", "--project", str(root))
    assert result.returncode == 0, result.stderr
    assert "manual/sessions/session-02.md:19: warning: inherited by 'teen' and never reviewed there " \
           "(session-02/tasks)" in result.stderr
    assert run_cli("check", "--strict", "--project", str(root)).returncode == 1
    shown = run_cli("review", "teen", "session-02/tasks", "--show", "--project", str(root))
    assert shown.returncode == 0 and "    Tasks of meeting 2." in shown.stdout
    assert not (root / LOCK).exists()  # --show only shows
    assert run_cli("review", "teen", "session-02/tasks", "--project", str(root)).returncode == 0
    assert (root / LOCK).read_text(encoding="utf-8").count("\n  ") == 1
    result = run_cli("review", "teen", "--all", "--project", str(root))
    assert result.returncode == 0, result.stderr
    lock = (root / LOCK).read_text(encoding="utf-8")
    assert lock.startswith("# Inherited text read and accepted") and "\\u" not in lock
    assert "\n  session-02/tasks: " in lock
    result = run_cli("check", "--strict", "--project", str(root))
    assert result.returncode == 0, result.stderr
    assert run_cli("review", "teen", "--pending", "--project", str(root)).stdout == ""


def test_damaged_lock_is_a_located_error(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    (root / LOCK).write_text("units:\n  session-02/tasks: nothex\n  session-02/risk: [\n", encoding="utf-8")
    problems = [p.format() for p in load_project(root).problems]
    assert problems and problems[0].startswith("adaptations/teen/inherited.lock:4:"), problems
    (root / LOCK).write_text("units:\n  session-02/tasks: nothex\n", encoding="utf-8")
    assert [p.format() for p in load_project(root).problems] == [
        "adaptations/teen/inherited.lock:2: inherited.lock: 'session-02/tasks' needs a 12-character hash\n"
        "    hint: it is written by 'ipt-manual review'; run 'ipt-manual review ID UNIT' again"]


def test_a_core_edit_after_review_needs_review_again(repo: Path) -> None:
    assert run_cli("review", "teen", "--all", "--project", str(repo)).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "teen reviewed everything it inherits")
    edit(repo / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.",
         "Tasks of meeting 2. Ask about sleep and appetite every week.")
    result = run_cli("check", "--strict", "--project", str(repo))
    assert result.returncode == 1
    assert ("manual/sessions/session-02.md:19: error: inherited by 'teen' and changed since it was reviewed "
            "there (session-02/tasks)") in result.stderr
    assert result.stderr.count("inherited by 'teen'") == 1
    diff = run_cli("diff", "--project", str(repo), "HEAD", "--format", "json")
    teen = [c for c in json.loads(diff.stdout)["changes"] if c["manual"] == "teen"]
    assert [(c["session"], c["section"], c["needs_review"]) for c in teen] == [(2, "tasks", "teen")]
    text = run_cli("diff", "--project", str(repo), "HEAD").stdout
    assert "inherited, needs review by teen" in text
    pages = render_site(repo, load_project(repo).manuals)
    assert "| `session-02/tasks` | changed since it was reviewed | `manual/sessions/session-02.md:19` |" in \
        pages["teen/differences.md"]


def test_new_adaptation_starts_with_everything_unreviewed(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    result = run_cli("new-adaptation", "night-shift", "--project", str(root), "--title", "IPT for night workers' "
                     "depression", "--short-title", "IPT-N")
    assert result.returncode == 0, result.stderr
    manifest = (root / "adaptations" / "night-shift" / "adaptation.yaml").read_text(encoding="utf-8")
    assert 'title: "IPT for night workers\' depression"' in manifest and "\\u0027" not in manifest
    assert 'short_title: "IPT-N"' in manifest
    assert manifest.count('summary: "TODO: summarise this phase for this adaptation."') == 3
    readme = (root / "adaptations" / "night-shift" / "README.md").read_text(encoding="utf-8")
    assert "  ````markdown\n  ---\n" in readme and "## {#tasks append}" in readme
    assert not (root / "adaptations" / "night-shift" / "inherited.lock").exists()
    project = load_project(root)
    assert [p.format() for p in project.problems] == []
    night = project.manual("night-shift")
    assert night.short_title == "IPT-N"
    assert {p.unit.id for p in pending(night)} == set(inherited_units(night)) != set()
    assert run_cli("check", "--strict", "--project", str(root)).returncode == 1
