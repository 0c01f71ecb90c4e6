"""References that follow the manual: roles resolved per manual, literals refused, dropped sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.project import load_project
from builder.references import expand

from .helpers import apply_case, core_session_2, with_teen

ROLES = ("Draft it in {session-no}`last-1` and finish it in {session-no}`last`; see {session-no}`2` and "
         "{session}`last`. In the middle phase ({phase}`middle`) and at the end ({phase}`termination`), "
         "{manual}`sessions` sessions of {manual}`minutes` minutes in {manual}`short-title`; "
         "{as-published}`a 16-session trial`; first is {session-no}`first`.")


def project_with(tmp_path: Path, files: dict[str, str | None]):  # type: ignore[no-untyped-def]
    root = with_teen(tmp_path)
    apply_case(root, {"files": files})
    return root, load_project(root)


def formatted(project) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.format() for p in project.problems]


def test_roles_resolve_per_manual(tmp_path: Path) -> None:
    _, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(ROLES)})
    assert formatted(project) == []
    core, teen = project.manual("core"), project.manual("teen")
    core_text = expand(core.session(2).section("between-sessions").body, core)
    assert ("Draft it in {session}`session 3 <3>` and finish it in {session}`session 4 <4>`; see "
            "{session}`session 2 <2>` and {session}`4`. In the middle phase (sessions 2–3) and at the end "
            "(session 4), 4 sessions of 30 minutes in Fixture; a 16-session trial; first is "
            "{session}`session 1 <1>`.") in core_text
    teen_text = expand(teen.session(2).section("between-sessions").body, teen)
    assert ("see {session}`session 2 <2>` and {session}`4`. In the middle phase (sessions 2–3) and at the "
            "end (session 4), 4 sessions of 20 minutes in Teen; a 16-session trial; first is "
            "{session}`session 0 <0>`.") in teen_text
    plain = expand(teen.session(2).section("between-sessions").body, teen, plain=True)
    assert plain.startswith("Notice what happens.\n\nDraft it in session 3 and finish it in session 4; see "
                            "session 2 and Saying goodbye.")


def test_inherited_numbers_follow_the_session_map(tmp_path: Path) -> None:
    # core session 4 is compressed into teen session 3: "{session-no}`4`" in core text is session 3 in teen
    _, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(
        "Plan for {session-no}`4` and {session}`the ending <4>`.")})
    assert formatted(project) == []
    teen = project.manual("teen")
    body = teen.session(2).section("between-sessions").body
    assert "Plan for {session-no}`3` and {session}`the ending <3>`." in body
    assert "Plan for {session}`session 3 <3>`" in expand(body, teen)


def teen_dropping_session_4() -> str:
    """The teen fixture's manifest with core session 4 dropped instead of compressed into teen session 3."""
    manifest = (Path(__file__).parent / "fixtures" / "overlays" / "teen" / "adaptation.yaml").read_text(
        encoding="utf-8")
    return manifest.replace("{session: 3, from: [3, 4]}", "{session: 3, from: 3}").replace(
        "dropped: []", "dropped: [4]")


def test_reference_to_a_dropped_session_is_an_error(tmp_path: Path) -> None:
    manifest = teen_dropping_session_4()
    _, project = project_with(tmp_path, {
        "adaptations/teen/adaptation.yaml": manifest,
        "adaptations/teen/sessions/session-03.md": None,
        "manual/sessions/session-02.md": core_session_2("Plan for {session-no}`4`."),
    })
    assert formatted(project) == [
        "manual/sessions/session-02.md:40: inherited text refers to core session 4, which adaptation 'teen' "
        "does not use ({session-no}`4`)\n"
        "    hint: override this text in adaptations/teen/sessions/session-02.md (a '{#between-sessions "
        "replace}' section), or map core session 4 in adaptations/teen/adaptation.yaml (session_map)"]


def test_overriding_the_text_clears_the_dropped_reference(tmp_path: Path) -> None:
    manifest = teen_dropping_session_4()
    _, project = project_with(tmp_path, {
        "adaptations/teen/adaptation.yaml": manifest,
        "adaptations/teen/sessions/session-03.md": None,
        "adaptations/teen/sessions/session-02.md": "## Between {#between-sessions replace}\n\nTeen text.\n",
        "manual/sessions/session-02.md": core_session_2("Plan for {session-no}`4`."),
    })
    assert formatted(project) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Draft it in session 15.", "'session 15' is a literal session number"),
    ("Sessions 4 to 12 are the middle.", "'Sessions 4 to 12' is a literal session number"),
    ("A course of 16 sessions.", "'16 sessions' is a literal session count"),
    ("A 16-session course.", "'16-session' is a literal session count"),
    ("Eight weekly sessions.", "'Eight weekly sessions' is a literal session count"),
    ("Say so in the last session.", "'the last session' is a literal session named by its place"),
    ("Plan the final session.", "'the final session' is a literal session named by its place"),
    ("Start two sessions before the end.", "'two sessions before the end' is a literal session counted from"),
    ("Sessions of 50 minutes.", "'Sessions of 50 minutes' is a literal session length"),
    ("Allow 30 minutes.", "'30 minutes' is a literal session length (this manual's sessions last 30 minutes)"),
])
def test_literals_are_refused_with_the_role_to_write(tmp_path: Path, text: str, expected: str) -> None:
    _, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(text)})
    problems = list(project.problems)
    assert [(p.path, p.line) for p in problems] == [("manual/sessions/session-02.md", 40)]
    assert problems[0].message.startswith(expected), problems[0].message
    assert "{as-published}" in problems[0].hint


@pytest.mark.parametrize("text", ["Rate every four sessions.", "Rate every 4 sessions.", "Rate every fourth session."])
def test_an_interval_is_not_a_count(tmp_path: Path, text: str) -> None:
    _, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(text)})
    assert [p.format() for p in project.problems] == []


def test_literals_in_front_matter_worksheets_and_summaries(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    apply_case(root, {"patch": {
        "manual/sessions/session-01.md": ["  - Goal of meeting 1.", "  - Prepare the last session."],
        "manual/protocol.yaml": ["    sessions: 2-3\n", "    sessions: 2-3\n    summary: Sessions 2 and 3.\n"],
        "adaptations/teen/worksheets/plan.yaml": ["Use in {session-no}`1`.", "Use in session 1."],
    }})
    assert [(p.path, p.line, p.message.split(" is ")[0]) for p in load_project(root).problems] == [
        ("adaptations/teen/worksheets/plan.yaml", 3, "'session 1'"),
        ("manual/protocol.yaml", 18, "'Sessions 2 and 3'"),
        ("manual/sessions/session-01.md", 5, "'the last session'"),
    ]


def test_the_escape_and_other_manuals_minutes_pass(tmp_path: Path) -> None:
    # 50 minutes is not this manual's session length (30): a duration, not a literal length
    _, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(
        "As in {as-published}`the 16-session trial of session 15`, allow 50 minutes for the form.")})
    assert formatted(project) == []


@pytest.mark.parametrize(("text", "message"), [
    ("{phase}`midle`", "manual/sessions/session-02.md:40: {phase}`midle`: manual 'core' has no phase 'midle'"),
    ("{manual}`count`", "manual/sessions/session-02.md:40: {manual}`count` names nothing"),
    ("{who}`client`", "manual/sessions/session-02.md:40: {who}`client` is not a term"),
    ("{session-no}`last-9`", "manual/sessions/session-02.md:40: {session-no}`last-9`: manual 'core' has no "
                             "such session"),
    ("{session-no}`17`", "manual/sessions/session-02.md:40: {session-no}`17`: manual 'core' has no such session"),
])
def test_unresolvable_references_are_located(tmp_path: Path, text: str, message: str) -> None:
    _, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(f"See {text}.")})
    assert formatted(project)[0].startswith(message), formatted(project)


def test_terms_render_and_inherited_renamed_words_are_flagged(tmp_path: Path) -> None:
    root = with_teen(tmp_path)
    apply_case(root, {
        "patch": {"adaptations/teen/adaptation.yaml": ["dropped: []", "dropped: []\nterms:\n  patient: young person"
                                                                       "\n  patients: young people"]},
        "files": {"manual/sessions/session-02.md": core_session_2(
            "Ask the {who}`patient`; {who}`Patient`s and {who}`therapist`s.\n\nTell the patient. Patients too.")},
    })
    project = load_project(root)
    assert [p.format() for p in project.problems] == [
        "manual/sessions/session-02.md:42: inherited text says 'patient', which manual 'teen' calls 'young person'"
        "\n    hint: write {who}`patient` in the text it inherits (it renders 'patient' there and 'young person' "
        "here), or override it in adaptations/teen/sessions/session-02.md (a '{#between-sessions replace}' "
        "section)",
        "manual/sessions/session-02.md:42: inherited text says 'patients', which manual 'teen' calls 'young "
        "people'\n    hint: write {who}`patients` in the text it inherits (it renders 'patients' there and "
        "'young people' here), or override it in adaptations/teen/sessions/session-02.md (a "
        "'{#between-sessions replace}' section)",
        "manual/techniques/clarification.md:8: inherited text says 'patient', which manual 'teen' calls 'young "
        "person'\n    hint: write {who}`patient` in the text it inherits (it renders 'patient' there and 'young "
        "person' here), or override it in adaptations/teen/techniques/clarification.md (a '{#what replace}' "
        "section)"]
    core, teen = project.manual("core"), project.manual("teen")
    assert "Ask the patient; Patients and therapists." in expand(core.session(2).section("between-sessions").body,
                                                                 core)
    assert "Ask the young person; Young persons and therapists." in expand(
        teen.session(2).section("between-sessions").body, teen)


def test_roles_build_into_links_and_text(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    from .conftest import run_cli

    root, project = project_with(tmp_path, {"manual/sessions/session-02.md": core_session_2(ROLES)})
    assert formatted(project) == []
    result = run_cli("build", "--project", str(root))
    assert result.returncode == 0, result.stderr
    html = root / "_build" / "html"
    for manual, expected in (("core", "Draft it in session 3 and finish it in session 4; see session 2 and "
                                      "Saying goodbye"),
                             ("teen", "Draft it in session 3 and finish it in session 4; see session 2 and "
                                      "Saying goodbye")):
        page = BeautifulSoup((html / manual / "sessions" / "session-02.html").read_text(encoding="utf-8"),
                             "html.parser")
        text = " ".join(page.get_text(" ").split())
        links = {a.get_text(strip=True): a["href"] for a in page.select("a.reference")}
        assert links["session 3"] == "session-03.html"
        assert ("30 minutes in Fixture" if manual == "core" else "20 minutes in Teen") in text
        assert expected.split(";")[0] in text


@pytest.mark.fast
def test_every_literal_pattern_needs_a_word_the_quick_check_looks_for() -> None:
    """literal_problems skips a line holding none of LITERAL_WORDS: each pattern must need one."""
    from builder.rules import LITERAL_MINUTES_RE, LITERAL_PATTERNS, LITERAL_WORDS

    for pattern in [p for p, _, _ in LITERAL_PATTERNS] + [LITERAL_MINUTES_RE]:
        assert any(word in pattern.pattern for word in LITERAL_WORDS), pattern.pattern


@pytest.mark.fast
@pytest.mark.parametrize(("line", "found"), [
    ("Draft it in session 15.", "'session 15'"),
    ("Draft it in SESSION 15.", "'SESSION 15'"),
    ("Draft it in \u017fe\u017f\u017fion 15.", "'\u017fe\u017f\u017fion 15'"),  # long s: the patterns fold it to s
    ("Allow 30-min breaks.", "'30-min'"),
    ("Nothing to see on this line.", None),
])
def test_the_quick_check_keeps_every_literal(line: str, found: str | None) -> None:
    from builder.literals import literal_problems

    messages = [message for message, _ in literal_problems(line, 30)]
    assert [m.split(" is a literal")[0] for m in messages] == ([found] if found else [])
