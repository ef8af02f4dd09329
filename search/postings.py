"""Posting lists and field lengths as numpy arrays, read from Whoosh's segments.

Whoosh scores one posting at a time in Python, so an OR over the forty-odd terms of a question
took 100 ms on 1,300 passages and grows linearly from there. Reading whole posting blocks into
arrays and scoring them with numpy is two orders of magnitude cheaper. This is the one module
that reads Whoosh's storage below its public API (the W3 codec's block data and length column);
each fast path falls back to the public, slow API when the storage is not what it expects, so
a Whoosh fork changes speed, not results. The fields of ``indexer.schema.BAG_FIELDS`` are read
from each segment's bags file (``indexer.bags``) where it has one, and from Whoosh's term index
in segments written before.
"""

from __future__ import annotations

import numpy as np
from whoosh.util.numeric import byte_to_length

from indexer.bags import open_bags
from indexer.schema import BAG_FIELDS

_BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


def leaves(searcher) -> list[tuple[object, int]]:
    """(segment reader, first global docnum) for each segment of the searcher's index."""
    return list(searcher.reader().leaf_readers())


def doc_frequency(reader, field: str, text: str) -> int:
    """Number of records of one segment with the term (deleted ones included, as in Whoosh)."""
    if field in BAG_FIELDS:
        bags = open_bags(reader)
        if bags is not None:
            return bags.doc_frequency(field, text.encode("utf-8"))
    return reader.doc_frequency(field, text)


def term_postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Local docnums and weights (term frequencies) of one term in one segment."""
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    if field in BAG_FIELDS:
        bags = open_bags(reader)
        if bags is not None:
            return bags.postings(field, text.encode("utf-8"))
    if (field, text) not in reader:
        return empty
    m = reader.postings(field, text)
    try:
        return _blocks(m)
    except AttributeError:  # not the W3 codec: the public API
        m = reader.postings(field, text)
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)


def _blocks(m) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    while True:
        if m._data is None:
            m._read_data()
        raw_ids, raw_weights = m._data[0], m._data[1]
        n = m._blocklength
        block_ids = np.asarray(raw_ids, dtype=np.int64)
        ids.append(block_ids if m._byteids else np.cumsum(block_ids))
        if raw_weights is None:
            weights.append(np.ones(n, dtype=np.float32))
        elif isinstance(raw_weights, float):
            weights.append(np.full(n, raw_weights, dtype=np.float32))
        else:
            weights.append(np.asarray(raw_weights, dtype=np.float32))
        if m._lastblock:
            break
        m._next_block()
    return np.concatenate(ids), np.concatenate(weights)


def field_lengths(reader, field: str) -> np.ndarray:
    """Length (in tokens) of ``field`` for every document of one segment."""
    count = reader.doc_count_all()
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        out = np.zeros(count, dtype=np.float32)
        if column is not None:
            raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
            out[: len(raw)] = _BYTE_TO_LENGTH[raw]
        return out
    except (AttributeError, ImportError):
        return np.array([reader.doc_field_length(d, field, 0) for d in range(count)], dtype=np.float32)


def deleted(reader) -> np.ndarray | None:
    """Mask of deleted documents in one segment, or None when it has none."""
    if not reader.has_deletions():
        return None
    count = reader.doc_count_all()
    return np.array([reader.is_deleted(d) for d in range(count)], dtype=bool)
