"""The k best values picked above a sampled threshold are exactly the exhaustive sort's: on random
arrays full of ties, on arrays ordered so that the sample misleads, and on the corpus's real
scores, where the document ranking's pools and pages come out the same to the byte."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from search import features, topk
from search.topk import top_k, top_runs

from .._answers import every_answer
from .conftest import CORPUS, segmented_index


def exhaustive_top_k(values: np.ndarray, k: int, floor: float) -> list[int]:
    above = np.flatnonzero(values > floor)
    return above[np.lexsort((above, -values[above]))][:k].tolist()


def exhaustive_top_runs(values: np.ndarray, run_of: np.ndarray, k: int, floor: float):
    runs = np.unique(run_of)
    largest = np.array([values[run_of == r].max() for r in runs], dtype=values.dtype)
    keep = largest > floor
    runs, largest = runs[keep], largest[keep]
    order = np.lexsort((runs, -largest))[:k]
    return runs[order].tolist(), largest[order].tolist()


def arrays_to_pick_from(rng: np.random.Generator):
    """Value arrays of the kinds a query gives: mostly zero, few distinct values (ties), one
    large value repeated, the large values all off the sample's stride, and sorted ascending."""
    n = int(rng.integers(20_000, 120_000))
    stride = n // topk.SAMPLE
    sparse = np.where(rng.random(n) < 0.3, rng.integers(1, 40, n), 0).astype(np.float32)
    yield sparse
    yield np.where(rng.random(n) < 0.5, 2.5, 0.0).astype(np.float32)
    off_stride = rng.random(n).astype(np.float32)
    off_stride[np.arange(n) % stride != 0] += 10.0  # every value the sample sees is small
    yield off_stride
    on_stride = np.zeros(n, dtype=np.float32)
    on_stride[::stride] = rng.random(len(on_stride[::stride])).astype(np.float32) + 1  # the sample sees only the big ones
    yield on_stride
    yield np.sort(rng.random(n).astype(np.float32))


@pytest.mark.parametrize("seed", range(6))
def test_top_k_is_the_exhaustive_sorts_first_k(seed: int):
    rng = np.random.default_rng(seed)
    for values in arrays_to_pick_from(rng):
        for k in (1, 3, 10, 50, 51, 700, len(values) + 5):
            for floor in (0.0, -math.inf, 1.0):
                assert top_k(values, k, floor).tolist() == exhaustive_top_k(values, k, floor), (k, floor)
        assert top_k(values, 0).tolist() == []


def test_more_asked_for_than_there_are_and_values_masked_out():
    """k beyond the runs or values above the floor gives them all; ``-inf`` (a document that
    does not match, as ``features.candidates`` masks them) is never picked, 0 above it is."""
    rng = np.random.default_rng(21)
    values = np.where(rng.random(50_000) < 0.01, rng.random(50_000), 0).astype(np.float32)
    run_of = np.arange(50_000) // 10
    runs, largest = top_runs(values, run_of, 10_000)
    expected_runs, expected_largest = exhaustive_top_runs(values, run_of, 10_000, 0.0)
    assert runs.tolist() == expected_runs and largest.tolist() == expected_largest
    assert 0 < len(runs) < 5_000
    masked = np.where(rng.random(50_000) < 0.5, values, -np.inf).astype(np.float32)
    for k in (5, 50, 30_000):
        picked = top_k(masked, k)
        assert picked.tolist() == exhaustive_top_k(masked, k, -math.inf), k
        assert np.isfinite(masked[picked]).all()
    assert len(top_k(masked, 30_000)) == np.isfinite(masked).sum()


@pytest.mark.parametrize("seed", range(4))
def test_top_runs_ranks_each_run_by_its_largest_value(seed: int):
    rng = np.random.default_rng(100 + seed)
    for values in arrays_to_pick_from(rng):
        lengths = rng.integers(1, 30, size=len(values))  # runs of 1 to 29 values, as documents' records
        run_of = np.repeat(np.arange(len(lengths)), lengths)[: len(values)]
        for k in (1, 10, 50, 400):
            runs, largest = top_runs(values, run_of, k)
            expected_runs, expected_largest = exhaustive_top_runs(values, run_of, k, 0.0)
            assert runs.tolist() == expected_runs, k
            assert largest.tolist() == expected_largest, k
            assert largest.dtype == values.dtype


def test_the_sample_gives_the_threshold_and_the_fallbacks_run():
    """The fast path is taken where it can be (a threshold about k * margin values reach), and a
    misleading sample leads to a lower threshold, or to every value, rather than a short answer."""
    rng = np.random.default_rng(9)
    values = rng.random(200_000).astype(np.float32)
    threshold = topk._threshold(values, 200, 0.0)
    assert threshold is not None and 100 <= np.count_nonzero(values >= threshold) <= 400
    assert topk._threshold(values[:1000], 200, 0.0) is None  # too few to sample
    assert topk._threshold(np.zeros(200_000, dtype=np.float32), 200, 0.0) is None  # nothing above the floor
    stride = len(values) // topk.SAMPLE
    on_stride = np.zeros_like(values)
    on_stride[::stride] = 1.0 + values[::stride]
    seen = []
    real = topk._threshold
    try:
        topk._threshold = lambda *a: seen.append(real(*a)) or seen[-1]
        assert top_k(on_stride, 50, 0.0).tolist() == exhaustive_top_k(on_stride, 50, 0.0)
    finally:
        topk._threshold = real
    # the sample holds every large value, so it overrates them: the first threshold lets 9
    # through, the second (for 32 times as many) enough
    assert len(seen) == 2 and None not in seen and seen[1] < seen[0]
    assert np.count_nonzero(on_stride >= seen[0]) < 50 <= np.count_nonzero(on_stride >= seen[1])
    sparse_off = np.zeros_like(values)
    sparse_off[1::stride][:30] = 5.0  # 30 values, none on the stride: the sample sees only zeros
    assert top_k(sparse_off, 50, 0.0).tolist() == exhaustive_top_k(sparse_off, 50, 0.0)
    assert len(top_k(sparse_off, 50, 0.0)) == 30


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    return segmented_index(tmp_path_factory.mktemp("topk"))


QUERIES = ["tinh uy thai nguyen", "Đảng viên", "hợp tác xã", "phòng chống thiên tai", "dang", "xã",
           "chè Thái Nguyên", "kinh tế"]


def random_queries(count: int, seed: int) -> list[str]:
    """Runs of one to four words of the corpus's own text, as written or lowercased and
    stripped of diacritics."""
    from analyzers.fold import fold

    rng = np.random.default_rng(seed)
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))).split()
    out = []
    for _ in range(count):
        start = int(rng.integers(0, len(words) - 4))
        query = " ".join(words[start : start + int(rng.integers(1, 5))])
        out.append(fold(query) if rng.random() < 0.3 else query)
    return out


def test_the_corpus_answers_the_same_sampled_and_exhaustive(segmented: Path, monkeypatch):
    """With a pool of two documents (so that the pool is chosen among more) and a sample of 16
    values (so that the corpus's few hundred records are sampled), every answer is the one the
    exhaustive sort gives, and the sampled thresholds were used: for chosen queries and for
    random runs of the corpus's words."""
    queries = QUERIES + random_queries(40, seed=7)
    monkeypatch.setattr(features, "POOL", 2)
    monkeypatch.setattr(topk, "SAMPLE", 10**9)
    exhaustive = every_answer(segmented, queries, limit=3)
    state = {"threshold": None, "sampled": 0, "exhaustive": 0}
    real_threshold, real_best = topk._threshold, topk._best

    def threshold(*args):
        state["threshold"] = real_threshold(*args)
        return state["threshold"]

    def best(ids, values, k):
        # the sampled pass answered when k or more values at or above its threshold reach the
        # sort (every value the exhaustive pass sees would otherwise include lower ones)
        t = state["threshold"]
        state["sampled" if t is not None and len(values) >= k and values.min() >= t else "exhaustive"] += 1
        state["threshold"] = None
        return real_best(ids, values, k)

    monkeypatch.setattr(topk, "SAMPLE", 16)
    monkeypatch.setattr(topk, "_threshold", threshold)
    monkeypatch.setattr(topk, "_best", best)
    assert every_answer(segmented, queries, limit=3) == exhaustive
    assert state["sampled"] >= len(queries) and state["exhaustive"] > 0, state
    assert sum(1 for _, _, total, hits in exhaustive if total > 3 and hits) >= len(queries)
