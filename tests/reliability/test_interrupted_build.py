"""A build interrupted between two commits (Ctrl-C of a real ``vnsearch index --rebuild``, whose
one commit comes at the end) must delete the segments its workers wrote for the commit that never
came: at scale they are a whole rebuild's worth of disk. The last good index stays as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from ._helpers import (CORPUS, REPO, check_search, check_whole, indexer_command, indexer_env, run_indexer,
                       uncommitted_files, write_documents)


def _size(index_dir) -> int:
    return sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file())


def _rebuild_then(docs, index_dir, act) -> tuple[subprocess.Popen, str]:
    """Start a real ``vnsearch index --rebuild`` with two workers, ``act(proc)`` once a worker
    has finished a segment for the rebuild's commit, and return the process and its stderr."""
    proc = subprocess.Popen(indexer_command([CORPUS, docs], index_dir, jobs=2) + ["--rebuild"], cwd=REPO,
                            env=indexer_env(200), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(name.endswith(".seg") for name in uncommitted_files(index_dir)):
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the rebuild ended before it could be interrupted"
        act(proc)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return proc, err


def test_ctrl_c_during_a_rebuild_leaves_no_uncommitted_segment(tmp_path):
    docs = tmp_path / "docs"
    write_documents(docs, 600, seed=9)
    index_dir = tmp_path / "ix"
    assert run_indexer([CORPUS, docs], index_dir, commit_every=200, jobs=2)["documents"] == 605
    before = check_whole(index_dir)
    size = _size(index_dir)
    assert uncommitted_files(index_dir) == []

    proc, err = _rebuild_then(docs, index_dir, lambda proc: os.killpg(proc.pid, signal.SIGINT))  # Ctrl-C: all of it
    assert proc.returncode == 1 and "vnsearch: interrupted: the index keeps its last committed state" in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err  # from the workers either
    assert uncommitted_files(index_dir) == []
    assert _size(index_dir) <= size + 64 * 1024  # the info and lock files may change
    after = check_whole(index_dir)
    assert (after.documents, after.passages, after.doc_ids) == (before.documents, before.passages, before.doc_ids)
    assert check_search(index_dir, after) > 0
    # The next run finds the index as it was.
    assert run_indexer([CORPUS, docs], index_dir, commit_every=200, jobs=2)["documents"] == 605


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def test_a_worker_killed_during_a_rebuild_is_one_line_and_the_index_stays(tmp_path):
    """A worker process that dies (the system's out-of-memory killer, a stray ``kill``) breaks
    the pool: the build stops with one line, no traceback, and removes what it wrote; the last
    commit answers as before. Ctrl-C, which also reaches the workers, still says it was
    interrupted (the test above)."""
    docs = tmp_path / "docs"
    write_documents(docs, 600, seed=11)
    index_dir = tmp_path / "ix"
    assert run_indexer([CORPUS, docs], index_dir, commit_every=200, jobs=2)["documents"] == 605
    before = check_whole(index_dir)

    def kill_a_worker(proc) -> None:
        workers = _children(proc.pid)
        assert workers, "the indexer has no worker processes"
        os.kill(workers[-1], signal.SIGKILL)

    proc, err = _rebuild_then(docs, index_dir, kill_a_worker)
    assert proc.returncode == 1 and "vnsearch: a worker process died before the build could finish" in err, err
    assert "the index keeps its last committed state" in err and "Traceback" not in err, err
    assert uncommitted_files(index_dir) == []
    after = check_whole(index_dir)
    assert (after.documents, after.passages, after.doc_ids) == (before.documents, before.passages, before.doc_ids)
    assert check_search(index_dir, after) > 0
