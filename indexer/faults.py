"""What a build that failed to write says: one line with what happened, the state the index is
left in, and what to do.

A build never leaves a half commit (``storage.writer``): a full disk, a file-size limit, a
read-only folder end it with the last commit as it was. The message says so only after opening
that commit (which verifies its checksums), and gives its document count, so the user knows
what is searchable now; the next run carries on from it.
"""

from __future__ import annotations

import errno
from pathlib import Path

from .errors import IndexerError
from .storage import exists, open_reader

_WHAT = {
    errno.ENOSPC: "the disk holding the index is full",
    errno.EDQUOT: "the disk quota of the index folder is used up",
    errno.EFBIG: "a file of the index reached the file-size limit (`ulimit -f`)",
    errno.EROFS: "the index folder is on a read-only file system",
    errno.EACCES: "vnsearch may not write in the index folder",
    errno.EPERM: "vnsearch may not write in the index folder",
}
_TODO = {
    errno.ENOSPC: "free some space on that disk (or choose another --index) and run the same command again: "
                  "it carries on from the last commit",
    errno.EDQUOT: "free some space or raise the quota, and run the same command again: it carries on from the last commit",
    errno.EFBIG: "raise the limit (`ulimit -f unlimited`) and run the same command again: it carries on from the last commit",
    errno.EROFS: "make it writable (or choose another --index) and run the same command again",
    errno.EACCES: "make it writable for this user (or choose another --index) and run the same command again",
    errno.EPERM: "make it writable for this user (or choose another --index) and run the same command again",
}


def explain_write_failure(exc: OSError, index_dir: str | Path) -> str:
    """The one line a user reads when a build stopped on ``exc``; ``str(exc)`` when it is not
    about writing the index (a failure elsewhere keeps its own message)."""
    index_dir = Path(index_dir)
    reason = exc.strerror or str(exc)
    if not index_dir.exists():
        return (f"the index folder {index_dir} was deleted while indexing ({reason}): nothing is left of the index; "
                "run the same command again to build it anew")
    if exc.errno not in _WHAT or not _about(exc, index_dir):
        return str(exc)
    return f"{_WHAT[exc.errno]} ({reason}: {exc.filename or index_dir}): {last_commit(index_dir)}; {_TODO[exc.errno]}"


def _about(exc: OSError, index_dir: Path) -> bool:
    """Whether ``exc`` is about a file in the index folder (or names none: a write's ENOSPC)."""
    if not exc.filename:
        return True
    try:
        return Path(exc.filename).resolve().parent == index_dir.resolve()
    except OSError:
        return False


def last_commit(index_dir: Path) -> str:
    """The state of the index's last commit, in words, after opening it."""
    try:
        if not exists(index_dir):
            return "there is no committed index there yet"
        with open_reader(index_dir) as reader:
            documents, passages = reader.counts()
    except IndexerError as exc:
        return f"and its last commit does not open: {exc}"
    except OSError as exc:
        return f"and its last commit could not be read ({exc.strerror or exc})"
    return f"the last commit is intact and searchable ({documents:,} documents, {passages:,} passages)"
