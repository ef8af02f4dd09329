"""Reading an index: one small, typed reader per segment, and one over a whole commit.

In the manner of Lucene's ``FieldsProducer`` and tantivy's ``InvertedIndexReader``, a
``SegmentReader`` answers what scoring and matching need, in numpy arrays and plain values:
document frequency, postings (local docnums and frequencies), field lengths, the deleted mask,
stored records, phrase matches, and term lookups by prefix and by edit distance. Which format a
field is in (``layout.FIELDS``) and which layout version wrote the segment is decided here, once
per segment; nothing above this module sees a Whoosh object.

An ``IndexReader`` is one commit: its segments with the docnum each starts at, and the same
questions answered for the whole index in global docnums. Its files are memory-mapped and read by
position (``mapped``), so any number of threads may use one reader at once, and processes reading
the same index share its pages through the page cache.

The fast paths read Whoosh's W3 storage below its public API (a term's chain of posting blocks
as one slice of the map, ``whoosh_postings``; the length column); each falls back to the public,
slow API when the storage is not what it expects, so a Whoosh fork changes speed, not results.
Phrases are matched on positions decoded as arrays (``positions``), not by Whoosh's span
matchers, and a commit keeps its phrase matches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from . import columns, positions, verify, whoosh_postings
from .bags import read_bags
from .checksums import latest_generation
from .columns import DocumentValues
from .lexicon import DeletionIndex, cached
from .mapped import MappedStorage
from .layout import BAGS, SegmentInfo, has_bag, segment_info
from .whoosh_lengths import length_column
from .whoosh_schema import SCHEMA
from .records import DocumentRecord, PassageRecord, document_record, passage_record, stores_nothing

INDEX_NAME = "vnsearch"

_BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_FREQS = np.zeros(0, dtype=np.float32)
FREQUENCIES = 200_000  # terms whose frequencies an open commit keeps (``IndexReader.doc_frequency``)
MATCHES_BYTES = 64 * 1024 * 1024  # phrase matches kept per open commit (``IndexReader.matching``)
ENTRY_BYTES = 256  # what an entry costs beside its array (key, tuple, array header): an empty match is not free


class SegmentReader:
    """One segment of a commit. Docnums are local: 0 to ``doc_count_all - 1``."""

    #: Its checksums (``verify``): the big parts are verified before their first read.
    integrity: verify.SegmentCheck = verify.UNCHECKED

    def __init__(self, searcher):
        self._searcher = searcher  # a Whoosh searcher over this one segment
        self._reader = searcher.reader()
        segment, storage = self._reader.segment(), self._reader.storage()
        self.info: SegmentInfo = segment_info(segment, storage)
        self._bags = read_bags(segment, storage) if self.info.version >= 2 else None
        self.doc_count_all: int = self._reader.doc_count_all()

    @property
    def version(self) -> int:
        return self.info.version

    def _in_bags(self, field: str) -> bool:
        """Whether the field is in the bags file alone (no term strings, no positions)."""
        return self._bags is not None and self.info.format_of(field) == BAGS

    def _scored_from_bags(self, field: str) -> bool:
        """Whether the field's frequencies are in the bags file (alone, or beside W3's positions)."""
        return self._bags is not None and has_bag(self.info.format_of(field))

    def doc_frequency(self, field: str, term: str) -> int:
        """Records with the term, deleted ones included (as Whoosh counts them)."""
        if self._scored_from_bags(field):
            return self._bags.doc_frequency(field, term.encode("utf-8"))
        self.integrity.need("terms")
        return self._reader.doc_frequency(field, term)

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Local docnums (int64, ascending) and frequencies (float32) of one term: from the bags
        file where the field has one (``layout.has_bag``), deleted records included there as in
        the bag-only fields; from W3's blocks otherwise, without them."""
        if self._scored_from_bags(field):
            return self._bags.postings(field, term.encode("utf-8"))
        return self.w3_postings(field, term)

    def scored_postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray, int]:
        """``postings`` and ``doc_frequency`` of one term at once: from a bags file the
        frequency is the number of postings (deleted records are among them), so the term is
        looked up once rather than twice, which in an index of ten segments is twenty hash
        searches a term. From a bags file the arrays are as its pages hold them (``int32``
        docnums, ``uint8`` frequencies: ``BagReader.counts``), which scoring converts once."""
        if self._scored_from_bags(field):
            ids, tf = self._bags.counts(field, term.encode("utf-8"))
            return ids, tf, len(ids)
        df = self.doc_frequency(field, term)
        if not df:
            return _NO_IDS, _NO_FREQS, 0
        ids, tf = self.w3_postings(field, term)
        return ids, tf, df

    def w3_postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """``postings`` from Whoosh's term index and W3 blocks (what ``check`` audits there)."""
        self.integrity.need("terms")
        if (field, term) not in self._reader:
            return _NO_IDS, _NO_FREQS
        m = self._reader.postings(field, term)
        if isinstance(m, FilterMatcher):  # Whoosh hides deleted records one posting at a time
            deleted = self._deleted_mask
            try:
                ids, weights = _blocks(m.child)
                keep = ~deleted[ids]
                return ids[keep], weights[keep]
            except (AttributeError, ValueError):
                pass
        try:
            return _blocks(m)
        except (AttributeError, ValueError):  # not the W3 codec (``whoosh_postings``): the public API
            m = self._reader.postings(field, term)
            ids, weights = [], []
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                m.next()
            return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)

    def field_lengths(self, field: str) -> np.ndarray:
        """Length in tokens of ``field`` for every record (0 where it has none)."""
        count = self.doc_count_all
        column = length_column(getattr(self._reader, "_perdoc", None), field, count)
        if column is None:  # not the W3 codec: Whoosh's exact lengths, record by record
            return np.array([self._reader.doc_field_length(d, field, 0) for d in range(count)], dtype=np.float32)
        return _BYTE_TO_LENGTH[np.frombuffer(column, dtype=np.uint8)]

    def deleted(self) -> np.ndarray | None:
        """Mask of deleted records, or None when the segment has none."""
        if not self._reader.has_deletions():
            return None
        return np.array([self._reader.is_deleted(d) for d in range(self.doc_count_all)], dtype=bool)

    def matching(self, field: str, terms: Sequence[str]) -> np.ndarray:
        """Live local docnums where ``terms`` occur one after another in ``field`` (one term:
        where it occurs), ascending. The field must keep positions for more than one term:
        they are intersected as arrays (``positions.phrase_records``)."""
        self.integrity.need("terms")
        if len(terms) == 1:
            ids = self._raw_postings(field, terms[0])[0]
        else:
            # Rarest term first: the others' blocks that cannot hold its records are not read.
            found: dict[str, tuple[np.ndarray, Sequence]] = {}
            records = None
            for term in sorted(set(terms), key=lambda t: (self._reader.doc_frequency(field, t), t)):
                wanted = None if records is None else records.tolist()
                found[term] = self._raw_postings(field, term, with_values=True, wanted=wanted)
                ids = found[term][0]
                records = ids if records is None else np.intersect1d(records, ids, assume_unique=True)
                if not len(records):
                    return _NO_IDS
            ids = positions.phrase_records([found[term] for term in terms])
        deleted = self._deleted_mask
        return ids if deleted is None or not len(ids) else ids[~deleted[ids]]

    def _raw_postings(self, field: str, term: str, with_values: bool = False,
                      wanted: list[int] | None = None) -> tuple[np.ndarray, Sequence]:
        """Local docnums (deleted ones included) of a term of Whoosh's term index and, with
        ``with_values``, each posting's stored value (a positional field's packed positions);
        with ``wanted`` (docnums, ascending), at least those of its postings that are among them."""
        if (field, term) not in self._reader:
            return _NO_IDS, ()
        m = self._reader.postings(field, term)
        if isinstance(m, FilterMatcher):  # deletions: masked by the caller, all at once
            m = m.child
        try:
            if isinstance(m, ListMatcher):  # inlined in the term info
                return np.asarray(m._ids, dtype=np.int64), (tuple(m._values or ()) if with_values else ())
            return _block_values(m, with_values, wanted)
        except (AttributeError, ValueError):  # not the W3 codec (``whoosh_postings``): the public API
            ids, values = [], []
            while m.is_active():
                ids.append(m.id())
                if with_values:
                    values.append(m.value())
                m.next()
            return np.array(ids, dtype=np.int64), values

    @property
    def _deleted_mask(self) -> np.ndarray | None:
        """``deleted()``, computed once: a reader's segment never changes its deletions."""
        try:
            return self._deleted_cache
        except AttributeError:
            self._deleted_cache = self.deleted()
            return self._deleted_cache

    def records_with(self, field: str, value: str) -> np.ndarray:
        """Live local docnums of records whose keyword ``field`` is ``value``."""
        return self.matching(field, (value,))

    def stored(self, docnum: int) -> dict:
        self.integrity.need("stored")
        return self._reader.stored_fields(docnum)

    def document(self, docnum: int, with_text: bool = True) -> DocumentRecord:
        return document_record(docnum, self.stored(docnum), with_text)

    def passage(self, docnum: int, document: DocumentRecord | None, stored: dict | None = None) -> PassageRecord:
        """A passage resolved against its document's record (``document.docnum`` local, as
        ``IndexReader.passage`` renumbers it). A version-3 passage stores nothing, so its
        document is the record it follows (``owner``): the one given when its docnum is that
        record's, compared by number alone, since reading the owner's stored fields to compare
        ids would unpickle and decompress the document's whole text once per passage; any
        other, read here. ``stored``: the passage's own stored fields, when already read."""
        if stored is None:
            stored = self.stored(docnum)
        if stores_nothing(stored):
            owner = self.owner(docnum)
            if document is None or document.docnum != owner:
                document = self.document(owner)
        return passage_record(docnum, stored, self.info.records, document)

    def owner(self, docnum: int) -> int:
        """The local docnum of the document record that ``docnum`` follows (or is)."""
        starts = self._starts
        if starts is None:
            starts = self._starts = self.postings("kind", "doc")[0]
        return int(starts[max(0, int(np.searchsorted(starts, docnum, side="right")) - 1)]) if len(starts) else 0

    _starts: np.ndarray | None = None

    def document_values(self) -> list[DocumentValues]:
        """Path, date and metadata of every document record of the segment (deleted ones
        included), local docnums ascending: from its ``docvalues`` column, or from the stored
        records of documents that have none (``columns``); computed once per segment."""
        segment = self._reader.segment()
        key = (getattr(self._reader.storage(), "folder", None), segment.segment_id())
        return columns.cached(key, self._read_values)

    def _read_values(self) -> list[DocumentValues]:
        docs = self.postings("kind", "doc")[0]
        column = None
        if self._reader.has_column(columns.FIELD):
            column = self._reader.column_reader(columns.FIELD, SCHEMA[columns.FIELD].column_type)
        out = []
        for d in docs.tolist():
            raw = column[d] if column is not None else b""
            out.append(columns.decode_values(d, raw) if raw else columns.from_record(d, self.stored(d)))
        return out

    def terms_with_prefix(self, field: str, prefix: str) -> list[str]:
        """Indexed terms of a positional or keyword field that start with ``prefix`` (bags keep
        term hashes, not terms: none for those)."""
        if self._in_bags(field):
            return []
        self.integrity.need("terms")
        return [_text(t) for t in self._reader.expand_prefix(field, prefix)]

    def terms_within(self, field: str, term: str, maxdist: int, swaps: bool = False) -> list[str]:
        """Indexed terms of a positional or keyword field within ``maxdist`` edits of ``term``:
        Levenshtein, or with ``swaps`` Damerau-Levenshtein (two adjacent letters swapped count
        as one edit). One edit is looked up in a deletion index (``lexicon``), in microseconds
        whatever the lexicon's size; more walks the lexicon (Whoosh's automaton, no swaps)."""
        if self._in_bags(field):
            return []
        self.integrity.need("terms")
        if maxdist == 1:
            return self._deletions(field).within_one(term, swaps)
        if maxdist <= 0:
            return [term] if self.doc_frequency(field, term) else []
        return [_text(t) for t in self._reader.terms_within(field, term, maxdist)]

    def prepare_lookups(self, field: str) -> None:
        """Build the deletion index of ``field`` now rather than on the first lookup."""
        if not self._in_bags(field):
            self._deletions(field)

    def _deletions(self, field: str) -> DeletionIndex:
        self.integrity.need("terms")
        segment = self._reader.segment()
        key = (getattr(self._reader.storage(), "folder", None), segment.segment_id(), field)
        return cached(key, lambda: [_text(t) for t in self._reader.lexicon(field)])


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _block_values(m, with_values: bool, wanted: list[int] | None = None) -> tuple[np.ndarray, list]:
    """A W3 matcher's docnums and (``with_values``) its postings' stored values; with
    ``wanted``, only from the blocks that may hold those docnums."""
    ids, counts, values = [], [], []
    for n, (raw_ids, _, raw_values) in whoosh_postings.blocks(m, wanted):
        ids.extend(raw_ids)
        counts.append(n)
        if with_values:
            values.extend(raw_values)
    return _docnums(ids, counts, m._byteids), values


def _blocks(m) -> tuple[np.ndarray, np.ndarray]:
    """A W3 matcher's postings: every block's ids and weights gathered in lists (in C), then
    made arrays once, rather than a few numpy calls per block of 128 postings."""
    ids, counts, weights = [], [], []
    for n, (raw_ids, raw_weights, _) in whoosh_postings.blocks(m):
        ids.extend(raw_ids)
        counts.append(n)
        if raw_weights is None:  # W3's minified weights: all 1.0, all one value, or each
            weights.extend(_ONES[:n] if n <= len(_ONES) else [1.0] * n)
        elif isinstance(raw_weights, (int, float)):
            weights.extend([float(raw_weights)] * n)
        else:
            weights.extend(raw_weights)
    return _docnums(ids, counts, m._byteids), np.array(weights, dtype=np.float32)


_ONES = [1.0] * 1024


def _docnums(ids: list[int], counts: list[int], absolute: bool) -> np.ndarray:
    """Docnums from blocks of stored ids: absolute, or (W3's default) each block's first id
    absolute and the others deltas. Every block's first id is made a delta from the block
    before's last (the sum of that block's ids), so that one ``cumsum`` decodes them all."""
    if not ids:
        return _NO_IDS
    out = np.array(ids, dtype=np.int64)
    if absolute:
        return out
    if len(counts) > 1:
        starts = np.cumsum(counts[:-1])
        lasts = np.add.reduceat(out, np.r_[0, starts])  # each block's last docnum: its first plus its deltas
        out[starts] -= lasts[:-1]
    return np.cumsum(out)


class IndexReader:
    """One commit of an index: its segments, each with the global docnum it starts at."""

    @verify.diagnosed  # damaged bytes met while opening: the file that fails its checksum
    def __init__(self, index_dir: str | Path):
        # Our schema, not the one pickled in the table of contents: that one names the classes
        # by the modules they lived in when the index was written (``indexer.schema`` in 0.1).
        self.index_dir = Path(index_dir)
        self._ix = MappedStorage(str(index_dir)).open_index(INDEX_NAME, schema=SCHEMA)
        self._searcher = self._ix.searcher()
        leaves = self._searcher.subsearchers or [(self._searcher, 0)]
        # A new index has no segment at all (Whoosh's EmptyReader).
        self.segments: list[tuple[SegmentReader, int]] = [
            (SegmentReader(s), base) for s, base in leaves if s.reader().segment() is not None]
        self.size: int = self._searcher.doc_count_all()  # records, deleted ones included
        self.checksummed: bool = False  # whether its commit has a manifest (set by ``verify``)
        self._matches: OrderedDict[tuple, np.ndarray] = OrderedDict()  # ``matching``'s answers
        self._matches_bytes = 0
        self._matches_lock = threading.Lock()
        self._frequencies: dict[tuple[str, str], int] = {}  # ``doc_frequency``'s answers
        verify.attach(self, index_dir, INDEX_NAME)

    def __enter__(self) -> IndexReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._searcher.close()

    def is_current(self) -> bool:
        """False once a newer commit exists (reopen to see it)."""
        return self._searcher.up_to_date()

    def live_count(self) -> int:
        return self._searcher.doc_count()

    def analysis_version(self) -> int | None:
        """The oldest analysis version among the segments' terms (``layout.SegmentInfo.analysis``),
        or None for an index with no segments."""
        return min((seg.info.analysis for seg, _ in self.segments), default=None)

    def doc_frequency(self, field: str, term: str) -> int:
        """Records with the term in every segment, deleted ones included. Kept for the commit's
        lifetime (up to ``FREQUENCIES`` terms, then started afresh): planning a query asks for
        every syllable's and pair's frequency, a hash search in each segment, and the same
        common terms recur from query to query. (A dict's get and set are atomic: threads
        sharing the reader at worst count one term twice.)"""
        key = (field, term)
        found = self._frequencies.get(key)
        if found is None:
            found = sum(seg.doc_frequency(field, term) for seg, _ in self.segments)
            if len(self._frequencies) >= FREQUENCIES:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def live(self) -> np.ndarray:
        """False for deleted records, by global docnum."""
        mask = np.ones(self.size, dtype=bool)
        for seg, base in self.segments:
            deleted = seg.deleted()
            if deleted is not None:
                mask[base : base + len(deleted)] = ~deleted
        return mask

    def document_starts(self) -> np.ndarray:
        """Global docnums of the live document records, ascending (deleted ones left out, as
        ``postings`` leaves them out of W3 fields): a document's record precedes its passages,
        in every segment and after every merge."""
        parts = [seg.postings("kind", "doc")[0] + base for seg, base in self.segments]
        return np.sort(np.concatenate(parts)) if parts else _NO_IDS

    def field_lengths(self, field: str) -> np.ndarray:
        parts = [seg.field_lengths(field) for seg, _ in self.segments]
        return np.concatenate(parts) if parts else _NO_FREQS

    def matching(self, field: str, terms: Sequence[str]) -> np.ndarray:
        """Live global docnums where ``terms`` occur in a row in ``field``, ascending (read-only).

        Kept for the commit's lifetime, up to ``MATCHES_BYTES``: the same phrases recur from
        query to query (a synonym group's other forms, ``thanh pho ho chi minh``), and one of
        common syllables reads most of their posting blocks."""
        key = (field, tuple(terms))
        with self._matches_lock:
            found = self._matches.get(key)
            if found is not None:
                self._matches.move_to_end(key)
                return found
        parts = [seg.matching(field, terms) + base for seg, base in self.segments]
        found = np.concatenate(parts) if parts else _NO_IDS
        found.flags.writeable = False
        with self._matches_lock:
            if key not in self._matches:
                self._matches[key] = found
                self._matches_bytes += found.nbytes + ENTRY_BYTES
                while self._matches_bytes > MATCHES_BYTES and len(self._matches) > 1:
                    _, gone = self._matches.popitem(last=False)
                    self._matches_bytes -= gone.nbytes + ENTRY_BYTES
        return found

    def terms_within(self, field: str, term: str, maxdist: int) -> list[str]:
        """Indexed terms within ``maxdist`` edits of ``term``, as release 0.1 found them: Whoosh
        walks a Levenshtein automaton over a single segment, but over several it scans the
        lexicon with a Damerau-Levenshtein distance, which also counts two adjacent letters
        swapped as one edit. Both are kept, so that a query corrects the same typos it did."""
        swaps = len(self.segments) > 1
        return sorted({t for seg, _ in self.segments for t in seg.terms_within(field, term, maxdist, swaps)})

    def terms_with_prefix(self, field: str, prefix: str) -> list[str]:
        return sorted({t for seg, _ in self.segments for t in seg.terms_with_prefix(field, prefix)})

    def prepare_lookups(self, field: str) -> None:
        """Build every segment's deletion index of ``field`` now (a server does, before its first
        query), rather than on the first typo lookup: about a second per 100,000 terms, once per
        segment, kept across commits."""
        for seg, _ in self.segments:
            seg.prepare_lookups(field)

    def _segment_of(self, docnum: int) -> tuple[SegmentReader, int]:
        for seg, base in reversed(self.segments):
            if docnum >= base:
                return seg, docnum - base
        raise IndexError(docnum)

    def document(self, docnum: int, with_text: bool = True) -> DocumentRecord:
        seg, local = self._segment_of(docnum)
        record = seg.document(local, with_text)
        record.docnum = docnum
        return record

    def passage(self, docnum: int, document: DocumentRecord | None = None) -> PassageRecord:
        """A passage record, resolved against its document's record (looked up when not given:
        pass it when reading many passages of one document)."""
        seg, local = self._segment_of(docnum)
        stored = seg.stored(local)
        if document is None and not stores_nothing(stored):
            document = self.find_document(stored["doc_id"])
        if document is not None:  # numbered in the passage's segment: matched by docnum there
            base = docnum - local
            document = _at(document, document.docnum - base)
        record = seg.passage(local, document, stored)
        record.docnum = docnum
        return record

    def _records_with(self, field: str, value: str) -> np.ndarray:
        parts = [seg.records_with(field, value) + base for seg, base in self.segments]
        return np.concatenate(parts) if parts else _NO_IDS

    def documents(self, with_text: bool = False) -> Iterator[DocumentRecord]:
        """Every live document record, in docnum order (without their text unless asked)."""
        for docnum in self._records_with("kind", "doc"):
            yield self.document(int(docnum), with_text)

    def passages(self) -> Iterator[int]:
        """Global docnums of every live passage record."""
        return (int(d) for d in self._records_with("kind", "passage"))

    def document_values(self) -> list[DocumentValues]:
        """Path, date and metadata of every live document, by global docnum, ascending."""
        out = []
        for seg, base in self.segments:
            deleted = seg.deleted()
            for v in seg.document_values():
                if deleted is None or not deleted[v.docnum]:
                    out.append(DocumentValues(v.docnum + base, v.path, v.date, v.fields))
        return out

    def find_document(self, doc_id: str) -> DocumentRecord | None:
        """The live record of the document ``doc_id``, with its text, or None (by its ``key``,
        which only document records carry: a lookup of one short posting list)."""
        docs = self._records_with("key", f"d:{doc_id}")
        return self.document(int(docs[0])) if len(docs) else None

    def passages_of(self, document: DocumentRecord) -> list[PassageRecord]:
        """The live passages of a document, in passage order: the records with its id but its own."""
        docnums = self._records_with("doc_id", document.doc_id)
        records = [self.passage(int(d), document) for d in docnums if d != document.docnum]
        return sorted(records, key=lambda p: p.passage_no)

    def counts(self) -> tuple[int, int]:
        """(documents, passages) of the commit: one record per document, the rest passages."""
        documents = len(self._records_with("kind", "doc"))
        return documents, self.live_count() - documents


def _at(document: DocumentRecord, docnum: int) -> DocumentRecord:
    """``document`` numbered ``docnum`` (a segment's local number for it)."""
    if document.docnum == docnum:
        return document
    from dataclasses import replace

    return replace(document, docnum=docnum)


def exists(index_dir: str | Path) -> bool:
    """Whether ``index_dir`` holds a committed vnsearch index."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return False
    try:
        with verify.opening(index_dir, INDEX_NAME):  # a damaged table of contents: IndexCorrupt
            ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME, schema=SCHEMA)
    except whoosh_index.EmptyIndexError:
        return False
    return ix.latest_generation() > -1


OPEN_ATTEMPTS = 5


def open_reader(index_dir: str | Path) -> IndexReader:
    """The index's latest commit, for reading. A commit made while it opens removes the files of
    the one before it (Whoosh's ``clean_files``): a file vanishing then means a newer commit,
    which is opened instead (a search during ``vnsearch index`` saw ``FileNotFoundError``)."""
    for _ in range(OPEN_ATTEMPTS - 1):
        before = _generation(index_dir)
        try:
            return IndexReader(index_dir)
        except FileNotFoundError:
            now = _generation(index_dir)
            if before is None or now is None or now <= before:
                raise
    return IndexReader(index_dir)


def _generation(index_dir: str | Path) -> int | None:
    """The newest commit's generation, or None if the folder cannot be listed."""
    try:
        return latest_generation(index_dir, INDEX_NAME)
    except OSError:
        return None
