"""The Whoosh schema of a vnsearch index: one record per passage, one per document.

Passages are what gets scored and shown; each passage record stores its document id, number,
text and span. One small record per document (``kind = "doc"``) stores what the document's
passages share (path, title, date) and what incremental indexing compares (size, mtime, content
hash), and carries the indexed ``title``. Storing and indexing these once per document rather
than once per passage keeps the index smaller; a passage's document record precedes it (see
``search.scorer``), so a hit finds them there, and the search layer passes a title's score on to
the document's passages. Passages index ``path`` (deleting a changed file's records goes by it)
without storing it.

The four text fields are analyzed by ``analyzers.FIELD_ANALYZERS``. Only ``fsyl`` keeps
positions (phrases and proximity are matched on folded syllables) and is written in Whoosh's
term index; the others (``BAG_FIELDS``) keep frequencies, which is all scoring needs, and are
written in a file of their own per segment (``bags``), which costs a fraction of the space. Their
field lengths are in Whoosh's length columns as usual.

A document's text is stored once, on its record (the stored-fields column compresses each record,
and a whole document compresses to under half its size, a passage alone hardly at all); a passage
stores its span, and its text is that slice (``passage_text``).

``PostedText`` lets worker processes do the analysis: they turn a passage into the postings
Whoosh would compute itself (``field.index(text)``), and the writer process only adds them.
Given a plain string it behaves exactly like ``TEXT``, so queries are analyzed the usual way.
"""

from __future__ import annotations

import zlib

from whoosh.fields import ID, STORED, TEXT, Schema

from analyzers import FIELD_ANALYZERS

from .formats import TermFrequency, VarintPositions

#: Text fields of a passage, scored at query time.
TEXT_FIELDS = ("syl", "fsyl", "word", "fpair")
#: Fields whose analyzer keeps positions.
POSITIONAL_FIELDS = frozenset({"fsyl", "title"})
#: Text fields scored by frequency alone, whose postings are kept in ``bags`` files.
BAG_FIELDS = ("syl", "word", "fpair")
#: Text fields of a passage in Whoosh's own term index.
POSTED_FIELDS = tuple(name for name in TEXT_FIELDS if name not in BAG_FIELDS)


class Posted:
    """The postings of one field of one passage, computed ahead of the writer."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]):
        self.items = items

    def __getstate__(self):
        return self.items

    def __setstate__(self, state):
        self.items = state


class PostedText(TEXT):
    """A ``TEXT`` field that also accepts postings computed in another process, stored in
    the compact formats of ``formats``."""

    def __init__(self, analyzer, phrase: bool, **kwargs):
        super().__init__(analyzer=analyzer, phrase=phrase, **kwargs)
        self.format = VarintPositions() if phrase else TermFrequency()

    def index(self, value, **kwargs):
        if isinstance(value, Posted):
            return iter(value.items)
        return super().index(value, **kwargs)


def build_schema() -> Schema:
    fields = {
        # "doc" or "passage"
        "kind": ID(),
        # unique per record: "d:<doc_id>" or "p:<doc_id>:<passage_no>"
        "key": ID(unique=True),
        "doc_id": ID(stored=True),
        "path": ID(stored=True),
        "title": PostedText(analyzer=FIELD_ANALYZERS["fsyl"](), phrase=True, stored=True),
        "date": STORED(),
        "passage_no": STORED(),
        "span": STORED(),
        "text": STORED(),
        "meta": STORED(),
    }
    for name in TEXT_FIELDS:
        fields[name] = PostedText(analyzer=FIELD_ANALYZERS[name](), phrase=name in POSITIONAL_FIELDS)
    return Schema(**fields)


SCHEMA = build_schema()


def passage_text(stored: dict, record: dict) -> str:
    """The text of a stored passage: the slice of its document's text (on the document's
    ``record``) given by its span. Indexes built before stored each passage's text with it, as a
    string or as zlib-compressed bytes; those are read too."""
    value = stored.get("text")
    if value is None:
        start, end = stored.get("span", (0, 0))
        return record.get("text", "")[start:end]
    if isinstance(value, bytes):
        return zlib.decompress(value).decode("utf-8", "surrogatepass")
    return value


def document_fields(stored: dict, record: dict) -> tuple[str, str, str | None]:
    """(path, title, date) of a passage, from its document's ``record``; indexes built before
    documents carried them stored them on each passage, and those are read too."""
    return (
        stored.get("path", record.get("path", "")),
        stored.get("title", record.get("title")) or "",
        stored.get("date", record.get("date")),
    )


def post(field: str, text: str) -> Posted:
    """The postings of one field for one text (run in worker processes)."""
    return Posted(list(SCHEMA[field].index(text)))
