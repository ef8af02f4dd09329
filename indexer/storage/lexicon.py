"""Typo lookups in a field's lexicon without scanning it: a deletion index, as SymSpell's.

Whoosh's ``terms_within`` over an index of several segments computes a Damerau-Levenshtein
distance from the word to every term of the lexicon, in Python: about a second per unknown word
at 22,000 news articles, growing with the lexicon, and a minute for a 1,000-character token. (On
a single segment it walks a Levenshtein automaton instead, which is faster but leaves out
swapped letters, so the same typo was corrected or not depending on how the index had been
committed.) Here each term is filed under itself and every string one deletion away from it
(``thai`` under ``thai``, ``hai``, ``tai``, ``thi``, ``tha``). Two words one edit apart (a
substitution, an insertion or a deletion, or two adjacent letters swapped) always share one of
those strings, so a lookup files the query word the same way, gathers the terms under each of
its strings, and keeps those truly one edit away (``within_one_edit``): with ``swaps``, the
terms of Whoosh's Damerau-Levenshtein scan, without, those of its automaton (tested against
both; ``reader.IndexReader.terms_within`` says which applies when). The cost follows the word's
length, not the lexicon's size; a word longer than every term by more than one letter costs
nothing.

The index is the hashes of those strings in one sorted numpy array, with the number of the term
each belongs to: about twelve bytes per string, some eighty bytes per term. It is built once per
segment and field, on the first lookup (or by ``serve`` before it listens), and kept in a
process-wide cache of the 64 most recently used (``cached``): segments never change, so a new
commit re-uses the indexes of the segments it keeps, and those of merged-away segments age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import numpy as np


def _strings(term: str) -> Iterable[str]:
    """``term`` and every string one deletion away from it."""
    yield term
    for k in range(len(term)):
        yield term[:k] + term[k + 1 :]


def within_one_edit(a: str, b: str, swaps: bool = False) -> bool:
    """Whether ``a`` and ``b`` are at most one edit apart: a substitution, an insertion or a
    deletion, and with ``swaps`` also two adjacent characters swapped (Damerau)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la < lb:  # one insertion into a at i
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:  # one substitution at i
        return True
    return swaps and i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


class DeletionIndex:
    """The terms of one field of one segment, filed for lookups within one edit."""

    def __init__(self, terms: list[str]):
        self.terms = terms
        lengths = np.fromiter((len(t) + 1 for t in terms), dtype=np.int64, count=len(terms))
        hashes = np.fromiter((hash(s) for t in terms for s in _strings(t)), dtype=np.int64,
                             count=int(lengths.sum()))
        owners = np.repeat(np.arange(len(terms), dtype=np.int32), lengths)
        order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[order]
        self._owners = owners[order]
        self.longest = int(lengths.max()) - 1 if len(terms) else -1

    def within_one(self, word: str, swaps: bool = False) -> list[str]:
        """The terms at most one edit from ``word`` (``word`` itself included if it is one);
        ``swaps``: two adjacent letters swapped count as one edit (Damerau)."""
        if len(word) > self.longest + 1 or not self.terms:
            return []
        probes = np.fromiter({hash(s) for s in _strings(word)}, dtype=np.int64)
        lo = np.searchsorted(self._hashes, probes, side="left")
        hi = np.searchsorted(self._hashes, probes, side="right")
        found = {int(i) for a, b in zip(lo.tolist(), hi.tolist()) if b > a for i in self._owners[a:b]}
        return sorted(t for t in (self.terms[i] for i in found) if within_one_edit(t, word, swaps))


_CACHE_SIZE = 64  # (segment, field) indexes kept across commits
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def cached(key: tuple, terms: Callable[[], list[str]]) -> DeletionIndex:
    """The deletion index of ``key`` (a segment and field), built from ``terms()`` the first time."""
    with _cache_lock:
        index = _cache.get(key)
        if index is not None:
            _cache.move_to_end(key)
            return index
    index = DeletionIndex(terms())
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index
