"""``vnsearch check`` as a user runs it: a real subprocess on real indexes, healthy, older, with
bytes flipped on disk, and with records broken on purpose; ``--repair`` and the run after it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.storage import IndexWriter, open_reader
from indexer.storage.checksums import latest_generation, read_manifest
from indexer.storage.reader import INDEX_NAME
from tests.reliability._helpers import check_whole, write_documents
from tests.test_cli import CORPUS, vnsearch

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release-0.1-index" / "index"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The corpus and 60 generated documents, in several segments (a commit every 40 records)."""
    root = tmp_path_factory.mktemp("check")
    docs = root / "docs"
    write_documents(docs, 60, seed=3)
    out = vnsearch("index", str(CORPUS), str(docs), "--index", str(root / "ix"), "--jobs", "1", "--json",
                   env={"VNSEARCH_COMMIT_EVERY": "40"})
    assert out.returncode == 0, out.stderr
    return root, docs


def _copy(built, name: str) -> Path:
    root, _ = built
    return Path(shutil.copytree(root / "ix", root / name))


def test_a_healthy_index_passes(built):
    root, _ = built
    out = vnsearch("check", "--index", str(root / "ix"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "checksums: ok, every file verified in full" in out.stdout and "no problems found" in out.stdout
    data = json.loads(vnsearch("check", "--index", str(root / "ix"), "--json").stdout)
    with open_reader(root / "ix") as reader:
        assert (data["documents"], data["passages"]) == reader.counts() == (65, data["passages"])
        assert len(data["segments"]) == len(reader.segments) > 1
    assert data["ok"] and data["checksums"] == "ok" and not data["problems"]


def test_an_older_index_passes_without_checksums(tmp_path):
    index_dir = shutil.copytree(FIXTURE, tmp_path / "old")
    out = vnsearch("check", "--index", str(index_dir))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no checksums (written by an older version)" in out.stdout


def test_flipped_bytes_are_found_repaired_and_re_added(built):
    root, docs = built
    index_dir = _copy(built, "flipped")
    before = check_whole(index_dir)
    manifest = read_manifest(index_dir, INDEX_NAME, latest_generation(index_dir, INDEX_NAME))
    sid, files = sorted(manifest.segments.items())[0]
    part = next(p for n, p in files[0].parts.items() if n.endswith(".pst"))
    data = bytearray((index_dir / files[0].name).read_bytes())
    for i in range(part.offset + part.length // 4, part.offset + part.length // 4 + 64):
        data[i] ^= 0xFF
    (index_dir / files[0].name).write_bytes(bytes(data))

    search = vnsearch("search", "kinh tế", "--index", str(index_dir))
    assert search.returncode == 1 and "Traceback" not in search.stderr
    assert search.stderr.count("\n") == 1 and f"{files[0].name}, part .pst (the postings), fails its checksum" in search.stderr

    out = vnsearch("check", "--index", str(index_dir))
    assert out.returncode == 1 and "DAMAGED" in out.stdout and files[0].name in out.stdout

    fixed = vnsearch("check", "--index", str(index_dir), "--repair", "--json")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    repair = json.loads(fixed.stdout)["repair"]
    assert repair["repaired"] and repair["dropped"] == [sid] and repair["documents_dropped"] > 0
    assert len(repair["to_reindex"]) == repair["documents_dropped"] and not repair["unreadable"]
    after = check_whole(index_dir)
    assert after.doc_ids < before.doc_ids and len(before.doc_ids - after.doc_ids) == repair["documents_dropped"]
    assert {str(Path(p)) for p in repair["to_reindex"]} == {p for p in before.paths - after.paths}
    assert vnsearch("check", "--index", str(index_dir)).returncode == 0

    # the same command as before re-adds exactly the dropped documents
    again = vnsearch("index", str(CORPUS), str(docs), "--index", str(index_dir), "--jobs", "1", "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["added"] == repair["documents_dropped"] and summary["updated"] == 0
    assert summary["unchanged"] == len(after.doc_ids)
    final = check_whole(index_dir)  # no document twice, none half
    assert final.doc_ids == before.doc_ids and final.passages == before.passages
    assert vnsearch("check", "--index", str(index_dir)).returncode == 0


def test_records_broken_behind_the_checksums_back_are_found(built):
    # The writer itself drops a passage (as a bug would): every checksum matches, the records do not.
    root, docs = built
    index_dir = _copy(built, "broken")
    with open_reader(index_dir) as reader:
        victim = next(reader.documents())
        passage = reader.passages_of(victim)[0].docnum
    with IndexWriter(index_dir) as writer:
        writer.delete_record(passage)
        writer.commit()
    out = vnsearch("check", "--index", str(index_dir), "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["checksums"] == "ok" and not report["ok"]
    problems = [p for s in report["segments"] for p in s["problems"]]
    assert any(p.startswith(f"document {victim.doc_id}: its record says") for p in problems), problems

    fixed = vnsearch("check", "--index", str(index_dir), "--repair")
    assert fixed.returncode == 0 and f"to re-index: {victim.path}" in fixed.stdout
    assert "re-add them with: vnsearch index" in fixed.stdout
    again = vnsearch("index", str(CORPUS), str(docs), "--index", str(index_dir), "--jobs", "1", "--json")
    assert json.loads(again.stdout)["added"] >= 1
    assert vnsearch("check", "--index", str(index_dir)).returncode == 0
    assert victim.doc_id in check_whole(index_dir).doc_ids


def test_no_index_is_one_line(tmp_path):
    out = vnsearch("check", "--index", str(tmp_path / "nothing"))
    assert out.returncode == 1 and out.stderr.strip() == f"vnsearch: no vnsearch index at {tmp_path / 'nothing'}"


def test_serve_answers_a_damaged_index_with_one_line(built, tmp_path):
    # The stored records are verified on first read: the server starts, its first search stops.
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    index_dir = _copy(built, "served")
    manifest = read_manifest(index_dir, INDEX_NAME, latest_generation(index_dir, INDEX_NAME))
    files = sorted(manifest.segments.items())[0][1]
    part = next(p for n, p in files[0].parts.items() if n.endswith("_stored.col"))
    data = bytearray((index_dir / files[0].name).read_bytes())
    data[part.offset + part.length // 2] ^= 0x01
    (index_dir / files[0].name).write_bytes(bytes(data))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "vnsearch", "serve", "--index", str(index_dir), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=Path(__file__).parents[1])

    def get(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get("/api/search?" + urllib.parse.urlencode({"q": "kinh tế"}))
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
                time.sleep(0.2)
        assert status == 503
        error = json.loads(body)["error"]
        assert f"{files[0].name}, part _stored.col (the stored records), fails its checksum" in error
        status, page = get("/?" + urllib.parse.urlencode({"q": "kinh tế"}))
        assert status == 503 and "fails its checksum" in page and "Traceback" not in page
    finally:
        server.terminate()
        server.wait(timeout=30)


def _add_with_spans(index_dir: Path, name: str, change) -> str:
    """Add one document of the corpus through the storage's own writer, its record's list of
    passage spans changed by ``change`` (as a bug in the writer would); returns its id."""
    from indexer.documents import analyze_document
    from indexer.readers import RawDocument
    from indexer.storage import encode

    text = sorted(CORPUS.glob("*.txt"))[1].read_text(encoding="utf-8")
    encoded = encode(analyze_document(RawDocument(None, None, text), f"/nowhere/{name}.txt", name))
    assert len(encoded.spans) >= 3
    encoded.spans = change(list(encoded.spans))
    with IndexWriter(index_dir) as writer:
        writer.add(encoded)
        writer.commit()
    return name


def _one_problem_line(index_dir: Path, expected: str) -> str:
    out = vnsearch("check", "--index", str(index_dir))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr and "DAMAGED" in out.stdout
    lines = [line for line in out.stdout.splitlines() if expected in line]
    assert len(lines) == 1, out.stdout
    return lines[0]


def test_an_empty_passage_span_on_a_document_record_is_found(built):
    # Its passages store nothing: the span on the document's record is all there is of them.
    index_dir = _copy(built, "empty-span")
    doc_id = _add_with_spans(index_dir, "rong", lambda spans: spans[:1] + [(spans[1][0], spans[1][1], spans[1][1])] + spans[2:])
    line = _one_problem_line(index_dir, f"of {doc_id} (passage 1) has an empty span")
    assert "in its document's record" in line
    report = json.loads(vnsearch("check", "--index", str(index_dir), "--json").stdout)
    assert not report["ok"] and report["checksums"] == "ok"


def test_a_document_record_with_fewer_spans_than_passages_is_found(built):
    index_dir = _copy(built, "short-spans")
    doc_id = _add_with_spans(index_dir, "thieu", lambda spans: spans[:-1])
    with open_reader(index_dir) as reader:
        record = reader.find_document(doc_id)
        n = int(record.meta["passages"])
    line = _one_problem_line(index_dir, f"document {doc_id}: its record lists {n} passage spans, {n + 1} passage records follow it")
    assert line.strip().startswith(f"document {doc_id}")
    _one_problem_line(index_dir, f"of {doc_id} has no span in its document's record")  # the last passage


def test_an_index_with_deleted_documents_left_in_place_passes(tmp_path):
    """An ordinary incremental update deletes documents whose records stay until a merge drops
    them (under the merge policy's share of deleted records). Their passages follow their own
    deleted record: ``check`` counted them as the live document's before it, called a healthy
    index damaged, and ``--repair`` would have dropped the segment with its live documents."""
    docs = tmp_path / "docs"
    write_documents(docs, 80, seed=11)
    index = tmp_path / "ix"
    assert vnsearch("index", str(docs), "--index", str(index), "--jobs", "1").returncode == 0
    for path in sorted(docs.rglob("*.txt"))[10:16]:  # a run of consecutive documents, deleted
        path.unlink()
    out = vnsearch("index", str(docs), "--index", str(index), "--jobs", "1", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["removed"] == 6
    with open_reader(index) as reader:
        assert any(seg.deleted() is not None and seg.deleted().any() for seg, _ in reader.segments)
    data = json.loads(vnsearch("check", "--index", str(index), "--json").stdout)
    assert data["ok"] and not data["problems"] and not any(s["problems"] for s in data["segments"]), data
    assert data["documents"] == 74
