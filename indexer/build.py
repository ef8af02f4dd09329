"""Building and updating an index: incremental, parallel, and safe to interrupt.

Worker processes read and analyze files (``documents.analyze_file``); this process alone writes.
A file is re-read only when its size or mtime changed, and re-indexed only when its content hash
changed. Documents whose files are gone are dropped.

Safety comes from Whoosh's commit: segment files are written first and the table of contents
that names them is renamed into place last, so a build killed at any moment leaves the previous
commit intact and searchable. We commit every ``COMMIT_EVERY`` passages, so an interrupted build
keeps most of its work, and a file's document record and passages are always in the same commit.
"""

from __future__ import annotations

import gc
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .discover import discover
from .documents import FileResult, analyze_document, analyze_file
from .readers import SUPPORTED_SUFFIXES, RawDocument
from .stats import record_build
from .storage import EncodedDocument, IndexWriter, encode, open_reader

COMMIT_EVERY = 20_000  # records; ``VNSEARCH_COMMIT_EVERY`` or ``commit_every=`` override it


def _commit_every(value: int | None) -> int:
    if value is None:
        value = int(os.environ.get("VNSEARCH_COMMIT_EVERY") or COMMIT_EVERY)
    return max(1, int(value))


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    legacy: list[dict] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Progress:
    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    passages_done: int = 0
    started: float = field(default_factory=time.monotonic)


ProgressCallback = Callable[[Progress], None]


class _Writer:
    """Adds encoded documents to the index, committing every so often."""

    def __init__(self, writer: IndexWriter, clear: bool, commit_every: int | None = None):
        self.writer = writer
        self.clear = clear
        self.commit_every = _commit_every(commit_every)
        self.pending = 0

    def replace_path(self, path: str) -> None:
        self.writer.delete_path(path)

    def add(self, doc: EncodedDocument, file_meta: dict) -> int:
        written = self.writer.add(doc, file_meta)
        self.pending += written + 1
        return written

    def maybe_commit(self) -> None:
        # A rebuild commits once, at the end: the old index stays whole until then.
        if self.pending >= self.commit_every and not self.clear:
            self.commit()

    def commit(self) -> None:
        self.writer.commit()
        self.clear = False
        self.pending = 0

    def cancel(self) -> None:
        self.writer.cancel()


@contextmanager
def _building(index_dir: Path, *, clear: bool, jobs: int, lock_wait: float = 0.0,
              commit_every: int | None = None,
              committed: Callable[[], None] | None = None) -> Iterator[tuple[_Writer, Executor | None]]:
    """The skeleton of every build: a writer (which holds the index's lock), the worker processes;
    a commit when the block ends (then ``committed``, still under the lock), and nothing
    committed past the last commit if it raises."""
    with IndexWriter(index_dir, clear=clear, lock_wait=lock_wait) as index_writer:
        writer = _Writer(index_writer, clear=clear, commit_every=commit_every)
        with _collector_paused(jobs > 1):
            try:
                with _maybe(_executor(jobs)) as executor:
                    yield writer, executor
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
        if committed is not None:
            committed()


def _counts(index_dir: Path) -> tuple[int, int]:
    with open_reader(index_dir) as reader:
        return reader.counts()


def _known_documents(index_dir: Path) -> dict[str, list[dict]]:
    """The document records of an index by path, as incremental runs compare them (without
    their text, which would keep the whole corpus in memory). Called under the build's writer,
    which has created the index if there was none."""
    by_path: dict[str, list[dict]] = {}
    with open_reader(index_dir) as reader:
        for record in reader.documents(with_text=False):
            by_path.setdefault(record.path, []).append({"doc_id": record.doc_id, "meta": record.meta})
    return by_path


def _bounded(executor: Executor | None, fn, tasks: Iterable, window: int) -> Iterator:
    """``map`` in order, with at most ``window`` tasks in flight, so memory stays bounded."""
    if executor is None:
        for args in tasks:
            yield fn(*args)
        return
    inflight: deque[Future] = deque()
    for args in tasks:
        inflight.append(executor.submit(fn, *args))
        if len(inflight) >= window:
            yield inflight.popleft().result()
    while inflight:
        yield inflight.popleft().result()


def _executor(jobs: int) -> Executor | None:
    if jobs <= 1:
        return None
    import multiprocessing

    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=gc.enable)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def index_paths(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    *,
    rebuild: bool = False,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    max_bytes: int | None = None,
    lock_wait: float = 0.0,
    commit_every: int | None = None,
) -> Summary:
    """Bring the index at ``index_dir`` up to date with the files under ``paths``.

    ``commit_every``: commit after about this many records (default ``COMMIT_EVERY``, or the
    ``VNSEARCH_COMMIT_EVERY`` environment variable), so an interrupted run keeps its work."""
    index_dir = Path(index_dir)
    paths = list(paths)
    jobs = jobs or default_jobs()
    started = time.monotonic()
    summary = Summary()
    state = Progress()
    with _building(index_dir, clear=rebuild, jobs=jobs, lock_wait=lock_wait, commit_every=commit_every,
                   committed=lambda: record_build(index_dir, [os.path.abspath(p) for p in paths])) as (writer, executor):
        known = {} if rebuild else _known_documents(index_dir)
        tasks = _file_tasks(paths, known, summary, max_bytes)
        state.files_total = len(tasks)
        owners = {r["doc_id"]: path for path, records in known.items() for r in records}
        gone = [p for p in known if not os.path.lexists(p)]
        for path in gone:
            writer.replace_path(path)
            summary.removed += len(known[path])
            for record in known[path]:
                owners.pop(record["doc_id"], None)
        for result in _bounded(executor, analyze_file, tasks, window=4 * jobs):
            _apply(result, known.get(result.path), writer, summary, owners)
            state.files_done += 1
            state.bytes_done += result.size
            state.passages_done = summary.passages
            writer.maybe_commit()
            if progress:
                progress(state)
    summary.documents, summary.passages = _counts(index_dir)
    summary.bytes = state.bytes_done
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _file_tasks(paths: list, known: dict[str, list[dict]], summary: Summary, max_bytes: int | None) -> list[tuple]:
    """``analyze_file`` arguments for every file under ``paths`` that may have changed since it
    was indexed (by size or mtime); the others count as unchanged, unreadable ones as skipped."""
    tasks = []
    for item in discover([Path(p) for p in paths], SUPPORTED_SUFFIXES):
        if isinstance(item, tuple):
            summary.skipped.append({"path": str(item[0]), "reason": item[1]})
            continue
        key = str(item)
        records = known.get(key)
        if records and _same_stat(item, records[0]["meta"]):
            summary.unchanged += len(records)
            continue
        known_hash = records[0]["meta"].get("hash") if records else None
        tasks.append((key, known_hash, max_bytes))
    return tasks


def _apply(result: FileResult, records: list[dict] | None, writer: _Writer, summary: Summary,
           owners: dict[str, str]) -> None:
    """Write one file's outcome; ``owners`` maps each document id in the index to its path."""
    file_meta = {"size": result.size, "mtime_ns": result.mtime_ns, "hash": result.hash}
    if result.skipped:
        summary.skipped.append({"path": result.path, "reason": result.skipped})
        return
    if result.unchanged and records:
        # Same content, new mtime. The records are left as they are (the next run hashes the
        # file again): re-adding a document record would put it after its passages, and the
        # search layer finds a passage's document by the record that precedes it.
        summary.unchanged += len(records)
        return
    summary.skipped.extend({"path": result.path, "reason": problem} for problem in result.problems)
    if records:
        writer.replace_path(result.path)
    if result.legacy_encoding:
        summary.legacy.append({"path": result.path, "encoding": result.legacy_encoding})
    written = 0
    here: set[str] = set()
    for doc in result.documents:
        owner = owners.get(doc.doc_id, result.path)
        if doc.doc_id in here or owner != result.path:
            summary.skipped.append({"path": f"{result.path}#{doc.doc_id}",
                                    "reason": f"duplicate document id {doc.doc_id!r} (already used in {owner})"})
            continue
        here.add(doc.doc_id)
        owners[doc.doc_id] = result.path
        summary.passages += writer.add(doc, file_meta)
        written += 1
    if records:
        summary.updated += written
    else:
        summary.added += written


def _same_stat(path: Path, meta: dict) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_size == meta.get("size") and st.st_mtime_ns == meta.get("mtime_ns")


class _maybe:
    """``with`` for an executor that may be None (one job: analyze in this process)."""

    def __init__(self, executor: Executor | None):
        self.executor = executor

    def __enter__(self):
        return self.executor

    def __exit__(self, *exc):
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _collector_paused(paused: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while this process only writes (with workers).

    The writer keeps millions of lists (postings by term) that never form cycles, and each full
    collection walked all of them again: some 15% of the writer's time. Worker processes, which
    analyze, collect as usual (``_executor``); with one job nothing is paused."""
    was_enabled = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused and was_enabled:
            gc.enable()


def index_documents(
    documents: Iterable[RawDocument],
    index_dir: str | Path,
    *,
    jobs: int | None = None,
    batch: int = 64,
) -> Summary:
    """Index ready-made documents into a new index (benchmarks use it). A document without a
    ``doc_id`` is numbered by its place in ``documents`` (``doc-0``, ``doc-1``, ...)."""
    index_dir = Path(index_dir)
    jobs = jobs or default_jobs()
    started = time.monotonic()
    summary = Summary()
    with _building(index_dir, clear=True, jobs=jobs) as (writer, executor):
        # Two batches per worker keep it busy; more only hold analyzed postings in memory.
        for docs in _bounded(executor, _analyze_batch, _batches(documents, batch), 2 * jobs):
            for doc in docs:
                if isinstance(doc, tuple):
                    summary.skipped.append({"path": doc[0], "reason": doc[1]})
                    continue
                summary.passages += writer.add(doc, {})
                summary.added += 1
    summary.documents, summary.passages = _counts(index_dir)
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _batches(items: Iterable, size: int) -> Iterator[tuple[list, int]]:
    """(batch, place of its first item in ``items``)."""
    batch: list = []
    first = 0
    for i, item in enumerate(items):
        if not batch:
            first = i
        batch.append(item)
        if len(batch) >= size:
            yield batch, first
            batch = []
    if batch:
        yield batch, first


def _analyze_batch(raws: list[RawDocument], first: int) -> list[EncodedDocument | tuple[str, str]]:
    """Encoded documents, or (doc_id, reason) for one that could not be analyzed; ``first``:
    the place of the batch's first document among all, which numbers documents without an id."""
    out: list[EncodedDocument | tuple[str, str]] = []
    for i, raw in enumerate(raws, first):
        doc_id = raw.doc_id or f"doc-{i}"
        try:
            out.append(encode(analyze_document(raw, raw.meta.get("path", ""), doc_id)))
        except Exception as exc:  # one bad document must not abort the run
            out.append((doc_id, f"could not be analyzed: {type(exc).__name__}: {exc}"))
    return out
