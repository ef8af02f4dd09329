"""What a commit puts on disk: every file synced before the table of contents that names it."""

from __future__ import annotations

import os
from pathlib import Path

from indexer.build import index_paths
from search import search
from tests.indexer.conftest import CORPUS


def test_commit_syncs_files_before_naming_them(tmp_path: Path, commit_events):
    index_dir = tmp_path / "ix"
    events = commit_events(index_dir)

    files = sorted(p for p in index_dir.iterdir() if p.suffix in (".seg", ".toc"))
    assert [p.suffix for p in files].count(".toc") == 1 and any(p.suffix == ".seg" for p in files)
    toc = next(p for p in files if p.suffix == ".toc")
    renamed = events.index(("rename", str(toc)))
    synced_before = {path for kind, path in events[:renamed] if kind == "sync"}
    for p in files:
        if p.suffix == ".seg":
            assert str(p) in synced_before, f"{p.name} was not synced before the commit named it"
    # The table of contents was synced under its temporary name, then the folder after the rename.
    assert any(path.startswith(str(toc) + ".") for path in synced_before)
    assert ("sync", str(index_dir)) in events[renamed:]
    assert search("Thái Nguyên", index=index_dir).hits


def test_document_records_leave_the_text_out(tmp_path: Path):
    # Incremental runs compare sizes and hashes; each record's text (the whole document) would
    # keep the corpus in memory for the run.
    from indexer.storage import open_reader

    index_paths([CORPUS], tmp_path / "ix", jobs=1)
    with open_reader(tmp_path / "ix") as reader:
        records = list(reader.documents())
        assert len(records) == 5
        for record in records:
            assert record.text is None and Path(record.path).exists() and record.meta["hash"]
        assert reader.document(records[0].docnum).text  # asked for, the text is there
