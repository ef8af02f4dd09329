"""fold: the accent-free form users type when they skip diacritics."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import fold, normalize_syllable


@pytest.mark.parametrize(
    "word,folded",
    [
        ("đảng", "dang"),
        ("người", "nguoi"),
        ("thuỷ", "thuy"),
        ("khuỷu", "khuyu"),
        ("quốc", "quoc"),
        ("giếng", "gieng"),
        ("ưu", "uu"),
        ("ăn", "an"),
        ("hoà", "hoa"),
        ("tỉnh", "tinh"),
        ("grdp", "grdp"),
        ("2020", "2020"),
    ],
)
def test_fold_removes_every_vietnamese_mark(word, folded):
    assert fold(word) == folded


@pytest.mark.parametrize("raw", ["Đ", "đ", "ĐẢNG", "Đảng", "ĐỒNG", "đồng"])
def test_d_with_stroke_folds_to_d_after_normalize(raw):
    out = fold(normalize_syllable(raw))
    assert out.startswith("d")
    assert out.isascii() and out == out.lower()


def test_uppercase_d_with_stroke_without_normalize():
    assert fold("Đ") == "D"
    assert fold("ĐẢNG") == "DANG"


@pytest.mark.parametrize("eth", ["ð", "Ð"])
def test_eth_lookalike_folds_to_d(eth):
    assert fold(eth).lower() == "d"
    assert fold(normalize_syllable(eth + "ảng")) == "dang"


def test_nfd_input_folds_like_nfc():
    for word in ["Đảng", "người", "khuỷu", "thủy"]:
        assert fold(unicodedata.normalize("NFD", word)) == fold(word)


def test_other_latin_letters_go_through_unidecode():
    assert fold("ø") == "o"
    assert fold("æ") == "ae"
    assert fold("straße") == "strasse"


@pytest.mark.parametrize("word", ["中文", "пример", "日本語", "한국어", "🙂"])
def test_other_scripts_are_kept(word):
    assert fold(word) == word


@pytest.mark.parametrize("word,folded", [("русский", "русскии"), ("ελληνικά", "ελληνικα")])
def test_other_scripts_lose_only_their_combining_marks(word, folded):
    # Folding strips marks in every script (й = и + breve), but never transliterates to Latin.
    assert fold(word) == folded


def test_mixed_scripts_keep_the_foreign_part():
    assert fold("việt中文") == "viet中文"


@pytest.mark.parametrize("word", ["đảng", "người", "中文", "việt中文", "ø", "straße", "Ðà", "ỹ", "🙂x", ""])
def test_fold_is_idempotent(word):
    once = fold(word)
    assert fold(once) == once
