"""Positions as numpy arrays, and phrase matching by intersecting them.

Whoosh matches a phrase with span matchers: for every record holding all its terms, the
positions of each are decoded into Python lists and walked pair by pair in Python. A query's
phrase bonuses (codes typed with punctuation, the other forms of a synonym group) ran that over
every record holding common syllables (``thanh pho ho chi minh``), a third of a query's time.

Here the same question is answered a term at a time, vectorized: the records holding every
term are the intersection of their docnum arrays; only those records' positions are decoded
(``decode``, from ``whoosh_formats.VarintPositions``' packed values, all at once); and the
phrase occurs in a record where term ``i`` is at ``p + i`` for some ``p``, which is an
intersection of ``(record, position - i)`` keys. Exactly Whoosh's matches (``Phrase`` with its
default slop 1 is the terms at consecutive positions, in order), checked against it in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .whoosh_formats import VarintPositions

_FORMAT = VarintPositions()
_NO_IDS = np.zeros(0, dtype=np.int64)
_LIMIT = 1 << 64  # packed values at or above it hold more than 8 bytes of varints
_SHIFT = 32  # key = record << _SHIFT | (position + offset): positions stay far below 2**31


def decode(values: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """The positions held by each of ``values`` (packed ints, or varint bytes as older
    segments keep them): (index of the value, position), grouped by value, ascending within one."""
    values = [v if type(v) is int else VarintPositions.pack_value(v) for v in values]
    if not values:
        return _NO_IDS, _NO_IDS
    try:
        packed = np.array(values, dtype=np.uint64)
        long = []
    except OverflowError:  # a term repeated many times in one record: those few in Python
        long = [i for i, v in enumerate(values) if v >= _LIMIT]
        small = [i for i, v in enumerate(values) if v < _LIMIT]
        packed = np.array([values[i] for i in small], dtype=np.uint64)
    owners, positions = _decode_packed(packed - np.uint64(1))
    if long:
        owners = np.asarray(small, dtype=np.int64)[owners]
        extra_owners, extra = [], []
        for i in long:
            found = _FORMAT.decode_positions(values[i])
            extra_owners.extend([i] * len(found))
            extra.extend(found)
        owners = np.concatenate([owners, np.array(extra_owners, dtype=np.int64)])
        positions = np.concatenate([positions, np.array(extra, dtype=np.int64)])
        order = np.argsort(owners, kind="stable")
        owners, positions = owners[order], positions[order]
    return owners, positions


def _decode_packed(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Delta-encoded varints of at most 8 bytes each, one little-endian uint64 per value (the
    varint bytes in order, zeros above them): (value index, position) of every number."""
    n = len(raw)
    if not n:
        return _NO_IDS, _NO_IDS
    b = raw.astype("<u8").view(np.uint8).reshape(n, 8)
    nonzero = b != 0
    # Bytes in use: up to the last non-zero one (a varint never ends in a zero byte but the
    # single one of position 0, which is then all the value holds).
    length = np.where(nonzero.any(axis=1), 8 - np.argmax(nonzero[:, ::-1], axis=1), 1)
    flat = b[np.arange(8) < length[:, None]]
    last = (flat & 0x80) == 0  # the final byte of each number
    ends = np.flatnonzero(last)
    begins = np.r_[0, ends[:-1] + 1]
    within = np.arange(len(flat)) - np.repeat(begins, ends - begins + 1)
    parts = (flat & 0x7F).astype(np.int64) << (7 * within)
    deltas = np.add.reduceat(parts, begins)
    owner_of_byte = np.repeat(np.arange(n, dtype=np.int64), length)
    owners = owner_of_byte[ends]
    total = np.cumsum(deltas)
    first = np.r_[True, owners[1:] != owners[:-1]]
    base = (total - deltas)[first]  # the running sum before each value's first number
    positions = total - np.repeat(base, np.diff(np.r_[np.flatnonzero(first), len(owners)]))
    return owners, positions


def phrase_records(terms: Sequence[tuple[np.ndarray, Sequence]]) -> np.ndarray:
    """Records (ascending) where the terms occur at consecutive positions, in order. Each term
    is given as its postings: docnums (ascending) and the packed positions of each posting."""
    records = terms[0][0]
    for ids, _ in terms[1:]:
        records = np.intersect1d(records, ids, assume_unique=True)
    if not len(records):
        return _NO_IDS
    n = len(terms)
    keys = None
    for i, (ids, values) in enumerate(terms):
        where = np.searchsorted(ids, records)
        owners, positions = decode(_pick(values, where))
        mine = (owners.astype(np.int64) << _SHIFT) | (positions + (n - i))
        keys = mine if keys is None else np.intersect1d(keys, mine, assume_unique=True)
        if not len(keys):
            return _NO_IDS
    return records[np.unique(keys >> _SHIFT)]


def _pick(values: Sequence, where: np.ndarray) -> list:
    if len(where) == len(values):
        return list(values)
    return [values[i] for i in where.tolist()]
