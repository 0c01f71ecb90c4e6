"""The search index's stems: with PyStemmer installed, Sphinx's stemmer runs in C. It must give every
word of the real content the same stem as the pure-Python Snowball stemmer, which the stemmer in the
reader's browser (Sphinx's ``english-stemmer.js``) matches: a different stem is a word search cannot find."""

from __future__ import annotations

import re

import pytest
import snowballstemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from .conftest import REPO

pytestmark = pytest.mark.fast


def test_the_c_stemmer_is_the_one_sphinx_uses() -> None:
    assert type(snowballstemmer.stemmer("english")).__module__ == "Stemmer"


def test_every_word_of_the_content_gets_the_same_stem_in_c_and_in_python() -> None:
    words = {word.lower() for folder in ("manual", "adaptations") for path in (REPO / folder).rglob("*.md")
             for word in re.findall(r"[^\W_]+", path.read_text(encoding="utf-8"))}
    assert len(words) > 3000
    c, python = snowballstemmer.stemmer("english"), EnglishStemmer()
    assert [w for w in sorted(words) if c.stemWord(w) != python.stemWord(w)] == []
