"""Searches from several threads and processes while an indexer changes the index; two indexers.

Each search is checked against the commit it ran on (the engine's shared searcher, held across the
query): hits only from documents of that commit, with that commit's text and title, no passage
twice, one version per document, and a query that matches every document counts them all. This
is what caught ``Searcher.refresh()`` keeping replaced segments (documents twice) and two threads
reading one Whoosh searcher at once (``zlib.error``, ``UnpicklingError``).
"""

from __future__ import annotations

import subprocess
import threading

import pytest

from indexer.build import index_paths
from indexer.errors import IndexLocked

from ._helpers import (
    ForkedIndexer,
    check_search,
    check_whole,
    concurrency_campaign,
    indexer_command,
    indexer_env,
    kill_hard,
    REPO,
    wait_until_locked,
    write_documents,
)


def test_searches_from_threads_and_processes_while_indexing(tmp_path):
    figures = concurrency_campaign(tmp_path, seconds=8, threads=3, processes=2, n_docs=150, commit_every=40)
    assert figures.errors == 0, figures.first_error
    assert figures.index_runs >= 2 and figures.changes > 0
    assert figures.queries >= 20
    assert figures.pinned > 0


def test_threads_share_one_searcher_safely(tmp_path):
    """Eight threads, one index, no writer: the same queries give the same results as alone."""
    from search.engine import search

    write_documents(tmp_path / "docs", 60, seed=3)
    index_paths([tmp_path / "docs"], tmp_path / "ix", jobs=1)
    queries = ["tỉnh ủy", "kinh tế", '"xây dựng"', "phát triển -đảng", "hoi nghi", "title:văn"]
    expected = {q: search(q, tmp_path / "ix", limit=50).to_dict()["documents"] for q in queries}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for k in range(12):
                q = queries[(i + k) % len(queries)]
                got = search(q, tmp_path / "ix", limit=50).to_dict()["documents"]
                assert got == expected[q], q
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


@pytest.fixture
def busy_indexer(tmp_path):
    """A real indexer process holding the lock of an index, in the middle of its work."""
    procs = []

    def start(n_docs: int):
        write_documents(tmp_path / "docs", n_docs, seed=5)
        proc = ForkedIndexer([tmp_path / "docs"], tmp_path / "ix", commit_every=50)
        procs.append(proc)
        assert wait_until_locked(proc, tmp_path / "ix"), "the indexer ended before taking the lock"
        return proc

    yield start
    for proc in procs:
        kill_hard(proc)


def test_second_indexer_is_refused_with_the_holder(tmp_path, busy_indexer):
    holder = busy_indexer(2000)  # long enough to outlive the checks below, even on a loaded machine (it is killed after them)
    with pytest.raises(IndexLocked, match=rf"being updated by process {holder.pid} on "):
        index_paths([tmp_path / "docs"], tmp_path / "ix", jobs=1)
    # The command line says the same in one line, exit status 1, no traceback.
    cli = subprocess.run(indexer_command([tmp_path / "docs"], tmp_path / "ix"), cwd=REPO, env=indexer_env(50),
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1
    assert f"process {holder.pid}" in cli.stderr and "Traceback" not in cli.stderr
    assert holder.poll() is None, "the holder finished too soon for this test"
    # Killing the holder releases the lock at once (the kernel drops it); the index is whole.
    assert kill_hard(holder)
    before = check_whole(tmp_path / "ix")
    write_documents(tmp_path / "more", 3, seed=6)
    summary = index_paths([tmp_path / "more"], tmp_path / "ix", jobs=1, lock_wait=0)
    assert summary.added == 3 and summary.documents == before.documents + 3
    check_search(tmp_path / "ix", check_whole(tmp_path / "ix"))


def test_second_indexer_waits_with_lock_wait(tmp_path, busy_indexer):
    holder = busy_indexer(120)
    summary = index_paths([tmp_path / "docs"], tmp_path / "ix", jobs=1, lock_wait=240)
    assert holder.poll() == 0, "the second indexer ran before the first had finished"
    assert summary.documents == 120 and summary.added == 0  # the first one did all the work
    assert summary.unchanged == 120
    assert check_whole(tmp_path / "ix").documents == 120
