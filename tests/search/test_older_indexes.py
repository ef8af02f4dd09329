"""Indexes in layout version 1 (before bags files and document-level text) are still searched
the same way.

Version 1 kept every text field in Whoosh's term index and each passage's text on the passage.
An index in that layout, written here with Whoosh's own writer, must give exactly the hits,
scores and highlights of one written by this version from the same documents; merged with this
version's segments, it must still answer the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.documents import analyze_document
from indexer.readers import RawDocument
from indexer.storage import FORMAT_VERSION, TEXT_FIELDS, IndexWriter, encode, open_reader
from indexer.storage.files import open_or_create
from indexer.storage.whoosh_schema import posted
from search import search
from search.documents import get_document
from tests.search.conftest import CORPUS, EXTRA

QUERIES = ["tinh uy thai nguyen", "Tỉnh uỷ Thái Nguyên", "đảng viên", "dang", "\"đảng ủy\"", "đảng -viên",
           "title:khoá phòng chống", "kinh tế xã hội năm 2020", "hợp tác xã"]


def _documents():
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))] + sorted(EXTRA.items())
    return [analyze_document(RawDocument(None, None, text), name, f"doc-{i}") for i, (name, text) in enumerate(texts)]


def _old_layout(index_dir: Path, docs) -> None:
    ix = open_or_create(index_dir)
    w = ix.writer()  # Whoosh's own writer: every field in its term index
    for doc in docs:
        w.add_document(kind="doc", key=f"d:{doc.doc_id}", doc_id=doc.doc_id, path=doc.path,
                       title=posted("title", doc.title_terms, packed=False), _stored_title=doc.title, date=doc.date,
                       meta={"passages": len(doc.passages)})
        for p in doc.passages:
            text = doc.text[p.start : p.end]
            w.add_document(kind="passage", doc_id=doc.doc_id, path=doc.path, _stored_path=None, passage_no=p.no,
                           span=(p.start, p.end), text=text,
                           **{name: posted(name, p.terms[name], packed=False) for name in TEXT_FIELDS})
    w.commit()


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    root = tmp_path_factory.mktemp("layouts")
    docs = _documents()
    _old_layout(root / "old", docs)
    with IndexWriter(root / "new") as w:
        for doc in docs:
            w.add(encode(doc))
        w.commit()
    yield root / "old", root / "new"
    shutil.rmtree(root, ignore_errors=True)


def _hits(query: str, index: Path, **kwargs):
    result = search(query, index=index, limit=20, **kwargs)
    return result.total, [(h.doc_id, h.passage_no, h.title, h.path, h.text, h.score, h.highlights) for h in result.hits]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("exact", [False, True])
def test_same_hits_from_both_layouts(indexes, query: str, exact: bool):
    old, new = indexes
    expected = _hits(query, old, exact=exact)
    assert expected == _hits(query, new, exact=exact)
    assert expected[0] > 0 or exact


def test_same_document_page_from_both_layouts(indexes):
    old, new = indexes
    for doc_id in ("doc-0", "doc-3"):
        a, b = get_document(doc_id, index=old), get_document(doc_id, index=new)
        assert a is not None and a == b and len(a.passages) > 1


def test_version_1_read_through_its_version(indexes):
    old, new = indexes
    with open_reader(old) as reader:
        assert [(seg.version, seg.info.records) for seg, _ in reader.segments] == [(1, 1)]
    with open_reader(new) as reader:
        assert [(seg.version, seg.info.records) for seg, _ in reader.segments] == [(FORMAT_VERSION, FORMAT_VERSION)]


def test_version_1_merged_with_new_segments(indexes, tmp_path):
    """A version-1 index with a document added and every segment merged into one answers exactly
    as an index of the same documents written by this version: the merged segment's postings are
    in the current layout, and its records say version 1."""
    old, _ = indexes
    extra = analyze_document(RawDocument(None, None, "Chợ nổi Cái Răng\n\nChợ nổi Cái Răng họp từ sáng sớm trên sông."),
                             "cho-noi.txt", "doc-extra")
    merged = tmp_path / "merged"
    shutil.copytree(old, merged)
    with IndexWriter(merged) as w:
        w.add(encode(extra))
        w.commit(optimize=True)
    fresh = tmp_path / "fresh"
    with IndexWriter(fresh) as w:
        for doc in _documents() + [extra]:
            w.add(encode(doc))
        w.commit()
    with open_reader(merged) as reader:
        assert [(seg.version, seg.info.records) for seg, _ in reader.segments] == [(FORMAT_VERSION, 1)]
    assert search("cho noi cai rang", index=merged).hits[0].doc_id == "doc-extra"
    for query in QUERIES + ["chợ nổi"]:
        assert _hits(query, merged) == _hits(query, fresh), query
    assert get_document("doc-3", index=merged) == get_document("doc-3", index=fresh)


def test_version_1_merged_by_release_0_1(indexes, tmp_path, monkeypatch):
    """Release 0.1 merged version-1 segments into segments with bags files but no segment info,
    copying their records (each passage with its own text) as they were: such a segment is read
    with the very answers of the version-1 index."""
    from indexer.storage.whoosh_segment import FastSegmentWriter

    old, _ = indexes
    merged = tmp_path / "merged-by-0.1"
    shutil.copytree(old, merged)
    monkeypatch.setattr(FastSegmentWriter, "_write_segment_info", lambda self: None)  # as 0.1 wrote
    with IndexWriter(merged) as w:
        w.commit(optimize=True)
    monkeypatch.undo()
    with open_reader(merged) as reader:
        assert [(seg.version, seg.info.records) for seg, _ in reader.segments] == [(2, 1)]
    for query in QUERIES:
        assert _hits(query, merged) == _hits(query, old), query
    assert get_document("doc-3", index=merged) == get_document("doc-3", index=old)
