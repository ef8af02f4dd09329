"""Telex and VNI keystrokes decoded to the syllables they spell (analyzers.telex)."""

from __future__ import annotations

import pytest

from analyzers import decode_keystrokes, normalize_syllable


@pytest.mark.parametrize("typed,syllable", [
    ("tinhr", "tỉnh"), ("uyr", "ủy"), ("thais", "thái"), ("nguyeen", "nguyên"), ("bacs", "bác"), ("six", "sĩ"),
    ("dduwowngf", "đường"), ("dduowngf", "đường"), ("nguwowif", "người"), ("Vieetj", "việt"), ("hoaf", "hòa"),
    ("khoer", "khỏe"), ("bawcs", "bắc"), ("quoocs", "quốc"), ("tw", "tư"), ("tirnh", "tỉnh"),
    # VNI
    ("tinh3", "tỉnh"), ("uy3", "ủy"), ("d9uong72", "đường"), ("vie65t", "việt"), ("ba8c1", "bắc"), ("ho2a", "hòa"),
])
def test_keystrokes_decode_to_the_syllable(typed, syllable):
    assert decode_keystrokes(typed) == normalize_syllable(syllable)


@pytest.mark.parametrize("typed", [
    "ban", "nam", "thai", "nguyen", "Hà", "2020", "covid19", "h5n1", "dd", "xyz1", "email", "35", "",
])
def test_words_without_keys_or_not_words_are_not_decoded(typed):
    assert decode_keystrokes(typed) is None
