"""A Whoosh segment writer that keeps postings grouped by term instead of sorting them one by one.

Whoosh's ``SegmentWriter`` puts every posting into a ``PostingPool``: one Python call and one
tuple per posting, pickled one at a time into sorted run files, merged back with ``heapq`` and
written through the codec one posting at a time. On a large corpus (about 50 million postings) that
was a quarter of an hour of the single writer process while the analysis workers sat idle.

``FastSegmentWriter`` keeps the same segments, files, commits and merge policies, and changes only
how postings reach the segment:

* ``PostingBuffer`` appends each document's postings to a list per term. Documents arrive in
  docnum order (and so do segments merged into this one), so each list is already sorted, and only
  the terms are sorted when the segment is written. Beyond ``max_postings`` the buffer is spilled,
  term by term, to a run file (``marshal``), and the runs are merged term by term at the end.
* The posting blocks are encoded here, a whole term at a time, in the W3 codec's block format
  (``encode_term``), so readers cannot tell the difference. What differs from Whoosh's own writer
  is all valid W3 data, read by Whoosh's readers and ``reader.SegmentReader`` alike: a term with at most
  ``INLINE_MAX`` postings is stored inside its term info (whoosh-reloaded's own inlining crashes),
  with no weights when all are 1.0; a block too small to gain from zlib is stored uncompressed,
  the others at ``COMPRESSION``; integral weights are pickled as ints, and so are positions
  (``formats.VarintPositions.pack_value``). Most terms of an index
  (adjacent pairs) occur once, and a posting block costs some sixty bytes before its one posting.

The ``BAGS`` fields of ``layout.FIELDS`` are not written here but in the segment's ``bags`` file
(``BagBuffer``): ``add_bags`` takes a document's postings of them as arrays, and merged segments
bring theirs along (from their ``bags`` file, or from Whoosh's term index in version-1 segments).
Their field lengths are written as usual. Each segment written here gets a ``layout.INFO_EXT``
file with its layout version; a segment that merges older ones records the oldest records
version among them, since Whoosh copies stored records as they are.

This module depends on the W3 codec (the default of whoosh-reloaded) and is used only with it.
Every writer of a vnsearch index must be this one (``writer.IndexWriter``): Whoosh's own writer reads
these segments but cannot merge them, since its posting writer accepts only ``bytes`` values.
"""

from __future__ import annotations

import heapq
import marshal
import struct
import tempfile
import zlib
from collections.abc import Iterator
from operator import sub
from pickle import dumps

import numpy as np

from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.fields import ID
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from . import bags as bagfile
from . import checksums, verify
from .whoosh_lengths import length_column
from .layout import (ANALYSIS_VERSION, BAGS, FORMAT_VERSION, INFO_EXT, POSITIONS_AND_BAGS, current_info, encode_info,
                     fields_in, segment_info)

BAG_FIELDS = fields_in(BAGS)
DUAL_FIELDS = fields_in(POSITIONS_AND_BAGS)  # W3 with positions, and frequencies in the bags file

INLINE_MAX = 4  # postings stored inside the term info rather than in a posting block
# Positional postings buffered before a spill to a run file: bounds a segment writer's memory
# (some 45 bytes a posting in lists). Split between two workers at the default --memory-mb, 3
# million left a round's segment of 100,000 records (4.6 million folded-syllable postings) three
# runs to merge back in Python, 3 of the worker's 44 s; 6 million: 45.1 against 46.5 s for 22,642
# articles, the build's peak 709 against 645 MB (``benchmarks/index.py --inputs files-22k``).
MAX_POSTINGS = 6_000_000
COMPRESS_MIN = 64  # bytes of pickled block data below which zlib only adds bytes
COMPRESSION = 6  # zlib level of posting blocks (Whoosh writes 3): a few per cent smaller
# Values (3 per posting) per marshal record of a run file: the merge holds one record per run.
_RUN_CHUNK = 300_000
_MAGIC = b"W3Bl"
_INT = struct.Struct("!i")


class PostingBuffer:
    """The postings of one segment, grouped by field and term, each term's postings in docnum
    order as a flat list ``[docnum, weight, value, docnum, weight, value, ...]``."""

    def __init__(self, max_postings: int = MAX_POSTINGS, tempdir: str | None = None):
        self.max_postings = max_postings
        self.tempdir = tempdir
        self.fields: dict[str, dict[bytes, list]] = {}
        self.count = 0
        self.runs: list = []  # open temporary files, oldest first
        self.fieldnames: set[str] = set()

    def add_field(self, fieldname: str, docnum: int, items, boost: float = 1.0, scorable: bool = True) -> int:
        """Add one document's postings of one field; returns the field's length (sum of freqs)."""
        terms = self._terms(fieldname)
        length = 0
        n = 0
        get = terms.get
        for tbytes, freq, weight, vbytes in items:
            if boost != 1.0:
                weight *= boost
            length += freq
            n += 1
            entry = get(tbytes)
            if entry is None:
                terms[tbytes] = [docnum, weight, vbytes]
            else:
                entry += (docnum, weight, vbytes)
        self.count += n
        return length if scorable else 0

    def add(self, item) -> None:
        """Add one ``(fieldname, tbytes, docnum, weight, vbytes)`` posting (segments being merged
        into this one arrive this way, in docnum order after the new documents)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._terms(fieldname)
        entry = terms.get(tbytes)
        if entry is None:
            terms[tbytes] = [docnum, weight, vbytes or b""]
        else:
            entry += (docnum, weight, vbytes or b"")
        self.count += 1
        self.maybe_spill()

    def _terms(self, fieldname: str) -> dict[bytes, list]:
        """The buffered terms of ``fieldname``, created on its first posting."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def maybe_spill(self) -> None:
        if self.count >= self.max_postings:
            self.spill()

    def spill(self) -> None:
        """Write the buffered postings, sorted by field and term, to a run file and forget them."""
        if not self.count:
            return
        run = tempfile.TemporaryFile(prefix="vnsearch-run-", dir=self.tempdir)
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            chunk: list = []
            size = 0
            for k in sorted(terms):
                flat = terms[k]
                chunk.append((k, flat))
                size += len(flat)
                if size >= _RUN_CHUNK:
                    marshal.dump((fieldname, chunk), run)
                    chunk, size = [], 0
            if chunk:
                marshal.dump((fieldname, chunk), run)
        marshal.dump(None, run)
        run.flush()
        self.runs.append(run)
        self.fields = {}
        self.count = 0

    def merged(self) -> Iterator[tuple[str, Iterator[tuple[bytes, list]]]]:
        """(fieldname, sorted (term, postings) of that field) over the runs and the buffer."""
        sources = [_run_fields(run) for run in self.runs] + [_memory_fields(self.fields)]
        heads = {}
        for i, source in enumerate(sources):
            head = next(source, None)
            if head is not None:
                heads[i] = head
        while heads:
            fieldname = min(head[0] for head in heads.values())
            parts = []
            for i in sorted(heads):
                if heads[i][0] == fieldname:
                    parts.append(heads[i][1])
            yield fieldname, _merge_terms(parts)
            for i in list(heads):
                if heads[i][0] == fieldname:
                    head = next(sources[i], None)
                    if head is None:
                        del heads[i]
                    else:
                        heads[i] = head

    def cleanup(self) -> None:
        for run in self.runs:
            run.close()
        self.runs = []
        self.fields = {}
        self.count = 0


def _memory_fields(fields: dict[str, dict[bytes, list]]):
    for fieldname in sorted(fields):
        terms = fields[fieldname]
        yield fieldname, ((k, terms[k]) for k in sorted(terms))


def _run_fields(run):
    """(fieldname, iterator of its terms) for each field of a run file, in order; each field's
    iterator must be consumed before the next field is asked for."""
    run.seek(0)
    pending = [marshal.load(run)]

    def terms_of(fieldname):
        while pending[0] is not None and pending[0][0] == fieldname:
            yield from pending[0][1]
            pending[0] = marshal.load(run)

    while pending[0] is not None:
        fieldname = pending[0][0]
        yield fieldname, terms_of(fieldname)


def _merge_terms(parts: list[Iterator[tuple[bytes, list]]]) -> Iterator[tuple[bytes, list]]:
    """Terms of one field from several sources (oldest first), postings concatenated."""
    if len(parts) == 1:
        yield from parts[0]
        return
    # heapq.merge is stable: a term's parts come out in source order, hence in docnum order.
    current = None
    postings: list = []
    for term, flat in heapq.merge(*parts, key=lambda item: item[0]):
        if term == current:
            if flat[0] <= postings[-3]:  # never expected: restore docnum order
                postings = _sorted_flat(postings + flat)
            else:
                postings += flat
        else:
            if current is not None:
                yield current, postings
            current, postings = term, list(flat)
    if current is not None:
        yield current, postings


def _sorted_flat(flat: list) -> list:
    triples = sorted(zip(flat[0::3], flat[1::3], flat[2::3]), key=lambda t: t[0])
    return [x for t in triples for x in t]


def length_bytes(perdoc, fieldname: str, doccount: int) -> bytes:
    """The encoded length (a byte per document, as the W3 codec stores it) of ``fieldname``."""
    column = length_column(perdoc, fieldname, doccount)
    if column is not None:
        return column
    return bytes(length_to_byte(perdoc.doc_field_length(d, fieldname, 0)) for d in range(doccount))


def _min_max_length(lengths: bytes, ids) -> tuple[int | None, int]:
    """Shortest and longest field length of a block's documents (W3 skips zero lengths)."""
    lens = bytes(map(lengths.__getitem__, ids))
    mx = max(lens)
    mn = min(lens)
    if mn == 0:
        nonzero = lens.replace(b"\x00", b"")
        mn = min(nonzero) if nonzero else None
    return (None if mn is None else byte_to_length(mn)), byte_to_length(mx)


def _compact(weights: list) -> tuple:
    """Weights as ints where they are integral (term frequencies): a third of the pickled size."""
    ints = list(map(int, weights))
    return tuple(ints) if ints == weights else tuple(weights)


def _mini_weights(weights: list):
    """W3's minified block weights: None when all are 1.0, one float when all are equal, else
    each weight (``_compact``)."""
    first = weights[0]
    if weights.count(first) == len(weights):
        return None if first == 1 else float(first)
    return _compact(weights)


def encode_term(flat: list, lengths: bytes, fixedsize, postfile, blocklimit: int, compression: int,
                pack=None) -> bytes:
    """Write one term's postings (a flat ``[docnum, weight, value, ...]`` list) as W3 posting
    blocks at the end of ``postfile``, or inline when short; returns the term info bytes.
    ``pack``: the format's compact form of a value (``formats.VarintPositions.pack_value``)."""
    ids = flat[0::3]
    weights = flat[1::3]
    values = flat[2::3]
    n = len(ids)
    ti = W3TermInfo()
    ti._df = n
    ti._weight = float(sum(weights))
    ti._maxweight = float(max(max(weights), 0))
    ti._minid = ids[0]
    ti._maxid = ids[-1]
    mn, mx = _min_max_length(lengths, ids)
    ti._minlength = mn
    ti._maxlength = mx
    if n <= INLINE_MAX:
        # Whoosh's ListMatcher reads no weights as all 1.0.
        inline_weights = () if weights.count(1) == n else _compact(weights)
        inline_values = tuple(filter(None, values))
        if pack is not None and inline_values and type(inline_values[0]) is not int:
            inline_values = tuple(map(pack, inline_values))
        ti._inlined = (tuple(ids), inline_weights, inline_values)
        return ti.to_bytes()
    out = [_MAGIC]
    for start in range(0, n, blocklimit):
        end = start + blocklimit
        bids = ids[start:end]
        bweights = weights[start:end]
        if fixedsize is None or fixedsize < 0:
            bvalues = tuple(filter(None, values[start:end]))
            # Workers send packed values (ints); only postings merged from older segments need it.
            # A block mixing both is read correctly either way.
            if pack is not None and bvalues and type(bvalues[0]) is not int:
                bvalues = tuple(map(pack, bvalues))
        elif fixedsize == 0:
            bvalues = None
        else:
            bvalues = b"".join(values[start:end])
        deltas = [bids[0]]
        deltas.extend(map(sub, bids[1:], bids))
        data = dumps((tuple(deltas), _mini_weights(bweights), bvalues), 2)
        comp = compression if len(data) >= COMPRESS_MIN else 0
        if comp:
            data = zlib.compress(data, comp)
        bmn, bmx = _min_max_length(lengths, bids) if start or end < n else (mn, mx)
        info = dumps((len(bids), bids[-1], float(max(max(bweights), 0)), comp, length_to_byte(bmn), length_to_byte(bmx)), 2)
        size = len(info) + len(data)
        out.append(_INT.pack(-size if end >= n else size))
        out.append(info)
        out.append(data)
    chain = b"".join(out)
    offset = postfile.tell()
    postfile.write(chain)
    ti._offset = offset
    ti._length = len(chain)
    return ti.to_bytes()


def write_postings(fieldwriter, schema, perdoc, doccount: int, buffer: PostingBuffer, codec: W3Codec) -> None:
    """Write every buffered term of every field into the segment's term index and posting file."""
    postfile = fieldwriter._postfile
    tindex = fieldwriter._tindex
    blocklimit = codec._blocklimit
    compression = COMPRESSION if codec._compression else 0
    for fieldname, terms in buffer.merged():
        if fieldname not in schema:
            for _ in terms:
                pass
            continue
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        prefix = pack_ushort(fieldwriter._fieldid)
        lengths = length_bytes(perdoc, fieldname, doccount)
        fixedsize = fieldobj.format.fixed_value_size()
        pack = getattr(fieldobj.format, "pack_value", None)
        for term, flat in terms:
            tindex.add(prefix + term, encode_term(flat, lengths, fixedsize, postfile, blocklimit, compression, pack))
        fieldwriter.finish_field()


class FastSegmentWriter(SegmentWriter):
    """``SegmentWriter`` with ``PostingBuffer`` in place of Whoosh's posting pool (see above)."""

    def __init__(self, ix, max_postings: int = MAX_POSTINGS, max_bag_postings: int = bagfile.MAX_POSTINGS, **kwargs):
        super().__init__(ix, **kwargs)
        if not isinstance(self.codec, W3Codec):
            raise TypeError(f"FastSegmentWriter writes W3 segments, not {type(self.codec).__name__}")
        self.pool.cleanup()
        folder = getattr(self.storage, "folder", None)
        self.pool = PostingBuffer(max_postings, tempdir=folder)
        self.bags = bagfile.BagBuffer(max_bag_postings, tempdir=folder)
        self._last_ids: dict[str, tuple] = {}
        self._records_version = FORMAT_VERSION  # the oldest records layout merged in
        # Checksums of the segments this commit starts from (``checksums``): carried over to the
        # next manifest, and verified in full before a segment is merged into a new one, so that
        # a damaged segment is never copied into a segment with fresh checksums.
        self._previous_ids = {s.segment_id() for s in self.segments}
        self._carried = verify.previous_entries(self.storage.folder, self.indexname, self.generation - 1)
        self._analysis = ANALYSIS_VERSION  # the oldest analysis merged in
        self._w3_only: set[str] = set()  # dual fields merged from segments without their bags

    def add_document(self, **fields) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            # Lengths of bag fields, whose postings come through add_bags.
            for fieldname, length in sorted(fields.get("_lengths", {}).items()):
                perdocwriter.add_field(fieldname, schema[fieldname], None, length)
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = self.pool.add_field(fieldname, docnum, self._index(fieldname, field, value), boost,
                                                 field.scorable)
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError(f"field {fieldname!r}: spelling and vectors are not supported")
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        self.pool.maybe_spill()

    def _index(self, fieldname: str, field, value):
        """``field.index(value)``; for an ``ID`` field, remembered while the value repeats (a
        document's passages share its id and path): Whoosh's analysis was a fifth of the writer's
        time for values it had just seen."""
        if type(field) is not ID:
            return field.index(value)
        last = self._last_ids.get(fieldname)
        if last is not None and last[0] == value:
            return last[1]
        items = list(field.index(value))
        self._last_ids[fieldname] = (value, items)
        return items

    def add_bags(self, bags: dict, first: int) -> None:
        """Postings of bag fields, ``{field: (hashes, passage, freqs)}``, for records numbered
        from ``first`` (``first + passage``), added before with their ``_lengths``."""
        for fieldname, (hashes, rel, freqs) in bags.items():
            if fieldname in DUAL_FIELDS and len(freqs) and freqs.max() > bagfile.MAX_FREQ:
                # The bag keeps frequencies up to 255; W3 keeps them whole: this segment is scored
                # from W3 (a passage of 400 one-letter syllables), so that no score changes.
                self._w3_only.add(fieldname)
            self.bags.add(fieldname, hashes, rel.astype(np.uint32) + np.uint32(first), freqs)

    def add_reader(self, reader) -> None:
        """Merge a segment into this one, after verifying every byte of it (``verify``)."""
        verify.before_merge(self.storage.folder, reader.segment(), self._carried)
        super().add_reader(reader)

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """Postings of a segment being merged into this one (docnums renumbered by ``docmap``
        where it has deletions). Bag fields go to the bags buffer, from the segment's bags file
        or, in a segment written before there were bags files, from its term index."""
        info = segment_info(reader.segment(), reader.storage())
        self._records_version = min(self._records_version, info.records)
        self._analysis = min(self._analysis, info.analysis)
        # A source whose dual fields are in W3 alone (layout 3 and older): the merged segment is
        # scored from W3 for them, as its source was (``layout``, version 4).
        self._w3_only.update(f for f in DUAL_FIELDS if info.format_of(f) != POSITIONS_AND_BAGS)
        own = bagfile.read_bags(reader.segment(), reader.storage()) if info.version >= 2 else None
        hasher = bagfile.Hasher()
        add = self.pool.add
        legacy: dict[str, list] = {}
        for item in self._process_posts(reader.iter_postings(), startdoc, docmap):
            if item[0] in BAG_FIELDS:
                legacy.setdefault(item[0], []).append((hasher(item[1]), item[2], int(item[3])))
            else:
                add(item)
        for fieldname, postings in sorted(legacy.items()):
            hashes, docnums, freqs = zip(*postings)
            self._add_bag(fieldname, np.array(hashes, dtype=np.uint64), np.array(docnums, dtype=np.int64),
                          np.array(freqs, dtype=np.int64))
        if own is None:
            return
        if docmap is not None:
            table = np.full(reader.doc_count_all(), -1, dtype=np.int64)
            table[np.fromiter(docmap.keys(), dtype=np.int64)] = np.fromiter(docmap.values(), dtype=np.int64)
        for fieldname in own.fieldnames():
            hashes, docnums, freqs = own.all_postings(fieldname)
            newnums = docnums.astype(np.int64) + startdoc if docmap is None else table[docnums]
            keep = newnums >= 0
            self._add_bag(fieldname, hashes[keep], newnums[keep], freqs[keep])

    def _add_bag(self, fieldname: str, hashes: np.ndarray, docnums: np.ndarray, freqs: np.ndarray) -> None:
        """Merged postings, in any order, to the bags buffer, which wants them in docnum order."""
        order = np.argsort(docnums, kind="stable")
        self.bags.add(fieldname, hashes[order], docnums[order], freqs[order])

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        try:
            write_postings(self.fieldwriter, self.schema, perdoc, self.docnum, self.pool, self.codec)
        finally:
            perdoc.close()
        self.fieldwriter.close()
        self._write_segment_info()
        if self.bags.fieldnames():
            out = self.newsegment.create_file(self.storage, bagfile.EXT)
            try:
                self.bags.write(out)
            finally:
                out.close()
        self.bags.cleanup()

    def _write_segment_info(self) -> None:
        out = self.newsegment.create_file(self.storage, INFO_EXT)
        try:
            out.write(encode_info(current_info(records=self._records_version, analysis=self._analysis,
                                              w3_only=frozenset(self._w3_only))))
        finally:
            out.close()

    def _commit_toc(self, segments) -> None:
        """Whoosh's, with the commit's manifest of checksums written before the table of
        contents is renamed into place (``checksums.write_commit``)."""
        from whoosh.index import TOC, clean_files

        toc = TOC(self.schema, segments, self.generation)
        checksums.write_commit(self.storage, self.indexname, toc, self._carried, self._previous_ids)
        clean_files(self.storage, self.indexname, self.generation, segments)
        checksums.remove_stale_manifests(self.storage.folder, self.indexname, self.generation)

    def cancel(self) -> None:
        self.bags.cleanup()
        super().cancel()
