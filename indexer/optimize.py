"""Merging an index's segments into one (``vnsearch optimize``): Lucene's ``forceMerge(1)``,
Elasticsearch's force merge, Whoosh's ``optimize``.

A build on several cores leaves a segment per worker per round (``build.COMMIT_EVERY``), which
it does not merge (``storage.merges.FULL``): ten segments at 90,568 articles. A query looks each
of its terms up in every segment and decodes at least one page of postings in each that holds
it, so such an index answers about half again as slowly as the same articles in one segment
(figures: the README's Benchmarks, ``benchmarks/latency.py --cli-built --optimized``). Merging
them during the build would take longer than the build itself, so it is a step of its own, for
an index that is built once and searched many times, as Elasticsearch advises force-merging an
index no longer written to.

It is one commit: until it is renamed into place the last commit stays whole and searchable,
so Ctrl-C, a kill or a full disk loses nothing but the merge (``storage.writer``). A merge also
expunges deleted records, so an index with deletions scores a little differently afterwards (the
idf counts deleted records until they are merged away, as Lucene's does).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import IndexerError
from .storage import IndexWriter, exists, open_reader


@dataclass
class Optimized:
    """What ``optimize_index`` did: the segments and deleted records before and after."""

    index: str
    segments_before: int
    segments_after: int
    deleted_before: int
    documents: int
    passages: int
    merged: bool
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def segment_counts(index_dir: Path) -> tuple[int, int, int, int]:
    """(segments, deleted records, documents, passages) of the index's latest commit."""
    with open_reader(index_dir) as reader:
        documents, passages = reader.counts()
        return len(reader.segments), int((~reader.live()).sum()), documents, passages


def optimize_index(index_dir: str | Path, *, lock_wait: float = 0.0) -> Optimized:
    """Merge every segment of the index into one, in one commit. An index that already is one
    segment without deleted records, or is empty, is left as it is (``merged`` False). The
    segments are counted under the index's lock, so that another writer's commit cannot change
    them between the count and the merge (and a held lock is always what the caller hears of).
    ``lock_wait``: seconds to wait for another writer (``IndexLocked`` after them)."""
    index_dir = Path(index_dir)
    if not exists(index_dir):
        raise IndexerError(f"no vnsearch index at {index_dir}")
    started = time.perf_counter()
    with IndexWriter(index_dir, lock_wait=lock_wait) as writer:
        segments, deleted, documents, passages = segment_counts(index_dir)
        merged = segments > 1 or deleted > 0
        if merged:
            writer.commit(optimize=True)
    after, _, documents, passages = segment_counts(index_dir)
    return Optimized(str(index_dir), segments, after, deleted, documents, passages, merged,
                     round(time.perf_counter() - started, 3))
