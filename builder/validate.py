"""One set of rules over a complete manual (core or assembled adaptation).

``check`` in the CLI and the Sphinx build both call :func:`validate_manual`.
"""

from __future__ import annotations

from .errors import Problems
from .examples import check_examples
from .fields import did_you_mean
from .model import Manual, Section, Session
from .references import check_references
from .rules import (
    FOCUS_PREFIX,
    LINK_ROLES,
    MIDDLE_PHASE,
    RELATIVE_SESSION_RE,
    REQUIRED_PROBLEM_AREA_SECTIONS,
    REQUIRED_SESSION_SECTIONS,
)
from .sections import RawSection, role_uses


def _mline(manual: Manual, key: str) -> int:
    return manual.lines.get(key, 1)


def validate_phases(manual: Manual, problems: Problems) -> None:
    path = manual.ref.path
    first, last = manual.first_session, manual.last_session
    if not manual.phases:
        problems.add(path, _mline(manual, "phases"), "the manual declares no phases",
                     "list the phases with their session ranges")
        return
    ids: set[str] = set()
    expected = first
    for phase in sorted(manual.phases, key=lambda p: p.first):
        line = phase.line or _mline(manual, "phases")
        if phase.id in ids:
            problems.add(path, line, f"duplicate phase id '{phase.id}'")
        ids.add(phase.id)
        if phase.first > expected:
            problems.add(path, line, f"phase ranges leave a gap: session(s) {expected}-{phase.first - 1} "
                                     "belong to no phase", "make each phase start where the previous one ends")
        elif phase.first < expected:
            problems.add(path, line, f"phase '{phase.id}' overlaps the previous phase at session {phase.first}",
                         "each session belongs to exactly one phase")
        expected = max(expected, phase.last + 1)
    if expected <= last:
        problems.add(path, _mline(manual, "phases"),
                     f"phase ranges leave a gap: session(s) {expected}-{last} belong to no phase",
                     f"the manual has sessions {first}-{last}")
    elif expected > last + 1:
        problems.add(path, _mline(manual, "phases"),
                     f"phase ranges run past the last session ({last})",
                     "change 'sessions' or the last phase's range")


def validate_sessions(manual: Manual, problems: Problems) -> None:
    first = manual.first_session
    last = manual.last_session
    seen: dict[int, Session] = {}
    for s in manual.sessions:
        lines = s.lines
        if s.number in seen:
            problems.add(s.ref.path, lines.get("number", 1),
                         f"duplicate session number {s.number} (also in {seen[s.number].ref.path})",
                         "each session number is used by one file")
            continue
        seen[s.number] = s
        if not first <= s.number <= last:
            problems.add(s.ref.path, lines.get("number", 1),
                         f"session {s.number} is outside the manual's {manual.sessions_count} sessions "
                         f"({first}-{last})", "change 'number', or 'sessions' in the manifest")
            continue
        expected_name = f"session-{s.number:02d}.md"
        if not manual.extends and not s.ref.path.endswith(expected_name):
            problems.add(s.ref.path, lines.get("number", 1),
                         f"session {s.number} should be in a file named {expected_name}")
        validate_session(manual, s, problems)
    for n in range(first, last + 1):
        if n not in seen and not manual.extends:  # an adaptation's gaps are reported at its session map
            problems.add(manual.ref.path, _mline(manual, "sessions"), f"session {n} has no source file",
                         f"add sessions/session-{n:02d}.md or change 'sessions'")


def validate_session(manual: Manual, s: Session, problems: Problems) -> None:
    lines = s.lines
    total = sum(a.minutes for a in s.agenda)
    if s.agenda and total != s.minutes:
        problems.add(s.ref.path, lines.get("agenda", 1),
                     f"agenda minutes add up to {total}, but the session lasts {s.minutes} minutes",
                     "adjust the agenda items or 'minutes'")
    if not s.agenda:
        problems.add(s.ref.path, lines.get("agenda", 1), f"session {s.number} has no agenda")
    ids = {sec.id for sec in s.sections}
    for required in REQUIRED_SESSION_SECTIONS:
        if required not in ids:
            problems.add(s.ref.path, s.ref.line, f"session {s.number} has no '{required}' section",
                         f"add '## Therapist tasks {{#{required}}}'")
    try:
        phase = manual.phase_of(s.number)
    except KeyError:
        phase = None
    focus = {sec.id[len(FOCUS_PREFIX):]: sec for sec in s.sections if sec.id.startswith(FOCUS_PREFIX)}
    for area, sec in focus.items():
        if area not in manual.problem_areas:
            problems.add(sec.ref.path, sec.ref.line, f"'{sec.id}' names an unknown problem area '{area}'",
                         did_you_mean(area, manual.problem_areas))
        if getattr(sec, "has_headings", False) or "\n###" in "\n" + sec.body:
            problems.add(sec.ref.path, sec.ref.line, f"'{sec.id}' contains headings",
                         "problem-area guidance is shown as a tab; use bold lead-ins instead")
    if phase is not None and phase.id == MIDDLE_PHASE:
        for area in manual.problem_areas:
            if area not in focus:
                problems.add(s.ref.path, s.ref.line,
                             f"middle-phase session {s.number} has no guidance for problem area '{area}'",
                             f"add '## ... {{#{FOCUS_PREFIX}{area}}}'")
    for technique in s.techniques:
        if technique not in manual.techniques:
            problems.add(s.ref.path, lines.get("techniques", 1), f"unknown technique '{technique}'",
                         did_you_mean(technique, set(manual.techniques)))
    for worksheet in s.worksheets:
        if worksheet not in manual.worksheets:
            problems.add(s.ref.path, lines.get("worksheets", 1), f"unknown worksheet '{worksheet}'",
                         did_you_mean(worksheet, set(manual.worksheets)))
    if not s.fidelity:
        problems.add(s.ref.path, lines.get("fidelity", 1), f"session {s.number} has no fidelity checklist")


def _targets(manual: Manual) -> dict[str, set[str]]:
    return {
        "techniques": set(manual.techniques),
        "problem_areas": set(manual.problem_area_pages),
        "worksheets": set(manual.worksheets),
        "sessions": {str(s.number) for s in manual.sessions},
        "pages": set(manual.pages),
    }


def validate_links(manual: Manual, problems: Problems, others: list[Manual] | None = None) -> None:
    """Every link role resolves, in this manual or (``manual:target``) in the named one."""
    targets = {manual.id: _targets(manual)}
    for other in others or []:
        targets.setdefault(other.id, _targets(other))
    everything: list[Section] = [sec for s in manual.sessions for sec in s.sections]
    for group in (manual.pages, manual.problem_area_pages, manual.techniques):
        everything += [sec for p in group.values() for sec in p.sections]
    where = f" (in manual '{manual.id}')" if manual.extends else ""
    for sec in everything:
        for text, path, line in sec.spans or [(sec.body, sec.ref.path, sec.body_line or sec.ref.line + 1)]:
            raw = RawSection(sec.id, sec.title, "", "", text, line - 1, body_line=line)
            for use in role_uses(raw):
                manual_id, _, target = use.target.rpartition(":")
                group = targets.get(manual_id or manual.id)
                if group is None:
                    problems.add(path, use.line, f"{{{use.role}}} names unknown manual '{manual_id}'",
                                 did_you_mean(manual_id, set(targets)))
                    continue
                known = group[LINK_ROLES[use.role]]
                if use.role == "session" and RELATIVE_SESSION_RE.match(target):
                    continue  # first, last, last-N: check_references
                if target not in known:
                    problems.add(path, use.line, f"{{{use.role}}} links to unknown '{use.target}'{where}",
                                 did_you_mean(target, known))


def validate_pages(manual: Manual, problems: Problems) -> None:
    for area in manual.problem_areas:
        if area not in manual.problem_area_pages:
            problems.add(manual.ref.path, _mline(manual, "problem_areas"),
                         f"problem area '{area}' has no page", f"add problem-areas/{area}.md")
    for page_id in manual.page_order:
        if page_id not in manual.pages:
            problems.add(manual.ref.path, _mline(manual, "pages"), f"page '{page_id}' has no source file",
                         f"add pages/{page_id}.md")
    for page in manual.problem_area_pages.values():
        ids = {s.id for s in page.sections}
        for required in REQUIRED_PROBLEM_AREA_SECTIONS:
            if required not in ids:
                problems.add(page.ref.path, 1, f"problem-area page '{page.id}' has no '{required}' section")


def validate_manual(manual: Manual, problems: Problems, others: list[Manual] | None = None) -> None:
    """Check a complete manual; add every problem found to ``problems``."""
    if manual.sessions_count < 1:
        problems.add(manual.ref.path, _mline(manual, "sessions"), "the manual must have at least one session")
        return
    validate_phases(manual, problems)
    validate_sessions(manual, problems)
    validate_pages(manual, problems)
    validate_links(manual, problems, others)
    check_references(manual, problems)
    check_examples(manual, problems)
