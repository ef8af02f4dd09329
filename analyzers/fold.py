"""Diacritic folding: the accent-free form users type when they skip diacritics.

``đ`` is a letter of its own, not ``d`` plus a mark, so Unicode decomposition leaves it alone;
it (and its look-alike ``ð``, as charabia also does) is mapped explicitly. Other Latin letters
that do not decompose (``ø``, ``ß``, ``æ``) go through unidecode; letters of other scripts are
kept as they are, because transliterating them would invent matches nobody typed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from unidecode import unidecode

_EXPLICIT = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return 0x80 <= code <= 0x24F or 0x1E00 <= code <= 0x1EFF


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Accent-free form of a (normalized) token; idempotent."""
    if text.isascii():
        return text
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text.translate(_EXPLICIT)) if not unicodedata.combining(ch)
    )
    if stripped.isascii():
        return stripped
    out = "".join(unidecode(ch) if _is_latin(ch) and not ch.isascii() else ch for ch in stripped)
    return unicodedata.normalize("NFC", out)
