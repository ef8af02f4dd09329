"""``match_spans`` marks exactly the syllables ``analyzers.analyze`` finds, at its spans."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import analyze
from indexer.passages import split_passages
from search.highlight import match_spans
from tests.analyzers._helpers import corpus

PASSAGES = [p.text for name in sorted(corpus()) for p in split_passages(corpus()[name])]


def _covered(syl, spans: list[list[int]]) -> set[int]:
    return {i for i, (s, e) in enumerate(zip(syl.starts, syl.ends)) if any(a <= s and e <= b for a, b in spans)}


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_marks_exactly_the_hits_of_its_syllables(form):
    checked = 0
    for text in PASSAGES:
        text = unicodedata.normalize(form, text)
        syl = analyze(text)
        found = syl.pairs()
        folded = set(syl.folded[::7])
        accented = set(syl.accented[3::11])
        pairs = {p for p in found[::5] if p is not None}
        hits = {i for i, (a, f) in enumerate(zip(syl.accented, syl.folded)) if a in accented or f in folded}
        hits |= {j for i, p in enumerate(found) if p in pairs for j in (i - 1, i)}
        spans = match_spans(text, folded, pairs, accented)
        assert _covered(syl, spans) == hits
        # every mark starts at a hit's start and ends at a hit's end
        assert all(s in {syl.starts[i] for i in hits} and e in {syl.ends[i] for i in hits} for s, e in spans)
        checked += len(hits)
    assert checked > 1000


def test_pairs_mark_both_syllables_and_adjacent_hits_merge():
    text = "Tỉnh uỷ Thái Nguyên họp; thái  nguyên, THÁI-Nguyên"
    assert match_spans(text, pairs={"thai_nguyen"}) == [[8, 19], [25, 37]]  # not across "-"
    assert match_spans(text, folded={"thai"}) == [[8, 12], [25, 29], [39, 43]]
