"""A big JSONL file is shared out to every worker by lines, and kept up to date line by line.

Real Vietnamese text (the shipped corpus's paragraphs, one article-sized line each), real indexes
in temp dirs, the real build with worker processes.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

from indexer.build import Progress, index_paths
from indexer.documents import path_doc_id
from indexer.lines import scan_lines, share_out
from indexer.workers import blocks
from indexer.storage import open_reader
from search import search

from .conftest import CORPUS


def _paragraphs() -> list[str]:
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        out.extend(p.strip() for p in text.split("\n") if len(p.strip()) >= 200)
    return out


def _records(copies: int = 3) -> list[dict]:
    paragraphs = _paragraphs()
    return [{"id": f"bai-{c}-{i}", "title": f"Bài {c}-{i}", "text": text, "nguon": "corpus"}
            for c in range(copies) for i, text in enumerate(paragraphs)]


def _write(path: Path, records: list[dict | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def _contents(index: Path) -> dict[str, tuple]:
    with open_reader(index) as reader:
        docs = {d.doc_id: (d.title, d.text, [(p.passage_no, p.start, p.end) for p in reader.passages_of(d)])
                for d in reader.documents(with_text=True)}
    return docs


def _answers(index: Path) -> list:
    queries = ("tinh uy thai nguyen", "ủy ban nhân dân tỉnh", "\"hợp tác xã\"", "dang vien", "phòng chống thiên tai")
    return [[(h.doc_id, h.passage_no, round(h.score, 6)) for h in search(q, index=index, limit=20).hits]
            for q in queries]


def test_a_big_jsonl_is_shared_out_and_indexes_as_one_worker_would(tmp_path: Path):
    src = _write(tmp_path / "news.jsonl", _records())
    groups = share_out(scan_lines(src).lines, jobs=2)
    assert len(groups) >= 3  # work for both workers, not one task for the file
    seen: list[dict] = []
    one = index_paths([src], tmp_path / "one", jobs=1)
    two = index_paths([src], tmp_path / "two", jobs=2, progress=lambda p: seen.append(vars(p).copy()))
    assert one.added == two.added == len(_records()) and one.passages == two.passages
    assert _contents(tmp_path / "one") == _contents(tmp_path / "two")
    assert _answers(tmp_path / "one") == _answers(tmp_path / "two")
    assert any(a for a in _answers(tmp_path / "two"))
    # Progress moves inside the file, counted in documents and bytes out of known totals.
    assert len(seen) == len(groups)
    assert seen[0]["documents_total"] == len(_records()) and 0 < seen[0]["documents_done"] < len(_records())
    assert seen[-1]["documents_done"] == seen[-1]["documents_total"]
    assert seen[-1]["bytes_done"] == seen[-1]["bytes_total"] > 100_000


def test_a_changed_line_reindexes_that_document_only(tmp_path: Path):
    records = _records(copies=1)
    src = _write(tmp_path / "news.jsonl", records)
    index = tmp_path / "ix"
    first = index_paths([src], index, jobs=2)
    assert first.added == len(records)

    changed = dict(records[3], text="Sở Giáo dục và Đào tạo Cà Mau tổ chức hội thi giáo viên dạy giỏi cấp tỉnh.")
    removed = records[5]
    added = {"id": "moi-1", "title": "Tin mới", "text": "Khu di tích Óc Eo ở An Giang được công nhận là di sản đặc biệt."}
    _write(src, records[:3] + [changed, records[4]] + records[6:] + [added])
    seen: list[Progress] = []
    second = index_paths([src], index, jobs=2, progress=lambda p: seen.append(p))
    assert (second.added, second.updated, second.removed) == (1, 1, 1)
    assert second.unchanged == len(records) - 2
    assert seen and seen[-1].documents_total == 2  # only the two changed lines were analyzed
    assert second.documents == len(records)
    assert search("hoi thi giao vien day gioi ca mau", index=index).hits[0].doc_id == records[3]["id"]
    assert search("di tich oc eo an giang", index=index).hits[0].doc_id == "moi-1"
    with open_reader(index) as reader:
        ids = {d.doc_id for d in reader.documents()}
        assert removed["id"] not in ids and records[3]["id"] in ids
        new = reader.find_document(records[3]["id"])
        assert "hội thi giáo viên" in new.text and len(reader.passages_of(new)) == 1

    third = index_paths([src], index, jobs=2)  # nothing changed since: nothing to do
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 0, 0, len(records))


def test_lines_without_ids_are_named_by_line_number_however_shared_out(tmp_path: Path):
    paragraphs = _paragraphs()[:40]
    lines: list[dict | str] = [{"text": t} for t in paragraphs[:20]] + ["", "{hỏng"] + [{"text": t} for t in paragraphs[20:]]
    src = _write(tmp_path / "khong-id.jsonl", lines)
    base = path_doc_id(str(src))
    expected = {f"{base}:{n}" for n, line in enumerate(lines) if isinstance(line, dict)}
    for jobs in (1, 2):
        summary = index_paths([src], tmp_path / f"ix{jobs}", jobs=jobs)
        assert [s["reason"] for s in summary.skipped] == ["line 22: invalid JSON (Expecting property name enclosed in double quotes)"]
        with open_reader(tmp_path / f"ix{jobs}") as reader:
            assert {d.doc_id for d in reader.documents()} == expected


def test_decomposed_text_after_an_escaped_line_break_is_read(tmp_path: Path):
    # Seen in vietnews-val: a line break followed by a combining mark. Composing the raw JSON
    # turned the escape "\n" + U+0300 into "\ǹ", an invalid escape, and the article was lost.
    text = unicodedata.normalize("NFD", "Thí điểm thu phí tự động\n\u0300không dừng trên quốc lộ 1 qua Hà Nội")
    src = _write(tmp_path / "nfd.jsonl", [{"id": "nfd-1", "text": text}])
    summary = index_paths([src], tmp_path / "ix", jobs=1)
    assert summary.added == 1 and summary.skipped == []
    assert search("thu phí tự động không dừng", index=tmp_path / "ix").hits[0].doc_id == "nfd-1"


def test_a_file_whose_lines_are_all_bad_is_skipped_with_the_reason(tmp_path: Path):
    src = _write(tmp_path / "hong.jsonl", ['{"text": 1}', "không phải json", "[1, 2]"])
    summary = index_paths([src], tmp_path / "ix", jobs=2)
    assert summary.added == 0
    assert {"path": str(src), "reason": "no valid JSON lines (3 malformed)"} in summary.skipped


def test_one_file_or_several_give_the_same_answers(tmp_path: Path):
    records = _records(copies=2)
    (tmp_path / "one").mkdir()
    one = _write(tmp_path / "one" / "all.jsonl", records)
    (tmp_path / "parts").mkdir()
    third = len(records) // 3
    for i, part in enumerate((records[:third], records[third:2 * third], records[2 * third:])):
        _write(tmp_path / "parts" / f"part-{i}.jsonl", part)
    index_paths([one], tmp_path / "ix-one", jobs=2)
    index_paths([tmp_path / "parts"], tmp_path / "ix-parts", jobs=1)
    assert _contents(tmp_path / "ix-one") == _contents(tmp_path / "ix-parts")
    assert _answers(tmp_path / "ix-one") == _answers(tmp_path / "ix-parts")


def test_a_named_pipe_called_jsonl_is_skipped_not_waited_on(tmp_path: Path):
    import os
    import subprocess
    import sys

    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs / "tin.jsonl", _records(copies=1)[:3])
    os.mkfifo(docs / "ong.jsonl")
    out = subprocess.run([sys.executable, "-m", "vnsearch", "index", str(docs), "--index", str(tmp_path / "ix"), "--json"],
                         capture_output=True, text=True, timeout=120)  # opening the pipe would block for ever
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["added"] == 3
    assert {"path": str(docs / "ong.jsonl"), "reason": "not a regular file (named pipe)"} in summary["skipped"]


def test_a_partly_changed_file_is_not_scanned_again_on_the_next_run(tmp_path: Path):
    records = _records(copies=1)
    src = _write(tmp_path / "news.jsonl", records)
    index = tmp_path / "ix"
    index_paths([src], index, jobs=1)
    changed = dict(records[2], text="Tỉnh Lâm Đồng khai mạc lễ hội hoa Đà Lạt lần thứ mười.")
    _write(src, records[:2] + [changed] + records[3:])
    second = index_paths([src], index, jobs=1)
    assert (second.updated, second.unchanged) == (1, len(records) - 1)
    # The unchanged lines' records still hold the file's old mtime; the file is up to date all the same.
    seen: list[Progress] = []
    third = index_paths([src], index, jobs=1, progress=lambda p: seen.append(p))
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 0, 0, len(records))
    assert seen == []  # nothing read: no task for the file at all
    # Touched again, it is scanned (and nothing re-analyzed); edited again, the edit is found.
    _write(src, records[:2] + [changed] + records[3:])
    fourth = index_paths([src], index, jobs=1, progress=lambda p: seen.append(p))
    assert seen and seen[-1].documents_total == 0 and fourth.unchanged == len(records)
    assert index_paths([src], index, jobs=1, progress=lambda p: seen.append(p)).unchanged == len(records)
    assert len(seen) == 1


def test_a_build_interrupted_inside_a_jsonl_file_finishes_it_on_the_next_run(tmp_path: Path):
    records = _records(copies=3)
    src = _write(tmp_path / "news.jsonl", records)
    index = tmp_path / "ix"
    calls: list[int] = []

    def stop_halfway(progress: Progress) -> None:
        calls.append(progress.documents_done)
        if len(calls) == 2:  # one group of lines done and committed, the second analyzed
            raise KeyboardInterrupt

    try:
        index_paths([src], index, jobs=2, commit_every=10, progress=stop_halfway)
    except KeyboardInterrupt:
        pass
    with open_reader(index) as reader:
        kept = reader.counts()[0]
    assert 0 < kept < len(records)  # part of the file was committed, with the file's current stat
    again = index_paths([src], index, jobs=2)
    assert again.added == len(records) - kept and again.unchanged == kept
    assert set(_contents(index)) == {r["id"] for r in records}


def test_each_worker_writes_a_segment_and_the_answers_do_not_depend_on_how_many(tmp_path: Path):
    records = _records(copies=2)
    (tmp_path / "parts").mkdir()
    for i in range(0, len(records), 20):
        _write(tmp_path / "parts" / f"part-{i // 20:02d}.jsonl", records[i:i + 20])
    for jobs in (1, 3):
        summary = index_paths([tmp_path / "parts"], tmp_path / f"ix{jobs}", jobs=jobs)
        assert summary.added == len(records)
        with open_reader(tmp_path / f"ix{jobs}") as reader:
            # One round (the files are small): one segment per worker, committed together.
            assert len(reader.segments) == jobs
    assert _contents(tmp_path / "ix1") == _contents(tmp_path / "ix3")
    assert _answers(tmp_path / "ix1") == _answers(tmp_path / "ix3")


def test_an_id_taken_in_another_workers_segment_is_dropped_before_the_commit(tmp_path: Path):
    from indexer.check import check_index

    records = _records(copies=1)
    clashing = [dict(r, text="Mưa lớn kéo dài khiến nhiều tuyến đường ở thành phố Huế ngập sâu.") for r in records]
    a = _write(tmp_path / "a.jsonl", records)
    b = _write(tmp_path / "b.jsonl", clashing)  # the same ids, in the second worker's block
    summary = index_paths([a, b], tmp_path / "ix", jobs=2)
    assert summary.added == len(records) and summary.documents == len(records)
    assert len(summary.skipped) == len(records)
    assert all("duplicate document id" in s["reason"] for s in summary.skipped)
    with open_reader(tmp_path / "ix") as reader:
        assert len(reader.segments) == 2 and reader.counts() == (len(records), summary.passages)
    hits = search("mưa lớn kéo dài khiến nhiều tuyến đường ở thành phố Huế ngập sâu", index=tmp_path / "ix").hits
    assert hits and all(Path(h.source).name == "a.jsonl" for h in hits)  # nothing of b.jsonl's text
    assert _contents(tmp_path / "ix") == _contents(_only(tmp_path, a))
    assert check_index(tmp_path / "ix").ok


def _only(tmp_path: Path, src: Path) -> Path:
    index_paths([src], tmp_path / "ix-only", jobs=1)
    return tmp_path / "ix-only"


def test_a_rounds_blocks_are_about_equal_in_bytes():
    """Each worker's block of a round is cut on the side of a task that leaves the blocks
    closer in bytes, and keeps the tasks' order: a round waits for its last block."""
    def cut(sizes: list[int], jobs: int) -> list[list[int]]:
        return [[sizes[t] for t in block] for block in blocks(list(range(len(sizes))), sizes, jobs)]

    assert cut([3, 3, 8, 2], 2) == [[3, 3], [8, 2]]  # cutting after the 8 would leave 14 against 2
    assert cut([5, 5, 10], 2) == [[5, 5], [10]]
    assert cut([1], 4) == [[1]] and cut([], 2) == []
    rng = random.Random(5)
    for _ in range(300):
        sizes = [rng.randint(1, 100) for _ in range(rng.randint(1, 40))]
        jobs = rng.randint(1, 4)
        out = blocks(list(range(len(sizes))), sizes, jobs)
        assert [t for block in out for t in block] == list(range(len(sizes))) and all(out) and len(out) <= jobs
        if len(sizes) >= 4 * jobs:  # enough tasks to share: no block is more than its share and a task off
            for block in out:
                assert abs(sum(sizes[t] for t in block) - sum(sizes) / len(out)) <= 2 * max(sizes)


def test_a_big_jsonl_is_shared_out_in_groups_of_at_most_a_quarter_megabyte(tmp_path: Path):
    """A group is at most what a worker's blocks may differ by: one worker, 2.4 MB of lines (a
    quarter of the file each would be 600 KB), still groups of 256 KB."""
    src = _write(tmp_path / "news.jsonl", _records(copies=40))
    lines = scan_lines(src).lines
    groups = share_out(lines, jobs=1)
    assert sum(line.length for line in lines) > 2 << 20 and len(groups) >= 9
    assert [line for group in groups for line in group] == lines
    assert all(sum(line.length for line in group) <= (256 << 10) + max(line.length for line in lines) for group in groups)
