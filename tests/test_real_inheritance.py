"""The real manuals are safe to inherit: no literal session numbers, no links into another manual's
sessions, no inherited word a manual renamed (docs/source-format.md, "Numbers that follow the manual")."""

from __future__ import annotations

import pytest

from builder.errors import Problems
from builder.literals import literal_problems
from builder.references import check_terms, expand
from builder.rules import ROLE_RE
from builder.sections import role_target
from builder.texts import manual_texts

from .conftest import REPO
from .helpers import real_project

PROJECT = real_project()  # shared with the other test processes (tests/helpers.py)


@pytest.mark.parametrize("manual", PROJECT.manuals, ids=[m.id for m in PROJECT.manuals])
def test_no_literal_session_numbers(manual) -> None:  # type: ignore[no-untyped-def]
    found = []
    for text in manual_texts(manual):
        masked = ROLE_RE.sub(lambda m: " " * len(m.group()), text.text)
        for offset, line in enumerate(masked.split("\n")):
            found += [f"{text.path}:{text.line + offset}: {message}"
                      for message, _ in literal_problems(line, manual.session_minutes)]
    assert found == []


@pytest.mark.parametrize("manual", PROJECT.manuals, ids=[m.id for m in PROJECT.manuals])
def test_no_link_into_another_manuals_sessions(manual) -> None:  # type: ignore[no-untyped-def]
    found = []
    for text in manual_texts(manual):
        for m in ROLE_RE.finditer(expand(text.text, manual)):
            target = role_target(m.group("body"))[1]
            if m.group("role") in ("session", "session-no") and ":" in target \
                    and target.rpartition(":")[0] != manual.id:
                found.append(f"{text.path}:{text.line}: {m.group()}")
    assert found == []


@pytest.mark.parametrize("manual", PROJECT.manuals, ids=[m.id for m in PROJECT.manuals])
def test_no_inherited_word_the_manual_renamed(manual) -> None:  # type: ignore[no-untyped-def]
    problems = Problems(REPO)
    check_terms(manual, problems)
    assert [p.format() for p in problems] == []
