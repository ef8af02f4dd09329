"""One reader shared by many threads: memory-mapped files read by position.

Whoosh's own file objects keep one read position, so threads sharing a reader read each other's
bytes. These tests read one ``IndexReader`` from sixteen threads at once (postings of Whoosh's
and of the bags fields, stored records, phrase matches, lookups) and compare every answer with
what the same reader gave one thread alone; and they check that a reader copies neither the bags
files nor Whoosh's files into memory (their arrays are views of the kernel's maps).
"""

from __future__ import annotations

import mmap
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer.build import index_paths
from indexer.storage import TEXT_FIELDS, open_reader
from indexer.storage.mapped import MappedFile, map_path
from tests.indexer.conftest import CORPUS

THREADS = 16
PHRASES = [("kinh", "te"), ("phat", "trien"), ("tinh", "uy"), ("xay", "dung")]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mapped")
    index_paths([CORPUS], root / "ix", jobs=1)
    return root / "ix"


def _answers(reader, terms: list[tuple[str, str]], docnums: list[int]) -> list:
    """Everything a query reads, as plain values."""
    out = []
    for field, term in terms:
        ids, freqs = reader.segments[0][0].postings(field, term)
        out.append((field, term, reader.doc_frequency(field, term), ids.tolist(), freqs.tolist()))
    for docnum in docnums:
        p = reader.passage(docnum)
        out.append((p.doc_id, p.passage_no, p.text, p.title))
    for phrase in PHRASES:
        out.append(reader.matching("fsyl", phrase).tolist())
    out.append(reader.terms_within("fsyl", "nguyen", 1))
    return out


def _query_terms(reader, docnums: list[int]) -> list[tuple[str, str]]:
    """Real terms of every text field: the folded syllables of some passages, in each form."""
    from analyzers import fold, normalize_syllable, split_syllables
    from indexer.passage_terms import analyze_passage

    terms = []
    for docnum in docnums[:12]:
        analyzed = analyze_passage(reader.passage(docnum).text)
        for field in TEXT_FIELDS:
            terms.extend((field, t) for t in sorted(analyzed.get(field, {}))[:6])
        text = reader.passage(docnum).text
        terms.extend(("fsyl", fold(normalize_syllable(text[s:e]))) for s, e, _ in split_syllables(text)[:4])
    return terms


def test_threads_reading_one_reader_get_what_one_thread_gets(index: Path):
    with open_reader(index) as reader:
        assert len(reader.segments) == 1
        docnums = list(reader.passages())
        assert len(docnums) > 50
        terms = _query_terms(reader, docnums)
        assert {f for f, _ in terms} == set(TEXT_FIELDS)
        expected = _answers(reader, terms, docnums)
        assert any(row[3] for row in expected[: len(terms)]), "no term has postings: nothing is checked"
        errors: list[BaseException] = []
        start = threading.Barrier(THREADS)

        def worker(i: int) -> None:
            try:
                start.wait()
                for k in range(3):
                    # Each thread reads in its own order, so that reads of one file interleave.
                    order = (i + k) % 2
                    got = _answers(reader, terms[::-1] if order else terms, docnums[::-1] if order else docnums)
                    assert got == (_reversed(expected, len(terms), len(docnums)) if order else expected)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[0]


def _reversed(expected: list, n_terms: int, n_docs: int) -> list:
    """``expected`` as ``_answers`` gives it for the terms and docnums in reverse order."""
    terms = expected[:n_terms][::-1]
    docs = expected[n_terms : n_terms + n_docs][::-1]
    return terms + docs + expected[n_terms + n_docs :]


def test_bags_are_read_in_place_not_copied(index: Path):
    """The bags file's arrays are views of the mapped file: a reader costs no memory per term,
    and every process serving the index shares the same pages."""
    with open_reader(index) as reader:
        bags = reader.segments[0][0]._bags
        assert bags is not None and set(bags.fieldnames()) >= {"syl", "word", "fpair"}
        for name in bags.fieldnames():
            hashes, ends, offsets, data = bags.fields[name]
            for array in (hashes.hashes, ends, offsets):
                assert not array.flags.owndata and not array.flags.writeable, name
            assert isinstance(data.obj, mmap.mmap), name  # the pages too: nothing read but what a query decodes
            assert len(hashes.sample) <= len(hashes) // hashes.STRIDE + 1


def test_mapped_file_keeps_a_position_per_thread(tmp_path: Path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)) * 4)
    f = map_path(str(path))
    assert isinstance(f, MappedFile) and len(f) == 1024
    f.seek(10)
    seen = {}

    def other() -> None:
        seen["start"] = f.tell()  # a new thread starts at the beginning, not at 10
        f.seek(100)
        seen["read"] = f.read(3)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"start": 0, "read": bytes([100, 101, 102])}
    assert f.tell() == 10 and f.read(2) == bytes([10, 11])
    part = f.sub(256, 512)
    assert part.read(1) == b"\x00" and part.slice(510, 10) == bytes([254, 255]) and len(part) == 512
    part.seek(0, 2)
    assert part.tell() == 512 and part.read(5) == b""
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert map_path(str(empty)).read() == b""
    assert np.frombuffer(f.view(), dtype=np.uint8)[255] == 255


class _Counting(MappedFile):
    """A ``MappedFile`` that counts the calls ``pickle`` makes to it."""

    calls = 0

    def read(self, n: int = -1) -> bytes:
        _Counting.calls += 1
        return super().read(n)

    def readinto(self, target) -> int:
        _Counting.calls += 1
        return super().readinto(target)

    def readline(self, limit: int = -1) -> bytes:
        _Counting.calls += 1
        return super().readline(limit)


def test_pickles_are_read_whole_through_peek(tmp_path: Path):
    """Posting blocks' headers are pickles read by ``pickle.load`` from the mapped file: with
    ``peek`` it reads each in one call of what it used, not a call per opcode; objects and
    positions are the same as from a plain file, for pickles shorter and longer than a peek."""
    import io
    import pickle

    objects = [(128, 4711, 3.0, 6, 12, 200), "ngắn", list(range(5000)), {"a": (1, 2.5)}, b"x" * 2000, None]
    data = b"".join(pickle.dumps(o, protocol=2) for o in objects)
    (tmp_path / "p.bin").write_bytes(data)
    mapped = map_path(str(tmp_path / "p.bin"))
    f = _Counting(mapped._buffer)
    plain = io.BytesIO(data)
    for o in objects:
        _Counting.calls = 0
        assert pickle.load(f) == pickle.load(plain) == o
        assert f.tell() == plain.tell()
        if o is objects[0]:
            assert _Counting.calls == 1  # the read of what it used; a header's ~20 reads before peek
    assert f.read() == b""


def test_posting_blocks_decode_as_whooshs_own_matcher(tmp_path: Path):
    """The block-at-a-time decode of the W3 postings (through the mapped files) gives what
    Whoosh's matcher gives posting by posting, for lists of one block and of many (the corpus
    written twenty times over, so that common syllables have thousands of postings)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(20):
        for source in sorted(CORPUS.glob("*.txt")):
            (docs / f"{i}-{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    index_paths([docs], tmp_path / "ix", jobs=1)
    with open_reader(tmp_path / "ix") as reader:
        seg = reader.segments[0][0]
        terms = [t.decode() if isinstance(t, bytes) else t for t in seg._reader.lexicon("fsyl")]
        assert len(terms) > 100 and max(seg.doc_frequency("fsyl", t) for t in terms) > 10 * 128
        for term in terms[::5]:
            ids, freqs = seg.w3_postings("fsyl", term)
            bag_ids, bag_freqs = seg.postings("fsyl", term)  # what scoring reads: the bags file
            assert bag_ids.tolist() == ids.tolist() and bag_freqs.tolist() == freqs.tolist(), term
            m = seg._reader.postings("fsyl", term)
            expected = []
            while m.is_active():
                expected.append((m.id(), m.weight()))
                m.next()
            assert list(zip(ids.tolist(), freqs.tolist())) == expected, term
