"""Opening, creating and reading a vnsearch index on disk: the indexer's one door to Whoosh storage."""

from __future__ import annotations

import os
from pathlib import Path

from whoosh import index as whoosh_index

from .schema import SCHEMA
from .segment import FastSegmentWriter

INDEX_NAME = "vnsearch"


def exists(index_dir: Path) -> bool:
    return index_dir.is_dir() and whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def open_or_create(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    if exists(index_dir):
        return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    return whoosh_index.create_in(str(index_dir), SCHEMA, indexname=INDEX_NAME)


def writer(ix):
    """A writer for ``ix`` that adds postings a term at a time (``segment.FastSegmentWriter``)."""
    return FastSegmentWriter(ix)


def open_index(index_dir: Path):
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)


def document_records(ix) -> dict[str, list[dict]]:
    """The stored document records of an index, grouped by path."""
    by_path: dict[str, list[dict]] = {}
    with ix.searcher() as s:
        for docnum in s.document_numbers(kind="doc"):
            fields = s.stored_fields(docnum)
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
