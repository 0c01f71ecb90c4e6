"""A clinic's local addenda: the last layer, kept in its own folder, shown as local everywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from builder.project import load_project

from .conftest import run_cli
from .helpers import FIXTURES, edit, git, located, with_teen


def with_addenda(tmp_path: Path) -> Path:
    root = with_teen(tmp_path)
    shutil.copytree(FIXTURES / "addenda", root / "local")
    return root


def test_addenda_are_applied_last_and_marked_local(tmp_path: Path) -> None:
    root = with_addenda(tmp_path)
    project = load_project(root)
    assert [p.format() for p in project.problems] == []
    core, teen = project.manual("core"), project.manual("teen")
    s1 = core.session(1)
    assert [s.id for s in s1.sections][:2] == ["tasks", "local-routes"]
    assert s1.section("risk").origin == "local" and s1.section("risk").body.endswith("cares for anyone.")
    assert s1.section("risk").base_body == "Check risk.\n\n```{clinic-contacts}\n```"
    assert core.pages["room-bookings"].origin == "local" and core.page_order[-1] == "room-bookings"
    assert teen.session(1).section("tasks").body == "Our own teen tasks."
    assert teen.session(1).section("tasks").origin == "local"
    # the teen adaptation inherits core's protocol text, not core's local addenda
    assert teen.session(1).section("local-routes") is None


def test_upgrading_the_protocol_keeps_the_addenda(tmp_path: Path) -> None:
    root = with_addenda(tmp_path)
    # a protocol upgrade replaces manual/ and adaptations/ wholesale; local/ is untouched
    shutil.rmtree(root / "manual" / "sessions")
    shutil.copytree(Path(__file__).parent / "roots" / "minimal" / "manual" / "sessions", root / "manual" / "sessions")
    edit(root / "manual" / "sessions" / "session-01.md", "Check risk.", "Check risk carefully.")
    core = load_project(root).manual("core")
    assert core.session(1).section("risk").body.startswith("Check risk carefully.")
    assert core.session(1).section("risk").body.endswith("cares for anyone.")


def test_addendum_targeting_a_missing_section(tmp_path: Path) -> None:
    root = with_addenda(tmp_path)
    (root / "local" / "core" / "sessions" / "session-02.md").write_text("## {#taks append}\n\nMore.\n",
                                                                        encoding="utf-8")
    (root / "local" / "adolescents").mkdir()
    problems = list(load_project(root).problems)
    assert located(problems) == ["local/adolescents/sessions:1: local addenda folder 'adolescents' names no manual",
                                 "local/core/sessions/session-02.md:1: append: core session 2 has no section 'taks'"]
    assert [p.hint for p in problems] == ["known: core, teen", "did you mean 'tasks'?"]


def test_site_shows_local_changes_as_local(tmp_path: Path) -> None:
    root = with_addenda(tmp_path)
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    html = root / "_build" / "html"
    page = BeautifulSoup((html / "core" / "sessions" / "session-01.html").read_text(encoding="utf-8"), "html.parser")
    text = " ".join(page.get_text(" ").split())
    assert "Changed locally by this clinic" in text and "Local addition by this clinic" in text
    assert "Protocol text" in text
    local = (html / "core" / "local-changes.html").read_text(encoding="utf-8")
    assert ("local-routes" in local and "room-bookings" in local.lower()) or "Booking a therapy room" in local
    differences = (html / "teen" / "differences.html").read_text(encoding="utf-8")
    assert "Local changes" in differences
    catalog = json.loads((html / "catalog.json").read_text(encoding="utf-8"))
    core = next(m for m in catalog["manuals"] if m["id"] == "core")
    assert {s["id"]: s["origin"] for s in core["sessions"][0]["sections"]}["local-routes"] == "local"


def test_diff_reports_local_changes_as_local(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "x")
    shutil.copytree(FIXTURES / "addenda", root / "local")
    result = run_cli("diff", "--project", str(root), "--format", "json", "HEAD")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    local = [c for c in changes if c["section"] in ("risk", "local-routes", "tasks")]
    assert local and all(c["local"] for c in local)


def test_diff_and_versions_load_the_project_as_the_site_does(tmp_path: Path) -> None:
    """Raw HTML allowed and an addenda folder other than local/: diff and versions follow conf.py."""
    root = with_teen(tmp_path)
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nipt_allow_raw_html = True\nipt_addenda = "clinic"\n')
    overview = root / "manual" / "pages" / "overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\n<details>More for authors.</details>\n",
                        encoding="utf-8")
    shutil.copytree(FIXTURES / "addenda" / "core", root / "clinic" / "core")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first release")
    git(root, "tag", "core/v1.0.0")
    addendum = root / "clinic" / "core" / "sessions" / "session-01.md"
    addendum.write_text(addendum.read_text(encoding="utf-8").replace("duty desk", "duty desk on 0100 000000"),
                        encoding="utf-8")
    result = run_cli("diff", "--project", str(root), "--format", "json", "core/v1.0.0")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert [(c["manual"], c["section"], c["local"]) for c in changes] == [("core", "local-routes", True)]
    versions = run_cli("versions", "--project", str(root))
    assert versions.returncode == 0, versions.stderr
    page = root / "_build" / "versions" / "core" / "1.0.0" / "core" / "sessions" / "session-01.html"
    assert "Fixture Clinic duty desk" in page.read_text(encoding="utf-8")
