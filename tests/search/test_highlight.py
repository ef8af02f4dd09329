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


def _marked_one_by_one(text, folded=frozenset(), pairs=frozenset(), accented=frozenset()):
    """The marks as first computed: every syllable tested in turn, hits merged left to right."""
    syl = analyze(text)
    hit = [a in accented or f in folded for a, f in zip(syl.accented, syl.folded)]
    for i, pair in enumerate(syl.pairs()):
        if pair in pairs:
            hit[i] = hit[i - 1] = True
    out = []
    for i, (start, end) in enumerate(zip(syl.starts, syl.ends)):
        if hit[i]:
            between = text[out[-1][1] : start] if out else ""
            if out and hit[i - 1] and between.isspace() and "\n" not in between and len(between) <= 3:
                out[-1][1] = end
            else:
                out.append([start, end])
    return out


@pytest.mark.parametrize("form", ["NFC", "NFD", "plain"])
def test_marks_are_those_of_a_syllable_by_syllable_scan(form):
    """Query terms of every kind, drawn from the passages themselves, on the passages with
    diacritics, decomposed, and with none (as typed without them)."""
    checked = 0
    for n, text in enumerate(PASSAGES):
        if form == "plain":
            text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        else:
            text = unicodedata.normalize(form, text)
        syl = analyze(text)
        found = [p for p in syl.pairs() if p is not None]
        for folded, pairs, accented in [
            (set(syl.folded[n % 5 :: 9]), set(), set()),
            (set(), set(found[::4]) | {"khong_co", "thai_nguyen"}, set()),
            (set(), set(), set(syl.accented[1::13]) | {"đảng"}),
            (set(syl.folded[::17]), set(found[2::6]), set(syl.accented[::19])),
            (set(), set(), set()),
        ]:
            want = _marked_one_by_one(text, folded, pairs, accented)
            assert match_spans(text, folded, pairs, accented) == want
            checked += len(want)
    assert checked > 2000
    code = "Chỉ thị 35-CT/TW, 35 CT TW và 4,18%: thái nguyên  Thái Nguyên\nThái nguyên"
    for terms in [({"35", "ct", "tw"}, set(), set()), (set(), {"35_ct", "ct_tw", "thai_nguyen"}, set()),
                  (set(), set(), {"thái"}), ({"4", "18"}, {"nguyen_thai"}, set())]:
        assert match_spans(code, *terms) == _marked_one_by_one(code, *terms)
