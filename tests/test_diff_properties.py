"""Property-based tests of the semantic diff (hypothesis)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.diff import diff_manuals
from builder.wordiff import compare

from .helpers import loaded_project

pytestmark = pytest.mark.fast  # make test-fast

ROOT = Path(__file__).parent / "roots" / "minimal"
CORE = loaded_project(ROOT).manual("core")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(min_size=0, max_size=300))
def test_diff_of_anything_with_itself_is_empty(text: str) -> None:
    manual = copy.deepcopy(CORE)
    manual.session(2).sections[0].body = text
    assert diff_manuals([manual], [copy.deepcopy(manual)]) == []


@SETTINGS
@given(st.permutations(range(len(CORE.session(2).sections))))
def test_reordering_sections_is_only_a_move(order: list[int]) -> None:
    moved = copy.deepcopy(CORE)
    moved.session(2).sections = [moved.session(2).sections[i] for i in order]
    changes = diff_manuals([CORE], [moved])
    assert all(c.kind == "moved" and c.impact == "editorial" for c in changes)
    assert (changes == []) == (list(order) == sorted(order))


@SETTINGS
@given(st.lists(st.sampled_from(["Ask", "about", "sleep,", "mood", "and", "friends."]), min_size=1, max_size=40),
       st.lists(st.sampled_from([" ", "\n", "  ", "\n\n", "\t"]), min_size=40, max_size=40))
def test_rewrapping_is_no_change(words: list[str], gaps: list[str]) -> None:
    plain = " ".join(words)
    wrapped = "".join(w + gaps[i] for i, w in enumerate(words))
    assert compare(plain, wrapped).impact == ""


@SETTINGS
@given(st.data())
def test_order_of_manuals_does_not_change_the_diff(data: st.DataObject) -> None:
    project = loaded_project(ROOT)
    edited = copy.deepcopy(project.manuals)
    edited[0].session(1).sections[0].body += " Ask about appetite as well, every week."
    base = data.draw(st.permutations(project.manuals))
    head = data.draw(st.permutations(edited))
    assert sorted(map(repr, diff_manuals(base, head))) == sorted(map(repr, diff_manuals(project.manuals, edited)))
