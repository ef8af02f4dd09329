"""Opening, creating and reading a vnsearch index on disk: the indexer's one door to Whoosh storage."""

from __future__ import annotations

import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .schema import SCHEMA
from .segment import FastSegmentWriter

INDEX_NAME = "vnsearch"


class SyncedFileStorage(FileStorage):
    """Whoosh's ``FileStorage``, with every file it writes on disk before the table of contents
    that names it, so that a power cut cannot leave a commit naming files that were never written.

    Whoosh commits by writing the segment files, then the table of contents to a temporary file
    renamed into place, but never calls ``fsync``: the rename can reach the disk before the data
    it points to. Here each file is synced when it is closed, and the folder after each rename
    (which makes the new names, and the new table of contents, durable)."""

    def create_file(self, name, excl=False, mode="wb", **kwargs):
        chained = kwargs.pop("onclose", None)

        def sync(structfile):
            if chained is not None:
                chained(structfile)
            structfile.file.flush()
            os.fsync(structfile.file.fileno())

        return super().create_file(name, excl, mode, onclose=sync, **kwargs)

    def rename_file(self, oldname, newname, safe=False):
        super().rename_file(oldname, newname, safe)
        sync_folder(self.folder)


def sync_folder(folder: str | Path) -> None:
    fd = os.open(str(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def exists(index_dir: Path) -> bool:
    return index_dir.is_dir() and whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def open_or_create(index_dir: Path):
    """The index at ``index_dir``, created if there is none, opened for writing on
    ``SyncedFileStorage``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    storage = SyncedFileStorage(str(index_dir))
    if exists(index_dir):
        return storage.open_index(INDEX_NAME)
    return storage.create_index(SCHEMA, INDEX_NAME)


def writer(ix):
    """A writer for ``ix`` that adds postings a term at a time (``segment.FastSegmentWriter``)."""
    return FastSegmentWriter(ix)


def open_index(index_dir: Path):
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)


def document_records(ix) -> dict[str, list[dict]]:
    """The stored document records of an index, grouped by path, without their text (which
    incremental runs do not need and would keep the whole corpus in memory)."""
    by_path: dict[str, list[dict]] = {}
    with ix.searcher() as s:
        for docnum in s.document_numbers(kind="doc"):
            fields = s.stored_fields(docnum)
            fields.pop("text", None)
            by_path.setdefault(fields["path"], []).append(fields)
    return by_path


def size_on_disk(index_dir: Path) -> int:
    return sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file())


def file_exists(path: str) -> bool:
    return os.path.lexists(path)


def counts(ix) -> tuple[int, int]:
    """(documents, passages) of an index: one record per document, the rest are passages."""
    with ix.searcher() as s:
        documents = sum(1 for _ in s.document_numbers(kind="doc"))
        return documents, s.doc_count() - documents
