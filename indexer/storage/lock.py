"""One writer per index, and a message that says who holds it.

Whoosh's own write lock only says "locked". Ours is an ``fcntl`` lock on a file that also holds
the holder's pid, host and start time, so a second indexer can tell the user who to wait for.
The kernel releases an ``fcntl`` lock when its process dies, even by ``kill -9``, so a crashed
indexer never leaves a stale lock behind. ``writer.IndexWriter`` holds it for its whole life.

One catch: a ``flock`` belongs to the open file, which forked children share. Indexing workers are
forked while the lock is held, and after ``kill -9`` of the indexer they wait on their queue for a
while, keeping the lock (and Whoosh's own write lock) taken in the dead indexer's name. So every
lock descriptor held here is closed in each forked child (``hold``, ``os.register_at_fork``): the
child never owned the lock, and the lock dies with the process that took it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexLocked

LOCK_NAME = "vnsearch.lock"

_held: set[int] = set()  # lock file descriptors of this process (closed in forked children)


def hold(fd: int) -> None:
    """Close ``fd`` in every child forked while it is held (until ``forget``)."""
    _held.add(fd)


def forget(fd: int) -> None:
    _held.discard(fd)


def _close_in_child() -> None:
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["since"]))
        return f"process {info['pid']} on {info['host']} (since {since})"
    except (OSError, ValueError, KeyError):
        return "another process"


@contextmanager
def index_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's write lock; wait up to ``wait`` seconds, then raise ``IndexLocked``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"the index {index_dir} is being updated by {_holder(path)}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.2)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        hold(fd)
        yield
    finally:
        forget(fd)
        os.close(fd)
