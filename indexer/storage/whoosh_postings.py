"""A term's W3 posting blocks read whole: one slice of the map, then each block parsed from it.

Whoosh's ``W3LeafMatcher`` reads a block's header through the file object: ``read_int``, then
``pickle.load``, which asks the file for a few bytes at a time (about twenty ``read`` calls
a block, each through the per-thread position of ``mapped.MappedFile``). For a common syllable
of a large index (thousands of blocks) that was most of the time its postings took to decode.
Here the term's whole chain of blocks is one ``bytes`` slice, and each block's header and data
are unpickled from it (``io.BytesIO``, C code throughout). The chain is the W3 layout
``whoosh_segment.encode_term`` writes and Whoosh's own writer wrote: a magic tag, then per block
a signed length (negative for the last block), the pickled block info and the (possibly
zlib-compressed) pickled ``(ids, weights, values)``.
"""

from __future__ import annotations

import io
from bisect import bisect_right
import pickle
import struct
from collections.abc import Iterator

from .inflate import inflate

_INT = struct.Struct("!i")
_MAGIC = b"W3Bl"


def blocks(matcher, wanted: list[int] | None = None) -> Iterator[tuple[int, tuple]]:
    """(number of postings, ``(ids, weights, values)`` as stored) of each block of a
    ``W3LeafMatcher``'s term, in order; its ids are deltas unless ``matcher._byteids``.
    ``wanted``: docnums (ascending); blocks that cannot hold any of them are skipped unread
    (each block's info names its last docnum, and the next block starts after it).
    An ``AttributeError`` or ``ValueError`` if it is not such a matcher over such blocks."""
    length = matcher._length
    if isinstance(length, tuple):  # how whoosh-reloaded's term info unpacks it
        (length,) = length
    chain = matcher._postfile.get(matcher._startoffset, length)
    if chain[:4] != _MAGIC:
        raise ValueError("not a W3 posting chain")
    stream = io.BytesIO(chain)
    position = 4
    previous = -1  # the last docnum of the block before
    while True:
        (length,) = _INT.unpack_from(chain, position)
        last = length < 0
        following = position + 4 + abs(length)
        stream.seek(position + 4)
        info = pickle.load(stream)
        if wanted is None or _holds_any(wanted, previous, info[1]):
            data = chain[stream.tell() : following]
            if info[3]:
                data = inflate(data)
            yield info[0], pickle.loads(data)
        if last:
            return
        previous = info[1]
        position = following


def _holds_any(wanted: list[int], after: int, through: int) -> bool:
    """Whether some docnum of ``wanted`` is in ``(after, through]``."""
    i = bisect_right(wanted, after)
    return i < len(wanted) and wanted[i] <= through
