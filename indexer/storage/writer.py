"""Writing an index: analyzed documents in, atomic commits out.

The indexer hands over ``AnalyzedDocument``s: plain data, a document's record (id, path, title,
date, text, metadata) and its passages, each with its terms per field (positions for the fields
that keep them, frequencies for the others) and its span in the text. ``encode`` turns one into
what the formats of ``layout.FIELDS`` store; it runs in the indexing workers, so that the one
writer process only adds postings. ``IndexWriter`` adds encoded documents and deletions, and
``commit`` makes them visible at once:

* a document's record and its passages are always in the same commit (one ``add``);
* every file of a commit is on disk (fsynced) before the table of contents that names it is
  renamed into place (``files.SyncedFileStorage``), so a kill or power cut at any moment leaves
  the previous commit whole and searchable;
* each new segment records its layout version (``layout.SegmentInfo``).

* one writer at a time: an ``IndexWriter`` holds the index's lock (``lock``) from its creation
  to ``close`` (use it in a ``with`` block), and a second one is told which process holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.writing import CLEAR, OPTIMIZE

from .bags import Bag, Hasher, bag_of
from .columns import encode_values
from .files import open_for_worker, open_or_create, remove_uncommitted, remove_worker_temps
from . import bags as bagfile
from . import lock as locks
from . import merges
from .lock import index_lock
from .layout import BAGGED, BAGS, FIELDS, TEXT_FIELDS, fields_in, has_positions
from .whoosh_schema import Posted, posted
from .whoosh_segment import MAX_POSTINGS, FastSegmentWriter

_POSITIONAL = tuple(name for name in TEXT_FIELDS if has_positions(FIELDS[name]))
_BAG_ONLY = fields_in(BAGS)  # their lengths are given with the record (no W3 postings to count them)
_HASHER = Hasher()  # one per process: workers keep their own memo


@dataclass
class AnalyzedPassage:
    """One passage: where it lies in its document's text, and its terms per text field
    (``{term: [positions]}`` for positional fields, ``{term: frequency}`` for the others)."""

    no: int
    start: int
    end: int
    terms: dict[str, dict]


@dataclass
class DocumentFields:
    """What a document's record stores (its passages share it)."""

    doc_id: str
    path: str
    title: str
    date: str | None
    meta: dict
    text: str


@dataclass
class AnalyzedDocument(DocumentFields):
    title_terms: dict[str, list[int]]  # folded syllables of the title, with positions
    passages: list[AnalyzedPassage] = field(default_factory=list)


@dataclass
class EncodedPassages:
    """Consecutive passages of a document in the storage's own terms: what ``encode_passages``
    gives for a share of a big document's passages (analyzed by all workers at once), and what
    ``SegmentBuilder.add_in_parts`` adds after the document's record, a share at a time."""

    posted: list[dict[str, Posted]]  # per passage: the positional fields' postings
    lengths: list[dict[str, int]]  # per passage: the lengths of the fields kept in bags alone
    bags: dict[str, Bag]  # per bag field: term hashes, passage (index among these), frequencies


@dataclass
class EncodedDocument(DocumentFields):
    """An ``AnalyzedDocument`` in the storage's own terms, ready for ``IndexWriter.add``."""

    title_posted: Posted
    spans: list[tuple[int, int, int]]  # (passage_no, start, end)
    posted: list[dict[str, Posted]]  # per passage: the positional fields' postings
    lengths: list[dict[str, int]]  # per passage: the lengths of the fields kept in bags alone
    bags: dict[str, Bag]  # per bag field: term hashes, passage (index in ``spans``), frequencies

    @property
    def passage_count(self) -> int:
        return len(self.spans)


def encode_passages(passages: list[AnalyzedPassage]) -> EncodedPassages:
    """Passages in the formats their fields are stored in (run in the workers)."""
    counts: dict[str, list[dict[str, int]]] = {name: [] for name in BAGGED}
    positional, lengths = [], []
    for p in passages:
        positional.append({name: posted(name, p.terms.get(name, {})) for name in _POSITIONAL})
        mine = {}
        for name in BAGGED:
            terms = p.terms.get(name, {})
            if name in _BAG_ONLY:
                counts[name].append(terms)
                mine[name] = sum(terms.values())
            else:  # positional: {term: [positions]}, its frequencies in the bag too
                counts[name].append({term: len(where) for term, where in terms.items()})
        lengths.append(mine)
    return EncodedPassages(positional, lengths, {name: bag_of(counts[name], _HASHER) for name in BAGGED})


def encode(doc: AnalyzedDocument, spans: list[tuple[int, int, int]] | None = None) -> EncodedDocument:
    """The document in the formats its fields are stored in (run in the workers). ``spans``:
    the document's passages when they are encoded apart (``encode_passages``, a big document
    shared by the workers), ``doc.passages`` being empty; else those of ``doc.passages``."""
    parts = encode_passages(doc.passages)
    return EncodedDocument(
        doc_id=doc.doc_id, path=doc.path, title=doc.title, date=doc.date, meta=doc.meta, text=doc.text,
        title_posted=posted("title", doc.title_terms),
        spans=spans if spans is not None else [(p.no, p.start, p.end) for p in doc.passages],
        posted=parts.posted, lengths=parts.lengths, bags=parts.bags,
    )


DEFAULT_MEMORY_MB = 512


def buffer_sizes(memory_mb: int | None) -> tuple[int, int]:
    """Postings the segment writer buffers before spilling sorted runs to disk (positional, bags)
    for a build given ``memory_mb``: the buffers are what grows in the writer process, so they
    scale with the setting from the defaults, which are the 512 MB default's (``benchmarks/index.py``
    measures the peak of the whole process tree)."""
    scale = (memory_mb or DEFAULT_MEMORY_MB) / DEFAULT_MEMORY_MB
    return max(50_000, int(MAX_POSTINGS * scale)), max(100_000, int(bagfile.MAX_POSTINGS * scale))


@dataclass
class WrittenSegment:
    """A segment an indexing worker wrote (``SegmentBuilder``), not yet in any commit: the
    writer's next commit adds it (``IndexWriter.add_segment``). ``drop`` deletes records of it
    that the writer decided against (a document id already used) before that commit."""

    segment: object  # Whoosh's segment object: opaque outside the storage package
    records: int

    def drop(self, first: int, count: int) -> None:
        for docnum in range(first, first + count):
            self.segment.delete_document(docnum)


class SegmentBuilder:
    """A new segment of the index written by an indexing worker, apart from the build's writer
    (which holds the lock and alone commits): the worker adds the documents it analyzed, then
    ``finish`` writes the segment's files (postings, bags, records, checksummed by the commit
    that adds it) and returns a ``WrittenSegment`` for the writer. So the costly part of writing,
    the postings, runs in every worker at once, not in the one writer process after the
    analysis is done. Nothing is visible until the writer commits it; a build that fails leaves
    files no commit names, which the writer removes (``files.remove_uncommitted``).
    ``share``: how many builders run at once, which divide ``memory_mb`` between them."""

    def __init__(self, index_dir: str | Path, *, memory_mb: int | None = None, share: int = 1):
        sizes = buffer_sizes(int((memory_mb or DEFAULT_MEMORY_MB) / max(1, share)))
        self._w = FastSegmentWriter(open_for_worker(Path(index_dir)), *sizes, _lk=False)

    @property
    def records(self) -> int:
        return self._w.docnum

    def add(self, doc: EncodedDocument, meta: dict | None = None) -> int:
        """Add a document's record and passages; returns the docnum of its record in the segment."""
        first = self._w.docnum
        add_encoded(self._w, doc, dict(doc.meta, **(meta or {}), passages=doc.passage_count))
        return first

    def add_in_parts(self, doc: EncodedDocument, parts: Iterable[EncodedPassages], meta: dict | None = None) -> int:
        """Add a document whose passages come encoded apart, in order (``doc.spans`` lists them
        all, ``doc`` holds none): its record first, then each share as it arrives, so a big
        document is written while the workers are still analyzing the rest of it, and only the
        shares in flight are held. The segment is the one ``add`` would write. Returns the
        docnum of its record; raises ``ValueError`` if the shares do not add up to the spans."""
        first = self._w.docnum
        add_record(self._w, doc, dict(doc.meta, **(meta or {}), passages=doc.passage_count))
        added = 0
        for part in parts:
            added += add_passages(self._w, doc, part)
        if added != doc.passage_count:
            raise ValueError(f"{doc.doc_id}: {added} passages encoded for {doc.passage_count} spans")
        return first

    def finish(self) -> WrittenSegment | None:
        """Write the segment's files; None when nothing was added."""
        w = self._w
        if not w.docnum:
            self.cancel()
            return None
        try:
            segment = w._finalize_segment()
        except BaseException:
            self.cancel()
            raise
        w._finish()
        return WrittenSegment(segment, w.docnum)

    def cancel(self) -> None:
        if not self._w.is_closed:
            self._w.cancel()


class IndexWriter:
    """Adds documents to an index and deletes them, in commits, holding the index's lock until
    ``close`` (``with IndexWriter(...) as w:``; leaving the block by an exception cancels what
    was not committed). ``clear``: the first commit replaces the whole index (a rebuild; the old
    index stays searchable until then). ``lock_wait``: seconds to wait for another writer before
    ``IndexLocked``."""

    def __init__(self, index_dir: str | Path, *, clear: bool = False, lock_wait: float = 0.0,
                 memory_mb: int | None = None):
        index_dir = Path(index_dir)
        self._dir = index_dir
        self._buffers = buffer_sizes(memory_mb)
        with ExitStack() as stack:
            stack.enter_context(index_lock(index_dir, wait=lock_wait))
            self._ix = open_or_create(index_dir)
            self._held = stack.pop_all()
        self._clear = clear
        self._writer: FastSegmentWriter | None = None
        self._writelock: int | None = None
        self._new: list[WrittenSegment] = []  # segments written by workers, for the next commit

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.cancel()
        self.close()

    def close(self) -> None:
        """Forget what was not committed and release the lock."""
        self.cancel()
        self._held.close()

    def _open(self) -> FastSegmentWriter:
        if self._writer is None:
            self._writer = FastSegmentWriter(self._ix, *self._buffers)
            self._writelock = getattr(getattr(self._writer, "writelock", None), "fd", None)  # Whoosh's own
            if self._writelock is not None:
                locks.hold(self._writelock)
        return self._writer

    def _closed(self) -> None:
        """The segment writer is done (committed or cancelled): Whoosh has released its lock."""
        self._writer = None
        if self._writelock is not None:
            locks.forget(self._writelock)
            self._writelock = None

    def add(self, doc: EncodedDocument, meta: dict | None = None) -> int:
        """Add a document's record and its passages; returns the number of passages.
        ``meta``: more metadata for its record (the file's size, mtime and hash)."""
        return add_encoded(self._open(), doc, dict(doc.meta, **(meta or {}), passages=doc.passage_count))

    def add_segment(self, written: WrittenSegment) -> None:
        """Have the next commit add a segment a worker wrote (``SegmentBuilder``), after the
        segments the index has (so records keep the order they were added in)."""
        self._new.append(written)

    def delete_path(self, path: str) -> None:
        """Delete every record (documents and passages) of the file at ``path``."""
        self._open().delete_by_term("path", path)

    def delete_document(self, doc_id: str) -> None:
        """Delete a document's record and its passages (committed ones: not what this writer
        added since its last commit)."""
        self._open().delete_by_term("doc_id", doc_id)

    def delete_record(self, docnum: int) -> None:
        """Delete one record by global docnum (tests use it to break an index on purpose)."""
        self._open().delete_document(docnum)

    def commit(self, *, optimize: bool = False) -> None:
        """Make everything added and deleted so far visible at once, merging segments by
        ``merges.to_merge`` (or all of them, with ``optimize``)."""
        policy = CLEAR if self._clear else OPTIMIZE if optimize else _log_merge
        new, self._new = self._new, []
        self._commit(mergetype=lambda writer, segments: policy(writer, segments) + [w.segment for w in new])
        self._clear = False

    def drop_segments(self, segment_ids: set[str]) -> None:
        """Commit the index without the segments ``segment_ids`` (``vnsearch check --repair``
        drops damaged ones; their documents are re-added by the next ``vnsearch index``)."""
        self._commit(mergetype=lambda _writer, segments: [s for s in segments if s.segment_id() not in segment_ids])

    def _commit(self, **how) -> None:
        w = self._open()
        try:
            w.commit(**how)
        except BaseException:
            # A commit that failed (a full disk, Ctrl-C) leaves no partial files or lock behind,
            # and the failure is what the caller hears of, not the clean-up's.
            try:
                w.cancel()
            except Exception:
                pass
            self._closed()
            remove_uncommitted(self._dir)
            raise
        self._closed()

    def cancel(self) -> None:
        """Forget everything since the last commit, and delete what was written for it: this
        writer's segment files, and those of the segments the workers wrote (``SegmentBuilder``),
        handed over (``add_segment``) or not yet: a build interrupted or failed between two
        commits (a rebuild, which commits once, or a run that only adds files, never opens this
        writer's own segment) would otherwise leave them, up to a whole rebuild's worth of
        space, held exactly when a full disk needs it. Called when the workers have stopped
        (``close`` too, after the last commit: what a commit names is kept)."""
        self._new = []
        try:
            if self._writer is not None:
                self._writer.cancel()
        finally:
            self._closed()
            remove_uncommitted(self._dir)
            remove_worker_temps(self._dir)


def _log_merge(writer: FastSegmentWriter, segments: list) -> list:
    """Whoosh's merge hook for ``merges.to_merge``: the chosen segments are read into the
    segment being written; the others are returned, to stay as they are."""
    from whoosh.reading import SegmentReader

    chosen = merges.to_merge([(seg.doc_count_all(), seg.deleted_count()) for seg in segments])
    for i in sorted(chosen):
        reader = SegmentReader(writer.storage, writer.schema, segments[i])
        writer.add_reader(reader)
        reader.close()
    return [seg for i, seg in enumerate(segments) if i not in chosen]


def add_encoded(w: FastSegmentWriter, doc: EncodedDocument, record_meta: dict) -> int:
    """Add a document's record and its passages to a segment writer; returns the number of
    passages. What a document's passages share is stored once, on its record, where the title
    is also indexed; passages index their path (``delete_path`` goes by it) and document id
    (``passages_of``) without storing anything: their numbers and spans are a list on their
    document's record (layout version 3), which they follow, stored once with its text instead of
    a compressed record each (a tenth of the index)."""
    add_record(w, doc, record_meta)
    return add_passages(w, doc, doc)


def add_record(w: FastSegmentWriter, doc: EncodedDocument, record_meta: dict) -> None:
    """A document's record: what its passages share, and the list of their spans."""
    w.add_document(kind="doc", key=f"d:{doc.doc_id}", doc_id=doc.doc_id, path=doc.path, meta=record_meta,
                   title=doc.title_posted, _stored_title=doc.title, date=doc.date, text=doc.text,
                   spans=[tuple(span) for span in doc.spans], docvalues=encode_values(doc.path, doc.date, doc.meta))


def add_passages(w: FastSegmentWriter, doc: DocumentFields, part: EncodedPassages | EncodedDocument) -> int:
    """Passages of ``doc`` (all of them, or the next share), after what was added before."""
    first = w.docnum
    for fields, lengths in zip(part.posted, part.lengths):
        w.add_document(kind="passage", doc_id=doc.doc_id, _stored_doc_id=None, path=doc.path, _stored_path=None,
                       _lengths=lengths, **fields)
    w.add_bags(part.bags, first)
    return len(part.posted)
