"""normalize_syllable: one index form per syllable, whatever the tone style, case or Unicode form."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import canonical_tone, nfc, normalize_spelling, normalize_syllable, unify_iy

from ._helpers import to_new_style, to_old_style

# (old style, new style, canonical = pyvi's dictionary style)
TONE_STYLE_PAIRS = [
    ("ủy", "uỷ", "uỷ"),
    ("hòa", "hoà", "hoà"),
    ("khóa", "khoá", "khoá"),
    ("thủy", "thuỷ", "thuỷ"),
    ("khỏe", "khoẻ", "khoẻ"),
    ("Ủy", "Uỷ", "uỷ"),
    ("ỦY", "UỶ", "uỷ"),
    ("hòe", "hoè", "hoè"),
    ("lõa", "loã", "loã"),
    ("tụy", "tuỵ", "tuỵ"),
    ("HÒA", "HOÀ", "hoà"),
]


@pytest.mark.parametrize("old,new,canonical", TONE_STYLE_PAIRS)
def test_both_tone_placements_give_the_canonical_syllable(old, new, canonical):
    assert normalize_syllable(old) == canonical
    assert normalize_syllable(new) == canonical


@pytest.mark.parametrize("old,new,canonical", TONE_STYLE_PAIRS)
def test_the_test_converters_agree_with_the_table(old, new, canonical):
    # Guards the converters the property tests rely on.
    assert to_new_style(old) == new
    assert to_old_style(new) == old


def test_tinh_uy_in_every_spelling_is_one_pair_of_syllables():
    spellings = ["Tỉnh uỷ", "Tỉnh ủy", "Tỉnh Uỷ", "Tỉnh Ủy", "TỈNH ỦY", "TỈNH UỶ", "tỉnh uỷ"]
    forms = {tuple(normalize_syllable(s) for s in sp.split()) for sp in spellings}
    assert forms == {("tỉnh", "uỷ")}


@pytest.mark.parametrize(
    "syllable",
    # closed syllables (tone on the second vowel either way), qu/gi initials, marked vowels,
    # three-vowel clusters, open clusters whose tone stays on the first vowel
    ["toán", "hoàng", "quý", "quốc", "giếng", "gì", "người", "khuỷu", "mưa", "của",
     "quả", "quyết", "giữa", "giặt", "thuở", "hoạch", "tuyển", "nguyễn", "khoái", "mùa",
     "lửa", "tuổi", "yêu", "chìa", "đảng", "phải", "gìn", "xuân", "quạ", "gió"],
)
def test_correct_syllables_are_unchanged(syllable):
    # normalize_spelling: the spelling as written (normalize_syllable also unifies quý as quí)
    assert normalize_spelling(syllable) == syllable
    assert normalize_spelling(syllable.upper()) == syllable
    assert normalize_spelling(syllable.title()) == syllable
    assert normalize_syllable(syllable) == unify_iy(syllable)


@pytest.mark.parametrize(
    "wrong,right",
    [
        ("tóan", "toán"),  # closed syllable: tone belongs on the second vowel
        ("hòang", "hoàng"),
        ("qúy", "quý"),  # u of qu is part of the initial
        ("qủa", "quả"),
        ("gíêng", "giếng"),
        ("ngừơi", "người"),  # marked vowel carries the tone
        ("khủyu", "khuỷu"),  # three-vowel cluster: middle vowel
        ("múa", "múa"),
        ("cuả", "của"),  # open ua: first vowel
        ("muà", "mùa"),
        ("tuyến", "tuyến"),
        ("tuýên", "tuyến"),
    ],
)
def test_misplaced_tones_are_moved_to_the_canonical_vowel(wrong, right):
    assert normalize_spelling(wrong) == right
    assert normalize_syllable(wrong) == unify_iy(right)
    assert canonical_tone(wrong) == right


@pytest.mark.parametrize("word", ["Tỉnh", "uỷ", "ủy", "Người", "giếng", "KHUỶU", "Quốc", "Đảng", "hoà", "thủy"])
def test_nfd_input_equals_nfc(word):
    nfd = unicodedata.normalize("NFD", word)
    assert nfd != unicodedata.normalize("NFC", word)
    out = normalize_syllable(nfd)
    assert out == normalize_syllable(unicodedata.normalize("NFC", word))
    assert unicodedata.is_normalized("NFC", out)


def test_output_is_nfc_lowercase_and_idempotent():
    for raw in ["ĐẢNG", "Hòa", "THUỶ", "Khỏe", "qủa", "NGƯỜI"]:
        out = normalize_syllable(raw)
        assert out == out.lower()
        assert unicodedata.is_normalized("NFC", out)
        assert normalize_syllable(out) == out


def test_ascii_numbers_codes_and_other_scripts():
    assert normalize_syllable("GRDP") == "grdp"
    assert normalize_syllable("2020") == "2020"
    assert normalize_syllable("中文") == "中文"
    assert normalize_syllable("Ωmega") == "ωmega"


def test_nfc_helper():
    composed = "Thái Nguyên"
    assert nfc(composed) is composed  # no work when already composed
    assert nfc(unicodedata.normalize("NFD", composed)) == composed
