"""What the index stores, field by field, and which version of the layout a segment was written in.

One table (``FIELDS``) says how each field is kept, as Lucene's ``PerFieldPostingsFormat`` does:
the writer encodes by it, the readers decode by it, and nothing outside the storage package asks
whether a field is in Whoosh's term index or in a bags file. Adding an index field is one row here
(and its analysis in ``indexer.passage_terms``).

Formats of a field's postings:

* ``POSITIONS``: Whoosh's W3 term index and posting blocks, with positions (``whoosh_formats.
  VarintPositions``): phrases, and a lexicon that prefix and edit-distance lookups can walk;
* ``BAGS``: term hashes and frequencies in the segment's ``.bag`` file (``bags``): all that BM25
  needs, at a fraction of the size, but no term strings, so no lexicon lookups;
* ``POSITIONS_AND_BAGS``: both: positions in W3 for phrases and lexicon lookups, and the
  frequencies again in the bags file, which scoring reads. A W3 posting list unpickles every
  posting's positions with its frequency: 230 ns a posting against the bag's 50-80, and the
  folded syllables, the backbone of every query, were 31% of a question's time at 90,568
  articles, decoding W3 blocks (cold decodes, ``benchmarks/query_profile.py``). A frequency
  above 255 in one passage counts as 255 in scoring, as in the other bag fields (a passage
  holds at most 800 characters);
* ``KEYWORD``: a whole value as one term (Whoosh ``ID``), to find records by id, path or kind;
* ``DOC_VALUES``: one value per document record in a Whoosh column (``columns``), which filters,
  sorting and facets read for all documents at once; segments written before it have no such
  row in their info, and their documents' values are read from the stored records instead;
* ``W3_FREQUENCIES``: frequencies in Whoosh's term index, how version 1 kept the ``BAGS`` fields.

Versions of a segment's layout, recorded in its ``.vnseg`` file (``write_segment_info``) since
version 2; segments written before have no such file and are given their version once, when
opened (``infer_version``), then read through it like any other:

* 1: every text field in Whoosh's term index; each passage record stores its own text (as a
  string or zlib bytes), and in the oldest indexes its path, title and date too.
* 2: ``syl``, ``word`` and ``fpair`` in a ``.bag`` file; a document's text, path, title and date
  are stored once, on its record, and a passage stores its span in that text.
* 3: a passage stores nothing; its document's record, which it follows, has the list of its
  passages' numbers and spans (``spans``). Records are decoded by their shape (``records``),
  so a segment merging version-2 and version-3 records reads both.
* 4: ``fsyl`` is ``POSITIONS_AND_BAGS``. A segment merging an older one (whose ``fsyl`` is in
  W3 alone) records ``fsyl`` as ``POSITIONS``, and is scored from W3 as before: deriving the
  frequencies from the old blocks would hold every posting in memory during the merge.

A segment that merges older ones keeps their records as they were, so its *records* version is
the oldest of its sources' (``SegmentInfo.records``), while its postings are always written in the
current layout.

Each segment also records the version of the text analysis its terms were made with
(``analyzers.version``; ``SegmentInfo.analysis``): segments written before it was recorded are
version 1's, and a merge keeps the oldest of its sources'. The storage only keeps the number;
search decides what an older one means (``search.staleness``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from analyzers.version import ANALYSIS_VERSION

from ..errors import IndexFormatError

POSITIONS = "w3-positions"
BAGS = "bags"
POSITIONS_AND_BAGS = "w3-positions+bags"  # positions in W3, frequencies also in the bags file
KEYWORD = "keyword"
DOC_VALUES = "doc-values"  # a per-document column of values (``columns``), read for every document at once
W3_FREQUENCIES = "w3-frequencies"  # version 1's frequency-only fields, in Whoosh's term index

#: Text fields of a passage, scored at query time.
TEXT_FIELDS = ("syl", "fsyl", "word", "fpair")
#: How each indexed field is stored (the one table; see the module docstring).
FIELDS: dict[str, str] = {
    "syl": BAGS,  # accented syllables
    "fsyl": POSITIONS_AND_BAGS,  # folded syllables: phrases, typo lookups; scored from the bag
    "word": BAGS,  # pyvi words
    "fpair": BAGS,  # folded adjacent pairs
    "title": POSITIONS,  # folded syllables of a document's title, on its record
    "kind": KEYWORD,  # "doc" or "passage"
    "key": KEYWORD,  # "d:<doc_id>" on document records
    "doc_id": KEYWORD,
    "path": KEYWORD,
    "docvalues": DOC_VALUES,  # path, date and metadata of document records, for filters, sorting, facets
}

FORMAT_VERSION = 4
INFO_EXT = ".vnseg"
BAGS_EXT = ".bag"  # the bags file of a segment (``bags``)


def fields_in(fmt: str) -> tuple[str, ...]:
    """The fields kept in format ``fmt``, in the table's order."""
    return tuple(name for name, kept in FIELDS.items() if kept == fmt)


def has_positions(fmt: str | None) -> bool:
    """Whether a field kept in ``fmt`` has W3 postings with positions (phrases, a lexicon)."""
    return fmt in (POSITIONS, POSITIONS_AND_BAGS)


def has_bag(fmt: str | None) -> bool:
    """Whether a field kept in ``fmt`` has its frequencies in the bags file (what scoring reads)."""
    return fmt in (BAGS, POSITIONS_AND_BAGS)


#: Fields whose postings are in the bags file, and the positional ones among them.
BAGGED = tuple(name for name, kept in FIELDS.items() if has_bag(kept))


@dataclass(frozen=True)
class SegmentInfo:
    """What a segment says of itself: the layout version of its postings and of its stored
    records, and the format of each field when it was written."""

    version: int
    records: int
    fields: dict[str, str]
    analysis: int = 1  # the analysis version of its terms (1 when the segment does not say)

    def format_of(self, fieldname: str) -> str | None:
        return self.fields.get(fieldname)


#: The fields of segments written before they recorded their layout (no per-document values yet,
#: positional fields in W3 alone).
_INFERRED = {name: (POSITIONS if kept == POSITIONS_AND_BAGS else kept) for name, kept in FIELDS.items()
             if kept != DOC_VALUES}
#: Version 1 kept every field in Whoosh's term index.
LEGACY_V1 = SegmentInfo(1, 1, {name: (W3_FREQUENCIES if kept == BAGS else kept) for name, kept in _INFERRED.items()})


def current_info(records: int = FORMAT_VERSION, analysis: int = ANALYSIS_VERSION,
                 w3_only: frozenset[str] = frozenset()) -> SegmentInfo:
    """The info of a segment written now; ``w3_only``: ``POSITIONS_AND_BAGS`` fields whose bags
    are incomplete (merged from segments without them), recorded as ``POSITIONS``."""
    fields = {name: (POSITIONS if name in w3_only and kept == POSITIONS_AND_BAGS else kept) for name, kept in FIELDS.items()}
    return SegmentInfo(FORMAT_VERSION, records, fields, analysis)


def infer_version(has_bags_file: bool) -> SegmentInfo:
    """The layout of a segment written before segments recorded it: release 0.1's segments have
    a bags file (postings version 2); older ones do not (version 1). Their records are read as
    version 1's, which reads both shapes: release 0.1 copied version-1 records unchanged into the
    segments it merged, and said nothing of it."""
    return SegmentInfo(2, 1, dict(_INFERRED)) if has_bags_file else LEGACY_V1


def segment_info(segment, storage) -> SegmentInfo:
    """A Whoosh segment's layout: from its info file, or inferred once for older segments."""
    name = segment.make_filename(INFO_EXT)
    if storage.file_exists(name):
        f = storage.open_file(name)
        try:
            return decode_info(f.read())
        finally:
            f.close()
    return infer_version(storage.file_exists(segment.make_filename(BAGS_EXT)))


def encode_info(info: SegmentInfo) -> bytes:
    return json.dumps({"version": info.version, "records": info.records, "fields": info.fields,
                       "analysis": info.analysis}, sort_keys=True).encode("utf-8")


def decode_info(data: bytes) -> SegmentInfo:
    raw = json.loads(data.decode("utf-8"))
    version = int(raw["version"])
    if version > FORMAT_VERSION:
        raise IndexFormatError(f"this index was written by a newer vnsearch (layout version {version}; this "
                               f"one reads up to {FORMAT_VERSION}): upgrade vnsearch, or rebuild the index "
                               "with `vnsearch index PATH --rebuild`")
    return SegmentInfo(version, int(raw.get("records", version)), dict(raw["fields"]), int(raw.get("analysis", 1)))
