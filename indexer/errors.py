"""Exception types raised while reading documents for the index.

They live in their own tiny module so that every part of the indexer (readers,
encoding detection, the index writer) can raise and catch the same types
without importing each other.
"""

from __future__ import annotations


class IndexerError(Exception):
    """Base class for errors the indexer reports instead of crashing on."""


class UnreadableFile(IndexerError):
    """A file that cannot be turned into text for the index.

    ``reason`` is a short human sentence ("binary file (contains NUL bytes)",
    "empty file", ...) meant to go straight into the indexing summary, so the
    user learns *why* a file was skipped, not just that it was.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IndexFormatError(IndexerError):
    """An index in a layout this version cannot read (written by a newer vnsearch)."""


class IndexLocked(IndexerError):
    """Another indexer is writing to this index; the message says which process and since when."""


class IndexCorrupt(IndexerError):
    """A file of the index fails its checksum or is missing (``indexer.storage.verify``): raised
    instead of answering from damaged bytes. ``file`` names it; the message says what to do."""

    def __init__(self, folder, file: str, detail: str) -> None:
        self.folder = str(folder)
        self.file = file
        self.detail = detail
        super().__init__(f"the index at {folder} is damaged: {file} {detail}; run `vnsearch check --index {folder} "
                         "--repair`, then `vnsearch index` on the same paths to re-add what it drops")
