"""Merging an index's segments into one (``vnsearch optimize``): Lucene's ``forceMerge(1)``,
Elasticsearch's force merge, Whoosh's ``optimize``.

A build on several cores leaves a segment per worker per round (``build.COMMIT_EVERY``), which
it does not merge (``storage.merges.FULL``): ten segments at 90,568 articles. A query looks each
of its terms up in every segment and decodes at least one page of postings in each that holds
it, so that index answers the vinewsqa-dev questions in 55.5 / 110.7 ms p50 / p95, and the same
articles in one segment in 36.1 / 64.8 ms (``benchmarks/latency.py --cli-built``). Merging them
during the build would make it cost twice as long (the merge alone took 241 s at 90,568
articles, the build 219 s), so it is a step of its own, for an index that is built once and
searched many times, as Elasticsearch advises force-merging an index no longer written to.

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
    segment without deleted records is left as it is (``merged`` False)."""
    index_dir = Path(index_dir)
    if not exists(index_dir):
        raise IndexerError(f"no vnsearch index at {index_dir}")
    started = time.perf_counter()
    segments, deleted, documents, passages = segment_counts(index_dir)
    merged = segments > 1 or deleted > 0
    if merged:
        with IndexWriter(index_dir, lock_wait=lock_wait) as writer:
            writer.commit(optimize=True)
    after, _, documents, passages = segment_counts(index_dir)
    return Optimized(str(index_dir), segments, after, deleted, documents, passages, merged,
                     round(time.perf_counter() - started, 3))
