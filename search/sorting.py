"""Result orders other than relevance: ``date`` (newest first) and ``date_asc`` (oldest first).

Documents without a date come after every dated one, in either order; documents of one day are
ranked by relevance, then by docnum, so that every order is total and page 2 continues page 1
exactly. The key of a match is one float: its day number plus its score squashed into [0, 1),
so one partial sort picks a page (``best_by``), whatever the match count.
"""

from __future__ import annotations

import numpy as np

from .docvalues import NO_DATE
from .rank import page_passages
from .scorer import IndexArrays

RELEVANCE = "relevance"
SORTS = (RELEVANCE, "date", "date_asc")
_UNDATED = -1e7  # below every key of a dated match, in both orders


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    return sort


def keys(scores: np.ndarray, days: np.ndarray, sort: str) -> np.ndarray:
    """Higher first: the day (negated for ``date_asc``), then the score within the day."""
    squashed = scores.astype(np.float64) / (1.0 + scores)
    dated = days != NO_DATE
    day = days.astype(np.float64) if sort == "date" else -days.astype(np.float64)
    return np.where(dated, day, _UNDATED) + squashed


def best_by(docnums: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` docnums of highest ``key`` (parallel to ``docnums``), ties by docnum."""
    if k <= 0:
        return docnums[:0]
    if len(docnums) > k:
        kth = np.partition(key, len(key) - k)[len(key) - k]
        keep = key >= kth
        docnums, key = docnums[keep], key[keep]
    return docnums[np.lexsort((docnums, -key))][:k]


def sorted_passages(scores: np.ndarray, days: np.ndarray, sort: str, limit: int,
                    offset: int) -> tuple[int, list[tuple[int, float]]]:
    """As ``rank.top_passages``, in ``sort`` order."""
    matched = np.flatnonzero(scores > 0)
    page = best_by(matched, keys(scores[matched], days[matched], sort), offset + limit)[offset:]
    return len(matched), [(int(d), float(scores[d])) for d in page]


def sorted_documents(scores: np.ndarray, arrays: IndexArrays, days: np.ndarray, sort: str, limit: int, offset: int,
                     per_doc: int) -> tuple[int, list[tuple[int, float]]]:
    """As ``rank.top_documents``, documents in ``sort`` order (each by its own date, ties by its
    best passage), each with its best ``per_doc`` passages."""
    matched = np.flatnonzero(scores > 0)
    owners = arrays.owner[matched]
    top = np.zeros(arrays.size, dtype=np.float32)
    np.maximum.at(top, owners, scores[matched])
    docs = np.flatnonzero(top > 0)
    page = best_by(docs, keys(top[docs], days[docs], sort), offset + limit)[offset:]
    return len(docs), page_passages(page, scores, arrays, per_doc)
