"""``passage_terms.analyze_passage`` gives exactly the terms of each field's own analyzer: the postings
the storage makes of them equal those Whoosh computes with the analyzer from the text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings

from indexer.passages import split_passages
from indexer.passage_terms import analyze_passage, folded_positions
from indexer.storage import TEXT_FIELDS
from indexer.storage.whoosh_schema import post, posted
from tests.analyzers._helpers import ODD_TEXTS
from tests.analyzers.test_properties import sentence, vietnamese_like
from tests.indexer.conftest import CORPUS


def _corpus_passages() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        texts.extend(p.text for p in split_passages(text))
    return texts


def post_fields(text: str) -> dict:
    terms = analyze_passage(text)
    return {name: posted(name, terms[name], packed=False) for name in terms}


@pytest.mark.parametrize("text", ODD_TEXTS + _corpus_passages())
def test_same_postings_as_each_fields_analyzer(text: str):
    got = post_fields(text)
    assert sorted(got) == sorted(TEXT_FIELDS)
    for name in TEXT_FIELDS:
        assert got[name].items == post(name, text).items, name
    assert posted("title", folded_positions(text), packed=False).items == post("title", text).items


@settings(max_examples=150, deadline=None)
@given(vietnamese_like)
def test_same_postings_on_any_text(text: str):
    got = post_fields(text)
    assert {name: got[name].items for name in TEXT_FIELDS} == {name: post(name, text).items for name in TEXT_FIELDS}


@settings(max_examples=150, deadline=None)
@given(sentence())
def test_same_postings_on_vietnamese_like_sentences(text: str):
    got = post_fields(text)
    assert {name: got[name].items for name in TEXT_FIELDS} == {name: post(name, text).items for name in TEXT_FIELDS}
