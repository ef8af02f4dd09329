"""The user's synonym groups kept in an index (``vnsearch index --synonyms FILE``).

A file given at index time is checked before anything is indexed (a bad one is a one-line
error and the index is left as it was), and a copy of it is written into the index folder when
the build commits, so that every later search of that index uses the groups without being told
(``search()``, ``vnsearch search``, ``serve`` and its workers), and the index keeps them if the
original file is moved or edited. A copy, not the path: an index is a folder that can be moved
as a whole. A later build given another file replaces the copy (an empty file removes it); a
build given none keeps it. What the groups do to queries is ``search.synonyms``'s business.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analyzers import SynonymsError, read_synonyms

from .errors import IndexerError

SYNONYMS_NAME = "vnsearch-synonyms.txt"


class SynonymsFileError(IndexerError):
    """A synonyms file given at index time that cannot be used; the message says why."""


@dataclass(frozen=True)
class CheckedSynonyms:
    """A synonyms file read and parsed: its text, and whether it holds any group."""

    text: str
    groups: int


def checked_synonyms(path: str | os.PathLike) -> CheckedSynonyms:
    """A synonyms file, once it is known to parse (``SynonymsFileError`` saying why if not)."""
    try:
        text, groups = read_synonyms(path)
    except SynonymsError as exc:
        raise SynonymsFileError(str(exc)) from None
    return CheckedSynonyms(text, len(groups))


def record_synonyms(index_dir: Path, synonyms: CheckedSynonyms) -> None:
    """Keep the file's text as the index's synonyms (written to a temporary file, synced,
    renamed into place: a reader sees the old copy or the new one, never half of one); a file
    with no group removes the copy."""
    target = Path(index_dir) / SYNONYMS_NAME
    if not synonyms.groups:
        target.unlink(missing_ok=True)
        return
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".synonyms-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(synonyms.text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def recorded_synonyms(index_dir: str | os.PathLike) -> Path | None:
    """The index's copy of the synonyms given at index time, if it has one."""
    path = Path(index_dir) / SYNONYMS_NAME
    return path if path.is_file() else None
