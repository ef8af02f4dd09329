"""BM25 over many terms and fields at once, on numpy arrays.

The score of a passage is the sum over the query's terms of ``boost × BM25(term, field)``,
computed for whole posting lists at a time. The idf is Lucene's, ``log(1 + (N - df + 0.5) / (df
+ 0.5))``, not Whoosh's ``log(N / (df + 1)) + 1``: the ``+ 1`` gives a syllable found in a
tenth of all passages a third of the weight of a unique one, and questions are full of such
syllables (``bệnh``, ``người``, ``năm``). Lucene's gives it a quarter, which raised MRR@10 on both
evaluation sets (benchmarks/relevance.py).

Postings, lengths and deletions come from the storage's reader (``indexer.storage``) as numpy
arrays. The arrays that do not depend on the query (field lengths, deletions, where each
document's passages start) are read once per open index and kept in its ``IndexArrays``.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from indexer.storage import IndexReader

K1 = 0.6  # passages are short: a second occurrence of a term adds little
B = 0.75
CACHE_ENV = "VNSEARCH_CACHE_MB"  # the term cache's bound, in MB, for every index a process opens
MAX_DEFAULT_CACHE_MB = 1024


def default_cache_mb(processes: int = 1) -> int:
    """The term cache's bound when none is set: 1 GB, or a quarter of the machine's memory shared
    by ``processes`` (``serve``'s workers each keep their own), whichever is less.

    Decoded terms cost 9 bytes a posting (docnum, score, count as a byte). The terms of 320
    questions at 90,568 articles come to 590 MB, and the 320 MB bound this replaced re-decoded
    a third of them (a trace of the cache replayed at each bound; timed alone, p50 41.7 ms at
    320 MB against 33.4 at 1 GB, before ``search.hot`` pinned the frequent syllables)."""
    try:
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not a POSIX system
        return MAX_DEFAULT_CACHE_MB
    return max(64, min(MAX_DEFAULT_CACHE_MB, memory_mb // (4 * max(1, processes))))


def cache_mb_from_env(processes: int = 1) -> int:
    """``VNSEARCH_CACHE_MB`` if it holds a whole number of MB (0 or more), else the default for
    ``processes``; a value that is not one is said on stderr, once, and the default used."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.isdigit():
        return int(value)
    if value:
        print(f"vnsearch: {CACHE_ENV}={value!r} is not a whole number of MB; using {default_cache_mb(processes)} MB",
              file=sys.stderr)
    return default_cache_mb(processes)


# Decoded terms kept per open index, pinned ones (``search.hot``) included.
CACHE_BYTES = cache_mb_from_env() * 1024 * 1024


@dataclass
class IndexArrays:
    reader: IndexReader
    size: int
    live: np.ndarray  # False for deleted records
    doc_starts: np.ndarray  # global docnums of document records, ascending
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    averages: dict[str, float] = field(default_factory=dict)
    _owner: np.ndarray | None = None
    _owner_index: np.ndarray | None = None
    _run_starts: np.ndarray | None = None
    _run_lengths: np.ndarray | None = None
    _run_ends: np.ndarray | None = None
    _deleted: np.ndarray | None = None
    cache: OrderedDict = field(default_factory=OrderedDict)  # (field, text) -> (ids, scores, tf), and others' arrays
    cached_bytes: int = 0
    # The index's most frequent terms, decoded before the first query and never forgotten
    # (``search.hot``); their bytes count against ``CACHE_BYTES`` too.
    pinned: dict = field(default_factory=dict)
    pinned_bytes: int = 0
    # Threads share an open index: the cache is looked up and filled under this lock, never
    # held while a term is decoded.
    cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    derived: dict = field(default_factory=dict)  # other query-independent arrays (``features``)

    def recall(self, key: tuple[str, str]) -> tuple[np.ndarray, ...] | None:
        with self.cache_lock:
            value = self.pinned.get(key)
            if value is not None:
                return value
            value = self.cache.get(key)
            if value is not None:
                self.cache.move_to_end(key)
            return value

    def remember(self, key: tuple[str, str], value: tuple[np.ndarray, ...]) -> None:
        """Keep a term's scores, forgetting the least recently used beyond ``CACHE_BYTES`` (less
        what is pinned)."""
        with self.cache_lock:
            if key in self.cache or key in self.pinned:  # another thread decoded it meanwhile
                return
            self.cache[key] = value
            self.cached_bytes += _cost(value)
            self._trim()

    def pin(self, key: tuple[str, str], value: tuple[np.ndarray, ...]) -> None:
        """Keep a term's arrays for as long as the index is open (``search.hot``); the same
        arrays a query would decode and remember, so pinning changes no score."""
        with self.cache_lock:
            if key in self.pinned:
                return
            dropped = self.cache.pop(key, None)
            if dropped is not None:
                self.cached_bytes -= _cost(dropped)
            self.pinned[key] = value
            self.pinned_bytes += _cost(value)
            self._trim()

    def _trim(self) -> None:
        while self.cached_bytes + self.pinned_bytes > CACHE_BYTES and self.cache:
            _, gone = self.cache.popitem(last=False)
            self.cached_bytes -= _cost(gone)

    def length(self, fieldname: str) -> tuple[np.ndarray, float]:
        # An open index is shared between threads: fill both dicts before publishing either, so a
        # thread that sees the lengths also sees their average.
        if fieldname not in self.lengths:
            arr = self.reader.field_lengths(fieldname)
            nonzero = arr[arr > 0]
            self.averages[fieldname] = float(nonzero.mean()) if len(nonzero) else 1.0
            self.lengths[fieldname] = arr
        return self.lengths[fieldname], self.averages[fieldname]

    @property
    def deleted(self) -> np.ndarray:
        """Docnums of the deleted records (``live`` is False): a query zeroes them by number
        rather than by a mask of every record, and an index without any skips the check."""
        if self._deleted is None:
            self._deleted = np.flatnonzero(~self.live)
        return self._deleted

    @property
    def owner(self) -> np.ndarray:
        """For every record, the docnum of its document's record (itself for a document)."""
        if self._owner is None:
            self._owner = self.doc_starts[self.owner_index] if len(self.doc_starts) else np.zeros(self.size, dtype=np.int64)
        return self._owner

    @property
    def owner_index(self) -> np.ndarray:
        """For every record, the index of its document in ``doc_starts``: whole-document arrays
        are indexed by it (``features``), a tenth of the records' length, so that summing a
        query's terms over every document stays in the processor's cache."""
        if self._owner_index is None:
            self._owner_index = np.maximum(self.groups(np.arange(self.size)), 0).astype(np.int32)
        return self._owner_index

    def spread(self, values: np.ndarray) -> np.ndarray:
        """``values[self.owner_index]``: a value per document (by index in ``doc_starts``) given
        to each of its records. A document's records are one run (``owner_index`` ascends), so
        this repeats each value its run's length: 40% less time than the gather, over every
        record of the index."""
        return np.repeat(values, self.run_lengths)

    @property
    def run_starts(self) -> np.ndarray:
        """Where each document's run of records starts: its record, except that records before
        the first document's are the first document's own (``owner_index``)."""
        if self._run_starts is None:
            starts = self.doc_starts.astype(np.int64)
            if len(starts):
                starts[0] = 0
            self._run_starts = starts
        return self._run_starts

    @property
    def run_lengths(self) -> np.ndarray:
        """How many records each document's run holds (its record and its passages)."""
        if self._run_lengths is None:
            starts = self.run_starts
            self._run_lengths = np.append(starts[1:], self.size) - starts
        return self._run_lengths

    def add_spread(self, total: np.ndarray, values: np.ndarray) -> None:
        """``total += self.spread(values)``, adding only at the records of documents whose value
        is not 0: a title's terms are in a few documents' titles, and repeating a value for
        every record of the index then adding it (2 ms a question at 90,568 articles) added 0.0
        almost everywhere, which changes nothing."""
        nonzero = np.flatnonzero(values)
        if len(nonzero) * 8 > len(values):
            total += self.spread(values)
            return
        if not len(nonzero):
            return
        total[self.records_of(nonzero)] += np.repeat(values[nonzero], self.run_lengths[nonzero])

    def records_of(self, documents: np.ndarray) -> np.ndarray:
        """Every record of the given documents (by index in ``doc_starts``, ascending), each
        document's run after the other's: ascending docnums."""
        lengths = self.run_lengths[documents]
        firsts = np.cumsum(lengths) - lengths
        return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(self.run_starts[documents] - firsts, lengths)

    def matching_documents(self, scores: np.ndarray) -> np.ndarray:
        """For each document (by index in ``doc_starts``), whether any of its records scores
        above 0: one running count of the matching records, read at each run's end and compared
        with the previous run's (0.7 ms over 865,745 records, where scattering every record's
        score to find each document's best took 2.2)."""
        if not len(self.run_starts):
            return np.zeros(0, dtype=bool)
        counts = np.take(np.cumsum(scores > 0, dtype=np.int32), self.run_ends)  # matching records up to each run's end
        hit = np.empty(len(counts), dtype=bool)
        hit[0] = counts[0] > 0
        np.not_equal(counts[1:], counts[:-1], out=hit[1:])  # (the count rose over the run)
        return hit

    @property
    def run_ends(self) -> np.ndarray:
        """The last record of each document's run."""
        if self._run_ends is None:
            self._run_ends = self.run_starts + self.run_lengths - 1
        return self._run_ends

    def groups(self, docnums: np.ndarray) -> np.ndarray:
        """Index of the document each passage belongs to: a document's record precedes its
        passages, and Whoosh keeps records in the order they were added, merges included."""
        return np.searchsorted(self.doc_starts, docnums, side="right") - 1


ENTRY_BYTES = 256  # an entry's key and array headers: a term the index lacks is cached too, and not free


def _cost(value: tuple[np.ndarray, ...]) -> int:
    return sum(part.nbytes for part in value) + ENTRY_BYTES


def arrays_for(reader: IndexReader) -> IndexArrays:
    """The query-independent arrays of an open index (read once, kept by the caller)."""
    return IndexArrays(reader=reader, size=reader.size, live=reader.live(), doc_starts=reader.document_starts())


def idf_of(df: int, total: int) -> float:
    return math.log(1.0 + (max(total, df) - df + 0.5) / (df + 0.5))


def term_scores(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Global docnums and unboosted BM25 of one term, cached with the index's arrays.

    Decoding posting blocks is most of a query's cost, and the same terms (common syllables,
    frequent pairs) recur from query to query; their scores depend only on the commit.
    """
    ids, scores, _ = _decoded(arrays, fieldname, text)
    return ids, scores


def term_postings(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Global docnums and frequencies of one term, from the same cached decode as its scores:
    the whole-document BM25 of the document ranking (``features``) reads the postings the
    passage BM25 has just decoded, which it used to decode a second time (a third of a cold
    query's time at 90,568 articles).

    A term whose passage scores are not cached is decoded without them and not kept: it is a
    syllable too common to score passages by (``plan.COMMON``), wanted by the whole-document
    BM25 alone, which keeps what it makes of the postings (a value per document, a tenth of
    their bytes). Kept, such syllables' postings (a fifth of all passages or more each) pushed
    the terms that recur out of the cache: at 90,568 articles 300 questions decoded 1.5 of
    their 3.7 s of postings a second time (0.8 of 2.0 s with them left out and the counts kept
    as bytes)."""
    cached = arrays.recall((fieldname, text))
    if cached is not None:
        return cached[0], cached[2]
    ids, tf, _ = _postings(arrays, fieldname, text)
    return ids, tf


def _decoded(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    key = (fieldname, text)
    cached = arrays.recall(key)
    if cached is not None:
        return cached
    value = decode_term(arrays, fieldname, text)
    arrays.remember(key, value)
    return value


def decode_term(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A term's global docnums, unboosted BM25 and frequencies, decoded (not looked up in the
    cache, and not kept: ``term_scores`` keeps them, ``search.hot`` pins them)."""
    ids, tf, df = _postings(arrays, fieldname, text)
    if df:
        lengths, avg = arrays.length(fieldname)
        # np.take: a gather by docnums in half the time of fancy indexing (numpy 2)
        scores = _bm25_of(tf.astype(np.float32, copy=False), np.take(lengths, ids), avg, idf_of(df, arrays.size))
    else:
        scores = np.zeros(0, dtype=np.float32)
    return ids, scores, tf


def _postings(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Global docnums (``int32``) and frequencies of one term over every segment, and its
    document frequency (the idf's). Whole frequencies are kept as integers (``uint8`` as the
    bags' pages hold them, ``uint16`` otherwise): a tenth to a fifth of a cached entry's bytes
    rather than a third."""
    # Each segment's postings and frequency in one lookup; the idf needs them all first.
    found = [(segment.scored_postings(fieldname, text), offset) for segment, offset in arrays.reader.segments]
    df = sum(part[2] for part, _ in found)
    ids_parts, tf_parts = [], []
    for (ids, tf, _), offset in found:
        if not len(ids):
            continue
        if offset:
            ids = ids + offset
        ids_parts.append(ids.astype(np.int32, copy=False))
        tf_parts.append(tf)
    tf = _joined(tf_parts, np.float32)
    if tf.dtype.kind == "f" and len(tf) and tf.max() <= np.iinfo(np.uint16).max:
        counts = tf.astype(np.uint16)
        if np.array_equal(counts, tf):
            tf = counts
    return _joined(ids_parts, np.int32), tf, df


def _bm25_of(tf: np.ndarray, lengths: np.ndarray, avg: float, idf: float) -> np.ndarray:
    """``idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avg))`` as float32, the same
    operations in the same order, done in place on the gathered ``lengths`` (a new array) and
    one other: two arrays a term rather than eight."""
    norm = lengths
    norm *= B
    norm /= avg
    norm += 1 - B
    norm *= K1
    norm += tf  # tf + norm: addition commutes, exactly
    scores = tf * (K1 + 1)
    scores *= idf  # idf * (...): so does multiplication
    scores /= norm
    return scores if scores.dtype == np.float32 else scores.astype(np.float32)


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def member(values: np.ndarray, of: np.ndarray, size: int) -> np.ndarray:
    """``np.isin(values, of)`` for docnums below ``size``, through a mask: one pass over each
    array, where ``isin`` sorts the half-million owners of a question's matches (14 ms at 90,568
    articles) to find those of a page's ten documents."""
    inside = np.zeros(size, dtype=bool)
    inside[of] = True
    return inside[values]


def add_at(total: np.ndarray, ids: np.ndarray, values: np.ndarray) -> None:
    """``total[ids] += values`` for ``ids`` without repeats (a term's postings, a term's
    documents): the same float32 additions, by ``np.add.at``, which numpy 2 runs in half the
    time of the gather, add and scatter of ``+=`` (2.1 against 4.6 ms for a question's 775,000
    postings at 90,568 articles). With repeats the two differ (``add.at`` adds each). Before
    numpy 1.25 ``add.at`` was ten times slower than ``+=``, which is kept there."""
    if _FAST_ADD_AT:
        np.add.at(total, ids, values)
    else:  # pragma: no cover - old numpy
        total[ids] += values


_FAST_ADD_AT = np.lib.NumpyVersion(np.__version__) >= "1.25.0"


def bm25(arrays: IndexArrays, terms: list[tuple[str, str, float]]) -> np.ndarray:
    """Summed, boosted BM25 of each record for the given (field, text, boost) terms."""
    total = np.zeros(arrays.size, dtype=np.float32)
    for fieldname, text, boost in terms:
        ids, scores = term_scores(arrays, fieldname, text)
        if len(ids):
            # (a boost of 1, the folded syllables', multiplies nothing: scattered as they are,
            # rather than copied first, the same float32 values)
            add_at(total, ids, scores if boost == 1.0 else boost * scores)
    return total


def document_bm25(arrays: IndexArrays, terms: list[tuple[str, str, float]]) -> np.ndarray:
    """``bm25(arrays, terms)[arrays.doc_starts]`` for terms of a document field (``title``),
    summed into an array of the documents alone rather than of every record: the same float32
    additions in the same order, a tenth of the memory touched (4 ms a question at 90,568
    articles went to zeroing, scattering and gathering arrays of every record). A posting at a
    record that is not a document's counts for nothing, as that gather would drop it."""
    starts = arrays.doc_starts
    total = np.zeros(len(starts), dtype=np.float32)
    if not len(starts):
        return total
    for fieldname, text, boost in terms:
        ids, scores = term_scores(arrays, fieldname, text)
        if len(ids):
            dix = np.take(arrays.owner_index, ids)
            at_document = np.take(starts, dix) == ids
            if at_document.all():
                add_at(total, dix, boost * scores)
            else:
                add_at(total, dix[at_document], boost * scores[at_document])
    return total
