"""The index folder: Whoosh's file storage with every file synced before it is named, and
creating or opening the index in it."""

from __future__ import annotations

import os
import shutil
import zlib
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .checksums import FileSum, Manifest, manifest_name, toc_name
from .reader import INDEX_NAME, exists
from .whoosh_schema import SCHEMA


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


class WorkerFileStorage(SyncedFileStorage):
    """The index folder as an indexing worker writes its own segment into it (``writer.
    SegmentBuilder``): Whoosh names its temporary folder after the index, the same in every
    process, and removes it when a writer finishes; each worker has one of its own here."""

    def temp_storage(self, name=None):
        return super().temp_storage(f"{name or 'vnsearch.tmp'}.{os.getpid()}")


def sync_folder(folder: str | Path) -> None:
    fd = os.open(str(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_or_create(index_dir: Path):
    """The index at ``index_dir``, created if there is none, opened for writing on
    ``SyncedFileStorage``. Called under the index's lock: temporary folders that workers of an
    earlier build left (``WorkerFileStorage``; a killed build's) are removed, and so are the
    segment files no commit names (``remove_uncommitted``: a killed build's), before this build
    needs their space."""
    index_dir.mkdir(parents=True, exist_ok=True)
    remove_worker_temps(index_dir)
    storage = SyncedFileStorage(str(index_dir))
    if exists(index_dir):
        remove_uncommitted(index_dir)
        return storage.open_index(INDEX_NAME, schema=SCHEMA)  # see reader.IndexReader
    ix = storage.create_index(SCHEMA, INDEX_NAME)
    write_empty_manifest(index_dir)
    return ix


def remove_worker_temps(index_dir: Path) -> None:
    """Delete the temporary folders of indexing workers (``WorkerFileStorage``): a worker that
    finishes or cancels removes its own, one killed (or interrupted while idle) does not. So is
    the writer process's own (Whoosh's ``vnsearch.tmp``: the columns of any segment that process
    writes, a merge's above all, which ``vnsearch optimize`` killed leaves behind until a writer
    of the same folder next finishes a segment). Called under the index's lock while no worker of
    it runs."""
    for stale in [*index_dir.glob(f"{INDEX_NAME}.tmp.*"), index_dir / f"{INDEX_NAME}.tmp"]:
        shutil.rmtree(stale, ignore_errors=True)


def open_for_worker(index_dir: Path):
    """The index at ``index_dir`` (which the build's writer has created) on ``WorkerFileStorage``."""
    return WorkerFileStorage(str(index_dir)).open_index(INDEX_NAME, schema=SCHEMA)


def write_empty_manifest(index_dir: Path) -> None:
    """The manifest of a new, empty index's first table of contents (``checksums``)."""
    name = toc_name(INDEX_NAME, 0)
    data = (index_dir / name).read_bytes()
    manifest = Manifest(0, FileSum(name, len(data), zlib.crc32(data)), {})
    path = index_dir / manifest_name(INDEX_NAME, 0)
    with open(path, "wb") as fh:
        fh.write(manifest.encode())
        fh.flush()
        os.fsync(fh.fileno())
    sync_folder(index_dir)


def remove_uncommitted(index_dir: Path) -> None:
    """Delete what a failed or cancelled commit left in the folder: the files of segments no
    commit names, temporary tables of contents, manifests of other commits. Whoosh leaves them
    for the next commit to clean, but after a full disk they hold the very space the next run
    needs. Called under the index's lock; best effort (the next commit cleans the rest)."""
    from whoosh.index import TOC, clean_files

    from .checksums import latest_generation, remove_stale_manifests

    try:
        generation = latest_generation(index_dir, INDEX_NAME)
        if generation < 0:
            return
        storage = FileStorage(str(index_dir))
        toc = TOC.read(storage, INDEX_NAME, generation, schema=SCHEMA)
        clean_files(storage, INDEX_NAME, generation, toc.segments)
        remove_stale_manifests(index_dir, INDEX_NAME, generation)
        for leftover in index_dir.glob(f"_{INDEX_NAME}_*.toc.*"):
            leftover.unlink()
    except Exception:  # noqa: BLE001 - clean-up must not hide the failure that called it
        pass


def size_on_disk(index_dir: Path) -> int:
    return sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file())
