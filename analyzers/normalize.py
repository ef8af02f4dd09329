"""Normalization of one syllable to the form every index term is built from.

Vietnamese text reaches us in several spellings of the same syllable: composed (NFC) or
decomposed (NFD) Unicode, upper or lower case, and two tone-mark placements (``hoà``/``hòa``,
``thuỷ``/``thủy``, ``khoẻ``/``khỏe``) that both occur in one article. They must become one term,
or a search for one spelling misses the other.

The canonical placement is the one pyvi's dictionary uses (``hoà``, ``uỷ``, ``khoẻ``): the word
segmenter looks syllable pairs up in that dictionary, so feeding it the same style it was built
from keeps its output stable. The placement is recomputed from scratch (tone removed, then put
back by rule), so any placement, even a wrong one, comes out canonical.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .iy import unify_iy
from .lookalike import replace_lookalikes

# The five tone marks, as combining characters (NFD).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Vowel letters after the tone is removed; the "marked" ones carry a shape diacritic.
VOWELS = frozenset("aăâeêioôơuưy")
MARKED_VOWELS = frozenset("ăâêôơư")
# Open two-vowel clusters whose tone goes on the second vowel in pyvi's style.
SECOND_VOWEL_CLUSTERS = frozenset({"oa", "oe", "uy"})


def nfc(text: str) -> str:
    """NFC form, skipping the work when the text is already composed (the common case)."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _split_tone(syllable: str) -> tuple[list[str], str | None]:
    """Letters of a lowercase syllable without their tone, and the tone mark (or None)."""
    letters: list[str] = []
    tone = None
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in TONE_MARKS:
            tone = ch
        elif unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return [unicodedata.normalize("NFC", letter) for letter in letters], tone


def _tone_position(letters: list[str]) -> int | None:
    """Index of the letter that carries the tone, by the rules of Vietnamese orthography."""
    first = next((i for i, letter in enumerate(letters) if letter in VOWELS), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(letters) and letters[last + 1] in VOWELS:
        last += 1
    # In "qu" and "gi" the u and i belong to the initial consonant, not to the vowel cluster.
    if last > first and (
        (letters[first] == "u" and first > 0 and letters[first - 1] == "q")
        or (letters[first] == "i" and first == 1 and letters[0] == "g")
    ):
        first += 1
    cluster = letters[first : last + 1]
    marked = [i for i, letter in enumerate(cluster) if letter in MARKED_VOWELS]
    if marked:
        return first + marked[-1]
    if len(cluster) == 1:
        return first
    if len(cluster) >= 3:
        return first + 1
    has_final = last + 1 < len(letters)
    if has_final or "".join(cluster) in SECOND_VOWEL_CLUSTERS:
        return first + 1
    return first


def canonical_tone(syllable: str) -> str:
    """The lowercase syllable with its tone mark moved to the canonical vowel."""
    letters, tone = _split_tone(syllable)
    if tone is None:
        return unicodedata.normalize("NFC", "".join(letters))
    pos = _tone_position(letters)
    if pos is None:
        return unicodedata.normalize("NFC", syllable)
    letters[pos] = letters[pos] + tone
    return unicodedata.normalize("NFC", "".join(letters))


@lru_cache(maxsize=200_000)
def normalize_spelling(raw: str) -> str:
    """One syllable as written, in one form: NFC, look-alike letters replaced, lowercase,
    canonical tone placement; its ``i``/``y`` spelling kept (did-you-mean compares spellings)."""
    text = replace_lookalikes(nfc(raw)).lower()
    if text.isascii():
        return text
    return canonical_tone(text)


@lru_cache(maxsize=200_000)
def normalize_syllable(raw: str) -> str:
    """Index form of one syllable: ``normalize_spelling``, then final ``i``/``y`` unified
    (``iy``), which is the same syllable spelled two ways.

    Cached: a language has a few thousand syllables, a corpus has millions of occurrences.
    """
    return unify_iy(normalize_spelling(raw))
