"""The bags file: every posting written comes back, in memory or through spilled runs."""

from __future__ import annotations

import io
import random
import zlib

import numpy as np
import pytest

from indexer.storage.bags import PAGE, BagBuffer, BagReader, Hasher, bag_of, inflate, term_hash


def _fill(buffer: BagBuffer, seed: int = 7, docs: int = 1500) -> dict:
    """Random postings (Zipf-like: a few terms in most documents, most in one or two)."""
    rng = random.Random(seed)
    vocabulary = [f"từ{i}".encode() for i in range(4000)]
    truth: dict[tuple[str, bytes], list[tuple[int, int]]] = {}
    docnum = 0
    for _ in range(docs):
        docnum += rng.randint(1, 3)
        for field in ("syl", "fpair"):
            terms = {vocabulary[min(int(rng.paretovariate(0.8)) - 1, 3999)] for _ in range(rng.randint(1, 30))}
            terms = sorted(terms)
            freqs = [rng.choice([1, 1, 1, 2, 3, 300]) for _ in terms]
            buffer.add(field, np.array([term_hash(t) for t in terms], dtype=np.uint64),
                       np.full(len(terms), docnum, dtype=np.uint32), np.minimum(freqs, 255))
            for t, f in zip(terms, freqs):
                truth.setdefault((field, t), []).append((docnum, min(f, 255)))
    return truth


@pytest.mark.parametrize("max_postings", [10_000_000, 3_000])  # all in memory; many runs on disk
def test_every_posting_comes_back(max_postings: int):
    buffer = BagBuffer(max_postings=max_postings)
    truth = _fill(buffer)
    spilled = len(buffer.runs)
    out = io.BytesIO()
    buffer.write(out)
    buffer.cleanup()
    reader = BagReader(out.getvalue())
    assert (spilled > 3) == (max_postings == 3_000)
    for (field, term), postings in truth.items():
        ids, freqs = reader.postings(field, term)
        assert list(zip(ids.tolist(), freqs.astype(int).tolist())) == postings
        assert reader.doc_frequency(field, term) == len(postings)
    assert reader.doc_frequency("syl", b"absent") == 0 and len(reader.postings("syl", b"absent")[0]) == 0
    assert len(reader.postings("word", b"t")[0]) == 0  # a field with no postings at all
    for field in ("syl", "fpair"):
        hashes, docnums, freqs = reader.all_postings(field)
        expected = sorted(((term_hash(t), d, f) for (fld, t), ps in truth.items() if fld == field for d, f in ps),
                          key=lambda x: (x[0], x[1]))
        assert list(zip(hashes.tolist(), docnums.tolist(), freqs.tolist())) == expected


def test_docnum_gaps_in_every_byte_come_back():
    """Gaps needing all four bytes of their ``uint32`` (the page's byte-planes joined again)."""
    docnums = [0, 1, 255, 256, 70_000, 16_777_215, 16_777_216, 300_000_000, 4_294_967_295]
    buffer = BagBuffer()
    for d in docnums:
        buffer.add("syl", np.array([term_hash(b"x")], dtype=np.uint64), np.array([d], dtype=np.uint32),
                   np.array([d % 251 + 1]))
    out = io.BytesIO()
    buffer.write(out)
    buffer.cleanup()
    ids, freqs = BagReader(out.getvalue()).postings("syl", b"x")
    assert ids.tolist() == docnums
    assert freqs.astype(int).tolist() == [d % 251 + 1 for d in docnums]
    counted, counts = BagReader(out.getvalue()).counts("syl", b"x")  # scoring's arrays, past 2**31 too
    assert counted.tolist() == docnums and counts.dtype == np.uint8 and counts.tolist() == freqs.tolist()


def test_pages_inflate_to_zlibs_bytes():
    """The pages are read with ISA-L's inflate (``isal``), written with zlib: the same bytes."""
    assert inflate is not zlib.decompress, "isal is a dependency: install the project again"
    buffer = BagBuffer()
    _fill(buffer, seed=11, docs=6000)
    out = io.BytesIO()
    buffer.write(out)
    buffer.cleanup()
    reader = BagReader(out.getvalue())
    pages = 0
    for field, (_, _, offsets, data) in reader.fields.items():
        for k in range(len(offsets) - 1):
            page = bytes(data[int(offsets[k]) : int(offsets[k + 1])])
            assert inflate(page) == zlib.decompress(page)
            pages += 1
    assert pages >= 10


def test_postings_spanning_many_pages():
    buffer = BagBuffer()
    common = term_hash(b"c\xe1\xbb\xa7a")  # "của": in every record
    for docnum in range(3 * PAGE + 17):
        buffer.add("syl", np.array([common, term_hash(str(docnum).encode())], dtype=np.uint64),
                   np.full(2, docnum, dtype=np.uint32), np.array([1 + docnum % 5, 1]))
    out = io.BytesIO()
    buffer.write(out)
    reader = BagReader(out.getvalue())
    ids, freqs = reader.postings("syl", "của".encode())
    assert ids.tolist() == list(range(3 * PAGE + 17))
    assert freqs.astype(int).tolist() == [1 + d % 5 for d in range(3 * PAGE + 17)]
    assert reader.postings("syl", b"4000")[0].tolist() == [4000]


def test_bag_of_a_documents_passages():
    hasher = Hasher()
    hashes, rel, freqs = bag_of([{"tỉnh": 2, "ủy": 1}, {}, {"ủy": 3}], hasher)
    assert hashes.tolist() == [term_hash("tỉnh".encode()), term_hash("ủy".encode()), term_hash("ủy".encode())]
    assert rel.tolist() == [0, 0, 2] and freqs.tolist() == [2, 1, 3]
    assert hasher("ủy") == hasher("ủy".encode()) == term_hash("ủy".encode())


def test_not_a_bags_file():
    with pytest.raises(ValueError):
        BagReader(b"W3Bl" + bytes(40))
