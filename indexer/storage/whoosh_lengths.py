"""Field lengths as the W3 codec keeps them: one byte per record, in a column read whole.

The segment writer needs them to fill each term's minimum and maximum lengths, and the reader
turns them into BM25's length arrays; both read the column below Whoosh's public API (which
answers one record at a time), so that reading lives here once.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield


def length_column(perdoc, fieldname: str, doccount: int) -> bytes | None:
    """The encoded length of ``fieldname`` for each of ``doccount`` records (zero where a record
    has none), or None when the storage is not the W3 codec's and the caller must ask Whoosh
    record by record."""
    try:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return bytes(doccount)
        raw = column._dbfile.get(column._basepos, column._count)
    except AttributeError:
        return None
    return bytes(raw) + bytes(max(0, doccount - len(raw)))
