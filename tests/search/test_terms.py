"""Query terms come from ``analyzers.analyze``, the analysis the index is built with."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import analyze
from search.terms import QuerySyllable, pairs, query_syllables
from tests.analyzers.test_analysis import TEXT_IDS, TEXTS


@pytest.mark.parametrize("form", ["NFC", "NFD"])
@pytest.mark.parametrize("text", TEXTS, ids=TEXT_IDS)
def test_query_syllables_and_pairs_are_its_arrays(text, form):
    text = unicodedata.normalize(form, text)
    syl = analyze(text)
    got = query_syllables(text)
    assert got == [QuerySyllable(a, f, g) for a, f, g in zip(syl.accented, syl.folded, syl.gaps)]
    assert pairs(got) == [p for p in syl.pairs() if p is not None]
    skip = set(range(0, len(got), 3))
    assert pairs(got, skip=skip) == [
        p for i, p in enumerate(syl.pairs()) if p is not None and i - 1 not in skip and i not in skip
    ]


def test_pairs_leave_out_skipped_positions_and_gaps():
    sylls = query_syllables("tinh uy thai nguyen, 35-CT/TW")
    assert pairs(sylls) == ["tinh_uy", "uy_thai", "thai_nguyen"]
    assert pairs(sylls, skip={1}) == ["thai_nguyen"]


def test_pairs_use_the_syllables_given():
    # the engine pairs syllables whose folded form a typo correction replaced
    sylls = [QuerySyllable("thái", "thai", "\n"), QuerySyllable("nguyen", "nguyen", "")]
    assert pairs(sylls) == ["thai_nguyen"]
