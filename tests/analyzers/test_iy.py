"""i/y spellings of one syllable (analyzers.iy) and the look-alike Ð (analyzers.lookalike), in
every field's analysis; the syllables that are different words stay apart."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import analyze, fold, normalize_spelling, normalize_syllable, unify_iy
from analyzers.fields import FIELD_ANALYZERS

from ._helpers import corpus


@pytest.mark.parametrize("i_form,y_form", [
    ("kĩ", "kỹ"), ("lí", "lý"), ("tỉ", "tỷ"), ("Mĩ", "Mỹ"), ("quí", "quý"), ("kì", "kỳ"), ("sĩ", "sỹ"),
    ("hi", "hy"), ("vĩ", "vỹ"), ("QUÍ", "QUÝ"), ("Kị", "Kỵ"), ("li", "ly"), ("ti", "ty"), ("qui", "quy"),
])
def test_the_two_spellings_are_one_term(i_form, y_form):
    assert normalize_syllable(i_form) == normalize_syllable(y_form) == unify_iy(i_form.lower())
    assert normalize_syllable(unicodedata.normalize("NFD", y_form)) == normalize_syllable(i_form)
    assert fold(normalize_syllable(y_form)) == fold(normalize_syllable(i_form))
    # the spelling as written is kept where it matters (did-you-mean)
    assert normalize_spelling(y_form) != normalize_spelling(i_form)


@pytest.mark.parametrize("a,b", [
    ("tuy", "tui"), ("thủy", "thủi"), ("tay", "tai"), ("máy", "mái"), ("cây", "cai"), ("khuây", "khuai"),
    ("yêu", "iêu"), ("y", "i"), ("ý", "í"), ("quýt", "quít"), ("huy", "hui"), ("duy", "dui"), ("quyết", "quiết"),
])
def test_different_syllables_stay_apart(a, b):
    assert normalize_syllable(a) != normalize_syllable(b)
    assert normalize_syllable(a) == normalize_spelling(a)  # untouched


def test_every_field_unifies_them():
    one = "Kỹ sư Mỹ hy vọng vào lý thuyết quý báu"
    other = "Kĩ sư Mĩ hi vọng vào lí thuyết quí báu"
    for name, make in FIELD_ANALYZERS.items():
        analyzer = make()
        assert [t.text for t in analyzer(one)] == [t.text for t in analyzer(other)], name


def test_corpus_text_written_with_y_meets_the_i_spelling():
    text = corpus()["000_13f43d64bff1cfb9.txt"]
    assert "15.555 tỷ" in text
    spans = analyze(text)
    at = spans.accented.index("tỉ")  # the corpus writes tỷ
    assert text[spans.starts[at] : spans.ends[at]] == "tỷ"


def test_lookalike_eth_is_d_with_stroke_in_every_field():
    legacy = "\u00d0ảm bảo an toàn trên \u00f0ường phố"
    proper = "Đảm bảo an toàn trên đường phố"
    assert analyze(legacy).accented == analyze(proper).accented
    assert analyze(legacy).accented[0] == "đảm"
    for name, make in FIELD_ANALYZERS.items():
        analyzer = make()
        assert [t.text for t in analyzer(legacy)] == [t.text for t in analyzer(proper)], name
    # spans still point at the characters as written
    syl = analyze(legacy)
    assert legacy[syl.starts[0] : syl.ends[0]] == "\u00d0ảm"
