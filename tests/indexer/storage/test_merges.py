"""The merge policy: segments of one order of magnitude merge when there are ten of them, so a
long build keeps few segments and rewrites each record about once per level, not per commit."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.build import index_paths
from indexer.storage import merges, open_reader
from search import search

from ..conftest import corpus_paragraphs


def test_levels_are_orders_of_magnitude():
    assert [merges.level(n) for n in (0, 999, 1_000, 9_999, 10_000, 123_456)] == [0, 0, 1, 1, 2, 3]


def test_ten_segments_of_a_level_merge_and_fewer_do_not():
    nine = [(5_000, 0)] * 9
    assert merges.to_merge(nine) == set()
    assert merges.to_merge(nine + [(7_000, 0)]) == set(range(10))
    # A big segment is not rewritten because small ones merge.
    assert merges.to_merge([(200_000, 0)] + [(300, 0)] * 10) == set(range(1, 11))
    # Deleted records count against the size; a segment mostly deleted is merged alone.
    assert merges.to_merge([(50_000, 20_000), (60_000, 1_000)]) == {0}


def test_full_segments_are_merged_only_to_expunge_deletions():
    full = merges.FULL
    # Ten segments of a build's rounds stay as they are: merged, they would be the whole index.
    assert merges.to_merge([(full, 0)] * 10 + [(2 * full, 0)] * 10) == set()
    # Smaller ones beside them still merge by level, and a full one mostly deleted is rewritten.
    small = [(full // 10, 0)] * 10
    assert merges.to_merge([(full, 0)] * 3 + small) == set(range(3, 13))
    assert merges.to_merge([(full, 0), (full, full // 2)]) == {1}
    # What counts is the live records: a big segment shrunk by deletions merges by level again.
    assert merges.level(full - 1) == merges.level(full - full // 5 - 1)
    shrunk = [(full, full // 5)] + [(full - full // 5 - 1, 0)] * 9
    assert merges.to_merge(shrunk) == set(range(10))


def test_a_build_of_many_commits_keeps_few_segments_and_every_document(tmp_path: Path, monkeypatch):
    # Levels counted from 5 records, so a test-sized build spans three of them.
    monkeypatch.setattr(merges, "FLOOR", 5)
    monkeypatch.setattr(merges, "FACTOR", 4)
    monkeypatch.setattr(merges, "RATIO", 4)
    paragraphs = corpus_paragraphs("000") + corpus_paragraphs("001") + corpus_paragraphs("003")
    src = tmp_path / "docs"
    src.mkdir()
    for i in range(60):
        (src / f"bai-{i:02d}.txt").write_text(f"Bài số {i}\n\n" + paragraphs[i % len(paragraphs)], encoding="utf-8")
    index = tmp_path / "ix"
    # A commit every few records: sixty files give dozens of commits, as a long build does.
    summary = index_paths([src], index, jobs=1, commit_every=5)
    assert summary.added == 60
    with open_reader(index) as reader:
        deleted = [seg.deleted() for seg, _ in reader.segments]
        live = [seg.doc_count_all - (0 if d is None else int(d.sum())) for (seg, _), d in zip(reader.segments, deleted)]
        assert reader.counts()[0] == 60 and len({d.doc_id for d in reader.documents()}) == 60
    levels = [merges.level(n) for n in live]
    assert len(live) > 1 and max(levels) >= 2  # merged into bigger segments...
    assert all(levels.count(k) < merges.FACTOR for k in set(levels))  # ...fewer than FACTOR a level
    hits = search('"bài số 42"', index=index).hits
    assert [Path(h.path).name for h in hits] == ["bai-42.txt"]
