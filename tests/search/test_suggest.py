""""Did you mean" reads the query and the passages with ``analyzers.analyze``."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import analyze, nfc
from search.suggest import suggest
from tests.analyzers._helpers import corpus


@pytest.mark.parametrize("form", ["NFC", "NFD"])
@pytest.mark.parametrize("name", sorted(corpus()))
def test_a_folded_query_gets_the_passages_spelling_at_its_spans(name, form):
    text = unicodedata.normalize(form, corpus()[name])
    syl = analyze(text)
    checked = 0
    for k in range(0, len(syl.starts) - 4, 37):
        passage = text[syl.starts[k] : syl.ends[k + 3]]
        query = " ".join(syl.folded[k : k + 4])
        written = " ".join(nfc(text[s:e]).lower() for s, e in zip(syl.starts[k : k + 4], syl.ends[k : k + 4]))
        expected = None if written == query else written
        assert suggest(query, [passage]) == expected, (query, passage)
        checked += expected is not None
    assert checked > 5


def test_the_query_keeps_its_own_spacing_and_punctuation():
    passages = [unicodedata.normalize("NFD", "Đảng Cộng sản Việt Nam"), "đang cộng tác"]
    assert suggest("dang  cong-san VN", passages) == "đảng  cộng-sản VN"
    assert suggest("tinh uy thai nguyen", ["Tỉnh ủy Thái Nguyên", "Tỉnh uỷ Thái Nguyên", "TỈNH ỦY"]) == (
        "tỉnh ủy thái nguyên"
    )
    assert suggest("... ", ["Tỉnh ủy"]) is None
