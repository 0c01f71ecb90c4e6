"""Word-level comparison of two texts, and whether a change is editorial or changes content.

Text is compared as a sequence of words after roles and links are put in one canonical form,
so re-wrapping a paragraph (even inside a role's link text) is no change.

A change is **editorial only when every edit is provably cosmetic**:

- the same words up to case, punctuation and whitespace ("follow up" → "follow-up");
- a misspelling: one word for another at most two letters away, where not both of them are
  dictionary words ("recieve" → "receive" is editorial, "form" → "from" is not).

Everything else is **content**: a word added or removed, a word replaced by another word, and any
edit that touches a word from :data:`SENSITIVE` (negations, modal verbs, numbers, times, doses,
ages, people, risk) or a digit. In a clinical protocol, an edit that may reverse or change an
instruction must never be graded editorial, so the rule errs towards content.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from .rules import ROLE_RE
from .sections import role_target

WORD_RE = re.compile(r"\S+")
DIGIT_RE = re.compile(r"\d")
#: "n't" in any form: don't, won't, shouldn't, isn’t (curly apostrophe) …
CONTRACTED_NEGATION_RE = re.compile(r"n['’]t\b", re.I)
MD_LINK_RE = re.compile(r"(!?)\[([^\]]*)\]\(\s*([^)\s]*)\s*\)")

# --- The word lists: the one place that says which words carry clinical meaning -------------
#
# A change that adds, removes or replaces any of these words is content, whatever its size.
# They are compared after lower-casing and removing punctuation (so "Don't" is "dont").

#: Negations, and contracted negations written without their apostrophe (any "n't" form is also
#: caught by :data:`CONTRACTED_NEGATION_RE` before normalising).
NEGATIONS = frozenset({
    "not", "no", "never", "nor", "none", "nothing", "nobody", "neither", "nowhere", "without", "cannot",
    "unless", "except", "avoid", "stop", "refuse", "dont", "doesnt", "didnt", "cant", "couldnt", "wont",
    "wouldnt", "shouldnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt", "mustnt",
    "neednt", "mightnt", "shant", "aint",
})
#: Modal verbs and words that set how binding an instruction is.
MODALS = frozenset({
    "may", "might", "must", "should", "shall", "can", "could", "will", "would", "need", "needs", "ought",
    "always", "only", "optional", "required", "mandatory", "recommended", "essential",
})
#: Numbers, order and quantity written as words.
NUMBERS = frozenset({
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    "thirty", "forty", "fifty", "sixty", "hundred", "first", "second", "third", "fourth", "fifth", "sixth",
    "seventh", "eighth", "ninth", "tenth", "last", "final", "once", "twice", "half", "double", "several",
    "few", "every", "each", "all", "both", "more", "less", "fewer", "most", "least",
})
#: Durations, frequencies and timing.
TIMES = frozenset({
    "minute", "minutes", "hour", "hours", "day", "days", "daily", "week", "weeks", "weekly", "fortnight",
    "fortnightly", "month", "months", "monthly", "year", "years", "yearly", "annually", "session",
    "sessions", "before", "after", "during", "until", "within", "early", "late", "later", "earlier",
})
#: Doses and medication.
DOSES = frozenset({"mg", "ml", "dose", "doses", "dosage", "tablet", "tablets", "medication", "medicine",
                   "antidepressant", "antidepressants", "prescribe", "prescribed"})
#: Ages and age groups.
AGES = frozenset({"age", "aged", "ages", "old", "older", "younger", "adult", "adults", "adolescent",
                  "adolescents", "child", "children", "teenager", "teenagers", "infant", "infants", "baby"})
#: People who take part or are responsible.
PEOPLE = frozenset({
    "patient", "patients", "parent", "parents", "partner", "partners", "caregiver", "caregivers", "carer",
    "carers", "family", "families", "mother", "father", "therapist", "therapists", "facilitator",
    "facilitators", "member", "members", "clinician", "clinicians", "supervisor", "supervisors", "young",
    "person", "people", "gp", "doctor", "psychiatrist", "school", "teacher",
})
#: Risk and safety.
RISK = frozenset({
    "suicide", "suicidal", "selfharm", "harm", "harming", "safety", "safe", "unsafe", "crisis", "refer",
    "referral", "referred", "risk", "risks", "emergency", "danger", "dangerous", "urgent", "urgently",
    "abuse", "safeguarding", "overdose", "kill", "die", "death", "psychosis", "mania",
})
#: Every word whose addition, removal or replacement is content.
SENSITIVE = NEGATIONS | MODALS | NUMBERS | TIMES | DOSES | AGES | PEOPLE | RISK

#: A misspelling is at most this many letters away from its correction (Damerau–Levenshtein).
MISSPELLING_DISTANCE = 2


def canonical(text: str) -> str:
    """``text`` with roles and links in one form: a line break or spaces inside them is no change."""

    def role(m: re.Match[str]) -> str:
        label, target = role_target(m.group("body"))
        label = " ".join(label.split())
        return f"{{{m.group('role')}}}`{label} <{target}>`" if label else f"{{{m.group('role')}}}`{target}`"

    def link(m: re.Match[str]) -> str:
        return f"{m.group(1)}[{' '.join(m.group(2).split())}]({m.group(3)})"

    return MD_LINK_RE.sub(link, ROLE_RE.sub(role, text))


def words(text: str) -> list[str]:
    return WORD_RE.findall(canonical(text))


def _norm(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def is_sensitive(word: str) -> bool:
    """Whether adding, removing or replacing ``word`` can change what a clinician is told to do."""
    return bool(DIGIT_RE.search(word) or CONTRACTED_NEGATION_RE.search(word) or _norm(word) in SENSITIVE)


@cache
def _dictionary() -> frozenset[str]:
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en").word_frequency.keys())


def is_word(word: str) -> bool:
    return word in _dictionary()


def distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (optimal string alignment): a swap of two letters is one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def is_misspelling_fix(old: str, new: str) -> bool:
    """One word for another a letter or two away, where not both are dictionary words."""
    a, b = _norm(old), _norm(new)
    if not a or not b or distance(a, b) > MISSPELLING_DISTANCE or min(len(a), len(b)) < 3:
        return False
    return not (is_word(a) and is_word(b))


def _cosmetic(old: list[str], new: list[str]) -> bool:
    """Whether replacing the words ``old`` by ``new`` is provably cosmetic."""
    if "".join(map(_norm, old)) == "".join(map(_norm, new)):
        return True  # case, punctuation, whitespace, or words joined/split by a hyphen
    if len(old) != len(new):
        return False
    for x, y in zip(old, new, strict=True):
        if _norm(x) == _norm(y):
            continue
        if is_sensitive(x) or is_sensitive(y) or not is_misspelling_fix(x, y):
            return False
    return True


@dataclass(frozen=True)
class WordEdit:
    op: str  #: replace, insert, delete
    before: str
    after: str


@dataclass(frozen=True)
class TextChange:
    edits: tuple[WordEdit, ...]
    impact: str  #: "" (no change), "editorial" or "content"


def compare(before: str, after: str) -> TextChange:
    a, b = words(before), words(after)
    if a == b:
        return TextChange((), "")
    edits: list[WordEdit] = []
    content = False
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        old, new = a[i1:i2], b[j1:j2]
        edits.append(WordEdit(op, " ".join(old), " ".join(new)))
        if not _cosmetic(old, new):
            content = True
    return TextChange(tuple(edits), "content" if content else "editorial")


def redline(before: str, after: str) -> list[tuple[str, str]]:
    """(kind, text) runs for showing a change: kind is "same", "del" or "ins"."""
    a, b = before.split(), after.split()
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("ins", " ".join(b[j1:j2])))
    return runs
