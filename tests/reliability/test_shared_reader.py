"""Queries of one index run at once: no query waits for another to finish.

The engine once held a lock per index around every query (Whoosh's file readers keep one read
position); a slow query then held up every other user of the server. Now readers are shared by
threads without a lock (``indexer.storage.mapped``): a query runs to the end while another is in
the middle of its own, and both get what they would alone.
"""

from __future__ import annotations

import threading

from indexer.build import index_paths
from search.engine import resolve_index, search, searching

from ._helpers import write_documents


def test_a_query_runs_while_another_holds_the_index(tmp_path):
    write_documents(tmp_path / "docs", 40, seed=11)
    index_paths([tmp_path / "docs"], tmp_path / "ix", jobs=1)
    expected = search("kinh tế phát triển", tmp_path / "ix", limit=20).to_dict()["documents"]
    assert expected
    inside, release = threading.Event(), threading.Event()
    held: dict = {}

    def slow_query() -> None:
        # A query in progress: it has its reader and reads with it, then waits before it ends.
        with searching(resolve_index(tmp_path / "ix")) as opened:
            held["docs"] = opened.reader.counts()
            inside.set()
            release.wait(60)
            held["after"] = search("kinh tế phát triển", tmp_path / "ix", limit=20).to_dict()["documents"]

    other = threading.Thread(target=slow_query)
    other.start()
    try:
        assert inside.wait(60)
        answered: dict = {}
        quick = threading.Thread(target=lambda: answered.setdefault("hits", search(
            "kinh tế phát triển", tmp_path / "ix", limit=20).to_dict()["documents"]))
        quick.start()
        quick.join(30)
        assert not quick.is_alive(), "a query waited for another one to finish"
        assert answered["hits"] == expected
    finally:
        release.set()
        other.join(60)
    assert held["docs"][0] == 40 and held["after"] == expected
