"""What ``vnsearch check`` asks of the storage itself, beyond the records: that every posting of
a segment points at one of its records, and at a record of the kind the field is indexed on.

A posting past the end of its segment, or a passage's text term on a document record, would
silently score the wrong record; checksums cannot see it when the writer itself got it wrong,
which is what this is for (as Lucene's ``CheckIndex`` walks every term's postings). Deleted
records keep their postings until a merge drops them, as in Lucene: they count as records here.
"""

from __future__ import annotations

import numpy as np

from .layout import TEXT_FIELDS
from .reader import SegmentReader, _text

#: Fields indexed on document records only, and on passage records only.
ON_DOCUMENTS = ("title", "key")
ON_PASSAGES = TEXT_FIELDS


def segment_id(seg: SegmentReader) -> str:
    return seg._reader.segment().segment_id()


def document_records(seg: SegmentReader) -> np.ndarray:
    """Local docnums of the segment's document records (deleted ones included: a deleted
    document's passages follow its record, not the live document before it, until a merge drops
    them all)."""
    return seg._raw_postings("kind", "doc")[0]


def postings_problems(seg: SegmentReader, limit: int = 20) -> list[str]:
    """What is wrong with the segment's postings (at most ``limit`` findings)."""
    n = seg.doc_count_all
    is_doc = np.zeros(n + 1, dtype=bool)
    docs = document_records(seg)
    is_doc[docs[docs < n]] = True
    problems: list[str] = []

    def look(field: str, ids: np.ndarray, what: str) -> None:
        if not len(ids) or len(problems) >= limit:
            return
        if ids.min() < 0 or ids.max() >= n:
            problems.append(f"{field}: {what} points past the segment's {n:,} records")
            return
        if field in ON_PASSAGES and is_doc[ids].any():
            problems.append(f"{field}: {what} points at a document record (its terms belong to passages)")
        elif field in ON_DOCUMENTS and not is_doc[ids].all():
            problems.append(f"{field}: {what} points at a passage record (it belongs to documents)")

    if seg._bags is not None:
        seg.integrity.need("open")
        for field in seg._bags.fieldnames():
            _, ids, _ = seg._bags.all_postings(field)
            look(field, ids.astype(np.int64), "a bag posting")
    seg.integrity.need("terms")
    reader = seg._reader
    for field in reader.indexed_field_names():
        if seg._in_bags(field):
            continue
        dual = seg._scored_from_bags(field)  # W3 with positions, and its frequencies in the bag
        for term in reader.lexicon(field):
            ids, freqs = seg.w3_postings(field, _text(term))
            if len(ids) > 1 and np.any(np.diff(ids) <= 0):
                problems.append(f"{field}: the postings of {_text(term)!r} are not in docnum order")
            look(field, ids, f"a posting of {_text(term)!r}")
            if dual and not _same_in_bag(seg, field, _text(term), ids, freqs):
                problems.append(f"{field}: the bags file's postings of {_text(term)!r} are not its W3 postings "
                                "(what scoring reads is not what phrases read)")
            if len(problems) >= limit:
                return problems
    return problems


def _same_in_bag(seg: SegmentReader, field: str, term: str, ids: np.ndarray, freqs: np.ndarray) -> bool:
    """Whether a dual field's term has the same live postings and frequencies in the bags file as
    in W3 (which leaves deleted records out), and the same document frequency."""
    bag_ids, bag_freqs = seg.postings(field, term)
    deleted = seg._deleted_mask
    live = ~deleted[bag_ids] if deleted is not None else np.ones(len(bag_ids), dtype=bool)
    return (seg.doc_frequency(field, term) == seg._reader.doc_frequency(field, term)
            and np.array_equal(bag_ids[live], ids) and np.array_equal(bag_freqs[live], freqs))
