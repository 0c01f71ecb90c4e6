"""The semantic diff and version check, over throwaway git repositories with scripted histories."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from builder.diff import diff_manuals
from builder.project import load_project
from builder.versioning import bump_kind, parse_tag

from .conftest import copy_project, run_cli
from .helpers import FIXTURES, edit, git, teen_repo

pytestmark = pytest.mark.fast  # make test-fast



@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return teen_repo(tmp_path)


def diff_json(root: Path, *args: str) -> list[dict]:
    result = run_cli("diff", "--project", str(root), "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["changes"]


def test_core_edit_is_reported_under_core_and_inherited_under_the_adaptation(repo: Path) -> None:
    edit(repo / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.",
         "Tasks of meeting 2. Ask about sleep and appetite every week.")
    changes = diff_json(repo, "core/v1.0.0")
    core = [c for c in changes if c["manual"] == "core"]
    teen = [c for c in changes if c["manual"] == "teen"]
    assert [(c["session"], c["section"], c["kind"], c["impact"], c["inherited_from"]) for c in core] == [
        (2, "tasks", "changed", "content", None)]
    assert [(c["session"], c["section"], c["kind"], c["impact"], c["inherited_from"]) for c in teen] == [
        (2, "tasks", "changed", "content", "core")]
    assert teen[0]["before"] == "Tasks of meeting 2. See {technique}`clarification` and {session}`1`."


def test_edit_to_an_adaptation_override_is_reported_only_there(repo: Path) -> None:
    edit(repo / "adaptations" / "teen" / "sessions" / "session-01.md", "Teen tasks replace core tasks.",
         "Teen tasks replace core tasks, and the parent is invited to the last ten minutes.")
    changes = diff_json(repo, "core/v1.0.0")
    assert [(c["manual"], c["session"], c["section"], c["inherited_from"]) for c in changes] == [
        ("teen", 1, "tasks", None)]


def test_core_edit_under_an_override_does_not_reach_the_adaptation(repo: Path) -> None:
    edit(repo / "manual" / "sessions" / "session-01.md", "Tasks of meeting 1.", "Tasks of the first session, "
         "now with a full review of what the patient hopes for.")
    changes = diff_json(repo, "core/v1.0.0")
    assert {c["manual"] for c in changes} == {"core"}


def test_rewrapped_paragraph_is_no_change(repo: Path) -> None:
    edit(repo / "manual" / "techniques" / "clarification.md", "Restating what the patient said. Used in",
         "Restating   what the\npatient said.\nUsed in")
    assert diff_json(repo, "core/v1.0.0") == []


def test_typo_is_editorial(repo: Path) -> None:
    edit(repo / "manual" / "techniques" / "clarification.md", "Restating what", "Restatting what")
    git(repo, "commit", "-qam", "typo")
    edit(repo / "manual" / "techniques" / "clarification.md", "Restatting what", "Restating what")
    changes = diff_json(repo, "HEAD")
    assert [(c["manual"], c["page"], c["section"], c["impact"]) for c in changes] == [
        ("core", "technique:clarification", "what", "editorial"),
        ("teen", "technique:clarification", "what", "editorial")]
    assert changes[1]["inherited_from"] == "core"


def test_added_session_and_phase_range_are_structural(repo: Path) -> None:
    manifest = repo / "manual" / "protocol.yaml"
    edit(manifest, "\nsessions: 4\n", "\nsessions: 5\n")
    edit(manifest, "    sessions: 4\n", "    sessions: 4-5\n")
    text = (repo / "manual" / "sessions" / "session-04.md").read_text(encoding="utf-8")
    (repo / "manual" / "sessions" / "session-05.md").write_text(
        text.replace("number: 4", "number: 5").replace("Fixture meeting 4", "A booster session")
        .replace("session 4", "the booster"), encoding="utf-8")
    edit(repo / "adaptations" / "teen" / "adaptation.yaml", "dropped: []", "dropped: [5]")
    changes = diff_json(repo, "core/v1.0.0")
    core = {(c["kind"], c["impact"], c.get("field"), c["session"]) for c in changes if c["manual"] == "core"}
    assert ("added", "structural", None, 5) in core
    assert ("changed", "structural", "sessions", None) in core
    assert ("changed", "structural", "phases.termination", None) in core
    assert not [c for c in changes if c["manual"] == "teen"]


def test_renumbered_session_is_reported(repo: Path) -> None:
    sessions = repo / "manual" / "sessions"
    edit(sessions / "session-03.md", "title: Fixture meeting 3", "title: Practising a hard conversation")
    edit(sessions / "session-03.md", "Tasks of meeting 3.", "Rehearse the conversation the patient dreads, "
         "with the therapist playing the other person, then swap roles and talk about how it felt.")
    git(repo, "commit", "-qam", "distinct session 3")
    a = (sessions / "session-02.md").read_text(encoding="utf-8")
    b = (sessions / "session-03.md").read_text(encoding="utf-8")
    (sessions / "session-02.md").write_text(b.replace("number: 3", "number: 2"), encoding="utf-8")
    (sessions / "session-03.md").write_text(a.replace("number: 2", "number: 3"), encoding="utf-8")
    base = load_project(repo)
    assert not base.problems
    changes = [c for c in diff_json(repo, "HEAD") if c["manual"] == "core"]
    assert {(c["kind"], c["before"], c["after"]) for c in changes if c["kind"] == "renumbered"} == {
        ("renumbered", 2, 3), ("renumbered", 3, 2)}


def test_renamed_worksheet_field_is_structural(repo: Path) -> None:
    edit(repo / "manual" / "worksheets" / "inventory.yaml", "id: people", "id: important-people")
    changes = [c for c in diff_json(repo, "core/v1.0.0") if c["manual"] == "core"]
    assert {(c["kind"], c["field"], c["impact"]) for c in changes} == {
        ("added", "important-people", "structural"), ("removed", "people", "structural")}


def test_diff_of_a_tree_with_itself_is_empty(repo: Path) -> None:
    project = load_project(repo)
    assert diff_manuals(project.manuals, project.manuals) == []
    assert diff_json(repo, "HEAD") == []


def test_check_version_requires_the_right_bump(repo: Path) -> None:
    edit(repo / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.", "Tasks of meeting 2. Ask about "
         "sleep and appetite every week, and write the answers down.")
    result = run_cli("check-version", "--project", str(repo), "core/v1.0.0")
    assert result.returncode == 1
    assert "core: content change needs a minor bump" in result.stderr
    assert "teen: content change (only through what it inherits) needs a minor bump" in result.stderr
    assert "set version: 1.1.0 or higher" in result.stderr
    edit(repo / "manual" / "protocol.yaml", "version: 1.0.0", "version: 1.0.1")
    result = run_cli("check-version", "--project", str(repo), "core/v1.0.0")
    assert result.returncode == 1 and "core: content change needs a minor bump" in result.stderr
    edit(repo / "manual" / "protocol.yaml", "version: 1.0.1", "version: 1.1.0")
    edit(repo / "adaptations" / "teen" / "adaptation.yaml", "version: 1.0.0", "version: 1.1.0")
    result = run_cli("check-version", "--project", str(repo), "core/v1.0.0")
    assert result.returncode == 0, result.stderr


def test_structural_change_needs_a_major_bump(repo: Path) -> None:
    edit(repo / "manual" / "worksheets" / "inventory.yaml", "id: people", "id: important-people")
    edit(repo / "manual" / "protocol.yaml", "version: 1.0.0", "version: 1.1.0")
    result = run_cli("check-version", "--project", str(repo), "core/v1.0.0")
    assert result.returncode == 1
    assert "core: structural change needs a major bump" in result.stderr and "2.0.0" in result.stderr


def test_merge_base_ignores_changes_on_a_moving_main(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo / "manual" / "pages" / "overview.md", "A fixture.", "A fixture manual for tests.")
    git(repo, "commit", "-qam", "feature edit")
    git(repo, "checkout", "-q", "main")
    edit(repo / "manual" / "techniques" / "clarification.md", "Restating what the patient said.",
         "Restating, in your own words, what the patient said, and checking it.")
    git(repo, "commit", "-qam", "main moves on")
    git(repo, "checkout", "-q", "feature")
    changes = diff_json(repo, "main", "HEAD")
    # teen replaces the overview section, so only core reports it
    assert {(c["manual"], c["page"]) for c in changes} == {("core", "page:overview")}
    direct = diff_json(repo, "--no-merge-base", "main", "HEAD")
    assert ("core", "technique:clarification") in {(c["manual"], c["page"]) for c in direct}


def test_formats(repo: Path) -> None:
    edit(repo / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.", "Tasks of meeting 2, revised "
         "to include a check on sleep.")
    text = run_cli("diff", "--project", str(repo), "core/v1.0.0")
    assert text.returncode == 0 and "[content   ] session 2: section 'Therapist tasks'" in text.stdout
    md = run_cli("diff", "--project", str(repo), "--format", "markdown", "core/v1.0.0").stdout
    assert md.startswith("## Protocol changes") and "| core | 0 | 1 | 0 | minor |" in md
    assert "Also in teen session 2 (inherited)." in md
    html = run_cli("diff", "--project", str(repo), "--format", "html", "core/v1.0.0").stdout
    assert "<ins>" in html and "<!DOCTYPE html>" in html


def test_markdown_is_kept_under_the_limit() -> None:
    from builder.diff import Change
    from builder.diff_comment import as_comment

    many = [Change("core", "changed", "content", f"session 1: section 's{i}' text changed", session=1,
                   section=f"s{i}", before="word. " * 300, after="other. " * 300) for i in range(2000)]
    md = as_comment(many, "a", "b")
    assert len(md) < 65_536
    assert md.endswith("or run `ipt-manual diff BASE HEAD --format html`.\n")
    # cut between changes, not between manuals: the changes that fit are shown, each one whole
    shown = md.count("\n- **")
    assert 1 < shown < len(many) and md.count("### core") == 1
    assert md.count("> ~~word~~ **other**.") == 300 * shown


@pytest.mark.parametrize(("args", "message"), [
    (("no-such-ref",), "unknown git ref 'no-such-ref'"),
    (("core/v1.0.0", "no-such-ref"), "unknown git ref 'no-such-ref'"),
])
def test_bad_refs_give_one_line_errors(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("diff", "--project", str(repo), *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_ref_without_manual_sources(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rq", "--cached", ".")
    (repo / "README").write_text("nothing\n", encoding="utf-8")
    git(repo, "add", "README")
    git(repo, "commit", "-qm", "empty")
    git(repo, "checkout", "-q", "-f", "main")
    result = run_cli("diff", "--project", str(repo), "--no-merge-base", "empty")
    assert result.returncode == 2
    assert "has no manual sources" in result.stderr


def test_non_semantic_version_at_a_ref_is_reported(repo: Path) -> None:
    edit(repo / "manual" / "protocol.yaml", "version: 1.0.0", "version: 1.0")
    git(repo, "commit", "-qam", "bad version")
    result = run_cli("check-version", "--project", str(repo), "core/v1.0.0", "HEAD")
    assert result.returncode == 1
    assert "'1.0' is not a semantic version" in result.stderr


def test_versions_and_tags() -> None:
    assert bump_kind("1.0.0", "1.0.1") == "patch" and bump_kind("1.2.3", "2.0.0") == "major"
    assert bump_kind("1.2.0", "1.1.9") == "down"
    assert parse_tag("core/v1.2.0") == ("core", "1.2.0")
    assert parse_tag("older-adult/v0.1.0") == ("older-adult", "0.1.0")
    assert parse_tag("core/1.2") is None and parse_tag("v1.0.0") is None


def test_pull_request_workflow_runs_the_tested_commands() -> None:
    import yaml

    workflow = yaml.safe_load((Path(__file__).parents[1] / ".github" / "workflows" / "protocol-diff.yml").read_text(
        encoding="utf-8"))
    steps = " ".join(step.get("run", "") for step in workflow["jobs"]["protocol-diff"]["steps"])
    assert "ipt-manual diff" in steps and "--format markdown" in steps and "--merge-base" in steps
    assert "ipt-manual check-version" in steps
    assert workflow["jobs"]["protocol-diff"]["steps"][0]["with"]["fetch-depth"] == 0


def test_workflow_commands_work_on_a_pull_request_branch(repo: Path) -> None:
    """The exact commands of the workflow, against a local 'origin/main'."""
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    git(repo, "checkout", "-q", "-b", "pr")
    edit(repo / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.", "Tasks of meeting 2, with "
         "a new question about sleep.")
    git(repo, "commit", "-qam", "pr change")
    out = repo / "protocol-diff.md"
    result = run_cli("diff", "--project", str(repo), "origin/main", "HEAD", "--merge-base", "--format", "markdown",
                     "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "| core | 0 | 1 | 0 | minor |" in out.read_text(encoding="utf-8")
    check = run_cli("check-version", "--project", str(repo), "origin/main", "HEAD", "--merge-base")
    assert check.returncode == 1 and "needs a minor bump" in check.stderr


# --- the pull-request comment -------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "pr-comment.md"
LONG_TASKS = ("Tasks of meeting 2. Open by asking how the week has been and link any change in mood to what "
              "happened with other people. Review the plan from last time. Agree what to practise before "
              "the next meeting. Close by summarising.")


def test_pull_request_comment_matches_the_reviewed_snapshot(tmp_path: Path) -> None:
    """A typo fixed, a new step, and a core change the adaptation inherits (reviewed as a reader would:
    tests/golden/pr-comment.md). Set IPT_UPDATE_GOLDEN=1 to rewrite the snapshot after a deliberate change."""
    root = copy_project("minimal", tmp_path)
    shutil.copytree(FIXTURES / "overlays" / "teen", root / "adaptations" / "teen")
    edit(root / "manual" / "sessions" / "session-02.md", "Tasks of meeting 2.", LONG_TASKS)
    edit(root / "manual" / "sessions" / "session-01.md", "Notice what happens.", "Notice what hapens.")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    edit(root / "manual" / "sessions" / "session-01.md", "hapens", "happens")  # a typo fixed
    edit(root / "manual" / "sessions" / "session-02.md", "Review the plan from last time.",
         "Review the plan from last time. Ask about sleep and appetite.")  # a new step, inherited by teen
    edit(root / "manual" / "sessions" / "session-04.md", "Check risk.", "Check risk with a named scale.")
    result = run_cli("diff", "--project", str(root), "--format", "markdown", "--no-merge-base", "main")
    assert result.returncode == 0, result.stderr
    if os.environ.get("IPT_UPDATE_GOLDEN"):
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_comment_folds_inherited_copies_and_names_their_source() -> None:
    from builder.diff import Change
    from builder.diff_comment import as_comment

    text = "Open the session. Ask about sleep. Close the session."
    edited = "Open the session. Ask about sleep and appetite. Close the session."
    core = Change("core", "changed", "content", "session 15: section 'Plan' text changed", session=15,
                  section="plan", before=text, after=edited)
    brief = Change("brief", "changed", "content", "session 7: section 'Plan' text changed", session=7,
                   section="plan", inherited_from="core", from_session=15, before=text, after=edited)
    md = as_comment([core, brief], "main", "HEAD")
    assert md.count("Ask about") == 1
    assert "Also in brief session 7 (inherited)." in md
    assert "| brief | 0 | 1 | 0 | minor (inherited only) |" in md
    other = Change("brief", "changed", "content", "session 7: section 'Plan' text changed", session=7,
                   section="plan", inherited_from="core", from_session=15, before=text, after=edited + " More.")
    assert "inherited from core session 15 → brief session 7" in as_comment([core, other], "main", "HEAD")


def test_comment_shows_roles_as_text_and_no_entities() -> None:
    from builder.diff_comment import redline

    before = "Use {technique}`communication analysis <communication-analysis>` with <care>. Then stop."
    after = "Use {technique}`role play <role-play>` with <care>. Then stop."
    lines = redline(before, after)
    assert lines[0] == "Use ~~communication analysis~~ **role play** with \\<care\\>."
    assert not any("{technique}" in line or "&lt;" in line or "`" in line for line in lines)


def test_comment_shows_list_items_apart() -> None:
    from builder.diff_comment import plain

    assert plain("Do this:\n\n1. First step.\n2. Second\n   step.\n- A bullet.") == [
        "Do this:", "First step.", "Second step.", "A bullet."]


def test_readme_shows_the_reviewed_comment() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("> ## Protocol changes: main → working tree")
    quoted = []
    for line in readme[start:].split("\n"):
        if not line.startswith(">"):
            break
        quoted.append(line[2:] if line.startswith("> ") else "")
    assert "\n".join(quoted).strip() == GOLDEN.read_text(encoding="utf-8").strip()
