"""The ``k`` largest of many values, exactly, looking closely at only a few of them.

A question's record scores cover every record of the index (865,745 at 90,568 articles), and
the document ranking wants the 50 best documents by their best passage and the 50 best by
whole-document BM25 (``features.POOL``). Partitioning the 60,000 matching documents' values
(``np.argpartition``) cost 0.8 ms a time, and finding every document's best passage first
(``np.maximum.at`` over every record) 2.2 ms, to keep fifty. Here a strided sample of the values
gives a threshold that a few times ``k`` of them should reach; one comparison over the array
keeps those, and only they are sorted (0.3 ms for both). A sample can mislead (values ordered
in a way its stride falls in step with): when fewer than ``k`` pass, a lower threshold is tried,
then every value above the floor, so the answer is always the exhaustive one:

* ``top_k``: the ``k`` largest values above a floor, best first, ties by the lower index (so that
  the first ``k`` are the same whatever ``k`` is, and page 2 continues page 1 exactly);
* ``top_runs``: the same for runs of values (a document's records are one run of the record
  scores), each run ranked by its largest value.

Values are floating point (scores): the order is by ``-values``, which unsigned integers would
not keep.
"""

from __future__ import annotations

import math

import numpy as np

SAMPLE = 8192  # values sampled to pick a threshold
MARGINS = (4, 32)  # a first threshold for about 4k values, then 32k, then every value


def top_k(values: np.ndarray, k: int, floor: float = -math.inf) -> np.ndarray:
    """Indexes of the ``k`` largest ``values`` above ``floor``, best first, ties by index."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    at = _above_threshold(values, k, floor, len)
    return at[_best(at, values[at], k)]


def top_runs(values: np.ndarray, run_of: np.ndarray, k: int,
             floor: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` runs whose largest value above ``floor`` is largest, best first (ties by the
    run's number), and those largest values. ``run_of``: the run of each value, ascending (a
    document's index, for each record). A run's largest value is found among the values that
    pass the threshold, which hold it for every run that has one there: a run with none ranks
    below every run that does."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64), values[:0]
    at = _above_threshold(values, k, floor, lambda at: len(_run_starts(np.take(run_of, at))))
    runs, largest = _largest_of_runs(at, values, run_of)
    order = _best(runs, largest, k)
    return runs[order], largest[order]


def _above_threshold(values: np.ndarray, k: int, floor: float, count) -> np.ndarray:
    """Positions (ascending) of the values at or above the first sampled threshold above which
    ``count`` finds ``k`` or more (values, or runs), else of every value above ``floor``."""
    for margin in MARGINS:
        threshold = _threshold(values, k * margin, floor)
        if threshold is None:
            break
        at = np.flatnonzero(values >= threshold)
        if count(at) >= k:
            return at
    return np.flatnonzero(values > floor)


def _threshold(values: np.ndarray, wanted: int, floor: float) -> float | None:
    """A value that about ``wanted`` of ``values`` reach, judged from every ``stride``-th one;
    None when the sample cannot tell (too few values, or too few above the floor): then every
    value above the floor is looked at."""
    stride = max(1, len(values) // SAMPLE)
    rank = -(-wanted // stride)  # ceil: the sample's value at this rank from the top
    sample = values[::stride]
    if stride == 1 or rank >= len(sample):
        return None
    threshold = np.partition(sample, len(sample) - rank)[len(sample) - rank]
    return float(threshold) if threshold > floor else None


def _best(ids: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest of ``values`` (parallel to ascending ``ids``), best first,
    ties by id. Every value tied with the ``k``-th is kept through the partial sort."""
    if len(values) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = np.flatnonzero(values >= kth)
        return keep[np.lexsort((ids[keep], -values[keep]))][:k]
    return np.lexsort((ids, -values))[:k]


def _largest_of_runs(at: np.ndarray, values: np.ndarray, run_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs holding any of the positions ``at`` (ascending), and each one's largest value
    among them."""
    if not len(at):
        return np.zeros(0, dtype=np.int64), values[:0]
    runs = np.take(run_of, at)
    first = _run_starts(runs)
    return runs[first], np.maximum.reduceat(np.take(values, at), first)


def _run_starts(runs: np.ndarray) -> np.ndarray:
    """Where each run starts in an ascending array of run numbers."""
    return np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]]) if len(runs) else np.zeros(0, dtype=np.int64)
