"""A long document (over a thousand passages) read whole: ``get_document``, ``passages_of`` and
the ``/doc/`` page read its record once, not once per passage. Version-3 passages store nothing
and follow their document's record, which holds the whole text: re-reading it for every passage
(to compare ids) unpickles and decompresses that text each time, quadratic in the length."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import httpx
import pytest

from indexer.build import index_paths
from indexer.storage import SegmentReader, open_reader
from search import search
from search.documents import get_document
from search.web import create_app
from tests.web.conftest import running

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PASSAGES = 1000  # at least


@pytest.fixture(scope="module")
def long_index(tmp_path_factory) -> tuple[Path, str]:
    """The shipped corpus's text repeated into one .txt of at least ``PASSAGES`` passages,
    beside one ordinary document."""
    root = tmp_path_factory.mktemp("long")
    docs = root / "docs"
    docs.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    one = "\n\n".join(texts)
    (docs / "dai.txt").write_text("Tuyển tập văn bản rất dài\n\n" + "\n\n".join([one] * (PASSAGES * 800 // len(one) + 1)),
                                  encoding="utf-8")
    (docs / "ngan.txt").write_text(texts[0], encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    with open_reader(root / "ix") as reader:
        doc_id = next(d.doc_id for d in reader.documents() if d.path.endswith("dai.txt"))
    return root / "ix", doc_id


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """The docnums of the document records read from storage while the test runs (a document
    record is the one with its text; passage records of version 3 are empty)."""
    seen: list[int] = []
    stored = SegmentReader.stored

    def counting(self, docnum: int) -> dict:
        fields = stored(self, docnum)
        if "text" in fields:
            seen.append(docnum)
        return fields

    monkeypatch.setattr(SegmentReader, "stored", counting)
    return seen


def _one_record_read(index_dir: Path, doc_id: str) -> float:
    """Seconds to read the long document's record once (text included), the unit of cost."""
    with open_reader(index_dir) as reader:
        docnum = reader.find_document(doc_id).docnum
        started = time.perf_counter()
        for _ in range(5):
            reader.document(docnum)
        return (time.perf_counter() - started) / 5


def test_passages_of_reads_the_record_once(long_index, reads):
    index_dir, doc_id = long_index
    with open_reader(index_dir) as reader:
        record = reader.find_document(doc_id)
        reads.clear()
        passages = reader.passages_of(record)
    assert len(passages) >= PASSAGES
    assert [p.passage_no for p in passages] == list(range(len(passages)))
    assert all(p.doc_id == doc_id and p.text == record.text[p.start:p.end] and p.text for p in passages)
    assert reads == []  # the record given is the one the passages follow: not read again


def test_get_document_is_not_quadratic(long_index, reads):
    index_dir, doc_id = long_index
    unit = _one_record_read(index_dir, doc_id)
    reads.clear()
    started = time.perf_counter()
    document = get_document(doc_id, index_dir)
    seconds = time.perf_counter() - started
    assert document is not None and len(document.passages) >= PASSAGES
    assert "Tuyển tập văn bản rất dài" in document.passages[0].text
    assert len(reads) == 1, f"the document's record was read {len(reads)} times"
    # Reading the record once per passage costs len(passages) units; once, a few.
    assert seconds < 0.1 * len(document.passages) * unit + 0.5, (seconds, unit)


def test_the_doc_page_reads_the_record_once(long_index, reads):
    index_dir, doc_id = long_index
    with running(create_app(index_dir)) as url, httpx.Client(base_url=url, timeout=60) as client:
        client.get("/")  # the app opens its reader
        reads.clear()
        page = client.get("/doc/" + urllib.parse.quote(doc_id, safe=""))
    assert page.status_code == 200, page.text[:300]
    assert "Tuyển tập văn bản rất dài" in page.text and page.text.count('id="p') >= PASSAGES
    assert len(reads) == 1, f"the document's record was read {len(reads)} times"


def test_hits_from_one_long_document_read_its_record_once_each_search(long_index, reads):
    index_dir, doc_id = long_index
    reads.clear()
    result = search("kinh tế", index=index_dir, limit=20, mode="passages")
    long_hits = [h for h in result.hits if h.doc_id == doc_id]
    assert len(long_hits) > 3 and all(h.text for h in long_hits)
    with open_reader(index_dir) as reader:
        docnum = reader.find_document(doc_id).docnum
    # Once to rank by proximity, once for the hits, at most: not once per passage.
    assert reads.count(docnum) <= 2, (reads.count(docnum), len(long_hits))
