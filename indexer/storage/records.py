"""The stored records of an index as plain dataclasses, decoded by the layout that wrote them.

Callers see ``DocumentRecord`` and ``PassageRecord`` only, never Whoosh's stored-field dicts, so
which layout a segment's records are in (``layout``: version 1 kept a passage's text on the
passage, version 2 slices it from its document's text) is decided here and nowhere else.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field


@dataclass
class DocumentRecord:
    """What a document's passages share, and what incremental indexing compares (``meta``:
    size, mtime_ns, hash, passages, and any metadata of its source)."""

    docnum: int
    doc_id: str
    path: str
    title: str
    date: str | None
    meta: dict = field(default_factory=dict)
    text: str | None = None  # None in version-1 records, and when read without text
    spans: list[tuple[int, int, int]] | None = None  # its passages' (passage_no, start, end), since version 3

    @property
    def fields(self) -> dict:
        """The metadata its source declared (a JSONL line's other fields, a .docx author)."""
        return source_fields(self.meta)


@dataclass
class PassageRecord:
    """One passage, resolved against its document: the text as read from the file (in NFC),
    and where the passage lies in its document's text."""

    docnum: int
    doc_id: str
    passage_no: int
    text: str
    start: int
    end: int
    path: str
    title: str
    date: str | None


#: What the indexer itself keeps in a record's ``meta`` (incremental indexing's comparisons).
INDEXER_META = frozenset({"size", "mtime_ns", "hash", "passages", "legacy_encoding", "path"})


def source_fields(meta: dict) -> dict:
    """A source's own metadata fields from a record's ``meta``: under ``fields`` since records
    kept them apart; before, beside the indexer's own keys, which are left out."""
    own = meta.get("fields")
    if isinstance(own, dict):
        return dict(own)
    return {k: v for k, v in meta.items() if k not in INDEXER_META and k != "fields"}


def document_record(docnum: int, stored: dict, with_text: bool = True) -> DocumentRecord:
    """A document's record from its stored fields (the same in both versions, except that
    version 1 records have no text: their passages carry it)."""
    return DocumentRecord(
        docnum=docnum,
        doc_id=stored["doc_id"],
        path=stored.get("path", ""),
        title=stored.get("title") or "",
        date=stored.get("date"),
        meta=dict(stored.get("meta") or {}),
        text=stored.get("text") if with_text else None,
        spans=stored.get("spans"),
    )


def stores_nothing(stored: dict) -> bool:
    """A version-3 passage: found by the document record it follows (``passage_record``)."""
    return "doc_id" not in stored


def passage_record(docnum: int, stored: dict, version: int, document: DocumentRecord | None) -> PassageRecord:
    """A passage's record from its stored fields and its document's record (for a version-3
    passage, which stores nothing, the record it follows: ``docnum - document.docnum - 1`` is
    its place in the document's ``spans``)."""
    if stores_nothing(stored):
        if document is None or not document.spans or not 0 <= docnum - document.docnum - 1 < len(document.spans):
            return PassageRecord(docnum, document.doc_id if document else "", 0, "", 0, 0, *_shared(document))
        no, start, end = document.spans[docnum - document.docnum - 1]
        text = (document.text or "")[start:end]
        return PassageRecord(docnum, document.doc_id, no, text, start, end, *_shared(document))
    start, end = stored.get("span", (0, 0))
    if version >= 2:
        text = (document.text or "")[start:end] if document is not None else ""
        path, title, date = _shared(document)
    else:
        text, (path, title, date) = _v1_passage(stored, document)
    return PassageRecord(docnum, stored["doc_id"], stored.get("passage_no", 0), text, start, end, path, title, date)


def _shared(document: DocumentRecord | None) -> tuple[str, str, str | None]:
    if document is None:
        return "", "", None
    return document.path, document.title, document.date


def _v1_passage(stored: dict, document: DocumentRecord | None) -> tuple[str, tuple[str, str, str | None]]:
    """Version 1 wrote passages in three shapes over its releases: the text as zlib bytes or as
    a string, or (in segments merged with newer ones) a span into the document's text; and
    path, title and date on each passage, or once on the document."""
    value = stored.get("text")
    if value is None:
        start, end = stored.get("span", (0, 0))
        text = ((document.text if document is not None else None) or "")[start:end]
    elif isinstance(value, bytes):
        text = zlib.decompress(value).decode("utf-8", "surrogatepass")
    else:
        text = value
    path, title, date = _shared(document)
    return text, (stored.get("path", path), stored.get("title", title) or "", stored.get("date", date))
