"""``FastSegmentWriter`` writes the very postings Whoosh's own writer writes, on real corpus text."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.documents import analyze_document
from indexer.readers import RawDocument
from indexer.segment import INLINE_MAX, FastSegmentWriter
from indexer.store import INDEX_NAME, open_or_create
from tests.indexer.conftest import CORPUS


def _documents(copies: int = 4):
    """The corpus articles, each ``copies`` times: common syllables then span several blocks."""
    docs = []
    for i, path in enumerate(sorted(CORPUS.glob("*.txt")) * copies):
        text = path.read_text(encoding="utf-8")
        docs.append(analyze_document(RawDocument(f"d{i}", None, text), str(path), f"d{i}"))
    return docs


def _add(writer, doc) -> None:
    writer.add_document(kind="doc", key=f"d:{doc.doc_id}", doc_id=doc.doc_id, path=doc.path,
                        title=doc.title_posted, _stored_title=doc.title)
    for p in doc.passages:
        writer.add_document(kind="passage", doc_id=doc.doc_id, path=doc.path, _stored_path=None,
                            passage_no=p.no, text=p.text, **p.fields)


def _postings(index_dir: Path) -> dict:
    """Every term of an index with its statistics and (docnum, weight, value) postings."""
    reader = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME).reader()
    out = {}
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
            out[fieldname, text] = (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(),
                                    info.max_weight(), info.min_id(), info.max_id(), postings)
    finally:
        reader.close()
    return out


def _build(index_dir: Path, make_writer, docs, commits: int = 1, optimize: bool = False) -> dict:
    ix = open_or_create(index_dir)
    per_commit = -(-len(docs) // commits)
    for start in range(0, len(docs), per_commit):
        w = make_writer(ix)
        for doc in docs[start : start + per_commit]:
            _add(w, doc)
        w.commit()
    if optimize:
        w = make_writer(ix)
        w.commit(optimize=True)  # merges every segment into one: postings come from readers
    return _postings(index_dir)


@pytest.mark.parametrize("max_postings", [1_000_000, 500])  # one run in memory; many runs on disk
def test_same_postings_as_whoosh_writer(tmp_path: Path, max_postings: int):
    docs = _documents()
    expected = _build(tmp_path / "whoosh", lambda ix: ix.writer(), docs)
    got = _build(tmp_path / "fast", lambda ix: FastSegmentWriter(ix, max_postings=max_postings), docs)
    assert got == expected
    assert any(v[0] <= INLINE_MAX for v in got.values()) and any(v[0] > 128 for v in got.values())


def test_same_postings_after_merging_segments(tmp_path: Path):
    docs = _documents()
    expected = _build(tmp_path / "whoosh", lambda ix: ix.writer(), docs, commits=3, optimize=True)
    got = _build(tmp_path / "fast", lambda ix: FastSegmentWriter(ix, max_postings=700), docs, commits=3, optimize=True)
    assert got == expected
    assert len(whoosh_index.open_dir(str(tmp_path / "fast"), indexname=INDEX_NAME)._segments()) == 1
