"""``vnsearch check --repair`` on an index of a JSONL file indexed line by line, as a user runs it:
when the damaged segment held some of the file's lines, the next ``vnsearch index`` must re-add
exactly them, though the lines left in the index (and the file's ``scanned`` entry in
vnsearch-info.json) would say the file is up to date."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.storage import IndexWriter, audit, open_reader
from indexer.storage.checksums import latest_generation, read_manifest
from indexer.storage.reader import INDEX_NAME
from tests.reliability._helpers import check_whole, corpus_sentences, write_documents
from tests.test_cli import vnsearch

LINES = 300  # some 340 KB: several groups of lines, each committed in a round of its own


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """Generated .txt documents and a JSONL file of Vietnamese news lines, with a commit every
    20 records: the file's lines end up in several segments."""
    root = tmp_path_factory.mktemp("repair-jsonl")
    docs = root / "docs"
    write_documents(docs, 12, seed=4)
    sentences = corpus_sentences()
    with open(docs / "tin.jsonl", "w", encoding="utf-8") as fh:
        for i in range(LINES):
            text = " ".join(sentences[(i * 5 + k) % len(sentences)] for k in range(5))
            title = f"Tin số {i}: {sentences[i % len(sentences)][:50]}"
            fh.write(json.dumps({"id": f"tin-{i:03d}", "title": title, "text": text}, ensure_ascii=False) + "\n")
    out = vnsearch("index", str(docs), "--index", str(root / "ix"), "--jobs", "1", "--json",
                   env={"VNSEARCH_COMMIT_EVERY": "20"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["added"] == LINES + 12
    return root, docs


def _copy(built, name: str) -> Path:
    root, _ = built
    return Path(shutil.copytree(root / "ix", root / name))


def _segment_with_some_lines(index_dir: Path) -> tuple[str, set[str]]:
    """A segment holding some of tin.jsonl's documents, not all: (its id, their doc ids)."""
    by_segment: dict[str, set[str]] = {}
    with open_reader(index_dir) as reader:
        for seg, _ in reader.segments:
            records = [seg.document(int(local), with_text=False) for local in audit.document_records(seg)]
            by_segment[audit.segment_id(seg)] = {r.doc_id for r in records if r.path.endswith("tin.jsonl")}
    some = [(sid, ids) for sid, ids in sorted(by_segment.items()) if 0 < len(ids) < LINES]
    assert some, f"no segment holds part of the file: {[len(ids) for ids in by_segment.values()]}"
    return some[len(some) // 2]


def _search_ids(index_dir: Path, query: str) -> tuple[int, set[str]]:
    out = vnsearch("search", query, "--index", str(index_dir), "--json", "--limit", "1000")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    return data["total"], {d["doc_id"] for d in data["documents"]}


def _lost_line_query(docs: Path, lost: set[str]) -> str:
    """A phrase of the text of one of the ``lost`` lines."""
    for line in (docs / "tin.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] in lost:
            return '"' + " ".join(record["text"].split()[:6]) + '"'
    raise AssertionError("no lost line in the file")


def test_repair_of_a_segment_holding_some_jsonl_lines_loses_nothing(built):
    root, docs = built
    index_dir = _copy(built, "flipped")
    before = check_whole(index_dir)
    sid, lost = _segment_with_some_lines(index_dir)
    query = _lost_line_query(docs, lost)
    total, found = _search_ids(index_dir, query)
    assert lost & found

    # Flip bytes in the postings of that segment's file, as a failing disk would.
    manifest = read_manifest(index_dir, INDEX_NAME, latest_generation(index_dir, INDEX_NAME))
    files = manifest.segments[sid]
    part = next(p for n, p in files[0].parts.items() if n.endswith(".pst"))
    data = bytearray((index_dir / files[0].name).read_bytes())
    for i in range(part.offset + part.length // 4, part.offset + part.length // 4 + 64):
        data[i] ^= 0xFF
    (index_dir / files[0].name).write_bytes(bytes(data))

    fixed = vnsearch("check", "--index", str(index_dir), "--repair", "--json")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    repair = json.loads(fixed.stdout)["repair"]
    assert repair["repaired"] and repair["dropped"] == [sid]
    assert str(docs / "tin.jsonl") in repair["to_reindex"] and repair["documents_dropped"] >= len(lost)
    after = check_whole(index_dir)
    assert lost.isdisjoint(after.doc_ids) and after.documents == before.documents - repair["documents_dropped"]

    again = vnsearch("index", str(docs), "--index", str(index_dir), "--jobs", "1", "--json",
                     env={"VNSEARCH_COMMIT_EVERY": "20"})
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["added"] == repair["documents_dropped"] and summary["updated"] == summary["removed"] == 0
    assert (summary["documents"], summary["passages"]) == (before.documents, before.passages)
    final = check_whole(index_dir)  # no document twice, none half
    assert final.doc_ids == before.doc_ids and final.passages == before.passages
    assert _search_ids(index_dir, query) == (total, found)
    assert vnsearch("check", "--index", str(index_dir)).returncode == 0
    # And the file is up to date again: the next run reads nothing.
    last = json.loads(vnsearch("index", str(docs), "--index", str(index_dir), "--jobs", "1", "--json").stdout)
    assert (last["added"], last["unchanged"]) == (0, before.documents)


def test_lines_dropped_behind_the_scan_record_are_re_added(built):
    """The second guard: a segment dropped without its ``scanned`` entry being forgotten (as
    ``--repair`` did before, leaving such entries in indexes repaired then): the file has fewer
    documents in the index than its last scan left, so it is scanned again."""
    root, docs = built
    index_dir = _copy(built, "dropped")
    before = check_whole(index_dir)
    sid, lost = _segment_with_some_lines(index_dir)
    info = json.loads((index_dir / "vnsearch-info.json").read_text(encoding="utf-8"))
    assert str(docs / "tin.jsonl") in info["scanned"]
    with IndexWriter(index_dir) as writer:
        writer.drop_segments({sid})
    assert json.loads((index_dir / "vnsearch-info.json").read_text(encoding="utf-8"))["scanned"] == info["scanned"]
    assert lost.isdisjoint(check_whole(index_dir).doc_ids)

    again = vnsearch("index", str(docs), "--index", str(index_dir), "--jobs", "2", "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["added"] >= len(lost) and summary["documents"] == before.documents
    final = check_whole(index_dir)
    assert final.doc_ids == before.doc_ids and final.passages == before.passages
