"""Bag-of-terms postings (no positions) in numpy arrays, in a file of their own in each segment.

Three of a passage's text fields (the ``BAGS`` fields of ``layout.FIELDS``: accented syllables, words, folded
syllable pairs) are scored by frequency alone. In Whoosh's term index each of their terms cost
some eighty bytes before its first posting (a hash-table entry, the key, a packed term info), and
most are adjacent pairs that occur once: the term index was the larger half of the whole index.
Written one term at a time in Python, they were also most of the writer's time.

Here a field is three sorted arrays instead:

* ``hashes``: the 64-bit hash of each term (``term_hash``), sorted, eight bytes a term;
* ``ends``: where each term's postings end in the field's posting stream;
* the posting stream, cut into pages of ``PAGE`` postings, each page zlib-compressed: the
  docnum gaps (the first posting of a term holds its docnum) as byte-planes of ``uint32``, then
  the frequencies as ``uint8``.

The file holds the fields' pages and arrays one after the other, then a JSON footer saying where
each is, then the footer's length. A lookup is a binary search in ``hashes`` and the
decompression of one page or a few; scoring gets numpy arrays directly. Two terms of a field
would have to share a 64-bit hash to be confused, which at a million terms has odds of about one
in forty million.

The writer side (``BagBuffer``) collects each document's postings as arrays, keeps them sorted in
runs on disk beyond ``MAX_POSTINGS``, and writes the file by ranges of the hash space, so the
memory of a build stays bounded whatever the corpus size. Merging a segment into another reads
each of its fields whole (``BagReader.all_postings``), some fifteen bytes a posting at a time.
"""

from __future__ import annotations

import hashlib
import json
import struct
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from .inflate import inflate

from .layout import BAGS_EXT as EXT

MAGIC = b"VNBAG1\n"
PAGE = 4096  # postings per compressed page
COMPRESSION = 6
MAX_POSTINGS = 6_000_000  # buffered (all bag fields) before a sorted run is written to disk
_PARTS = 16  # ranges of the hash space written one at a time
_BOUNDS = [np.uint64((1 << 64) * k // _PARTS) for k in range(_PARTS)]  # the first hash of each
_FOOTER = struct.Struct("<Q")
MAX_FREQ = 255  # a page keeps frequencies as bytes


def term_hash(term: bytes) -> int:
    """A term's 64-bit hash, the same in every process and Python version (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(term, digest_size=8).digest(), "little")


class Hasher:
    """``term_hash`` of terms given as ``str`` or ``bytes``, with a memo: the same terms recur
    passage after passage."""

    def __init__(self, limit: int = 400_000):
        self.memo: dict = {}
        self.limit = limit

    def __call__(self, term: str | bytes) -> int:
        value = self.memo.get(term)
        if value is None:
            if len(self.memo) >= self.limit:
                self.memo.clear()
            value = self.memo[term] = term_hash(term.encode("utf-8") if isinstance(term, str) else term)
        return value

    def many(self, terms: list) -> np.ndarray:
        memo = self.memo
        if len(memo) >= self.limit:
            memo.clear()
        for term in terms:
            if term not in memo:
                memo[term] = term_hash(term.encode("utf-8") if isinstance(term, str) else term)
        return np.fromiter(map(memo.__getitem__, terms), dtype=np.uint64, count=len(terms))


Bag = tuple[np.ndarray, np.ndarray, np.ndarray]  # hashes (uint64), docnums or passage numbers, freqs


def bag_of(counts_per_passage: list[dict[str, int]], hasher: Hasher) -> Bag:
    """One field's postings for a document's passages, from each passage's term counts: term
    hashes, passage numbers (from 0) and frequencies."""
    terms: list[str] = []
    freqs: list[int] = []
    sizes: list[int] = []
    for counts in counts_per_passage:
        terms.extend(counts)
        freqs.extend(counts.values())
        sizes.append(len(counts))
    rel = np.repeat(np.arange(len(sizes), dtype=np.uint32), sizes)
    return hasher.many(terms), rel, np.array(freqs, dtype=np.int32)


class BagBuffer:
    """The bag postings of one segment being written, in docnum order per field."""

    def __init__(self, max_postings: int = MAX_POSTINGS, tempdir: str | None = None):
        self.max_postings = max_postings
        self.tempdir = tempdir
        self.chunks: dict[str, list[Bag]] = {}
        self.count = 0
        # (file, field -> (offset, where each range of the hash space starts, and the count))
        self.runs: list[tuple[object, dict[str, tuple[int, list[int]]]]] = []

    def add(self, fieldname: str, hashes: np.ndarray, docnums: np.ndarray, freqs: np.ndarray) -> None:
        """Postings with docnums above every docnum added before (documents arrive in order).
        Frequencies above 255 are kept as 255, the most a page stores."""
        if not len(hashes):
            return
        self.chunks.setdefault(fieldname, []).append(
            (hashes.astype(np.uint64, copy=False), docnums.astype(np.uint32, copy=False),
             np.minimum(freqs, MAX_FREQ).astype(np.uint8)))
        self.count += len(hashes)
        if self.count >= self.max_postings:
            self.spill()

    def _sorted(self, fieldname: str) -> Bag:
        """The buffered postings of a field sorted by hash, docnum order kept within a term."""
        parts = self.chunks.pop(fieldname, [])
        hashes = np.concatenate([p[0] for p in parts])
        docnums = np.concatenate([p[1] for p in parts])
        freqs = np.concatenate([p[2] for p in parts])
        order = np.argsort(hashes, kind="stable")
        return hashes[order], docnums[order], freqs[order]

    def spill(self) -> None:
        """Write the buffered postings, sorted, to a run file and forget them."""
        if not self.count:
            return
        run = tempfile.TemporaryFile(prefix="vnsearch-bag-", dir=self.tempdir)
        where: dict[str, tuple[int, list[int]]] = {}
        for fieldname in sorted(self.chunks):
            hashes, docnums, freqs = self._sorted(fieldname)
            where[fieldname] = (run.tell(), _cuts(hashes))
            for array in (hashes, docnums, freqs):
                run.write(array.tobytes())
        run.flush()
        self.runs.append((run, where))
        self.chunks = {}
        self.count = 0

    def fieldnames(self) -> list[str]:
        names = set(self.chunks)
        for _, where in self.runs:
            names.update(where)
        return sorted(names)

    def write(self, out) -> None:
        """Write every field to the file object ``out``: the magic string, each field's pages
        and dictionary, then a JSON footer saying where they are and its length (8 bytes).
        Pages go out as they are made, so the file is never whole in memory."""
        fields = {}
        at = [0]

        def emit(data) -> int:
            start = at[0]
            out.write(data)
            at[0] += len(data)
            return start

        emit(MAGIC)
        for fieldname in self.fieldnames():
            sources = [_RunSource(run, *where[fieldname]) for run, where in self.runs if fieldname in where]
            if fieldname in self.chunks:
                sources.append(_MemorySource(*self._sorted(fieldname)))
            fields[fieldname] = _write_field(emit, sources)
        footer = json.dumps({"fields": fields, "page": PAGE}).encode("utf-8")
        emit(footer)
        emit(_FOOTER.pack(len(footer)))

    def cleanup(self) -> None:
        for run, _ in self.runs:
            run.close()
        self.runs = []
        self.chunks = {}
        self.count = 0


def _cuts(hashes: np.ndarray) -> list[int]:
    """Where each range of the hash space (``_BOUNDS``) starts in sorted ``hashes``, and the end."""
    return [0] + [int(np.searchsorted(hashes, lo)) for lo in _BOUNDS[1:]] + [len(hashes)]


class _MemorySource:
    """A field's sorted postings in memory, by range of the hash space."""

    def __init__(self, hashes: np.ndarray, docnums: np.ndarray, freqs: np.ndarray):
        self.arrays = (hashes, docnums, freqs)
        self.cuts = _cuts(hashes)

    def part(self, k: int) -> Bag:
        a, b = self.cuts[k], self.cuts[k + 1]
        return tuple(array[a:b] for array in self.arrays)


class _RunSource:
    """A field's sorted postings in a run file, read a range of the hash space at a time."""

    def __init__(self, run, offset: int, cuts: list[int]):
        self.run, self.offset, self.cuts = run, offset, cuts

    def part(self, k: int) -> Bag:
        a, b = self.cuts[k], self.cuts[k + 1]
        n = self.cuts[-1]
        out = []
        for base, dtype, size in ((self.offset, np.uint64, 8), (self.offset + 8 * n, np.uint32, 4),
                                  (self.offset + 12 * n, np.uint8, 1)):
            self.run.seek(base + size * a)
            out.append(np.fromfile(self.run, dtype=dtype, count=b - a))
        return tuple(out)


def _write_field(emit, sources: list) -> dict:
    """Write one field's pages and dictionary through ``emit``; returns where they are.

    ``sources`` are sorted by hash, oldest docnums first; the hash space is merged a range at a
    time, so only one range of every source is in memory at once."""
    all_hashes: list[np.ndarray] = []
    all_counts: list[np.ndarray] = []
    offsets = [0]
    data_start = None
    pending_d: list[np.ndarray] = []
    pending_f: list[np.ndarray] = []
    pending = 0
    total = 0

    def page(d: np.ndarray, f: np.ndarray) -> None:
        nonlocal data_start
        chunk = _page(d, f)
        start = emit(chunk)
        if data_start is None:
            data_start = start
        offsets.append(offsets[-1] + len(chunk))

    for k in range(_PARTS):
        parts = [p for p in (source.part(k) for source in sources) if len(p[0])]
        if not parts:
            continue
        if len(parts) == 1:
            hashes, docnums, freqs = parts[0]
        else:
            hashes = np.concatenate([p[0] for p in parts])
            docnums = np.concatenate([p[1] for p in parts])
            freqs = np.concatenate([p[2] for p in parts])
            order = np.argsort(hashes, kind="stable")  # sources are in docnum order: stable keeps it
            hashes, docnums, freqs = hashes[order], docnums[order], freqs[order]
        starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
        all_hashes.append(hashes[starts])
        all_counts.append(np.diff(np.append(starts, len(hashes))))
        gaps = docnums.astype(np.int64)
        gaps[1:] -= docnums[:-1].astype(np.int64)
        gaps[starts] = docnums[starts]
        pending_d.append(gaps.astype(np.uint32))
        pending_f.append(freqs)
        pending += len(gaps)
        total += len(gaps)
        if pending >= PAGE:
            d = np.concatenate(pending_d)
            f = np.concatenate(pending_f)
            full = (pending // PAGE) * PAGE
            for at in range(0, full, PAGE):
                page(d[at : at + PAGE], f[at : at + PAGE])
            pending_d, pending_f = [d[full:]], [f[full:]]
            pending -= full
    if pending:
        page(np.concatenate(pending_d), np.concatenate(pending_f))
    hashes = np.concatenate(all_hashes) if all_hashes else np.zeros(0, dtype=np.uint64)
    ends = np.cumsum(np.concatenate(all_counts)) if all_counts else np.zeros(0, dtype=np.int64)
    where = {"terms": len(hashes), "postings": total, "pages": len(offsets) - 1}
    where["data"] = data_start if data_start is not None else 0
    where["hashes"] = emit(hashes.astype("<u8").tobytes())
    where["ends"] = emit(ends.astype("<u4").tobytes())
    where["offsets"] = emit(np.asarray(offsets, dtype="<u8").tobytes())
    return where


def _page(gaps: np.ndarray, freqs: np.ndarray) -> bytes:
    planes = gaps.astype("<u4").view(np.uint8).reshape(-1, 4).T.tobytes()  # byte planes compress better
    return zlib.compress(planes + freqs.tobytes(), COMPRESSION)


def _unpage(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    raw = np.frombuffer(inflate(data), dtype=np.uint8)
    n = len(raw) // 5
    return _joined_planes(raw[: 4 * n].reshape(4, n)), raw[4 * n :]


def _joined_planes(planes: np.ndarray) -> np.ndarray:
    """The ``uint32`` of four byte-planes (least significant first), by shifts and ors of whole
    planes: a fifth of the time of transposing them into a contiguous copy viewed as ``<u4``,
    which moved one byte at a time and was half of a page's decoding (zlib the other half)."""
    out = planes[3].astype(np.uint32)
    for plane in (planes[2], planes[1], planes[0]):
        out <<= 8
        out |= plane
    return out


def read_bags(segment, storage) -> "BagReader | None":
    """The bags file of a Whoosh segment, or None for a segment without one. Read in place when
    the storage maps its files (``mapped``): the reader's arrays are views of the map."""
    name = segment.make_filename(EXT)
    if not storage.file_exists(name):
        return None
    f = storage.open_file(name)
    try:
        view = getattr(f, "view", None)
        return BagReader(view() if view is not None else f.read())
    finally:
        f.close()


class SortedHashes:
    """A field's sorted term hashes, searched where they lie (a view of a mapped file).

    numpy's ``searchsorted`` copies an array that is not aligned to its item size on every call
    (100 ms for ten million hashes), and a field's hashes start wherever its pages ended. So the
    search is in two steps, as Lucene's terms index works: a copy of every ``STRIDE``-th hash
    (1/256 of them) says which run of hashes can hold the term, and that run alone (2 KiB) is
    copied and searched."""

    STRIDE = 256

    def __init__(self, hashes: np.ndarray):
        self.hashes = hashes
        self.sample = np.ascontiguousarray(hashes[:: self.STRIDE])

    def __len__(self) -> int:
        return len(self.hashes)

    def find(self, h: np.uint64) -> int:
        """The place of ``h``, or -1."""
        j = int(np.searchsorted(self.sample, h, side="right")) - 1
        if j < 0:
            return -1
        lo = j * self.STRIDE
        run = np.array(self.hashes[lo : lo + self.STRIDE])
        i = int(np.searchsorted(run, h))
        return lo + i if i < len(run) and run[i] == h else -1


class BagReader:
    """The bag postings of one segment, read from its ``.bag`` file's bytes (``bytes``, or a view
    of a mapped file, which is then never copied: only the pages a query decodes are)."""

    def __init__(self, data, cache_pages: int = 512):
        if bytes(data[: len(MAGIC)]) != MAGIC or len(data) < len(MAGIC) + _FOOTER.size:
            raise ValueError("not a vnsearch bag file")
        (size,) = _FOOTER.unpack_from(data, len(data) - _FOOTER.size)
        footer = json.loads(bytes(data[len(data) - _FOOTER.size - size : len(data) - _FOOTER.size]))
        body = memoryview(data)
        self.page = footer["page"]
        self.fields = {}
        for name, w in footer["fields"].items():
            self.fields[name] = (
                SortedHashes(np.frombuffer(body, dtype="<u8", count=w["terms"], offset=w["hashes"])),
                np.frombuffer(body, dtype="<u4", count=w["terms"], offset=w["ends"]),
                np.frombuffer(body, dtype="<u8", count=w["pages"] + 1, offset=w["offsets"]),
                body[w["data"] :],
            )
        # Decoded pages, shared by the threads reading this segment (``_page`` holds the lock
        # only to look up and to insert, never while decoding).
        self._cache: OrderedDict = OrderedDict()
        self._cache_pages = cache_pages
        self._cache_lock = threading.Lock()

    def _find(self, fieldname: str, term: bytes) -> tuple[int, int] | None:
        field = self.fields.get(fieldname)
        if field is None:
            return None
        hashes, ends = field[0], field[1]
        i = hashes.find(np.uint64(term_hash(term)))
        if i < 0:
            return None
        return (int(ends[i - 1]) if i else 0), int(ends[i])

    def doc_frequency(self, fieldname: str, term: bytes) -> int:
        span = self._find(fieldname, term)
        return 0 if span is None else span[1] - span[0]

    def postings(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Docnums (int64, ascending) and frequencies (float32) of one term."""
        ids, freqs = self.counts(fieldname, term)
        return ids.astype(np.int64), freqs.astype(np.float32)

    def counts(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        """``postings`` for scoring: docnums as ``int32`` and frequencies as ``uint8``, as the
        page holds them. The conversions to ``int64`` and ``float32`` and back were a fifth of
        decoding a term. A segment of 2**31 records or more (the page's ``uint32`` allows it;
        the index's arrays do not) gets ``int64`` docnums."""
        span = self._find(fieldname, term)
        if span is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8)
        gaps, freqs = self._range(fieldname, *span)
        ids = np.cumsum(gaps, dtype=np.int32)
        if len(ids) and ids[-1] < 0:  # wrapped past 2**31 - 1
            ids = np.cumsum(gaps, dtype=np.int64)
        return ids, freqs

    def _range(self, fieldname: str, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        first, last = start // self.page, (end - 1) // self.page
        decoded = [self._page(fieldname, k) for k in range(first, last + 1)]
        if len(decoded) == 1:
            gaps, freqs = decoded[0]
        else:
            gaps = np.concatenate([d[0] for d in decoded])
            freqs = np.concatenate([d[1] for d in decoded])
        base = first * self.page
        return gaps[start - base : end - base], freqs[start - base : end - base]

    def _page(self, fieldname: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        key = (fieldname, k)
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        hit = self._decode(fieldname, k)
        with self._cache_lock:
            self._cache[key] = hit
            if len(self._cache) > self._cache_pages:
                self._cache.popitem(last=False)
        return hit

    def _decode(self, fieldname: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Page ``k`` of a field: docnum gaps and frequencies."""
        offsets, data = self.fields[fieldname][2], self.fields[fieldname][3]
        return _unpage(data[int(offsets[k]) : int(offsets[k + 1])])

    def all_postings(self, fieldname: str) -> Bag:
        """Every posting of a field (for merging segments): hashes, docnums, freqs."""
        field = self.fields.get(fieldname)
        if field is None or not len(field[0]):
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint8)
        hashes, ends, offsets = np.array(field[0].hashes), field[1].astype(np.int64), field[2]
        decoded = [self._decode(fieldname, k) for k in range(len(offsets) - 1)]
        gaps = np.concatenate([d[0] for d in decoded]).astype(np.int64)
        freqs = np.concatenate([d[1] for d in decoded])
        counts = np.diff(np.concatenate(([0], ends)))
        running = np.cumsum(gaps)
        starts = ends - counts
        before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
        docnums = running - np.repeat(before, counts)
        return np.repeat(hashes, counts), docnums.astype(np.uint32), freqs

    def fieldnames(self) -> Iterator[str]:
        return iter(self.fields)
