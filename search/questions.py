"""Question words: what a question asks for, which the passage answering it does not contain.

People type questions (``Chất bổ trong vỏ nho có tác dụng gì?``). Their interrogatives
(``gì``, ``nào``, ``bao nhiêu``, ``tại sao``) are in the query but not in the answer (``... có
tác dụng chống oxy hóa``); scored as terms, they favour passages that happen to ask a question
themselves. They are too rare to fall under the engine's common-syllable rule, so they are named
here, and left out of scoring and highlighting like the common syllables are.

Only their accented spellings are recognized: folded, most of them are everyday content words
(``nao``/``não`` brain, ``dau``/``đau`` pain, ``may``/``máy`` machine, ``sao``/``sao`` star).
The exception is ``gi``, which in text without diacritics is nearly always ``gì``. A query made
only of question words keeps them, since there is nothing else to search for.
"""

from __future__ import annotations

from .terms import QuerySyllable

#: Single-syllable interrogatives, normalized (lowercase NFC, canonical tone).
SINGLE = frozenset({"gì", "nào", "đâu", "mấy", "chăng"})
#: Interrogatives of two syllables, whose syllables alone are ordinary words (``bao`` bag,
#: ``sao`` star). ``ai`` (who) is left out: it is also how ``AI`` is searched for.
PAIRS = frozenset({
    ("bao", "nhiêu"), ("bao", "giờ"), ("bao", "lâu"),
    ("tại", "sao"), ("vì", "sao"), ("làm", "sao"), ("ra", "sao"),
})
#: Folded forms that are question words whatever the rest of the query looks like.
FOLDED = frozenset({"gi"})


def question_positions(syllables: list[QuerySyllable]) -> set[int]:
    """Positions of the syllables of ``syllables`` that are question words."""
    found: set[int] = set()
    for i, s in enumerate(syllables):
        if s.accented in SINGLE or (s.accented == s.folded and s.folded in FOLDED):
            found.add(i)
        if i and not s.gap and (syllables[i - 1].accented, s.accented) in PAIRS:
            found.update((i - 1, i))
    return found if len(found) < len(syllables) else set()


def is_question_word(word: str) -> bool:
    """Whether a pyvi word of the query (``bao_nhiêu``) is a question word."""
    parts = tuple(word.split("_"))
    return (len(parts) == 1 and parts[0] in SINGLE) or parts in PAIRS
