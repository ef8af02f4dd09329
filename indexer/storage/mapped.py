"""Index files memory-mapped and read by position, so that threads can share one reader.

Whoosh reads its files through one file object each, as ``seek(position)`` then ``read(n)``: two
threads reading the same reader at once move each other's position and read each other's bytes
(``UnpicklingError``, wrong postings), which is why the engine once held a lock per index around
every query. Here every file of a commit is mapped once (``mmap``) and read through a
``MappedFile``, whose position belongs to the thread that set it, and whose positional reads
(``StructFile.get``, the posting blocks' and stored records' path) are plain slices of the map.
Nothing is copied into the reader: the pages are the kernel's page cache, shared by every thread
and by every process serving the same index (``vnsearch serve --workers``).

A map lives as long as something refers to it (a reader, a numpy array over a bags file): it is
never closed by hand, so a query still holding an old commit's reader can finish after a newer
commit replaced it, and after a merge deleted its files (Linux keeps a mapped file's pages).
"""

from __future__ import annotations

import mmap
import os
import threading

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

PEEK = 512  # bytes handed to ``pickle`` at a time: a posting block's header is about 40


class MappedFile:
    """A read-only file object over ``[start, start + length)`` of a map; the read position is
    per thread (what ``pickle.load`` and Whoosh's ``read_*`` methods move)."""

    def __init__(self, buffer, start: int = 0, length: int | None = None):
        self._buffer = buffer  # an mmap, or bytes for an empty file (which cannot be mapped)
        self._start = start
        self._end = start + (len(buffer) - start if length is None else length)
        self._local = threading.local()

    def _pos(self) -> int:
        return getattr(self._local, "pos", self._start)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            pos = self._start + offset
        elif whence == os.SEEK_CUR:
            pos = self._pos() + offset
        else:
            pos = self._end + offset
        self._local.pos = min(max(pos, self._start), self._end)
        return self._local.pos - self._start

    def tell(self) -> int:
        return self._pos() - self._start

    def read(self, n: int = -1) -> bytes:
        pos = self._pos()
        end = self._end if n is None or n < 0 else min(pos + n, self._end)
        self._local.pos = end
        return self._buffer[pos:end]

    def peek(self, n: int = 0) -> bytes:
        """Bytes from the position on, without moving it. ``pickle.load`` uses it to read what it
        needs in one call (then ``read`` of as much as it used) rather than a ``read`` per opcode:
        a posting block's header is a pickle of some 20 opcodes, and reading them one call at a
        time was half the time of decoding a common syllable's postings."""
        pos = self._pos()
        return self._buffer[pos : min(pos + min(max(n, 1), PEEK), self._end)]

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        pos = self._pos()
        found = self._buffer.find(b"\n", pos, self._end)
        end = self._end if found < 0 else found + 1
        if limit is not None and limit >= 0:
            end = min(end, pos + limit)
        self._local.pos = end
        return self._buffer[pos:end]

    def slice(self, position: int, length: int) -> bytes:
        """``length`` bytes at ``position``, without touching any thread's position."""
        a = self._start + position
        return self._buffer[a : min(a + length, self._end)]

    def view(self) -> memoryview:
        """The file's bytes as a read-only view of the map (no copy)."""
        return memoryview(self._buffer)[self._start : self._end]

    def sub(self, offset: int, length: int) -> MappedFile:
        return MappedFile(self._buffer, self._start + offset, length)

    def __len__(self) -> int:
        return self._end - self._start

    def close(self) -> None:
        """Nothing to do: the map is released with the last object that refers to it."""

    def flush(self) -> None:
        pass


class MappedStructFile(StructFile):
    """Whoosh's ``StructFile`` over a ``MappedFile``: positional reads are slices, and the parts
    of a compound segment are views of the same map (``subset``)."""

    def __init__(self, mapped: MappedFile, name: str | None = None, onclose=None):
        super().__init__(mapped, name=name, onclose=onclose)  # no ``fileno``: never re-mapped

    def get(self, position, length):
        return self.file.slice(position, length)

    def subset(self, offset, length, name=None):
        return MappedStructFile(self.file.sub(offset, length), name=name or self._name)

    def view(self) -> memoryview:
        return self.file.view()


def map_path(path: str) -> MappedFile:
    """A whole file, mapped read-only (its descriptor closed at once: the map keeps the file)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return MappedFile(b"")
        return MappedFile(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))


class MappedStorage(FileStorage):
    """Whoosh's ``FileStorage`` for reading, every file opened as a ``MappedStructFile``.

    ``supports_mmap`` is off so that Whoosh's ``CompoundStorage`` does not map a compound segment
    again: it takes its parts with ``subset``, views of this storage's map."""

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False, readonly=True)

    def open_file(self, name, **kwargs):
        return MappedStructFile(map_path(self._fpath(name)), name=name, **kwargs)
