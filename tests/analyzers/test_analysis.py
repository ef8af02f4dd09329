"""``analyze``, the one syllable analysis, on real Vietnamese text; and the field analyzers'
tokens are exactly its arrays (the other callers are pinned in tests/search and tests/indexer)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings

from analyzers import Syllables, analyze, folded_pairs

from ._helpers import ODD_TEXTS, analyzer, corpus, tokens
from .test_properties import sentence, vietnamese_like

ARTICLES = sorted(corpus())
TEXTS = ODD_TEXTS + [corpus()[name] for name in ARTICLES]
TEXT_IDS = [f"odd{i}" for i in range(len(ODD_TEXTS))] + ARTICLES


def test_a_code_and_a_date_split_at_their_punctuation():
    text = "Chỉ thị 35-CT/TW (ngày 30/5/2019)."
    syl = analyze(text)
    assert syl == Syllables(
        starts=[0, 4, 8, 11, 14, 18, 23, 26, 28],
        ends=[3, 7, 10, 13, 16, 22, 25, 27, 32],
        accented=["chỉ", "thị", "35", "ct", "tw", "ngày", "30", "5", "2019"],
        folded=["chi", "thi", "35", "ct", "tw", "ngay", "30", "5", "2019"],
        gaps=["\n", "", "", "-", "/", "(", "", "/", "/"],
        tail=").",
    )
    assert syl.pairs() == [None, "chi_thi", "thi_35", None, None, None, "ngay_30", None, None]


def test_line_breaks_and_punctuation_are_gaps_that_pairs_never_cross():
    text = "Tỉnh uỷ Thái Nguyên, tỉnh ủy THÁI NGUYÊN;\n- dòng hai:\n\n«trích» hết"
    syl = analyze(text)
    assert syl.accented == ["tỉnh", "uỷ", "thái", "nguyên"] * 2 + ["dòng", "hai", "trích", "hết"]
    assert syl.gaps == ["\n", "", "", "", ",", "", "", "", ";\n-", "", ":\n«", "»"]
    assert syl.pairs() == [
        None, "tinh_uy", "uy_thai", "thai_nguyen",
        None, "tinh_uy", "uy_thai", "thai_nguyen",
        None, "dong_hai", None, None,
    ]  # fmt: skip
    assert syl.tail == ""


def test_nfd_spans_point_into_the_text_as_given():
    nfc = "Đảng bộ Quỳnh Lưu, khoá học."
    nfd = unicodedata.normalize("NFD", nfc)
    a, d = analyze(nfc), analyze(nfd)
    assert (d.accented, d.folded, d.gaps, d.tail) == (a.accented, a.folded, a.gaps, a.tail)
    assert d.accented == ["đảng", "bộ", "quỳnh", "lưu", "khoá", "học"]
    assert d.folded == ["dang", "bo", "quynh", "luu", "khoa", "hoc"]
    assert d.ends[-1] > a.ends[-1]  # NFD takes more characters
    assert [unicodedata.normalize("NFC", nfd[s:e]) for s, e in zip(d.starts, d.ends)] == [
        nfc[s:e] for s, e in zip(a.starts, a.ends)
    ]


def test_tone_placement_and_capitals_give_one_form():
    syl = analyze("hòa hoà HOÀ khỏe THỦY")
    assert syl.accented == ["hoà", "hoà", "hoà", "khoẻ", "thuỷ"]
    assert syl.folded == ["hoa", "hoa", "hoa", "khoe", "thuy"]


@pytest.mark.parametrize("text", ["", "   \n\n  ", " ... — « » "])
def test_no_syllables(text):
    syl = analyze(text)
    assert syl == Syllables([], [], [], [], [], "")
    assert syl.pairs() == []


def test_folded_pairs_on_its_own():
    assert folded_pairs([], []) == []
    assert folded_pairs(["dang"], ["\n"]) == [None]
    assert folded_pairs(["thai", "nguyen", "tinh"], ["\n", "", ","]) == [None, "thai_nguyen", None]


@pytest.mark.parametrize("text", TEXTS, ids=TEXT_IDS)
def test_arrays_are_parallel_and_cover_every_letter(text):
    syl = analyze(text)
    n = len(syl.starts)
    assert [len(syl.ends), len(syl.accented), len(syl.folded), len(syl.gaps), len(syl.pairs())] == [n] * 5
    assert all(0 <= s < e <= len(text) for s, e in zip(syl.starts, syl.ends))
    assert all(e <= s for e, s in zip(syl.ends, syl.starts[1:]))
    assert all(syl.accented) and all(syl.folded)
    # nothing outside the spans is a letter or digit: no syllable is dropped
    outside = list(text)
    for s, e in zip(syl.starts, syl.ends):
        outside[s:e] = [" "] * (e - s)
    assert not re.search(r"[^\W_]", "".join(outside))


@pytest.mark.parametrize("name", ARTICLES)
def test_corpus_in_nfd_gives_the_same_syllables(name):
    text = corpus()[name]
    a, d = analyze(unicodedata.normalize("NFC", text)), analyze(unicodedata.normalize("NFD", text))
    assert len(a.accented) > 300
    assert (d.accented, d.folded, d.gaps, d.tail, d.pairs()) == (a.accented, a.folded, a.gaps, a.tail, a.pairs())


def _token_attrs(field: str, text: str) -> list[tuple]:
    return [(t.text, t.pos, t.startchar, t.endchar, t.gap, t.tail)
            for t in analyzer(field)(text, positions=True, chars=True)]  # fmt: skip


def _check_fields(text: str) -> None:
    syl = analyze(text)
    n = len(syl.accented)
    tails = [""] * (n - 1) + [syl.tail] if n else []
    expected = list(zip(syl.accented, range(n), syl.starts, syl.ends, syl.gaps, tails))
    assert _token_attrs("syl", text) == expected
    assert [t[0] for t in tokens("fsyl", text)] == syl.folded
    assert [t[1:] for t in tokens("fsyl", text)] == [t[1:4] for t in expected]
    assert tokens("fpair", text) == [
        (p, i - 1, syl.starts[i - 1], syl.ends[i]) for i, p in enumerate(syl.pairs()) if p is not None
    ]
    for word, pos, start, end in tokens("word", text):
        k = word.count("_") + 1
        assert word == "_".join(syl.accented[pos : pos + k])
        assert (start, end) == (syl.starts[pos], syl.ends[pos + k - 1])
        assert not any(syl.gaps[pos + 1 : pos + k])


@pytest.mark.parametrize("text", TEXTS, ids=TEXT_IDS)
def test_field_analyzers_give_its_arrays(text):
    _check_fields(text)
    _check_fields(unicodedata.normalize("NFD", text))


@settings(max_examples=100, deadline=None)
@given(vietnamese_like)
def test_field_analyzers_give_its_arrays_on_any_text(text):
    _check_fields(text)


@settings(max_examples=100, deadline=None)
@given(sentence())
def test_field_analyzers_give_its_arrays_on_sentences(text):
    _check_fields(text)


def _scanned(text: str) -> tuple[list[int], list[int], list[str], list[str]]:
    """An independent split: one regex match at a time, the letters-or-marks pattern as first
    written (``split_arrays`` uses ``re.split`` and an equivalent pattern), gaps as ``Span``
    defines them."""
    marks = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    starts, ends, gaps, raw = [], [], [], []
    for m in re.finditer(rf"[^\W_](?:[^\W_]|[{marks}])*", text):
        between = "\n" + text[: m.start()] if not ends else text[ends[-1] : m.start()]
        if "\n" in between:
            head, tail = between[: between.index("\n")], between[between.rindex("\n") + 1 :]
            gap = "".join(head.split()) + "\n" + "".join(tail.split())
        else:
            gap = "".join(between.split())
        starts.append(m.start())
        ends.append(m.end())
        gaps.append(gap)
        raw.append(m.group())
    return starts, ends, gaps, raw


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_split_arrays_is_a_scan_one_match_at_a_time(form):
    from analyzers.syllables import split_arrays

    odd = ["a_b __c_ d", "\t tab\u00a0nbsp  hai  cách\r\ndòng", "x\u0301\u0323y\u0300 \u0301z", "9,5 - 10/12\n\n\n:"]
    for text in TEXTS + odd + [t.upper() for t in odd]:
        text = unicodedata.normalize(form, text)
        assert split_arrays(text) == _scanned(text), text[:40]
