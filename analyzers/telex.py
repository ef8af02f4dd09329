"""Telex and VNI keystrokes, decoded: the syllable someone meant when they typed with the input
method off (Telex ``tinhr`` → ``tỉnh``, ``dduwowngf`` → ``đường``; VNI ``tinh3`` → ``tỉnh``,
``d9uong72`` → ``đường``).

When it applies: to one ASCII word that carries the input method's keys; a word without any
(``ban``) decodes to itself and is left alone. Whether a decoded word should be searched in place
of the typed one is the query's business (``search.keystrokes``: the index decides).

Telex: ``aa`` ``ee`` ``oo`` → ``â`` ``ê`` ``ô``; ``aw`` ``ow`` ``uw`` → ``ă`` ``ơ`` ``ư`` (``uow`` →
``ươ``; ``w`` alone → ``ư``); ``dd`` → ``đ``; after a vowel, ``s`` ``f`` ``r`` ``x`` ``j`` are the
sắc, huyền, hỏi, ngã, nặng tones (no Vietnamese syllable ends in those letters) and ``z`` removes
the tone. VNI: ``1``–``5`` the same tones, ``0`` none, ``6`` circumflex, ``7`` horn, ``8`` breve,
``9`` the stroke of ``đ``. The tone goes where the orthography puts it (``normalize_syllable``).
"""

from __future__ import annotations

import unicodedata

from .normalize import normalize_syllable

_VOWELS = frozenset("aăâeêioôơuưy")
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323", "z": ""}
_VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323", "0": ""}
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_HORN = {"o": "ơ", "u": "ư"}
_BREVE = {"a": "ă"}


def decode_keystrokes(word: str) -> str | None:
    """The syllable ``word`` spells in Telex (letters only) or VNI (letters and digits),
    normalized as ``analyze`` would, or None if it carries no keys or is not a word of letters
    with keys after them."""
    w = word.lower()
    if not w.isascii() or not w[:1].isalpha():
        return None
    decoded = _vni(w) if any(ch.isdigit() for ch in w) else _telex(w)
    return decoded if decoded is not None and decoded != normalize_syllable(w) else None


def _telex(w: str) -> str | None:
    letters: list[str] = []
    tone: str | None = None
    for ch in w:
        vowel_seen = any(letter in _VOWELS for letter in letters)
        if tone is not None and (ch in _VOWELS or ch in _TELEX_TONES):
            return None  # one tone key, after the vowels: "norris", "sexy" are not keystrokes
        if ch in _TELEX_TONES and vowel_seen:
            tone = _TELEX_TONES[ch]
        elif ch == "w":
            if not _horn_or_breve(letters, {**_HORN, **_BREVE}):
                letters.append("ư")
        elif ch in _CIRCUMFLEX and letters and letters[-1] == ch:
            letters[-1] = _CIRCUMFLEX[ch]
        elif ch == "d" and letters == ["d"]:
            letters[-1] = "đ"
        elif ch.isalpha() and ch not in "fjwz":
            letters.append(ch)
        else:
            return None
    return _compose(letters, tone)


def _vni(w: str) -> str | None:
    letters: list[str] = []
    tone: str | None = None
    for ch in w:
        if ch.isalpha():
            if ch in "fjwz":
                return None
            letters.append(ch)
        elif ch in _VNI_TONES and any(letter in _VOWELS for letter in letters):
            if tone is not None:
                return None
            tone = _VNI_TONES[ch]
        elif ch == "6":
            if not _mark_last(letters, _CIRCUMFLEX):
                return None
        elif ch == "7":
            if not _horn_or_breve(letters, _HORN):
                return None
        elif ch == "8":
            if not _mark_last(letters, _BREVE):
                return None
        elif ch == "9" and letters[:1] == ["d"]:
            letters[0] = "đ"
        else:
            return None
    return _compose(letters, tone)


def _mark_last(letters: list[str], marks: dict[str, str]) -> bool:
    """Put a shape mark on the last vowel that takes it."""
    for i in range(len(letters) - 1, -1, -1):
        if letters[i] in marks:
            letters[i] = marks[letters[i]]
            return True
        if letters[i] in _VOWELS:
            continue
    return False


def _horn_or_breve(letters: list[str], marks: dict[str, str]) -> bool:
    """Telex ``w`` / VNI ``7``: ``uo`` takes the horn on both (``ươ``), else the last vowel that
    takes a horn (or, in Telex, a breve)."""
    text = "".join(letters)
    at = text.rfind("uo")
    if at != -1 and len(text) == len(letters):
        letters[at], letters[at + 1] = "ư", "ơ"
        return True
    return _mark_last(letters, marks)


def _compose(letters: list[str], tone: str | None) -> str | None:
    if not any(letter in _VOWELS for letter in letters):
        return None
    base = "".join(letters)
    first = next(i for i, letter in enumerate(letters) if letter in _VOWELS)
    marked = base[: first + 1] + (tone or "") + base[first + 1 :]
    return normalize_syllable(unicodedata.normalize("NFC", marked))
