"""Per-document values (Lucene's DocValues): a document's path, date and metadata fields in one
compact column, so that filters, sorting and facets can read every document of an index at once.

Reading them from the stored records instead costs some 180 µs a document (each record is
unpickled with its whole text): four seconds for 22,000 articles. A Whoosh ``VarBytesColumn``
(``docvalues`` in ``whoosh_schema``) keeps, for each document record, the JSON of ``[path, date,
fields]``, and nothing for passages; Whoosh copies columns when it merges segments. Segments
written before the column existed (release 0.1's), and documents merged from them, have an empty
value: theirs are read from their stored records, once per segment.

Values are kept per segment (segments never change, only their deletions), so a new commit
reads only its new segments.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from .records import source_fields

FIELD = "docvalues"
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class DocumentValues:
    """What filters, sorting and facets know of one document (``docnum``: its record's)."""

    docnum: int
    path: str
    date: str | None  # ISO YYYY-MM-DD
    fields: dict = field(default_factory=dict)  # its source's scalar metadata fields


def scalar_fields(fields: dict) -> dict:
    """The fields whose values can be filtered on: strings, numbers and booleans (not lists)."""
    return {str(k): v for k, v in fields.items() if isinstance(v, _SCALARS) and v == v}  # NaN is no value


def encode_values(path: str, date: str | None, meta: dict) -> bytes:
    """The column value of a document record."""
    return json.dumps([path, date, scalar_fields(source_fields(meta))], ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def decode_values(docnum: int, data: bytes) -> DocumentValues:
    path, date, fields = json.loads(data.decode("utf-8"))
    return DocumentValues(docnum, path, date, fields)


def from_record(docnum: int, stored: dict) -> DocumentValues:
    """The values of a document whose segment has no column for it (read from its stored record)."""
    meta = dict(stored.get("meta") or {})
    return DocumentValues(docnum, stored.get("path", ""), stored.get("date"), scalar_fields(source_fields(meta)))


_cache: dict[tuple, list[DocumentValues]] = {}
_cache_lock = threading.Lock()
MAX_CACHED = 256  # segments


def cached(key: tuple, compute) -> list[DocumentValues]:
    """A segment's values, computed once per segment and process (``key``: its folder and id)."""
    with _cache_lock:
        found = _cache.get(key)
    if found is None:
        found = compute()
        with _cache_lock:
            if len(_cache) >= MAX_CACHED:
                _cache.pop(next(iter(_cache)))
            _cache[key] = found
    return found
