"""``posting.post_fields`` gives exactly the postings of each field's own analyzer."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings

from indexer.passages import split_passages
from indexer.posting import post_fields
from indexer.schema import TEXT_FIELDS, post
from tests.analyzers._helpers import ODD_TEXTS
from tests.analyzers.test_properties import sentence, vietnamese_like
from tests.indexer.conftest import CORPUS

def _corpus_passages() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        texts.extend(p.text for p in split_passages(text))
    return texts


@pytest.mark.parametrize("text", ODD_TEXTS + _corpus_passages())
def test_same_postings_as_each_fields_analyzer(text: str):
    got = post_fields(text)
    assert list(got) == list(TEXT_FIELDS)
    for name in TEXT_FIELDS:
        assert got[name].items == post(name, text).items, name


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
