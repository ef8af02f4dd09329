"""Which segments a commit merges: a log-structured policy with a size ratio (Lucene's
LogByteSizeMergePolicy, the simpler ancestor of its TieredMergePolicy).

Whoosh's default, ``MERGE_SMALL``, merges the smallest segments once their total falls under a
Fibonacci number of documents: with segments of one commit's size (20,000 records, as builds once wrote) that is once
about 25 of them have piled up, so a long build carries up to two dozen segments of each size,
and every query visits each of them; it never expunges deleted records. Here a segment's
*level* is the order of magnitude of its live records (base ``RATIO``, counted from ``FLOOR``);
when ``FACTOR`` segments share a level they are merged into one of the next level. Each record
is rewritten about once per level (``log_RATIO`` of the index size), never on every commit, and
the index keeps at most ``FACTOR - 1`` segments per level. A segment with more than
``DELETED_SHARE`` of its records deleted is merged too, so replaced documents (a JSONL line
updated in place) do not linger on disk.

A segment of ``FULL`` live records or more is not merged by level (Lucene's maximum merged
segment size): that is the size of the segments a build's workers write (one per worker a round,
``indexer.build.COMMIT_EVERY`` records each), and ten of them merged would be most of the index,
rewritten in the one writer process while the workers wait: a third of the wall time of a
22,642-article build, and its peak memory. Smaller segments (what an incremental run adds) still
merge by level, into full ones at the end; a full segment is rewritten only to expunge deletions.
"""

from __future__ import annotations

import math

RATIO = 10
FACTOR = 10
FLOOR = 1_000
DELETED_SHARE = 0.3
FULL = 50_000


def level(records: int) -> int:
    """0 below ``FLOOR`` records, 1 below ``FLOOR * RATIO``, and so on."""
    return 0 if records < FLOOR else int(math.log(records / FLOOR, RATIO)) + 1


def to_merge(sizes: list[tuple[int, int]]) -> set[int]:
    """The indexes of the segments to merge, given each segment's (records, deleted records)."""
    chosen = {i for i, (records, deleted) in enumerate(sizes) if records and deleted / records > DELETED_SHARE}
    by_level: dict[int, list[int]] = {}
    for i, (records, deleted) in enumerate(sizes):
        if i not in chosen and records - deleted < FULL:
            by_level.setdefault(level(records - deleted), []).append(i)
    for members in by_level.values():
        if len(members) >= FACTOR:
            chosen.update(members)
    return chosen
