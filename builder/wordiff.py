"""Word-level comparison of two texts, and whether a change is editorial or changes content.

Text is compared as a sequence of words, so re-wrapping a paragraph is no change.
A change is *editorial* when every edit is small (a typo, punctuation, capitals,
a word or two of wording) and *content* when it adds, removes or replaces
instructions: several words, a number, or a negation.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

WORD_RE = re.compile(r"\S+")
NUMBER_RE = re.compile(r"\d")
NEGATIONS = {"not", "no", "never", "don't", "do not", "cannot", "can't", "avoid", "must", "should", "only"}
#: More changed words than this share of the text is a content change.
CONTENT_SHARE = 0.15
#: An inserted or deleted run longer than this many words is a content change.
CONTENT_RUN = 3


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def _norm(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


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
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    edits: list[WordEdit] = []
    content = False
    changed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = a[i1:i2], b[j1:j2]
        edits.append(WordEdit(op, " ".join(old), " ".join(new)))
        changed += max(len(old), len(new))
        if op in ("insert", "delete"):
            if len(old) + len(new) > CONTENT_RUN:
                content = True
        elif abs(len(old) - len(new)) > 1 or max(len(old), len(new)) > CONTENT_RUN:
            content = True
        else:
            for x, y in zip(old, new, strict=False):
                nx, ny = _norm(x), _norm(y)
                if nx == ny:
                    continue
                if NUMBER_RE.search(x + y) or difflib.SequenceMatcher(a=nx, b=ny).ratio() < 0.75:
                    content = True
        touched = {_norm(w) for w in old + new}
        if touched & NEGATIONS or any(NUMBER_RE.search(w) for w in old + new):
            content = True
    if changed > CONTENT_SHARE * max(len(a), len(b), 1):
        content = True
    return TextChange(tuple(edits), "content" if content else "editorial")


def redline(before: str, after: str) -> list[tuple[str, str]]:
    """(kind, text) runs for showing a change: kind is "same", "del" or "ins"."""
    a, b = words(before), words(after)
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
