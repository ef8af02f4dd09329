"""Every accented spelling of a folded syllable: the inverse of ``fold`` for one syllable.

The index keeps accented syllables (``syl``) by hash alone, so the engine cannot list them; but it
can list the folded ones (``fsyl``), and each folded syllable has few accented spellings:
``nguoi`` is ``người``, ``nguội``, ``ngươi``... A letter of the folded form is one of at most
three letters with shape marks (``a``: ``a ă â``; ``o``: ``o ô ơ``; ``e``: ``e ê``; ``u``: ``u
ư``; ``d``: ``d đ``) and the syllable carries one of six tones, on any of its vowels. Every such
combination is put through ``normalize_syllable``, the index's own form (canonical tone
placement, final ``i``/``y`` as ``i``), and kept if it still folds to the syllable: a few dozen
candidates, of which the index holds a handful. The engine reads the postings of the frequent
ones ahead of the first query (``search.hot``).
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache

from .fold import fold
from .normalize import normalize_syllable

_SHAPES = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = frozenset("aăâeêioôơuưy")
MAX_LETTERS = 7  # the longest Vietnamese syllable (``nghiêng``); longer ones are not syllables


@lru_cache(maxsize=4096)
def accented_forms(folded: str) -> tuple[str, ...]:
    """The index forms (``normalize_syllable``) that fold to ``folded``, sorted; ``folded``
    itself among them. Empty for what cannot be a Vietnamese syllable (not lowercase ASCII
    letters, or longer than ``MAX_LETTERS``)."""
    if not (folded.isascii() and folded.isalpha() and folded.islower()) or len(folded) > MAX_LETTERS:
        return ()
    found = set()
    for letters in itertools.product(*(_SHAPES.get(c, c) for c in folded)):
        vowels = [i for i, c in enumerate(letters) if c in _VOWELS]
        spellings = ["".join(letters)]
        for tone in _TONES:
            spellings += ["".join(c + tone if i == at else c for i, c in enumerate(letters)) for at in vowels]
        for spelling in spellings:
            form = normalize_syllable(unicodedata.normalize("NFC", spelling))
            if fold(form) == folded:
                found.add(form)
    return tuple(sorted(found))
