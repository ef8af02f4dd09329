"""``fsyl`` kept twice (layout 4): positions in W3, frequencies in the bags file, which scoring
reads. A segment whose bag cannot hold a frequency (above 255 in one passage), or that merges a
segment scored from W3, is scored from W3, so that no score changes."""

from __future__ import annotations

from pathlib import Path

from indexer.build import index_paths
from indexer.storage import IndexWriter, open_reader
from indexer.storage.layout import POSITIONS, POSITIONS_AND_BAGS
from search import search
from tests.indexer.conftest import CORPUS

TABLE = "Bảng kiểm tra thiết bị\n\n" + " ".join(["x"] * 300) + " hết bảng."


def _formats(index: Path) -> list[str]:
    with open_reader(index) as reader:
        return [seg.info.format_of("fsyl") for seg, _ in reader.segments]


def _answers(index: Path) -> list:
    out = []
    for query in ("x", "bảng kiểm tra", "tỉnh ủy thái nguyên", "x hết bảng"):
        result = search(query, index=index, limit=10, mode="passages").to_dict()
        out.append([(h["doc_id"], h["passage_no"], h["score"]) for h in result["hits"]])
    return out


def test_frequencies_above_255_and_merges_are_scored_from_w3(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for source in sorted(CORPUS.glob("*.txt")):
        (docs / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    index = tmp_path / "ix"
    index_paths([docs], index, jobs=1)
    assert _formats(index) == [POSITIONS_AND_BAGS]
    (docs / "bang.txt").write_text(TABLE, encoding="utf-8")
    index_paths([docs], index, jobs=1)  # a segment of its own, with a passage holding "x" 300 times
    assert sorted(_formats(index)) == sorted([POSITIONS_AND_BAGS, POSITIONS])
    with open_reader(index) as reader:
        seg = next(seg for seg, _ in reader.segments if seg.info.format_of("fsyl") == POSITIONS)
        _, freqs = seg.postings("fsyl", "x")
        assert freqs.max() == 300  # from W3, whole: the bag would have kept 255
        assert (seg.postings("fsyl", "x")[1] == seg.w3_postings("fsyl", "x")[1]).all()
    before = _answers(index)
    assert any(doc_id.startswith("bang") for doc_id, _, _ in before[0])
    with IndexWriter(index) as writer:  # one segment merging both: scored from W3, as its source was
        writer.commit(optimize=True)
    assert _formats(index) == [POSITIONS]
    assert _answers(index) == before
