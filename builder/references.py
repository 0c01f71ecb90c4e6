"""References that follow the manual: ``{session-no}``, ``{phase}``, ``{manual}``, ``{who}``,
``{as-published}`` and relative session targets (``first``, ``last``, ``last-1``).

Pure functions of an assembled manual.  :func:`map_inherited` rewrites inherited text through the
session map (core numbers → the adaptation's); :func:`expand` turns the roles into MyST (or plain
text, for print) for one manual; :func:`check_references` reports targets that do not resolve.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import Problems
from .fields import did_you_mean
from .model import Manual
from .rules import MANUAL_FACTS, RELATIVE_SESSION_RE, ROLE_RE, SESSION_ROLES, TERMS
from .sections import role_target
from .texts import Text, inherited, manual_texts, own_folder


def session_target(manual: Manual, target: str) -> int | None:
    """The session a target names in ``manual``: a number it has, ``first``, ``last`` or ``last-N``."""
    numbers = manual.session_numbers
    m = RELATIVE_SESSION_RE.match(target)
    if m:
        back = int(m.group("back") or 0)
        if m.group("anchor") == "first":
            return numbers[0] if numbers and not back else None
        return numbers[-1 - back] if back < len(numbers) else None
    if target.isdigit() and int(target) in numbers:
        return int(target)
    return None


def phase_text(manual: Manual, phase_id: str) -> str | None:
    phase = next((p for p in manual.phases if p.id == phase_id), None)
    if phase is None:
        return None
    return f"session {phase.first}" if phase.first == phase.last else f"sessions {phase.first}–{phase.last}"


def fact(manual: Manual, name: str) -> str | None:
    values = {"sessions": str(manual.sessions_count), "minutes": str(manual.session_minutes),
              "short-title": manual.short_title, "title": manual.title}
    return values.get(name)


def who(manual: Manual, word: str) -> str | None:
    """``patient`` → the manual's term; ``Patient`` → the term with a capital first letter."""
    key = word[:1].lower() + word[1:]
    if key not in TERMS:
        return None
    term = manual.term(key)
    return term[:1].upper() + term[1:] if word[:1].isupper() else term


def _session_role(manual: Manual, role: str, body: str, plain: bool) -> str | None:
    label, target = role_target(body)
    if ":" in target:  # another manual's session (only in an adaptation's own text)
        other, _, number = target.rpartition(":")
        text = label or f"session {number} of {other}"
        return text if plain else f"{{session}}`{text} <{target}>`"
    number = session_target(manual, target)
    if number is None:
        return None
    if role == "session":
        title = manual.session(number).title  # type: ignore[union-attr]
        if plain:
            return label or title
        return f"{{session}}`{label} <{number}>`" if label else f"{{session}}`{number}`"
    text = label or f"session {number}"
    return text if plain else f"{{session}}`{text} <{number}>`"


def expand(text: str, manual: Manual, plain: bool = False) -> str:
    """``text`` with the reference roles resolved for ``manual`` (MyST links, or plain text for print).

    A role whose target does not resolve is left as written (:func:`check_references` reports it).
    """
    if "`" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        role, body = m.group("role"), m.group("body")
        value: str | None = None
        if role == "as-published":
            value = body
        elif role == "who":
            value = who(manual, body.strip())
        elif role == "manual":
            value = fact(manual, body.strip())
        elif role == "phase":
            value = phase_text(manual, body.strip())
        elif role in SESSION_ROLES and (role == "session-no" or plain or _relative(body)):
            value = _session_role(manual, role, body, plain)
        return m.group(0) if value is None else value

    return ROLE_RE.sub(fix, text)


def _relative(body: str) -> bool:
    return bool(RELATIVE_SESSION_RE.match(role_target(body)[1]))


def map_inherited(text: str, session_map: dict[int, int], base: Manual) -> str:
    """Inherited text: ``{session}``/``{session-no}`` numbers follow the session map (core 15 → 7).

    A number the adaptation does not have becomes ``base:N`` (:func:`check_references` reports it
    as a reference to a dropped session).
    """
    if "`" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        role = m.group("role")
        if role not in SESSION_ROLES:
            return m.group(0)
        label, target = role_target(m.group("body"))
        if not target.isdigit():
            return m.group(0)
        number = int(target)
        if base.session(number) is None:
            return m.group(0)  # reported where it was written
        new = str(session_map[number]) if number in session_map else f"{base.id}:{number}"
        if new == target:
            return m.group(0)
        return f"{{{role}}}`{label} <{new}>`" if label else f"{{{role}}}`{new}`"

    return ROLE_RE.sub(fix, text)


# --- checks ---------------------------------------------------------------------------------

def _problem_in(manual: Manual, role: str, body: str) -> tuple[str, str] | None:
    """(message, hint) when a reference role does not resolve in ``manual``."""
    word = body.strip()
    if role == "who" and who(manual, word) is None:
        return f"{{who}}`{word}` is not a term", f"terms: {', '.join(TERMS)} (capitalise the first letter " \
                                                  "for the start of a sentence)"
    if role == "manual" and word not in MANUAL_FACTS:
        return f"{{manual}}`{word}` names nothing", f"write one of: {', '.join(MANUAL_FACTS)}"
    if role == "phase" and phase_text(manual, word) is None:
        return f"{{phase}}`{word}`: manual '{manual.id}' has no phase '{word}'", \
            did_you_mean(word, [p.id for p in manual.phases])
    if role in SESSION_ROLES:
        target = role_target(body)[1]
        if ":" in target or (role == "session" and target.isdigit()):
            return None  # links: validate_links; dropped sessions: below
        if session_target(manual, target) is None:
            return (f"{{{role}}}`{target}`: manual '{manual.id}' has no such session",
                    f"write a session number it has ({manual.session_numbers[0] if manual.sessions else 1}–"
                    f"{manual.session_numbers[-1] if manual.sessions else 1}), first, last or last-N")
    return None


def _dropped(manual: Manual, text: Text, role: str, target: str) -> tuple[str, str] | None:
    """A reference in inherited text to a session of the base that this adaptation dropped."""
    base_id, _, number = target.rpartition(":")
    if base_id != manual.extends or not inherited(manual, text.path):
        return None
    override = _override_hint(manual, text.unit)
    return (f"inherited text refers to {manual.extends} session {number}, which adaptation '{manual.id}' "
            f"does not use ({{{role}}}`{number}`)",
            f"override this text in {override}, or map {manual.extends} session {number} in "
            f"{manual.ref.path} (session_map)")


def _override_hint(manual: Manual, unit: str) -> str:
    folder = own_folder(manual)
    kind, _, rest = unit.partition("/")
    if kind.startswith("session-"):
        return f"{folder}sessions/{kind}.md (a '{{#{rest} replace}}' section)"
    if kind == "worksheet":
        return f"{folder}worksheets/{rest}.yaml (set: …)"
    page, _, section = rest.partition("/")
    sub = {"page": "pages", "technique": "techniques", "problem-area": "problem-areas"}[kind]
    return f"{folder}{sub}/{page}.md (a '{{#{section} replace}}' section)"


_ROLE_OR_CODE_RE = re.compile(r"\{[a-z-]+\}`[^`]*`|`[^`\n]+`")


def renamed_terms(manual: Manual) -> dict[str, str]:
    """The words this manual renames (patient → young person)."""
    return {word: manual.term(word) for word in TERMS if manual.term(word).lower() != word}


def check_terms(manual: Manual, problems: Problems) -> None:
    """Inherited prose that uses a word the manual renamed (outside ``{who}``)."""
    renamed = renamed_terms(manual)
    if not renamed:
        return
    pattern = re.compile(r"\b(" + "|".join(sorted(renamed, key=len, reverse=True)) + r")\b", re.I)
    for text in manual_texts(manual):
        if not inherited(manual, text.path):
            continue
        masked = _ROLE_OR_CODE_RE.sub(lambda m: " " * len(m.group()), text.text)
        for offset, line in enumerate(masked.split("\n")):
            for word in dict.fromkeys(m.group().lower() for m in pattern.finditer(line)):
                problems.add(text.path, text.line + offset,
                             f"inherited text says '{word}', which manual '{manual.id}' calls '{renamed[word]}'",
                             f"write {{who}}`{word}` in the text it inherits (it renders '{word}' there and "
                             f"'{renamed[word]}' here), or override it in {_override_hint(manual, text.unit)}")


def check_references(manual: Manual, problems: Problems, report: Callable[[Text], bool] | None = None) -> None:
    """Every reference role in the manual resolves; inherited text names no dropped session."""
    for text in manual_texts(manual):
        if "`" not in text.text:
            continue
        for offset, line in enumerate(text.text.split("\n")):
            for m in ROLE_RE.finditer(line):
                role, body = m.group("role"), m.group("body")
                target = role_target(body)[1]
                found = _dropped(manual, text, role, target) if role in SESSION_ROLES and ":" in target \
                    else _problem_in(manual, role, body) if role in (*SESSION_ROLES, "who", "manual", "phase") \
                    else None
                if found:
                    where = f" (in manual '{manual.id}')" if manual.extends and not found[0].startswith("inherited") \
                        else ""
                    problems.add(text.path, text.line + offset, found[0] + where, found[1])
    check_terms(manual, problems)
