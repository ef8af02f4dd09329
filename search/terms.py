"""The terms of a query, produced by the same analyzers as the index.

Whoosh's ``QueryParser`` splits on spaces before analysis, which would never produce pyvi's
multi-syllable words or our syllable pairs; so queries are analyzed here, once per clause, and
the query is assembled from the resulting terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzers import FIELD_ANALYZERS, analyze, folded_pairs


@dataclass(frozen=True)
class QuerySyllable:
    accented: str  # normalized: lowercase NFC, canonical tone
    folded: str
    gap: str  # punctuation before it ("" inside a run of words)
    # Whitespace before it: ``ra, các`` is two words, ``4,18`` one number (not part of equality:
    # the same syllables, however spaced, are the same terms).
    spaced: bool = field(default=True, compare=False)

    @property
    def has_marks(self) -> bool:
        return self.accented != self.folded


_WORD = FIELD_ANALYZERS["word"]()


def query_syllables(text: str) -> list[QuerySyllable]:
    """The syllables of the query, as ``analyzers.analyze`` finds them in the index's text."""
    syl = analyze(text)
    spaced = [True] + [any(c.isspace() for c in text[end:start]) for end, start in zip(syl.ends, syl.starts[1:])]
    return list(map(QuerySyllable, syl.accented, syl.folded, syl.gaps, spaced))


def query_words(text: str) -> list[str]:
    """pyvi words of the query (only meaningful when it is written with diacritics)."""
    return [t.text for t in _WORD(text)]


def pairs(syllables: list[QuerySyllable], skip: set[int] = frozenset()) -> list[str]:
    """Folded adjacent pairs, as the ``fpair`` field indexes them, leaving out those that
    touch a position in ``skip`` (``analyzers.folded_pairs``)."""
    found = folded_pairs([s.folded for s in syllables], [s.gap for s in syllables])
    return [p for i, p in enumerate(found) if p is not None and i - 1 not in skip and i not in skip]


def runs(syllables: list[QuerySyllable]) -> list[list[QuerySyllable]]:
    """Maximal runs of syllables joined by punctuation only, with no space (codes: ``35-CT/TW``,
    ``4,18``, ``TP.HCM``). A gap leaves spaces out, so ``gây ra, các`` has the gap of ``4,18``;
    only ``spaced`` tells a comma between words from one inside a number."""
    out: list[list[QuerySyllable]] = []
    for s in syllables:
        if out and s.gap and not s.spaced and "\n" not in s.gap and _joined(s.gap):
            out[-1].append(s)
        else:
            out.append([s])
    return [r for r in out if len(r) > 1]


def _joined(gap: str) -> bool:
    return gap in {"-", "/", ".", ",", ":", "_", "+", "&", "'", "%"} or set(gap) <= set("-/.,:_")
