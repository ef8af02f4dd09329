"""The Whoosh schema behind a vnsearch index: one record per passage, one per document.

Passages are what gets scored and shown. One small record per document (``kind = "doc"``) stores
what its passages share (path, title, date, the text they are spans of) and what incremental
indexing compares (size, mtime, content hash), and carries the indexed ``title``; a document's
record precedes its passages. Passages index ``path`` (deleting a changed file's records goes by
it) without storing it.

Which fields are positional, frequency-only or kept in bags files is ``layout.FIELDS``; here
each becomes a Whoosh field. The ``BAGS`` fields are in the schema only for their field lengths
(Whoosh's length column); their postings never reach Whoosh's term index.

``PostedText`` lets worker processes do the analysis: they hand the writer the postings Whoosh
would compute itself (``Posted``), and the writer process only adds them. Given a plain string it
behaves exactly like ``TEXT``.
"""

from __future__ import annotations

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema

from analyzers import FIELD_ANALYZERS

from .layout import FIELDS, TEXT_FIELDS, has_positions
from .whoosh_formats import TermFrequency, VarintPositions


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
        "spans": STORED(),  # on a document's record: its passages' (passage_no, start, end)
        "text": STORED(),
        "meta": STORED(),
        # a document's path, date and metadata fields as one compact value (``columns``)
        "docvalues": COLUMN(VarBytesColumn()),
    }
    for name in TEXT_FIELDS:
        fields[name] = PostedText(analyzer=FIELD_ANALYZERS[name](), phrase=has_positions(FIELDS[name]))
    return Schema(**fields)


SCHEMA = build_schema()


def post(field: str, text: str) -> Posted:
    """The postings Whoosh's own analysis gives one field of one text (tests compare with it)."""
    return Posted(list(SCHEMA[field].index(text)))


_ONE_POSITIONS = 4096
#: ``pack_value(encode([p]))`` of each single position ``p`` below ``_ONE_POSITIONS``.
_ONE_POSITION = [VarintPositions.pack_value(VarintPositions().encode([p])) for p in range(_ONE_POSITIONS)]


def posted(fieldname: str, terms: dict, packed: bool = True) -> Posted:
    """The postings of one field from its terms, exactly as ``post`` would compute them from the
    text: ``{term: [positions]}`` for a positional field, ``{term: frequency}`` for the others.

    ``packed``: positions as the one int the segment writer stores
    (``VarintPositions.pack_value``), computed in the workers rather than in the writer; else as
    Whoosh's own writer takes them (bytes)."""
    fmt = SCHEMA[fieldname].format
    boost = fmt.field_boost
    if isinstance(fmt, VarintPositions):
        encode = fmt.encode
        if packed:
            pack = fmt.pack_value
            # Most terms of a passage occur once, at one of its first few hundred syllables:
            # their packed value is looked up (``_ONE_POSITION``), the same int that encoding
            # and packing gave in Python, posting by posting (a tenth of a worker's time).
            one = _ONE_POSITION
            items = [(t.encode("utf-8"), 1, 1, one[p[0]]) if len(p) == 1 and p[0] < _ONE_POSITIONS else
                     (t.encode("utf-8"), len(p), len(p), pack(encode(p))) for t, p in terms.items()]
        else:
            items = [(t.encode("utf-8"), len(p), len(p), encode(p)) for t, p in terms.items()]
    else:
        items = [(t.encode("utf-8"), n, n, b"") for t, n in terms.items()]
    if boost != 1.0:  # integral weights otherwise: compact to pickle
        items = [(t, n, n * boost, v) for t, n, _, v in items]
    return Posted(items)
