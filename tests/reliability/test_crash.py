"""SIGKILL a real indexer at random moments: the index must always be a commit, never half a document.

2,000 small Vietnamese documents (sentences of the shipped corpus) are indexed with a commit every
150 records, and the indexer is killed 20 times while it works: 4 times the real ``vnsearch index``
command, the rest ``index_paths`` in a forked process (no interpreter start-up, so the test stays
short). After each kill the index opens, every document has all its passages, no committed
document is lost, ``search()`` answers with hits from known documents only; and a final run of the
indexer completes the job: one document per file.
"""

from __future__ import annotations

import os

from indexer.storage import IndexWriter, open_reader

from ._helpers import check_search, check_whole, crash_campaign, write_documents

KILLS = int(os.environ.get("VNSEARCH_TEST_KILLS", "20"))


def test_sigkill_never_leaves_half_a_document(tmp_path):
    figures = crash_campaign(tmp_path, kills=KILLS, n_docs=2000, commit_every=150, seed=7, max_delay=3.0)
    assert figures.kills >= KILLS
    assert figures.checks >= KILLS
    assert figures.hits > 0


def test_the_checks_see_half_a_document(tmp_path):
    """The check of a whole index must fail when a document lacks a passage (so it can fail)."""
    docs = write_documents(tmp_path / "docs", 5, seed=1)
    from indexer.build import index_paths

    index_paths([tmp_path / "docs"], tmp_path / "ix", jobs=1)
    state = check_whole(tmp_path / "ix")
    assert state.documents == len(docs)
    check_search(tmp_path / "ix", state)
    with open_reader(tmp_path / "ix") as reader:
        victim = next(reader.passages())
    with IndexWriter(tmp_path / "ix") as w:
        w.delete_record(victim)
        w.commit()
    import pytest

    from ._helpers import Inconsistent

    with pytest.raises(Inconsistent, match="passages"):
        check_whole(tmp_path / "ix")


KILLED_WITH_IDLE_WORKERS = """
import os, signal, sys
from pathlib import Path
from indexer.build import _building
with _building(Path(sys.argv[1]), clear=False, jobs=2) as (writer, executor):
    executor.submit(os.getpid).result()  # the workers are forked, now idle on their queue
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_killing_the_indexer_frees_the_lock_while_its_workers_linger(tmp_path):
    """An indexer killed while its forked workers wait for work: they live on for a while, and
    must not keep the index locked in the dead indexer's name."""
    import signal
    import subprocess
    import sys
    import time

    from indexer.storage import IndexWriter

    from ._helpers import REPO

    proc = subprocess.Popen([sys.executable, "-c", KILLED_WITH_IDLE_WORKERS, str(tmp_path / "ix")], cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)), start_new_session=True)
    try:
        assert proc.wait(timeout=60) == -signal.SIGKILL
        started = time.monotonic()
        with IndexWriter(tmp_path / "ix", lock_wait=10) as writer:  # IndexLocked if still held
            writer.commit()
        assert time.monotonic() - started < 5
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
