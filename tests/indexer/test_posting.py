"""``posting.analyze_passage`` gives exactly the terms of each field's own analyzer: the postings
the storage makes of them equal those Whoosh computes with the analyzer from the text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings

from indexer.passages import split_passages
from indexer.posting import analyze_passage, folded_positions
from indexer.storage import TEXT_FIELDS
from indexer.storage.whoosh_schema import post, posted
from tests.analyzers.test_properties import sentence, vietnamese_like
from tests.indexer.conftest import CORPUS

ODD_TEXTS = [
    "",
    "   \n\n  ",
    "Tỉnh uỷ Thái Nguyên, tỉnh ủy THÁI NGUYÊN; Chỉ thị 35-CT/TW (ngày 30/5/2019).",
    unicodedata.normalize("NFD", "Đảng bộ xã Quỳnh Lưu: hoà, hòa, HOÀ — “kết nạp” đảng viên!"),
    "GRDP tăng 4,18% ... 15.555 tỷ đồng\n- dòng hai\n\n«trích dẫn» [ghi chú] COVID-19 ø ß ǅ",
    "a a a a a b a b a b\n" * 30 + "cuối",
    "\u0301 dấu rời ở đầu, x\u0301y\u0300z",
    "日本語 và tiếng Việt; ٣٤ số; emoji 🙂 giữa chữ",
]


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
