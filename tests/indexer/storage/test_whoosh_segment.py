"""``FastSegmentWriter`` writes the very postings Whoosh's own writer writes, on real corpus text:
the positional fields in Whoosh's term index, the bag fields in each segment's bags file."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.documents import analyze_document
from indexer.readers import RawDocument
from indexer.storage import encode
from indexer.storage.bags import read_bags
from indexer.storage import open_reader
from indexer.storage.files import open_or_create
from indexer.storage.layout import BAGS, POSITIONS, POSITIONS_AND_BAGS, TEXT_FIELDS, fields_in
from indexer.storage.reader import INDEX_NAME
from indexer.storage.whoosh_schema import posted
from indexer.storage.whoosh_segment import INLINE_MAX, FastSegmentWriter
from indexer.storage.writer import add_encoded
from tests.indexer.conftest import CORPUS

BAG_FIELDS = fields_in(BAGS)
DUAL_FIELDS = fields_in(POSITIONS_AND_BAGS)  # in W3 with positions, and in the bags file


def _documents(copies: int = 4):
    """The corpus articles, each ``copies`` times: common syllables then span several blocks."""
    docs = []
    for i, path in enumerate(sorted(CORPUS.glob("*.txt")) * copies):
        text = path.read_text(encoding="utf-8")
        docs.append(analyze_document(RawDocument(f"d{i}", None, text), str(path), f"d{i}"))
    return docs


def _add_whoosh(writer, doc) -> None:
    """What Whoosh's own writer would be given: every text field's postings, bags included."""
    writer.add_document(kind="doc", key=f"d:{doc.doc_id}", doc_id=doc.doc_id, path=doc.path,
                        title=posted("title", doc.title_terms, packed=False), _stored_title=doc.title)
    for p in doc.passages:
        writer.add_document(kind="passage", doc_id=doc.doc_id, path=doc.path, _stored_path=None, passage_no=p.no,
                            **{name: posted(name, p.terms[name], packed=False) for name in TEXT_FIELDS})


def add_document(writer, doc) -> None:
    add_encoded(writer, encode(doc), {})


def _postings(index_dir: Path) -> tuple[dict, dict, dict]:
    """Every term of Whoosh's term index with its statistics and postings; the bag fields'
    postings of each term (by global docnum), and every record's field lengths."""
    reader = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME).reader()
    terms, bags, lengths = {}, {}, {}
    try:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            m = reader.postings(fieldname, text)
            postings = []
            positional = m.supports("positions")
            while m.is_active():
                value = tuple(m.value_as("positions")) if positional else m.value() or b""
                postings.append((m.id(), float(m.weight()), value))
                m.next()
            if fieldname in BAG_FIELDS:
                bags[fieldname, text] = [(d, w) for d, w, _ in postings]
            else:
                terms[fieldname, text] = (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(),
                                          info.max_weight(), info.min_id(), info.max_id(), postings)
        for docnum in range(reader.doc_count_all()):
            lengths[docnum] = tuple(reader.doc_field_length(docnum, f, 0) for f in TEXT_FIELDS)
    finally:
        reader.close()
    return terms, bags, lengths


def _bag_postings(index_dir: Path, keys) -> dict:
    """The bag postings of ``keys`` ((field, term bytes)) from the bags files, by global docnum,
    and how many terms the bags files hold."""
    reader = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME).reader()
    out: dict = {}
    try:
        for segment, offset in reader.leaf_readers():
            bags = read_bags(segment.segment(), segment.storage())
            assert bags is not None
            for key in keys:
                ids, freqs = bags.postings(*key)
                out.setdefault(key, []).extend((int(d) + offset, float(f)) for d, f in zip(ids, freqs))
            out.setdefault("terms", 0)
            out["terms"] += sum(len(bags.fields[f][0]) for f in bags.fieldnames())
    finally:
        reader.close()
    return {k: v for k, v in out.items() if v}


def _build(index_dir: Path, docs, fast_writer=None, commits: int = 1, optimize: bool = False, merger=None):
    """Build with ``fast_writer`` (else Whoosh's own writer); ``optimize`` then merges every
    segment with ``merger`` (else the same kind of writer)."""
    ix = open_or_create(index_dir)
    per_commit = -(-len(docs) // commits)
    for start in range(0, len(docs), per_commit):
        w = fast_writer(ix) if fast_writer else ix.writer()
        for doc in docs[start : start + per_commit]:
            if fast_writer:
                add_document(w, doc)
            else:
                _add_whoosh(w, doc)
        w.commit()
    if optimize:
        w = (merger or fast_writer or (lambda ix: ix.writer()))(ix)
        w.commit(optimize=True)  # merges every segment into one: postings come from readers
    return _postings(index_dir)


def _assert_same(expected, got, got_dir: Path, dual_in_bags: bool = True) -> None:
    terms, bags, lengths = expected
    got_terms, got_bags, got_lengths = got
    assert got_terms == terms
    assert got_lengths == lengths
    assert not got_bags  # bag fields are not in Whoosh's term index
    # The bags file holds the bag fields and, beside their W3 postings, the dual fields' frequencies.
    if dual_in_bags:
        bags = {**bags, **{(f, t): [(d, w) for d, w, _ in v[-1]] for (f, t), v in terms.items() if f in DUAL_FIELDS}}
        assert any(f in DUAL_FIELDS for f, _ in bags)
    in_bags = _bag_postings(got_dir, list(bags))
    assert in_bags.pop("terms") == len(bags)
    assert in_bags == bags
    assert any(v[0] <= INLINE_MAX for v in terms.values()) and any(v[0] > 128 for v in terms.values())
    assert any(len(v) > 128 for v in bags.values())


@pytest.mark.parametrize("max_postings", [1_000_000, 500])  # one run in memory; many runs on disk
def test_same_postings_as_whoosh_writer(tmp_path: Path, max_postings: int):
    docs = _documents()
    expected = _build(tmp_path / "whoosh", docs)
    got = _build(tmp_path / "fast", docs, lambda ix: FastSegmentWriter(ix, max_postings=max_postings,
                                                                       max_bag_postings=max_postings))
    _assert_same(expected, got, tmp_path / "fast")


def test_same_postings_after_merging_segments(tmp_path: Path):
    docs = _documents()
    expected = _build(tmp_path / "whoosh", docs, commits=3, optimize=True)
    fast = lambda ix: FastSegmentWriter(ix, max_postings=700, max_bag_postings=700)  # noqa: E731
    got = _build(tmp_path / "fast", docs, fast, commits=3, optimize=True)
    _assert_same(expected, got, tmp_path / "fast")
    assert len(whoosh_index.open_dir(str(tmp_path / "fast"), indexname=INDEX_NAME)._segments()) == 1


def test_merging_segments_written_before_bags_files(tmp_path: Path):
    """An index written before there were bags files (bag fields in Whoosh's term index) is
    merged into one with them, postings and all."""
    docs = _documents(copies=2)
    expected = _build(tmp_path / "whoosh", docs, commits=2, optimize=True)
    got = _build(tmp_path / "old", docs, commits=2, optimize=True, merger=FastSegmentWriter)  # Whoosh's, then ours
    # Its sources had fsyl in W3 alone: the merged segment says so, and is scored from W3 (layout 4).
    _assert_same(expected, got, tmp_path / "old", dual_in_bags=False)
    with open_reader(tmp_path / "old") as reader:
        (seg, _), = reader.segments
        assert seg.info.format_of("fsyl") == POSITIONS and seg.info.format_of("syl") == BAGS
        ids, freqs = seg.postings("fsyl", "kinh")
        assert len(ids) and (ids.tolist(), freqs.tolist()) == tuple(x.tolist() for x in seg.w3_postings("fsyl", "kinh"))


def test_merging_skips_deleted_documents(tmp_path: Path):
    docs = _documents(copies=2)
    fast = lambda ix: FastSegmentWriter(ix, max_postings=700, max_bag_postings=700)  # noqa: E731
    for name, writer in (("whoosh", None), ("fast", fast)):
        _build(tmp_path / name, docs[: len(docs) // 2], writer)
        ix = open_or_create(tmp_path / name)
        w = writer(ix) if writer else ix.writer()
        w.delete_by_term("doc_id", "d1")
        for doc in docs[len(docs) // 2 :]:
            add_document(w, doc) if writer else _add_whoosh(w, doc)
        w.commit(optimize=True)
    expected = _postings(tmp_path / "whoosh")
    got = _postings(tmp_path / "fast")
    _assert_same(expected, got, tmp_path / "fast")
    assert not any(key[0] == "doc_id" and key[1] == "d1" for key in got[0])
