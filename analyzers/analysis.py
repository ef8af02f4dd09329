"""The one syllable analysis: split, normalize, fold, and adjacent pairs never across a gap.

Indexing (the field analyzers and the indexing workers), query terms, highlighting and
"did you mean" must all see the same syllables, or a query term misses the index term it was
meant to meet, a hit is marked on other characters than it matched, or a suggestion votes for
syllables the index never had. So they all call ``analyze``, which applies the rule once:
``syllables.split_arrays`` (spans in the text as given, and what separates each token from the
previous one), ``normalize_syllable`` (the accented index form), ``fold`` (the accent-free form),
and ``folded_pairs``.

The result is plain parallel lists rather than an object per syllable: indexing is bound by CPU
and analyzes every passage once.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fold import fold
from .normalize import normalize_syllable
from .syllables import line_tail, split_arrays


@dataclass(frozen=True, slots=True)
class Syllables:
    """The syllables, numbers and codes of a text, as parallel lists (index ``i`` is token ``i``)."""

    starts: list[int]  # where each token starts in the text as given (NFD, capitals and all)
    ends: list[int]
    accented: list[str]  # normalize_syllable of the characters: NFC, lowercase, canonical tone
    folded: list[str]  # fold of the accented form: no diacritics, đ -> d
    gaps: list[str]  # what separates it from the previous token, as Span.gap ("" in a run of words)
    tail: str  # punctuation after the last token up to the end of its line (line_tail)

    def pairs(self) -> list[str | None]:
        """``folded_pairs`` of these syllables."""
        return folded_pairs(self.folded, self.gaps)


def analyze(text: str) -> Syllables:
    """The syllables of ``text``: spans, accented and folded forms, gaps, and the line's tail."""
    starts, ends, gaps, raw = split_arrays(text)
    accented = _forms(_ACCENTED, normalize_syllable, raw)
    tail = line_tail(text, ends[-1]) if ends else ""
    return Syllables(starts, ends, accented, _forms(_FOLDED, fold, accented), gaps, tail)


_ACCENTED: dict[str, str] = {}  # raw token -> normalize_syllable, for _forms
_FOLDED: dict[str, str] = {}  # accented -> fold
_REMEMBERED = 200_000  # tokens per table: a language has a few thousand syllables


def _forms(table: dict[str, str], function, tokens: list[str]) -> list[str]:
    """``function`` of each token, looked up in ``table`` (a plain dict's ``get``, mapped in C,
    costs a fifth of an ``lru_cache`` call per token), computed for those it does not hold yet."""
    out = list(map(table.get, tokens))
    if None in out:
        if len(table) > _REMEMBERED:
            table.clear()
        for i, token in enumerate(tokens):
            if out[i] is None:
                out[i] = table[token] = function(token)
    return out


def folded_pairs(folded: list[str], gaps: list[str]) -> list[str | None]:
    """At ``i``, the pair of syllables ``i - 1`` and ``i`` joined by ``_`` (``thai_nguyen``), as
    the ``fpair`` field indexes it; None at 0 and where a gap (punctuation, a line break)
    separates them. A list parallel to the syllables, so callers know which two a pair joins."""
    if not folded:
        return []
    return [None] + [None if gap else a + "_" + b for a, b, gap in zip(folded, folded[1:], gaps[1:])]
