"""Editorial or content: the impact rule of builder/wordiff.py, with the cases a reviewer relies on."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.wordiff import SENSITIVE, compare, is_sensitive

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INSTRUCTION = "Ask the patient about sleep and appetite at the start of the session."


@pytest.mark.parametrize(("before", "after", "impact"), [
    ("Ask about sleep.", "Ask about sleep.", ""),
    ("Ask about sleep.", "ask about sleep", "editorial"),  # case and punctuation
    ("Plan a follow up call.", "Plan a follow-up call.", "editorial"),  # hyphenation
    ("Give the sheet to recieve feedback.", "Give the sheet to receive feedback.", "editorial"),  # misspelling
    ("Talk it thorugh with them.", "Talk it through with them.", "editorial"),  # two letters swapped
    ("Fill in the form.", "Fill in the from.", "content"),  # two dictionary words
    ("Don't rush the ending.", "Rush the ending.", "content"),  # the case: a negation removed
    ("You shouldn't share it.", "You should share it.", "content"),
    ("It won't help to argue.", "It will help to argue.", "content"),
    ("This isn't needed.", "This is needed.", "content"),
    ("Ask once a week.", "Ask twice a week.", "content"),  # number words
    ("Rate at week 4.", "Rate at week 6.", "content"),  # digits
    ("Ask the patient.", "Ask the parent.", "content"),  # people
    ("Check suicide risk.", "Check risk.", "content"),  # risk words
    ("Keep it short.", "Keep it short, please.", "content"),  # any added word
    ("You may stop early.", "You must stop early.", "content"),  # modal verbs
])
def test_impact(before: str, after: str, impact: str) -> None:
    assert compare(before, after).impact == impact


def test_a_role_rewrapped_inside_its_text_is_no_change() -> None:
    one = "Use {technique}`communication analysis <communication-analysis>` here."
    wrapped = "Use {technique}`communication\nanalysis  <communication-analysis>`\nhere."
    assert compare(one, wrapped).impact == ""


@pytest.mark.parametrize("word", ["not", "n't", "never", "must", "should"])
@SETTINGS
@given(position=st.integers(min_value=0, max_value=14), add=st.booleans())
def test_adding_or_removing_a_negation_or_modal_is_never_editorial(word: str, position: int, add: bool) -> None:
    words = INSTRUCTION.split()
    k = position % (len(words) + 1)
    if word == "n't":
        edited = [*words[:k], "don't", *words[k:]] if add else words
        base = words if add else [*words[:k], "don't", *words[k:]]
    else:
        edited = [*words[:k], word, *words[k:]]
        base = words
        if not add:
            base, edited = edited, base
    assert compare(" ".join(base), " ".join(edited)).impact == "content"


@SETTINGS
@given(st.sampled_from(sorted(SENSITIVE)), st.integers(min_value=0, max_value=14))
def test_replacing_a_sensitive_word_is_content(word: str, position: int) -> None:
    words = INSTRUCTION.split()
    k = position % len(words)
    if words[k].lower().strip(".") == word:
        return
    edited = [*words[:k], word, *words[k + 1:]]
    assert compare(INSTRUCTION, " ".join(edited)).impact == "content"


@pytest.mark.parametrize("word", ["don't", "Won't", "shouldn’t", "ISN'T", "can't", "3", "never", "May"])
def test_sensitive_words(word: str) -> None:
    assert is_sensitive(word)
