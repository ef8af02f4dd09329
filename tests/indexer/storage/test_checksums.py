"""Checksums of a commit (``indexer.storage.checksums``/``verify``): real indexes of the shipped
corpus, real bytes flipped on disk, and a clear error naming the file instead of an answer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from indexer.build import index_paths
from indexer.errors import IndexCorrupt
from indexer.storage import IndexWriter, open_reader, verify
from indexer.storage.checksums import latest_generation, read_manifest
from indexer.storage.reader import INDEX_NAME
from search import search
from tests.indexer.conftest import CORPUS
from tests.reliability._helpers import write_documents

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "release-0.1-index" / "index"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("sums") / "ix"
    index_paths([CORPUS], index_dir, jobs=1)
    return index_dir


def _copy(index_dir: Path, to: Path) -> Path:
    shutil.copytree(index_dir, to)
    return to


def _manifest(index_dir: Path):
    return read_manifest(index_dir, INDEX_NAME, latest_generation(index_dir, INDEX_NAME))


def _flip(path: Path, offset: int, n: int = 64) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, min(offset + n, len(data))):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_commit_lists_every_file_with_its_checksum(pristine: Path):
    manifest = _manifest(pristine)
    assert manifest.toc.name == f"_{INDEX_NAME}_{manifest.generation}.toc"
    assert manifest.toc.size == (pristine / manifest.toc.name).stat().st_size
    segment_files = sorted(p.name for p in pristine.glob("*.seg"))
    listed = sorted(f.name for files in manifest.segments.values() for f in files)
    assert listed == segment_files
    for files in manifest.segments.values():
        for f in files:
            assert f.size == (pristine / f.name).stat().st_size
            suffixes = {name.rsplit(".", 1)[-1] for name in f.parts}
            assert {"trm", "pst", "bag", "vnseg", "col"} <= suffixes
    # one manifest: those of earlier commits are removed with their tables of contents
    assert [p.name for p in pristine.glob("*.sums")] == [f"_{INDEX_NAME}_{manifest.generation}.sums"]


def test_the_manifest_is_synced_before_the_table_of_contents_is_named(tmp_path: Path, commit_events):
    events = commit_events(tmp_path / "ix")
    toc = next((tmp_path / "ix").glob("*.toc"))
    renamed = events.index(("rename", str(toc)))
    assert ("sync", str(toc.with_suffix(".sums"))) in events[:renamed]


@pytest.mark.parametrize("suffix", [".pst", ".trm", "_stored.col", ".bag", ".vnseg", "_fsyl_len.col"])
def test_flipped_bytes_in_any_part_are_an_error_naming_the_file(pristine: Path, tmp_path: Path, suffix: str):
    # 64 flipped bytes in the middle of a part used to give a different answer with no error.
    index_dir = _copy(pristine, tmp_path / "ix")
    files = next(iter(_manifest(index_dir).segments.values()))
    part = next(p for n, p in files[0].parts.items() if n.endswith(suffix))
    _flip(index_dir / files[0].name, part.offset + part.length // 4, min(64, part.length // 2))
    with pytest.raises(IndexCorrupt) as caught:
        # opening verifies the small parts; the first query the term index, postings, records
        search("kinh tế Thái Nguyên", index=index_dir)
    assert caught.value.file.startswith(files[0].name)
    assert suffix in str(caught.value) and "fails its checksum" in str(caught.value)
    assert "--repair" in str(caught.value) and "\n" not in str(caught.value)


def test_a_truncated_segment_file_is_named_with_its_size(pristine: Path, tmp_path: Path):
    index_dir = _copy(pristine, tmp_path / "ix")
    seg = next(index_dir.glob("*.seg"))
    size = seg.stat().st_size
    with open(seg, "r+b") as fh:
        fh.truncate(size - 1000)
    with pytest.raises(IndexCorrupt, match=rf"{seg.name} has {size - 1000:,} bytes, not the {size:,}"):
        open_reader(index_dir)


def test_a_damaged_table_of_contents_or_manifest_is_named(pristine: Path, tmp_path: Path):
    index_dir = _copy(pristine, tmp_path / "toc")
    toc = next(index_dir.glob("*.toc"))
    _flip(toc, toc.stat().st_size // 2, 8)
    with pytest.raises(IndexCorrupt, match=r"\.toc \(the table of contents\) fails its checksum"):
        open_reader(index_dir)
    index_dir = _copy(pristine, tmp_path / "sums")
    sums = next(index_dir.glob("*.sums"))
    _flip(sums, 40, 4)
    with pytest.raises(IndexCorrupt, match=r"\.sums is damaged \(its own checksum does not match\)"):
        search("kinh tế", index=index_dir)


def test_big_parts_are_verified_on_first_use_once_per_process(pristine: Path, tmp_path: Path):
    index_dir = _copy(pristine, tmp_path / "ix")
    verify.clear_cache()
    with open_reader(index_dir) as reader:
        seg = reader.segments[0][0]
        assert reader.checksummed and seg.integrity.checked
        assert "terms" not in seg.integrity._done and "stored" not in seg.integrity._done
        reader.doc_frequency("title", "kinh")  # Whoosh's term index (fsyl is scored from the bags file, verified at open)
        assert "terms" in seg.integrity._done and "stored" not in seg.integrity._done
        reader.document(0)
        assert "stored" in seg.integrity._done
    before = verify.verified_count()
    with open_reader(index_dir) as reader:  # a second reader does not read the parts again
        reader.doc_frequency("title", "kinh")
        reader.document(0)
    assert verify.verified_count() == before


def test_an_index_of_release_0_1_has_no_checksums_and_opens(tmp_path: Path):
    index_dir = _copy(FIXTURE, tmp_path / "old")
    with open_reader(index_dir) as reader:
        assert not reader.checksummed
        assert reader.counts()[0] == 13
    assert search("kinh tế", index=index_dir).total > 0


def test_a_damaged_segment_is_not_merged_into_a_new_one(pristine: Path, tmp_path: Path):
    # A merge must not copy damage under fresh checksums: it is refused, nothing committed.
    index_dir = _copy(pristine, tmp_path / "ix")
    docs = tmp_path / "docs"
    write_documents(docs, 5)
    files = next(iter(_manifest(index_dir).segments.values()))
    part = next(p for n, p in files[0].parts.items() if n.endswith("_stored.col"))
    _flip(index_dir / files[0].name, part.offset + part.length // 2)
    generation = latest_generation(index_dir, INDEX_NAME)
    verify.clear_cache()
    with pytest.raises(IndexCorrupt, match=files[0].name):
        with IndexWriter(index_dir) as writer:
            writer.commit(optimize=True)
    assert latest_generation(index_dir, INDEX_NAME) == generation
