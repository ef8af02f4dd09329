"""Property tests of the field analyzers on generated Vietnamese-like text."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzers import fold, normalize_syllable

from ._helpers import FIELDS, TONES, texts, to_new_style, to_old_style, tokens

settings.register_profile(
    "analyzers", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = settings.get_profile("analyzers")

VOWELS = "aăâeêioôơuưy"
CONSONANTS = "bcdđghklmnpqrstvx"


def with_tones(base: str) -> list[str]:
    return [unicodedata.normalize("NFC", base + tone) for tone in ("", *TONES)]


VIET_LOWER = sorted({ch for v in VOWELS for ch in with_tones(v)} | set(CONSONANTS))
VIET_LETTERS = VIET_LOWER + [ch.upper() for ch in VIET_LOWER]
NFD_MARKS = list(TONES + "\u0302\u0306\u031b")  # tones, circumflex, breve, horn
SPACES = [" ", " ", " ", "\n", "\t", "\u00a0"]
PUNCT = list(".,;:!?-–/()[]\"'“”%…*_&+=<>@#")
DIGITS = list("0123456789")
EMOJI = ["🙂", "👍", "🇻", "🇳", "❤", "\ufe0f"]
CJK = ["中", "文", "字", "日"]

ALPHABET = VIET_LETTERS * 3 + NFD_MARKS + SPACES * 4 + PUNCT + DIGITS + EMOJI + CJK
vietnamese_like = st.text(alphabet=st.sampled_from(ALPHABET), max_size=300)
# A token as the tokenizer cuts it: a letter, then letters and combining marks.
vietnamese_word = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(VIET_LETTERS),
    st.text(alphabet=st.sampled_from(VIET_LETTERS + NFD_MARKS), max_size=11),
)

# Well-formed syllables (one tone at most), for the tone-style property: initial, vowel
# cluster, final, tone, case.
INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
            "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
CLUSTERS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay",
            "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua",
            "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "iêu", "oai", "oay",
            "oeo", "uôi", "ươi", "ươu", "uyê", "uya", "uyu", "yê", "yêu"]
FINALS = ["", "", "", "c", "ch", "m", "n", "ng", "nh", "p", "t"]


@st.composite
def syllable(draw) -> str:
    letters = draw(st.sampled_from(INITIALS)) + draw(st.sampled_from(CLUSTERS))
    final = draw(st.sampled_from(FINALS))
    tone = draw(st.sampled_from(["", *TONES]))
    # put the tone on any vowel of the cluster: the analyzer must not care which
    vowel_positions = [i for i, ch in enumerate(letters) if unicodedata.normalize("NFD", ch)[0] in "aeiouy"]
    at = draw(st.sampled_from(vowel_positions))
    text = unicodedata.normalize("NFC", letters[: at + 1] + tone + letters[at + 1 :] + final)
    case = draw(st.sampled_from(["lower", "lower", "upper", "title"]))
    return getattr(text, case)()


separator = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", " - ", " (", ") ", " 35-CT/TW ", " 4,18% ", " 🙂 "])


@st.composite
def sentence(draw) -> str:
    parts = draw(st.lists(st.tuples(syllable(), separator), min_size=1, max_size=30))
    return "".join(s + sep for s, sep in parts)


def check_offsets(field: str, text: str) -> None:
    toks = tokens(field, text)
    prev_start, prev_pos = -1, -1
    for _text, pos, start, end in toks:
        assert 0 <= start < end <= len(text)
        assert start >= prev_start
        assert pos > prev_pos
        prev_start, prev_pos = start, pos


@PROFILE
@given(vietnamese_like)
def test_offsets_in_bounds_and_increasing(text):
    for field in FIELDS:
        check_offsets(field, text)


@PROFILE
@given(vietnamese_like)
def test_syl_spans_read_back_as_their_tokens(text):
    for tok_text, _pos, start, end in tokens("syl", text):
        assert normalize_syllable(text[start:end]) == tok_text
    for tok_text, _pos, start, end in tokens("fsyl", text):
        assert fold(normalize_syllable(text[start:end])) == tok_text


@PROFILE
@given(vietnamese_like)
def test_nfd_and_nfc_give_the_same_tokens(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    for field in FIELDS:
        assert texts(field, nfd) == texts(field, nfc), field
        check_offsets(field, nfd)


@PROFILE
@given(sentence())
def test_old_and_new_tone_style_give_the_same_tokens(text):
    old, new = to_old_style(text), to_new_style(text)
    for field in FIELDS:
        assert texts(field, old) == texts(field, new) == texts(field, text), field


@PROFILE
@given(sentence())
def test_nfd_sentences_give_the_same_tokens(text):
    nfd = unicodedata.normalize("NFD", text)
    for field in FIELDS:
        assert texts(field, nfd) == texts(field, text), field


@PROFILE
@given(vietnamese_word)
def test_fold_of_vietnamese_is_ascii_and_idempotent(word):
    folded = fold(normalize_syllable(word))
    assert folded.isascii()
    assert folded.isalpha()
    assert fold(folded) == folded
    assert fold(word).isascii()
    assert fold(fold(word)) == fold(word)


@PROFILE
@given(vietnamese_like)
def test_fold_is_idempotent_on_any_token(text):
    for tok_text in texts("syl", text):
        once = fold(tok_text)
        assert fold(once) == once


@PROFILE
@given(vietnamese_like)
def test_no_letter_is_dropped(text):
    covered = bytearray(len(text))
    for _text, _pos, start, end in tokens("syl", text):
        covered[start:end] = b"\x01" * (end - start)
    for i, ch in enumerate(text):
        if ch.isalpha() or ch.isdigit():
            assert covered[i], (i, ch, text)


@PROFILE
@given(vietnamese_like)
def test_words_and_pairs_are_made_of_syl_tokens(text):
    syl = {pos: (t, s, e) for t, pos, s, e in tokens("syl", text)}
    for field in ("word", "fpair"):
        for tok_text, pos, start, end in tokens(field, text):
            n = tok_text.count("_") + 1
            parts = [syl[p] for p in range(pos, pos + n)]
            assert (parts[0][1], parts[-1][2]) == (start, end)
            joined = "_".join(p[0] for p in parts)
            assert (fold(joined) if field == "fpair" else joined) == tok_text


@PROFILE
@given(vietnamese_like)
def test_no_empty_tokens(text):
    # A stray combining mark (after a space or punctuation) once became a syllable of its own,
    # which folded to an empty fsyl term and pairs like "hoa_".
    for field in FIELDS:
        for tok_text in texts(field, text):
            assert tok_text and not tok_text.startswith("_") and not tok_text.endswith("_"), field


def test_stray_combining_mark_is_not_a_syllable():
    text = "hoà \u0300 bình"
    assert texts("syl", text) == ["hoà", "bình"]
    assert texts("fsyl", text) == ["hoa", "binh"]
    assert texts("fpair", text) == []
