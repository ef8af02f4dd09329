"""The index builder on real files: incremental updates, summaries, locking, parallel jobs."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from indexer.build import index_paths
from indexer.errors import IndexLocked
from indexer.storage.lock import index_lock
from indexer.stats import index_stats
from search import search

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(CORPUS, folder)
    return folder


def test_first_run_indexes_every_article(docs: Path, tmp_path: Path):
    summary = index_paths([docs], tmp_path / "ix", jobs=1)
    assert summary.added == 5 and summary.documents == 5
    assert summary.updated == summary.removed == summary.unchanged == 0
    assert summary.skipped == []
    assert summary.passages > 5 * 5
    hits = search("Chỉ thị 35-CT/TW", index=tmp_path / "ix").hits
    assert hits and hits[0].path.endswith("000_13f43d64bff1cfb9.txt")


def test_second_run_changes_nothing(docs: Path, tmp_path: Path):
    index_paths([docs], tmp_path / "ix", jobs=1)
    again = index_paths([docs], tmp_path / "ix", jobs=1)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)
    assert again.documents == 5


def test_changed_removed_and_new_files(docs: Path, tmp_path: Path):
    ix = tmp_path / "ix"
    first = index_paths([docs], ix, jobs=1)
    changed = docs / "002_1394acb02f79d23d.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nHợp tác xã nông nghiệp Quỳnh Lưu.\n", encoding="utf-8")
    (docs / "004_f3c1ed268efcd059.txt").unlink()
    (docs / "new.md").write_text("# Bão số 9\n\nCơn bão số 9 đổ bộ vào Quảng Ngãi.\n", encoding="utf-8")
    second = index_paths([docs], ix, jobs=1)
    assert (second.added, second.updated, second.removed, second.unchanged) == (1, 1, 1, 3)
    assert second.documents == 5
    assert second.passages != first.passages
    assert search("hop tac xa quynh luu", index=ix).hits[0].source == str(changed)
    assert search("bao so 9 quang ngai", index=ix).hits[0].title == "Bão số 9"
    assert not [h for h in search("Đảng", index=ix, limit=50).hits if h.path.endswith("004_f3c1ed268efcd059.txt")]


def test_touched_but_identical_file_is_unchanged(docs: Path, tmp_path: Path):
    ix = tmp_path / "ix"
    index_paths([docs], ix, jobs=1)
    target = docs / "001_867808e4786f0d5e.txt"
    before = search("Đảng", index=ix, limit=10).documents()
    later = time.time() + 10
    os.utime(target, (later, later))
    summary = index_paths([docs], ix, jobs=1)
    assert (summary.updated, summary.unchanged) == (0, 5)
    after = search("Đảng", index=ix, limit=10).documents()
    assert [(d.doc_id, d.title, len(d.passages)) for d in after] == [(d.doc_id, d.title, len(d.passages)) for d in before]
    assert index_paths([docs], ix, jobs=1).unchanged == 5


def test_parallel_jobs_give_the_same_index(docs: Path, tmp_path: Path):
    one = index_paths([docs], tmp_path / "one", jobs=1)
    two = index_paths([docs], tmp_path / "two", jobs=2)
    assert (one.documents, one.passages) == (two.documents, two.passages)
    for query in ("tinh uy thai nguyen", "kết nạp đảng viên", "GRDP", '"thái nguyên" -đảng'):
        for mode, exact in (("documents", False), ("passages", False), ("documents", True)):
            a = search(query, index=tmp_path / "one", limit=5, mode=mode, exact=exact).to_dict()
            b = search(query, index=tmp_path / "two", limit=5, mode=mode, exact=exact).to_dict()
            a.pop("took_ms"), b.pop("took_ms")
            assert a == b


def test_rebuild_replaces_everything(docs: Path, tmp_path: Path):
    ix = tmp_path / "ix"
    index_paths([docs], ix, jobs=1)
    summary = index_paths([docs], ix, jobs=1, rebuild=True)
    assert summary.added == 5 and summary.documents == 5


def test_skipped_files_are_reported_and_the_rest_indexed(docs: Path, tmp_path: Path):
    (docs / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "notes.html").write_text(
        "<html><head><title>Hội nghị</title></head><body><nav>Trang chủ | Liên hệ</nav>"
        "<article><p>Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ ba đã bế mạc chiều nay sau hai ngày "
        "làm việc khẩn trương, nghiêm túc và đạt nhiều kết quả quan trọng.</p></article></body></html>",
        encoding="utf-8",
    )
    summary = index_paths([docs, tmp_path / "missing"], tmp_path / "ix", jobs=1)
    reasons = {Path(s["path"]).name: s["reason"] for s in summary.skipped}
    assert set(reasons) == {"blob.txt", "empty.txt", "missing"}
    assert "binary" in reasons["blob.txt"] and "empty" in reasons["empty.txt"]
    assert summary.added == 6
    assert search("hoi nghi ban chap hanh be mac", index=tmp_path / "ix").hits[0].title == "Hội nghị"


def test_jsonl_lines_become_documents_with_their_ids(tmp_path: Path):
    src = tmp_path / "news.jsonl"
    lines = [
        {"id": "vn-1", "title": "Giá xăng giảm", "text": "Giá xăng RON 95 giảm 500 đồng mỗi lít từ 15 giờ chiều nay.", "source": "VnE"},
        {"id": "vn-2", "title": "Mưa lớn ở Huế", "text": "Mưa lớn kéo dài khiến nhiều tuyến đường ở Thừa Thiên Huế ngập sâu."},
    ]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{không phải json\n", encoding="utf-8")
    summary = index_paths([src], tmp_path / "ix", jobs=1)
    assert summary.added == 2
    assert len(summary.skipped) == 1 and summary.skipped[0]["path"] == str(src)
    assert "line 3" in summary.skipped[0]["reason"]
    hit = search("gia xang ron 95", index=tmp_path / "ix").hits[0]
    assert hit.doc_id == "vn-1" and hit.title == "Giá xăng giảm"


def test_second_indexer_is_told_who_holds_the_lock(docs: Path, tmp_path: Path):
    ix = tmp_path / "ix"
    with index_lock(ix):
        with pytest.raises(IndexLocked) as err:
            index_paths([docs], ix, jobs=1)
    assert f"process {os.getpid()}" in str(err.value)
    assert index_paths([docs], ix, jobs=1).added == 5


def test_stats_describe_the_index(docs: Path, tmp_path: Path):
    ix = tmp_path / "ix"
    summary = index_paths([docs], ix, jobs=1)
    stats = index_stats(ix)
    assert stats["documents"] == 5 and stats["passages"] == summary.passages
    assert stats["size_bytes"] > 10_000
    assert stats["paths"] == [str(docs)]
    assert stats["created"] and stats["updated"]


def test_duplicate_jsonl_ids_are_skipped_with_a_reason(tmp_path: Path):
    first = {"id": "tin-1", "title": "Giá xăng giảm", "text": "Giá xăng RON 95 giảm 500 đồng mỗi lít."}
    clash = {"id": "tin-1", "title": "Mưa lớn ở Huế", "text": "Mưa lớn khiến nhiều tuyến đường ở Huế ngập sâu."}
    (tmp_path / "a.jsonl").write_text(json.dumps(first, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps(clash, ensure_ascii=False) + "\n" + json.dumps(clash, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = index_paths([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], tmp_path / "ix", jobs=1)
    assert summary.added == 1 and summary.documents == 1
    assert [s["reason"] for s in summary.skipped] == [f"duplicate document id 'tin-1' (already used in {tmp_path / 'a.jsonl'})"] * 2
    assert not search("mua lon hue", index=tmp_path / "ix").hits
    again = index_paths([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], tmp_path / "ix", jobs=1)
    assert again.documents == 1 and again.unchanged == 1


def test_hits_carry_their_documents_metadata_after_an_update(docs: Path, tmp_path: Path):
    """Path, title and date are stored once per document; every hit and the document page read
    them from its document, before and after the file changes."""
    from search.documents import get_document

    ix = tmp_path / "ix"
    target = docs / "new.md"
    target.write_text("# Bão số 9\n\nNgày 29/09/2020, cơn bão số 9 đổ bộ vào Quảng Ngãi.\n", encoding="utf-8")
    index_paths([docs], ix, jobs=1)
    hit = search("bao so 9 quang ngai", index=ix).hits[0]
    assert (hit.source, hit.path, hit.title, hit.date) == (str(target), "docs/new.md", "Bão số 9", "2020-09-29")
    target.write_text("# Bão số 10\n\nNgày 2/10/2020, cơn bão số 10 đổ bộ vào Quảng Ngãi.\n\n"
                      + "Mưa lớn kéo dài ở Quảng Ngãi. " * 40 + "\n", encoding="utf-8")
    assert index_paths([docs], ix, jobs=1).updated == 1
    hits = search("bao quang ngai", index=ix, limit=20).hits
    mine = [h for h in hits if h.source == str(target)]
    assert mine and all((h.title, h.date) == ("Bão số 10", "2020-10-02") for h in mine)
    others = [h for h in search("Đảng", index=ix, limit=20).hits]
    assert others and all(h.source.startswith(str(docs)) and h.source != str(target) and h.title for h in others)
    doc = get_document(mine[0].doc_id, index=ix)
    assert (doc.source, doc.path, doc.title, doc.date) == (str(target), "docs/new.md", "Bão số 10", "2020-10-02")
    from indexer.storage import open_reader

    with open_reader(ix) as reader:
        segment, base = reader.segments[0]
        first = next(reader.passages())
        passage = segment.stored(first - base)
        record = segment.stored(segment.owner(first - base))
        # A passage stores nothing; its document's record holds its number and span, once.
        found = reader.passage(first)
        assert passage == {} and record["spans"][0] == (found.passage_no, found.start, found.end)


@pytest.mark.parametrize("jobs", [1, 2])
def test_ready_made_documents_without_ids_get_one_each(tmp_path: Path, jobs: int):
    """``index_documents`` numbers documents without an id by their place in the input: batches of
    64 used to restart at 0, so the 65th document replaced the first one's id."""
    from indexer.build import index_documents
    from indexer.readers import RawDocument
    from search.documents import get_document

    raws = [RawDocument(None, f"Bản tin số {i}", f"Bản tin số {i}\n\nXã Tân Lập số {i} tổ chức hội nghị nông dân.")
            for i in range(150)]
    summary = index_documents(raws, tmp_path / "ix", jobs=jobs, batch=64)
    assert (summary.added, summary.documents) == (150, 150)
    hits = search("hội nghị nông dân", index=tmp_path / "ix", limit=100).hits
    assert len({h.doc_id for h in hits}) == 100
    for i in (0, 64, 65, 149):
        doc = get_document(f"doc-{i}", index=tmp_path / "ix")
        assert doc is not None and doc.title == f"Bản tin số {i}"
