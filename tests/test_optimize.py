"""``vnsearch optimize`` as a user runs it: a real subprocess merging a real index of several
segments into one. Searches answer the same before and after (every hit, score and highlight);
deleted records are expunged; Ctrl-C and SIGKILL as the merge starts, and SIGKILL while it writes
the merged segment, leave the last commit whole."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.storage import open_reader
from tests._answers import every_answer
from tests.reliability._helpers import (CORPUS, REPO, check_search, check_whole, run_indexer, uncommitted_files,
                                        write_documents)
from tests.test_cli import vnsearch

QUERIES = ("tinh uy thai nguyen", "Tỉnh uỷ Thái Nguyên", "UBND tỉnh", "tinhr uyr", "đảng", "kinh tế xã hội",
           '"phát triển"', "giáo dục -đào")


def _answers(index_dir: Path) -> list:
    return every_answer(index_dir, QUERIES, limit=20)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The corpus and 300 generated documents in several segments (a commit every 150 records)."""
    root = tmp_path_factory.mktemp("optimize")
    docs = root / "docs"
    write_documents(docs, 300, seed=5)
    assert run_indexer([CORPUS, docs], root / "ix", commit_every=150, jobs=2)["documents"] == 305
    return root, docs


def _segments(index_dir: Path) -> int:
    with open_reader(index_dir) as reader:
        return len(reader.segments)


def test_optimize_merges_every_segment_into_one_and_answers_the_same(built, tmp_path):
    root, _ = built
    index_dir = Path(shutil.copytree(root / "ix", tmp_path / "ix"))
    segments = _segments(index_dir)
    assert segments > 2
    before, state = _answers(index_dir), check_whole(index_dir)
    assert sum(len(hits) for *_, hits in before) > 0  # the queries find something

    out = vnsearch("optimize", "--index", str(index_dir), "--json")
    assert out.returncode == 0, out.stderr
    done = json.loads(out.stdout)
    assert (done["segments_before"], done["segments_after"], done["merged"]) == (segments, 1, True)
    assert (done["documents"], done["deleted_before"]) == (305, 0)
    assert _segments(index_dir) == 1 and uncommitted_files(index_dir) == []
    after = check_whole(index_dir)
    assert (after.documents, after.passages, after.doc_ids) == (state.documents, state.passages, state.doc_ids)
    assert _answers(index_dir) == before
    check = vnsearch("check", "--index", str(index_dir))
    assert check.returncode == 0 and "no problems found" in check.stdout, check.stdout + check.stderr

    again = vnsearch("optimize", "--index", str(index_dir))
    assert again.returncode == 0 and "one segment already" in again.stdout, again.stdout + again.stderr


def test_optimize_expunges_the_records_a_later_run_deleted(built, tmp_path):
    _, docs = built
    index_dir = tmp_path / "ix"
    mine = Path(shutil.copytree(docs, tmp_path / "docs"))  # its own files, to delete some of
    assert run_indexer([CORPUS, mine], index_dir, commit_every=150, jobs=2)["documents"] == 305
    # One file in ten: no segment loses the share that has a commit merge it (``merges.DELETED_SHARE``).
    gone = sorted(mine.rglob("*.txt"))[::10]
    for path in gone:
        path.unlink()
    assert run_indexer([CORPUS, mine], index_dir, commit_every=150, jobs=1)["documents"] == 275
    with open_reader(index_dir) as reader:
        deleted = int((~reader.live()).sum())
    assert deleted > 0

    out = vnsearch("optimize", "--index", str(index_dir))
    assert out.returncode == 0, out.stderr
    assert f"({deleted:,} deleted records) into 1" in out.stdout, out.stdout
    with open_reader(index_dir) as reader:
        assert len(reader.segments) == 1 and reader.live().all()
        assert reader.counts()[0] == 275
    state = check_whole(index_dir)
    assert state.documents == 275
    assert not any(doc_id.startswith(path.stem + "-") for path in gone for doc_id in state.doc_ids)
    assert any(doc_id.startswith(sorted(mine.rglob("*.txt"))[1].stem + "-") for doc_id in state.doc_ids)
    assert check_search(index_dir, state) > 0


def _started(index_dir: Path) -> bool:
    """The merge has opened its segment writer (its first files are in the folder)."""
    return bool(uncommitted_files(index_dir))


def _writing(index_dir: Path) -> bool:
    """The merge has read the segments and is writing the merged one (its columns and more)."""
    return len(uncommitted_files(index_dir)) > 3


@pytest.mark.parametrize("sig, when", [(signal.SIGINT, _started), (signal.SIGKILL, _started), (signal.SIGKILL, _writing)],
                         ids=["ctrl-c", "sigkill", "sigkill-while-writing"])
def test_an_interrupted_optimize_leaves_the_last_commit(built, tmp_path, sig, when):
    root, _ = built
    index_dir = Path(shutil.copytree(root / "ix", tmp_path / "ix"))
    segments, before = _segments(index_dir), check_whole(index_dir)
    answers = _answers(index_dir)
    proc = subprocess.Popen([sys.executable, "-m", "vnsearch", "optimize", "--index", str(index_dir)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and not when(index_dir):
            time.sleep(0.002)
        assert proc.poll() is None, "the merge ended before it could be interrupted"
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    if sig == signal.SIGINT:
        assert proc.returncode == 1 and "vnsearch: interrupted: the index keeps its last committed state" in err, err
        assert "Traceback" not in err and uncommitted_files(index_dir) == []
    else:
        assert proc.returncode == -signal.SIGKILL
    after = check_whole(index_dir)
    assert (after.documents, after.passages, after.doc_ids) == (before.documents, before.passages, before.doc_ids)
    assert _segments(index_dir) == segments and _answers(index_dir) == answers
    # The next run merges them, and clears what the killed one left.
    out = vnsearch("optimize", "--index", str(index_dir))
    assert out.returncode == 0, out.stderr
    assert _segments(index_dir) == 1 and uncommitted_files(index_dir) == [] and _answers(index_dir) == answers


def test_optimize_while_another_writer_holds_the_index_says_so_and_changes_nothing(built, tmp_path):
    from indexer.storage import IndexWriter

    root, _ = built
    index_dir = Path(shutil.copytree(root / "ix", tmp_path / "ix"))
    segments = _segments(index_dir)
    with IndexWriter(index_dir):  # as a running `vnsearch index` holds it
        out = vnsearch("optimize", "--index", str(index_dir))
    assert out.returncode == 1 and out.stderr.startswith("vnsearch: ") and out.stderr.count("\n") == 1, out.stderr
    assert f"process {os.getpid()}" in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert _segments(index_dir) == segments


def test_the_temporary_folder_a_killed_merge_leaves_goes_with_the_next_writer(built, tmp_path):
    """Whoosh's writer keeps a merged segment's columns in ``vnsearch.tmp`` until it finishes; a
    killed merge leaves it, and a writer that writes no segment of its own (a run that only finds
    files unchanged) must still remove it when it opens the index, as it does the workers'."""
    from indexer.storage import IndexWriter

    root, _ = built
    index_dir = Path(shutil.copytree(root / "ix", tmp_path / "ix"))
    left = index_dir / "vnsearch.tmp"
    left.mkdir()
    (left / "vnsearch_abc.ctmp").write_bytes(b"\0" * 4096)
    (index_dir / "vnsearch.tmp.12345").mkdir()  # a killed worker's
    with IndexWriter(index_dir):
        assert not left.exists() and not (index_dir / "vnsearch.tmp.12345").exists()
    assert uncommitted_files(index_dir) == [] and check_whole(index_dir).documents == 305


def test_optimize_of_an_empty_or_missing_index_says_so(tmp_path):
    from indexer.storage import IndexWriter

    with IndexWriter(tmp_path / "empty") as writer:
        writer.commit()
    out = vnsearch("optimize", "--index", str(tmp_path / "empty"))
    assert out.returncode == 0 and "is empty: nothing to merge" in out.stdout, out.stdout + out.stderr
    out = vnsearch("optimize", "--index", str(tmp_path / "nowhere"))
    assert out.returncode == 1 and out.stderr == f"vnsearch: no vnsearch index at {tmp_path / 'nowhere'}\n", out.stderr
    assert not (tmp_path / "nowhere").exists()
