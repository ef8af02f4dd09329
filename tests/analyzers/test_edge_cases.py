"""Degenerate and large inputs for every field analyzer."""

from __future__ import annotations

import time

import pytest

from analyzers import FIELD_ANALYZERS

from ._helpers import FIELDS, corpus, texts, tokens


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t \u00a0 \n"])
def test_empty_and_blank_input(field, text):
    assert tokens(field, text) == []


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("text", ["...", "?!,;:-–—/()[]{}“”«»\"'", "…\n***\n---", "%&@#_=+<>"])
def test_only_punctuation(field, text):
    assert tokens(field, text) == []


def test_single_syllable():
    assert texts("syl", "Đảng") == ["đảng"]
    assert texts("fsyl", "Đảng") == ["dang"]
    assert texts("word", "Đảng") == []
    assert texts("fpair", "Đảng") == []


def test_emoji_between_syllables_separates_them():
    text = "Hà Nội🙂 mùa thu 👍👍 đẹp lắm ❤️"
    assert texts("syl", text) == ["hà", "nội", "mùa", "thu", "đẹp", "lắm"]
    pairs = texts("fpair", text)
    assert "ha_noi" in pairs and "mua_thu" in pairs
    assert "noi_mua" not in pairs and "thu_dep" not in pairs
    for tok_text, _pos, start, end in tokens("syl", text):
        assert "🙂" not in text[start:end] and "👍" not in text[start:end]


def test_emoji_glued_to_a_word_does_not_break_segmentation():
    words = texts("word", "🙂công tác xây dựng🙂 đảng năm nay👍")
    assert {"công_tác", "xây_dựng"} <= set(words)
    assert "dựng_đảng" not in words


def test_cjk_is_kept_as_a_token():
    assert texts("syl", "Văn bản 中文 tiếng Việt") == ["văn", "bản", "中文", "tiếng", "việt"]
    assert "中文" in texts("fsyl", "Văn bản 中文 tiếng Việt")


def test_whoosh_keyword_arguments():
    analyzer = FIELD_ANALYZERS["syl"]()
    # start_pos / start_char shift positions and offsets, as Whoosh uses for multi-valued fields
    toks = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer("Tỉnh ủy", positions=True, chars=True, start_pos=10, start_char=100)]
    assert toks == [("tỉnh", 10, 100, 104), ("uỷ", 11, 105, 107)]
    # tokenize=False (Whoosh's range queries): the whole value is one normalized token. Only
    # meaningful for one syllable: normalize_syllable keeps a single tone per string.
    assert [t.text for t in analyzer("Ủy", tokenize=False)] == ["uỷ"]
    assert [t.text for t in analyzer("", tokenize=False)] == []


def test_one_megabyte_through_all_fields_finishes():
    base = "\n\n".join(corpus().values())
    text = (base * (1_000_000 // len(base) + 1))[:1_000_000]
    one_line = text.replace("\n", " ")  # a single 1 MB line: one long CRF sequence
    start = time.perf_counter()
    counts = {}
    for field in FIELDS:
        counts[field] = sum(1 for _ in FIELD_ANALYZERS[field]()(text, positions=True, chars=True))
    counts["word_one_line"] = sum(1 for _ in FIELD_ANALYZERS["word"]()(one_line, positions=True, chars=True))
    elapsed = time.perf_counter() - start
    assert elapsed < 60, elapsed  # a guard against quadratic behaviour, not a benchmark
    assert counts["syl"] == counts["fsyl"] > 200_000
    assert counts["fpair"] < counts["syl"]
    assert 0 < counts["word"] < counts["syl"] // 2
    assert counts["word_one_line"] > 0
