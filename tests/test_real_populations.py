"""Each manual's fictional examples show its own readers' patients (issue: examples from each manual's
population). Read from the example text itself, not only from its declared population: an adult age in
an IPT-A example, a one-to-one vignette in the group manual or a non-perinatal story in the perinatal
manual fails, whatever the example's `:population:` line says."""

from __future__ import annotations

import re

import pytest

from builder.examples import manual_examples

from .helpers import real_project

PROJECT = real_project()  # shared with the other test processes (tests/helpers.py)
#: The first "Name, NN," in an example: the age of the person it is about.
AGE_RE = re.compile(r"\b(?:Mrs?\.|Ms\.|Dr\.)?\s?[A-Z][a-z]*\.?,\s(\d{1,3})\b")
AGE_BANDS = {"adolescent": range(12, 19), "adult": range(18, 60), "older-adult": range(60, 120)}
GROUP_RE = re.compile(r"\b(group|members?|go-rounds?|facilitators?)\b", re.I)
#: Who an example is about: its first named person ("Ms N.", "Priya").
PERSON_RE = re.compile(r"^\s*(?:In [^,]*, )?((?:Mrs?|Ms|Dr)\.? [A-Z]\.|[A-Z][a-z]+)")
PERINATAL_RE = re.compile(r"\b(pregnan\w*|postpartum|postnatal|antenatal|perinatal|baby|babies|birth|newborn|"
                          r"infant|miscarriage|stillbirth|breastfeed\w*|feeds?|weeks? pregnant|due date|nursery|"
                          r"maternity|parental leave|health visitor|midwife|months old)\b", re.I)


def story(text: str) -> str:
    """The example's text without its fence and option lines."""
    return "\n".join(line for line in text.split("\n")[1:] if not line.startswith(":"))


def misfits(manual) -> list[str]:  # type: ignore[no-untyped-def]
    rule = manual.example_population
    assert rule is not None, f"{manual.id} declares no example_population"
    found = []
    # A continuing case ("Ms N. (see earlier sessions)") is perinatal when an earlier example about her is.
    perinatal_people = {m.group(1) for _, e in manual_examples(manual) if PERINATAL_RE.search(story(e.text))
                        for m in [PERSON_RE.match(story(e.text))] if m}
    for where, example in manual_examples(manual):
        text = story(example.text)
        place = f"{example.path}:{example.line} ({example.id}, in {where})"
        m = AGE_RE.search(text)
        if m and not any(int(m.group(1)) in AGE_BANDS[band] for band in rule.age):
            found.append(f"{place}: age {m.group(1)} is outside {rule.age}")
        if rule.format == ["group"] and not GROUP_RE.search(text):
            found.append(f"{place}: a one-to-one story in a group manual")
        if rule.format == ["individual"] and re.search(r"\bgroup members?\b", text, re.I):
            found.append(f"{place}: a group story in a one-to-one manual")
        person = PERSON_RE.match(text)
        continuing = bool(person and person.group(1) in perinatal_people and "see " in text[:80])
        if rule.perinatal == "required" and not PERINATAL_RE.search(text) and not continuing:
            found.append(f"{place}: not about pregnancy or the first year after birth")
        if rule.excludes(example.population):
            found.append(f"{place}: declared population {example.population}: {rule.excludes(example.population)}")
    return found


@pytest.mark.parametrize("manual", PROJECT.manuals, ids=[m.id for m in PROJECT.manuals])
def test_examples_fit_the_manuals_population(manual) -> None:  # type: ignore[no-untyped-def]
    assert misfits(manual) == []


def test_the_rule_catches_an_adult_in_the_adolescent_manual() -> None:
    import copy

    adolescent = copy.deepcopy(PROJECT.manual("adolescent"))
    _, example = manual_examples(adolescent)[0]
    for session in adolescent.sessions:
        for section in session.sections:
            for ex in section.examples:
                if ex.id == example.id:
                    ex.text = ex.text.replace(", 1", ", 2", 1) if ", 1" in ex.text else ex.text + "\nMs Z., 29, works."
    assert any("is outside ['adolescent']" in f for f in misfits(adolescent))
