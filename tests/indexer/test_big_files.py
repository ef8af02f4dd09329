"""A big text file or PDF is read and analyzed by every worker, and indexes exactly as one worker
would index it.

Real Vietnamese text (the shipped corpus), real PDFs written with fpdf2, real indexes in temp
dirs, the real build with worker processes. ``VNSEARCH_SPLIT_BYTES`` lowers the size from which a
file is shared, so that test files can stay small.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import require

from indexer.big_files import SPLIT_BYTES, shared
from indexer.build import Progress, index_paths
from indexer.passage_terms import analyze_passage, folded_positions
from indexer.storage import TEXT_FIELDS, open_reader
from search import search

from .conftest import CORPUS

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
QUERIES = ("tinh uy thai nguyen", "ủy ban nhân dân tỉnh", "\"hợp tác xã\"", "dang vien", "phòng chống thiên tai",
           "tinhr uyr")


def _articles() -> list[str]:
    return [unicodedata.normalize("NFC", p.read_text(encoding="utf-8")).strip() for p in sorted(CORPUS.glob("*.txt"))]


def _dump(index: Path) -> dict:
    """Everything a search can see of an index of one segment: records (with text and
    metadata), passage spans, field lengths, and the postings of every term its text has."""
    with open_reader(index) as reader:
        [(segment, _base)] = reader.segments
        docs, terms = [], {field: set() for field in TEXT_FIELDS}
        titles: set[str] = set()
        for d in reader.documents(with_text=True):
            passages = reader.passages_of(d)
            docs.append((d.doc_id, d.title, d.date, d.text, sorted(d.meta.items()),
                         [(p.passage_no, p.start, p.end) for p in passages]))
            titles.update(folded_positions(d.title))
            for p in passages:
                for field, found in analyze_passage(d.text[p.start:p.end]).items():
                    terms[field].update(found)
        postings = {}
        for field, found in terms.items():
            for term in sorted(found):
                ids, freqs = segment.postings(field, term)
                postings[field, term] = (ids.tolist(), freqs.tolist())
        for term in sorted(terms["fsyl"]):
            ids, freqs = segment.w3_postings("fsyl", term)
            postings["w3", term] = (ids.tolist(), freqs.tolist())
        for term in sorted(titles):
            ids, freqs = segment.postings("title", term)
            postings["title", term] = (ids.tolist(), freqs.tolist())
        lengths = {field: np.asarray(reader.field_lengths(field)).tolist() for field in TEXT_FIELDS}
    return {"docs": docs, "postings": postings, "lengths": lengths, "terms": sum(len(t) for t in terms.values())}


def _answers(index: Path) -> list:
    return [[(h.doc_id, h.passage_no, round(h.score, 6), h.snippet) for h in search(q, index=index, limit=20).hits]
            for q in QUERIES]


def _heard(states: list[tuple]):
    def progress(state: Progress) -> None:
        states.append((state.files_done, state.bytes_done, state.bytes_total))
    return progress


def test_a_big_text_file_is_shared_by_the_workers_and_indexes_as_one_worker_would(tmp_path, monkeypatch):
    src = tmp_path / "tuyen_tap.txt"
    src.write_text("\n\n".join(_articles() * 2), encoding="utf-8")
    size = src.stat().st_size
    assert not shared(str(src), size, size, 2) and size < SPLIT_BYTES  # by default a file this small is not shared
    one = index_paths([src], tmp_path / "one", jobs=1)
    monkeypatch.setenv("VNSEARCH_SPLIT_BYTES", str(size // 2))
    # A big text is always read in shares (for memory), with one job too, in this process.
    assert shared(str(src), size, size, 2) and shared(str(src), size, 100 * size, 1)
    states: list[tuple] = []
    two = index_paths([src], tmp_path / "two", jobs=2, progress=_heard(states))
    alone = index_paths([src], tmp_path / "alone", jobs=1)
    assert (two.added, two.documents, two.passages, two.skipped) == (1, 1, one.passages, [])
    assert one.passages > 100
    # Progress moved inside the file, share by share, before the file was done.
    inside = [done for files, done, total in states if files == 0 and 0 < done < total]
    assert len(set(inside)) >= 3, states
    assert states[-1][:2] == (1, size)
    first, second = _dump(tmp_path / "one"), _dump(tmp_path / "two")
    assert first["terms"] > 1000
    assert first == second == _dump(tmp_path / "alone")
    assert alone.passages == one.passages
    assert _answers(tmp_path / "one") == _answers(tmp_path / "two")
    assert any(_answers(tmp_path / "two"))


def _make_pdf(path: Path, pages: list[str]) -> None:
    fpdf = pytest.importorskip("fpdf")
    require(DEJAVU.exists(), "DejaVuSans.ttf not installed (apt-get install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", fname=str(DEJAVU))
    pdf.set_font("DejaVu", size=10)
    pdf.set_title("Tuyển tập văn bản của tỉnh")
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 5, text)
    pdf.output(str(path))


def test_a_big_pdf_is_extracted_and_analyzed_by_the_workers_as_one_worker_would(tmp_path, monkeypatch):
    # Pages that end mid-paragraph and short ones: passages that cross pages come out the same.
    text = "\n\n".join(_articles())
    cuts = list(range(0, len(text), 1800)) + [len(text)]
    pages = [text[a:b] for a, b in zip(cuts, cuts[1:])][:14] + ["Trang cuối."]
    src = tmp_path / "tuyen_tap.pdf"
    _make_pdf(src, pages)
    one = index_paths([src], tmp_path / "one", jobs=1)
    monkeypatch.setenv("VNSEARCH_SPLIT_BYTES", "1")
    size = src.stat().st_size
    assert shared(str(src), size, size, 2)
    assert not shared(str(src), size, 100 * size, 2)  # one PDF of many: one worker reads it
    assert not shared(str(src), size, size, 1)  # one job: nothing to gain, and a PDF's memory is small
    two = index_paths([src], tmp_path / "two", jobs=2)
    assert (two.added, two.skipped) == (1, []) and two.passages == one.passages > 20
    first, second = _dump(tmp_path / "one"), _dump(tmp_path / "two")
    assert first == second
    with open_reader(tmp_path / "two") as reader:
        [doc] = reader.documents(with_text=True)
        assert doc.meta["fields"]["pages"] == 15 and doc.title == "Tuyển tập văn bản của tỉnh"
        assert "Trang cuối." in doc.text
    assert _answers(tmp_path / "one") == _answers(tmp_path / "two")


def test_a_shared_file_is_kept_up_to_date_and_a_broken_one_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv("VNSEARCH_SPLIT_BYTES", "5000")
    folder = tmp_path / "docs"
    folder.mkdir()
    big = folder / "lon.txt"
    big.write_text("\n\n".join(_articles()), encoding="utf-8")
    broken = folder / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + os.urandom(20000))
    small = folder / "nho.txt"
    small.write_text(min(_articles(), key=len), encoding="utf-8")
    index = tmp_path / "index"
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert [p.name for p in sorted(folder.iterdir()) if shared(str(p), p.stat().st_size, total, 2)] == ["hong.pdf", "lon.txt"]
    first = index_paths([folder], index, jobs=2)
    assert first.added == 2 and first.documents == 2
    assert [s["path"] for s in first.skipped] == [str(broken)]
    assert "PDF" in first.skipped[0]["reason"]
    again = index_paths([folder], index, jobs=2)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    # A new last paragraph: the file's one document is replaced, the other kept.
    big.write_text(big.read_text(encoding="utf-8") + "\n\nHợp tác xã nông nghiệp Phú Lương khai trương chợ phiên.",
                   encoding="utf-8")
    os.utime(big, ns=(big.stat().st_atime_ns, big.stat().st_mtime_ns + 10**9))
    changed = index_paths([folder], index, jobs=2)
    assert (changed.added, changed.updated, changed.unchanged, changed.documents) == (0, 1, 1, 2)
    [hit, *_] = search("cho phien phu luong", index=index, limit=5).hits
    assert Path(hit.path).name == "lon.txt" and "chợ phiên" in hit.snippet.lower()
    # The whole index is the same as one worker's build of the same files.
    index_paths([folder], tmp_path / "one", jobs=1)
    assert _answers(index) == _answers(tmp_path / "one")


def test_a_pdf_without_pages_is_skipped_as_one_worker_skips_it(tmp_path, monkeypatch):
    src = tmp_path / "rong.pdf"
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    with open(src, "wb") as fh:
        writer.write(fh)
    one = index_paths([src], tmp_path / "one", jobs=1)
    monkeypatch.setenv("VNSEARCH_SPLIT_BYTES", "1")
    two = index_paths([src], tmp_path / "two", jobs=2)
    assert one.skipped == two.skipped and len(two.skipped) == 1
    assert "no text layer" in two.skipped[0]["reason"]
