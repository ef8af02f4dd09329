"""The storage's reader interface, checked against the documents themselves: every answer it
gives (frequencies, postings, lengths, phrase matches, lexicon lookups, records, deletions) is
recomputed here by brute force from the texts the test indexed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from analyzers import fold, normalize_syllable, split_syllables
from indexer.build import index_paths
from indexer.passage_terms import analyze_passage
from indexer.storage import FORMAT_VERSION, TEXT_FIELDS, IndexWriter, open_reader
from indexer.errors import IndexFormatError
from indexer.storage.layout import SegmentInfo, current_info, decode_info, encode_info
from tests.indexer.conftest import CORPUS

EXTRA = {
    "thai-nguyen.txt": "Thái Nguyên mùa chè\n\nChè Thái Nguyên nổi tiếng khắp nơi. Người Thái Nguyên hái chè từ sớm.",
    "nguyen-van.txt": "Ông Nguyễn Văn An\n\nÔng Nguyễn Văn An, nguyên Chủ tịch UBND tỉnh, về thăm quê ở Thái Bình.",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reader")
    docs = root / "docs"
    docs.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:2]:
        (docs / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in EXTRA.items():
        (docs / name).write_text(text, encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    return root / "ix"


def _passages(reader) -> dict[int, str]:
    return {docnum: reader.passage(docnum).text for docnum in reader.passages()}


def _folded(text: str) -> list[str]:
    return [fold(normalize_syllable(text[s:e])) for s, e, _ in split_syllables(text)]


def test_frequencies_postings_and_lengths_match_the_texts(index: Path):
    with open_reader(index) as reader:
        passages = _passages(reader)
        assert len(passages) > 20
        terms = {docnum: analyze_passage(text) for docnum, text in passages.items()}
        for field in TEXT_FIELDS:
            counts = {d: Counter({t: (len(v) if isinstance(v, list) else v) for t, v in t_.get(field, {}).items()})
                      for d, t_ in terms.items()}
            lengths = reader.field_lengths(field)
            for docnum, c in counts.items():
                # Whoosh keeps lengths in one byte: exact up to a few tens, close above.
                assert abs(lengths[docnum] - sum(c.values())) <= max(1, 0.1 * sum(c.values())), field
            vocabulary = Counter(t for c in counts.values() for t in c)
            assert vocabulary, field
            for term, df in list(vocabulary.items())[:300]:
                assert reader.doc_frequency(field, term) == df, (field, term)
                ids = np.concatenate([seg.postings(field, term)[0] + base for seg, base in reader.segments])
                freqs = np.concatenate([seg.postings(field, term)[1] for seg, _ in reader.segments])
                want = sorted(d for d, c in counts.items() if term in c)
                assert ids.tolist() == want, (field, term)
                assert freqs.tolist() == [min(counts[d][term], 255) for d in want], (field, term)
            assert reader.doc_frequency(field, "khôngcótừnày") == 0


def test_phrase_matches(index: Path):
    with open_reader(index) as reader:
        passages = _passages(reader)
        for phrase in (("thai", "nguyen"), ("nguyen", "van", "an"), ("che",), ("ubnd", "tinh")):
            want = sorted(d for d, text in passages.items()
                          if any(tuple(_folded(text)[i : i + len(phrase)]) == phrase for i in range(len(_folded(text)))))
            assert want, phrase
            assert sorted(reader.matching("fsyl", phrase).tolist()) == want, phrase
        titles = reader.matching("title", ("thai", "nguyen", "mua", "che"))
        assert [reader.document(int(d)).title for d in titles] == ["Thái Nguyên mùa chè"]


def test_lexicon_lookups(index: Path):
    with open_reader(index) as reader:
        lexicon = {f for text in _passages(reader).values() for f in _folded(text)}
        assert reader.terms_with_prefix("fsyl", "ngu") == sorted(t for t in lexicon if t.startswith("ngu"))
        assert "nguyen" in reader.terms_within("fsyl", "nguyeen", 1)
        assert all(t in lexicon for t in reader.terms_within("fsyl", "chee", 1))
        # Bags keep term hashes, not terms: no lexicon to walk.
        assert reader.terms_with_prefix("fpair", "thai") == [] and reader.terms_within("syl", "chè", 1) == []


def test_records_and_deletions(index: Path, tmp_path: Path):
    import shutil

    copy = tmp_path / "ix"
    shutil.copytree(index, copy)
    with open_reader(copy) as reader:
        doc = reader.find_document(next(d.doc_id for d in reader.documents() if d.path.endswith("thai-nguyen.txt")))
        assert doc.title == "Thái Nguyên mùa chè" and doc.text == EXTRA["thai-nguyen.txt"]
        passages = reader.passages_of(doc)
        assert [p.passage_no for p in passages] == list(range(len(passages)))
        assert all(p.text == doc.text[p.start : p.end] and p.path == doc.path for p in passages)
        assert reader.find_document("no-such-id") is None
        assert reader.live().all()
        documents, total = reader.counts()
    with IndexWriter(copy) as w:
        w.delete_path(doc.path)
        w.commit()
    with open_reader(copy) as reader:
        live = reader.live()
        assert reader.counts() == (documents - 1, total - len(passages))
        assert (~live).sum() in (0, 1 + len(passages))  # merged away, or masked
        assert reader.find_document(doc.doc_id) is None
        assert all("Thái Nguyên mùa chè" != d.title for d in reader.documents())


def test_segments_record_their_layout(index: Path):
    with open_reader(index) as reader:
        assert [seg.info for seg, _ in reader.segments] == [current_info()]
        assert reader.segments[0][0].version == FORMAT_VERSION
    info = current_info(records=1)
    assert decode_info(encode_info(info)) == info
    newer = encode_info(SegmentInfo(FORMAT_VERSION + 1, FORMAT_VERSION + 1, {}))
    with pytest.raises(IndexFormatError, match="written by a newer vnsearch"):
        decode_info(newer)


def test_one_writer_at_a_time(index: Path, tmp_path: Path):
    import shutil

    from indexer.errors import IndexLocked

    copy = tmp_path / "ix"
    shutil.copytree(index, copy)
    with IndexWriter(copy) as first:
        with pytest.raises(IndexLocked, match=r"being updated by process \d+"):
            IndexWriter(copy)
        first.delete_path("no/such/file.txt")
        first.commit()
    with IndexWriter(copy) as second:  # released on leaving the block
        second.commit()


def test_phrase_matches_kept_are_bounded_even_when_empty(index: Path, monkeypatch):
    # Phrases the index lacks (quoted user phrases, a synonym's forms) match nothing; an empty
    # answer still costs memory, so it counts against the bound like any other.
    import indexer.storage.reader as reader_module

    monkeypatch.setattr(reader_module, "MATCHES_BYTES", 100 * reader_module.ENTRY_BYTES)
    with open_reader(index) as reader:
        expected = reader.matching("fsyl", ("thai", "nguyen"))
        assert len(expected)
        for i in range(2_000):
            assert not len(reader.matching("fsyl", ("khong", f"co{i}")))
        assert len(reader._matches) <= 100
        assert np.array_equal(reader.matching("fsyl", ("thai", "nguyen")), expected)


def test_readers_open_while_commits_replace_each_other(tmp_path: Path):
    """A commit removes the files of the one before it, in no set order; a reader opening
    meanwhile (a search during ``vnsearch index``) found its table of contents gone and raised
    ``FileNotFoundError``, or a segment file gone and called the index damaged. It opens the
    newer commit instead, or reads the one it opened unverified: readers opened in a loop during
    30 commits all open and count the commit's documents."""
    import threading

    docs = tmp_path / "docs"
    docs.mkdir()
    sources = sorted(CORPUS.glob("*.txt"))
    (docs / "0.txt").write_text(sources[0].read_text(encoding="utf-8"), encoding="utf-8")
    index_paths([docs], tmp_path / "ix", jobs=1)
    errors, opened, done = [], [0], threading.Event()

    def read_loop() -> None:
        while not done.is_set():
            try:
                with open_reader(tmp_path / "ix") as reader:
                    assert reader.counts()[0] >= 1
                opened[0] += 1
            except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
                errors.append(repr(exc))

    threads = [threading.Thread(target=read_loop) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(1, 31):
            (docs / f"{i}.txt").write_text(sources[i % len(sources)].read_text(encoding="utf-8") + f"\n\nBản {i}.",
                                           encoding="utf-8")
            index_paths([docs], tmp_path / "ix", jobs=1)
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert opened[0] > 30
