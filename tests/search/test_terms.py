"""Query terms come from ``analyzers.analyze``, the analysis the index is built with."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import analyze
from search.terms import QuerySyllable, pairs, query_syllables, runs
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


@pytest.mark.parametrize(("query", "expected"), [
    ("vì sao gây ra, các bệnh", []),  # a comma between words joins nothing
    ("giá 4,18 tỷ đồng", [["4", "18"]]),
    ("Chỉ thị 35-CT/TW của Bộ Chính trị", [["35", "ct", "tw"]]),
    ("TP.HCM và TP. HCM", [["tp", "hcm"]]),  # only the first is written as one code
    ("Hà Nội - Hải Phòng", []),
])
def test_runs_are_codes_written_without_spaces(query, expected):
    assert [[s.accented for s in run] for run in runs(query_syllables(query))] == expected
