"""The on-disk index, behind one small reader/writer interface (in the manner of Lucene's codecs).

Everything that reads or writes an index goes through here; no module outside this package
imports Whoosh (but ``analyzers.fields``, whose analyzers are Whoosh analyzers) or sees a Whoosh
object. What the rest of vnsearch uses:

* writing: ``encode`` (an ``AnalyzedDocument`` into the stored formats, in a worker process),
  ``SegmentBuilder`` (a worker's own new segment, a ``WrittenSegment`` once finished) and
  ``IndexWriter`` (``add``, ``add_segment``, ``delete_path``, ``commit``, ``cancel``);
* reading: ``open_reader`` gives an ``IndexReader`` over the latest commit, made of
  ``SegmentReader``s (document frequency, postings as numpy arrays, field lengths, the deleted
  mask, stored records as ``DocumentRecord``/``PassageRecord``, phrase matches, term lookups by
  prefix and edit distance);
* ``layout``: which format stores each field, and the layout versions a segment can be in.

Modules: ``layout`` (the field table, versions), ``records`` (stored records), ``reader``,
``writer``, ``files`` (the synced folder), ``columns`` (per-document values for filters, sorting, facets), and the formats behind them: ``whoosh_schema``,
``whoosh_formats`` and ``whoosh_segment`` (Whoosh's W3 segments, written a term at a time) and
``bags`` (frequency-only postings in numpy arrays); ``whoosh_postings`` reads a term's W3 posting
blocks whole, and ``positions`` matches phrases on their positions as numpy arrays. A second backend would be another
implementation of ``reader`` and ``writer`` with the same classes' methods.
"""

from .columns import DocumentValues
from .files import size_on_disk
from .layout import FIELDS, FORMAT_VERSION, TEXT_FIELDS, SegmentInfo
from .reader import IndexReader, SegmentReader, exists, open_reader
from .records import DocumentRecord, PassageRecord
from .writer import (AnalyzedDocument, AnalyzedPassage, EncodedDocument, EncodedPassages, IndexWriter, SegmentBuilder,
                     WrittenSegment, encode, encode_passages)

__all__ = [
    "FIELDS",
    "FORMAT_VERSION",
    "TEXT_FIELDS",
    "AnalyzedDocument",
    "AnalyzedPassage",
    "DocumentRecord",
    "DocumentValues",
    "EncodedDocument",
    "EncodedPassages",
    "IndexReader",
    "IndexWriter",
    "PassageRecord",
    "SegmentInfo",
    "SegmentBuilder",
    "SegmentReader",
    "WrittenSegment",
    "encode",
    "encode_passages",
    "exists",
    "open_reader",
    "size_on_disk",
]
