"""Building and updating an index: incremental, parallel, and safe to interrupt.

Worker processes read and analyze files (``documents.analyze_file``) and groups of JSONL lines
(``analyze_lines``), and write what they analyzed into segments of their own (``workers``); this
process keeps the books (which documents stand, what is deleted) and alone commits. A file is
re-read only when its size or mtime changed, and re-indexed only when its content hash changed.
Documents whose files are gone are dropped.

Safety comes from Whoosh's commit: segment files are written first and the table of contents
that names them is renamed into place last, so a build killed at any moment leaves the previous
commit intact and searchable. We commit every ``COMMIT_EVERY`` records per worker, so an
interrupted build keeps the rounds it finished, and a file's document record and passages are
always in the same commit.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue as queues
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .big_files import index_shared_file, shared
from .discover import discover
from .documents import FileResult, analyze_document, analyze_file, analyze_lines, path_doc_id
from .lines import LineScan, scan_lines, share_out, splittable
from .readers import SUPPORTED_SUFFIXES, RawDocument
from .stats import Scanned, record_build, scanned_files
from .synonyms import CheckedSynonyms, checked_synonyms, record_synonyms
from .storage import EncodedDocument, IndexWriter, WrittenSegment, encode, open_reader
from .workers import BlockTask, Written, blocks, in_order, write_block
from . import workers

# Records a worker writes into one segment a round (``VNSEARCH_COMMIT_EVERY`` or ``commit_every=``
# override it); a round, and a commit, is this many records' worth of input per worker. At 20,000
# a 22,642-article build wrote ten segments of one level, which the last commit merged in this
# process for 85 of its 223 s while the workers waited (holding their memory: the build's peak);
# segments this size are never merged by level (``storage.merges.FULL``). Bigger ones cost the
# workers more (their buffers spill to sorted runs) and lose more work to an interruption.
COMMIT_EVERY = 100_000
BYTES_PER_RECORD = 360  # of input, about (a passage and its share of its document's record)


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
    """How far a build is: documents and bytes done out of what there is to do (the lines of a
    big JSONL count one by one, as workers finish them)."""

    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    documents_done: int = 0
    documents_total: int = 0
    passages_done: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def seconds_left(self) -> float | None:
        """At the rate so far (by bytes), or None before there is a rate."""
        done, elapsed = self.bytes_done, self.seconds
        if done <= 0 or elapsed <= 0 or self.bytes_total <= done:
            return None if done <= 0 else 0.0
        return (self.bytes_total - done) / (done / elapsed)


ProgressCallback = Callable[[Progress], None]


class _Writer:
    """Adds encoded documents to the index, committing every so often."""

    def __init__(self, writer: IndexWriter, clear: bool, commit_every: int | None = None):
        self.writer = writer
        self.clear = clear
        self.commit_every = _commit_every(commit_every)
        self.pending = 0
        self.segment: WrittenSegment | None = None  # the segment of the block being accounted for

    def replace_path(self, path: str) -> None:
        self.writer.delete_path(path)

    def delete_document(self, doc_id: str) -> None:
        self.writer.delete_document(doc_id)

    def add(self, doc: EncodedDocument, file_meta: dict) -> int:
        written = self.writer.add(doc, file_meta)
        self.pending += written + 1
        return written

    def place(self, doc: Written) -> int:
        """Keep a document a worker wrote into ``segment``; returns its passages."""
        self.pending += doc.records
        return doc.passages

    def drop(self, doc: Written | EncodedDocument) -> None:
        """Leave out a document a worker wrote (its id is taken)."""
        if isinstance(doc, Written) and self.segment is not None:
            self.segment.drop(doc.first, doc.records)

    def add_segment(self, segment: WrittenSegment | None) -> None:
        if segment is not None:
            self.writer.add_segment(segment)

    def maybe_commit(self) -> None:
        # A rebuild commits once, at the end: the old index stays whole until then.
        if self.pending >= self.commit_every and not self.clear:
            self.commit()

    def commit(self) -> None:
        cleared = self.clear
        self.writer.commit()
        self.clear = False
        self.pending = 0
        if cleared:
            # A rebuild's one commit adds every segment the workers wrote as they are; the next
            # merges them as any build's commits would have (``merges``).
            self.writer.commit()

    def cancel(self) -> None:
        self.writer.cancel()


@contextmanager
def _building(index_dir: Path, *, clear: bool, jobs: int, lock_wait: float = 0.0,
              commit_every: int | None = None, memory_mb: int | None = None,
              committed: Callable[[], None] | None = None, reports=None) -> Iterator[tuple[_Writer, Executor | None]]:
    """The skeleton of every build: a writer (which holds the index's lock), the worker processes
    (``reports``: a queue they report finished tasks to); a commit when the block ends (then
    ``committed``, still under the lock), and nothing committed past the last commit if it raises."""
    with IndexWriter(index_dir, clear=clear, lock_wait=lock_wait, memory_mb=memory_mb) as index_writer:
        writer = _Writer(index_writer, clear=clear, commit_every=commit_every)
        with _collector_paused(jobs > 1):
            try:
                with _maybe(_executor(jobs, reports)) as executor:
                    yield writer, executor
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
        if committed is not None:
            committed()


def _keep_synonyms(index_dir: Path, groups: CheckedSynonyms | None) -> None:
    """After a build's commit, under its lock: the synonyms it was given become the index's."""
    if groups is not None:
        record_synonyms(index_dir, groups)


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
    return (result for _, result in in_order(executor, ((None, fn, args) for args in tasks), window))


def _executor(jobs: int, reports=None) -> Executor | None:
    if jobs <= 1:
        return None
    if reports is not None:
        return ProcessPoolExecutor(jobs, mp_context=_FORK, initializer=workers.start, initargs=(reports,))
    return ProcessPoolExecutor(jobs, mp_context=_FORK, initializer=workers.start)


_FORK = multiprocessing.get_context("fork")


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
    memory_mb: int | None = None,
    synonyms: str | os.PathLike | None = None,
) -> Summary:
    """Bring the index at ``index_dir`` up to date with the files under ``paths``.

    ``commit_every``: commit after about this many records (default ``COMMIT_EVERY``, or the
    ``VNSEARCH_COMMIT_EVERY`` environment variable), so an interrupted run keeps its work.
    ``memory_mb``: the postings the workers' segment writers may buffer, shared between them
    (default 512; ``storage.buffer_sizes``, ``SegmentBuilder``).
    ``synonyms``: a synonyms file, checked before anything is indexed and kept in the index for
    every later search of it (``indexer.synonyms``); ``None`` keeps what the index has."""
    index_dir = Path(index_dir)
    paths = list(paths)
    jobs = jobs or default_jobs()
    started = time.monotonic()
    summary = Summary()
    state = Progress()
    scanned: dict[str, list[int]] = {}  # JSONL files brought up to date line by line: stat, documents
    forget: list[str] = []  # files whose ``scanned`` entry no longer holds
    groups = checked_synonyms(synonyms) if synonyms is not None else None

    def committed() -> None:
        record_build(index_dir, [os.path.abspath(p) for p in paths], scanned, forget, rebuild)
        _keep_synonyms(index_dir, groups)

    reports = _FORK.Queue() if jobs > 1 else None
    with _building(index_dir, clear=rebuild, jobs=jobs, lock_wait=lock_wait, commit_every=commit_every,
                   memory_mb=memory_mb, committed=committed, reports=reports) as (writer, executor):
        known = {} if rebuild else _known_documents(index_dir)
        done = {} if rebuild else scanned_files(index_dir)
        calls = _tasks(paths, known, summary, max_bytes, jobs, state, done)
        owners = {r["doc_id"]: path for path, records in known.items() for r in records}
        gone = [p for p in known if not os.path.lexists(p)]
        forget.extend(gone)
        for path in gone:
            writer.replace_path(path)
            summary.removed += len(known[path])
            for record in known[path]:
                owners.pop(record["doc_id"], None)

        def moved(size: int) -> None:
            state.bytes_done += size
            if progress:
                progress(state)

        for round_calls in rounds(calls, writer.commit_every * jobs * BYTES_PER_RECORD):

            def heard(report: tuple, round_calls=round_calls) -> None:
                number, size, _documents = report
                context = round_calls[number][0]
                state.documents_done += context.lines if isinstance(context, _LinePart) else 1
                state.files_done += 1 if not isinstance(context, _LinePart) or context.last else 0
                moved(size)

            for block, (segment, results) in _run_round(executor, reports, index_dir, memory_mb, jobs, round_calls,
                                                        heard, moved):
                writer.segment = segment
                for task, result in zip(block, results):
                    context = round_calls[task.number][0]
                    if isinstance(context, _LinePart):
                        context.plan.apply(result, writer, summary, owners)
                        if context.last:
                            context.plan.finish(writer, summary, owners)
                            scanned[context.plan.path] = [*context.plan.scanned, context.plan.held]
                    else:
                        _apply(result, known.get(result.path), writer, summary, owners)
                        forget.append(result.path)
                writer.add_segment(segment)
                writer.segment = None
            state.passages_done = summary.passages
            if isinstance(round_calls[0][0], _Shared):
                writer.maybe_commit()  # a big file's segment: with the next round's, unless a round's worth
            elif not writer.clear:
                writer.commit()  # a round at a time: an interrupted build keeps the rounds done
    summary.documents, summary.passages = _counts(index_dir)
    summary.bytes = state.bytes_done
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _tasks(paths: list, known: dict[str, list[dict]], summary: Summary, max_bytes: int | None, jobs: int,
           state: Progress, done: dict[str, Scanned] | None = None) -> list[tuple]:
    """The work of a build as ``(context, fn, args, bytes)`` for the workers: one ``analyze_file`` per
    file that may have changed since it was indexed (by size or mtime), and a JSONL file's
    changed lines shared out in groups (``analyze_lines``); the totals go into ``state``.
    ``done``: ``stats.scanned_files``, the JSONL files known to be up to date at their stat."""
    calls: list[tuple] = []
    todo = _file_tasks(paths, known, summary, max_bytes, done or {})
    total = sum(_size(key) for key, _ in todo)
    for key, known_hash in todo:
        plan = _line_plan(key, known.get(key))
        if plan is None:
            size = _size(key)
            if shared(key, size, total, jobs):
                calls.append((_Shared(), index_shared_file, (key, known_hash, max_bytes), size))
            else:
                calls.append((None, analyze_file, (key, known_hash, max_bytes), size))
            state.documents_total += 1
            state.bytes_total += size
            continue
        groups = share_out(plan.todo, jobs)
        summary.unchanged += len(plan.kept)
        if not groups:  # nothing changed but the file's time, or it lost all its lines
            calls.append((_LinePart(plan, 0, True), _nothing, (key,), 0))
        for i, group in enumerate(groups):
            calls.append((_LinePart(plan, len(group), i == len(groups) - 1),
                          analyze_lines, (key, group, plan.base_id, plan.single), sum(line.length for line in group)))
        state.documents_total += len(plan.todo)
        state.bytes_total += sum(line.length for line in plan.todo)
    state.files_total = len({call[2][0] for call in calls})
    return calls


def rounds(calls: list[tuple], round_bytes: int) -> Iterator[list[tuple]]:
    """The tasks of a build in rounds of about ``round_bytes`` of input (at least one task
    each): a round's tasks are shared out to the workers in consecutive blocks, each written
    into a segment of its own, and committed together when the round is done. A big file that
    all the workers share (``big_files``) is a round of its own."""
    current: list[tuple] = []
    size = 0
    for call in calls:
        if isinstance(call[0], _Shared):  # a round of its own
            if current:
                yield current
            yield [call]
            current, size = [], 0
            continue
        current.append(call)
        size += call[3]
        if size >= round_bytes:
            yield current
            current, size = [], 0
    if current:
        yield current


def _run_round(executor: Executor | None, reports, index_dir: Path, memory_mb: int | None, jobs: int,
               calls: list[tuple], done: Callable[[tuple], None],
               moved: Callable[[int], None]) -> list[tuple[list[BlockTask], tuple]]:
    """Run one round's tasks in blocks (``workers.write_block``), one per worker; ``done`` hears
    of each task as it ends (``(number, bytes, documents)``). Returns each block with its
    outcome, in order. A round of one big file has all the workers on it (``big_files``), as one
    block: ``moved`` hears of its bytes as they are done, ``done`` of the rest at its end."""
    if isinstance(calls[0][0], _Shared):
        [(_, fn, args, size)] = calls
        told = 0

        def advance(part: int) -> None:
            nonlocal told
            told += part
            moved(part)

        segment, result = fn(executor, str(index_dir), memory_mb, jobs, *args, advance)
        done((0, size - told, len(result.documents)))
        return [([BlockTask(0, fn, args)], (segment, [result]))]
    tasks = [BlockTask(i, fn, args, context.plan.stat if isinstance(context, _LinePart) else None)
             for i, (context, fn, args, _size) in enumerate(calls)]
    cut = blocks(tasks, [call[3] for call in calls], jobs)
    if executor is None:
        return [(block, write_block(str(index_dir), memory_mb, 1, block, report=done)) for block in cut]
    futures = [executor.submit(write_block, str(index_dir), memory_mb, jobs, block) for block in cut]
    heard = 0
    while heard < len(tasks):
        try:
            report = reports.get(timeout=0.2)
        except queues.Empty:
            for future in futures:
                if future.done() and future.exception() is not None:
                    raise future.exception()
            continue
        heard += 1
        done(report)
    return [(block, future.result()) for block, future in zip(cut, futures)]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _nothing(path: str) -> FileResult:
    return FileResult(path, 0, 0)


def _file_tasks(paths: list, known: dict[str, list[dict]], summary: Summary,
                max_bytes: int | None, done: dict[str, Scanned]) -> list[tuple[str, str | None]]:
    """``(path, known content hash)`` for every file under ``paths`` that may have changed since
    it was indexed (by size or mtime); the others count as unchanged, unreadable ones as skipped."""
    tasks = []
    for item in discover([Path(p) for p in paths], SUPPORTED_SUFFIXES):
        if isinstance(item, tuple):
            summary.skipped.append({"path": str(item[0]), "reason": item[1]})
            continue
        key = str(item)
        records = known.get(key)
        if records and _up_to_date(item, records, done.get(key)):
            summary.unchanged += len(records)
            continue
        known_hash = records[0]["meta"].get("hash") if records else None
        tasks.append((key, known_hash))
    return tasks


class _Shared:
    """The task of a big file that all the workers read and analyze (``big_files``)."""


@dataclass
class _LinePart:
    """The writer's side of one group of lines sent to a worker."""

    plan: _LinePlan
    lines: int
    last: bool


@dataclass
class _LinePlan:
    """How a JSONL file is brought up to date line by line.

    A line whose hash a record of this file holds is unchanged (``kept``); the other lines are
    analyzed (``todo``); a document whose id the index holds for this file is replaced, others
    are added; records of this file that no line kept or replaced are removed at the end
    (``finish``). Records indexed before lines had hashes (``whole``) are all replaced."""

    path: str
    base_id: str
    single: bool
    todo: list
    lines: int = 0
    kept: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    whole: bool = False
    seen: set[str] = field(default_factory=set)
    documents: int = 0
    malformed: int = 0
    problems: list[str] = field(default_factory=list)
    legacy: str | None = None
    stat: dict = field(default_factory=dict)
    started: bool = False
    scanned: tuple[int, int] = (0, 0)  # the file's (size, mtime_ns) before its scan

    @property
    def held(self) -> int:
        """The file's documents in the index once ``finish`` is done: the lines kept, and the
        ones written (a duplicate id is neither)."""
        return len(self.kept | self.seen)

    def apply(self, result: FileResult, writer: _Writer, summary: Summary, owners: dict[str, str]) -> None:
        if not self.started:
            self.started = True
            if self.whole:
                writer.replace_path(self.path)
        self.malformed += result.malformed
        self.problems.extend(result.problems)
        self.legacy = self.legacy or result.legacy_encoding
        for doc in result.documents:
            owner = owners.get(doc.doc_id, self.path)
            if doc.doc_id in self.seen or doc.doc_id in self.kept or owner != self.path:
                summary.skipped.append({"path": f"{self.path}#{doc.doc_id}",
                                        "reason": f"duplicate document id {doc.doc_id!r} (already used in {owner})"})
                writer.drop(doc)
                continue
            self.seen.add(doc.doc_id)
            owners[doc.doc_id] = self.path
            replaced = doc.doc_id in self.known
            if replaced and not self.whole:
                writer.delete_document(doc.doc_id)
            summary.passages += writer.place(doc)
            self.documents += 1
            if replaced:
                summary.updated += 1
            else:
                summary.added += 1

    def finish(self, writer: _Writer, summary: Summary, owners: dict[str, str]) -> None:
        """The file's last group is written: remove what no line holds any more, report."""
        if self.whole:
            summary.removed += len(self.known - self.seen)
        else:
            for doc_id in sorted(self.known - self.kept - self.seen):
                writer.delete_document(doc_id)
                owners.pop(doc_id, None)
                summary.removed += 1
        if self.lines == 0 or (self.malformed and self.malformed == self.lines):
            reason = f"no valid JSON lines ({self.malformed} malformed)" if self.lines else "empty file"
            summary.skipped.append({"path": self.path, "reason": reason})
            return
        summary.skipped.extend({"path": self.path, "reason": problem} for problem in self.problems[:10])
        if len(self.problems) > 10:
            summary.skipped.append({"path": self.path, "reason": f"{self.malformed - 10} more malformed records"})
        if self.legacy:
            summary.legacy.append({"path": self.path, "encoding": self.legacy})


def _line_plan(path: str, records: list[dict] | None) -> _LinePlan | None:
    """A line-by-line plan for a JSONL file that can be split into lines, else None."""
    if not path.lower().endswith(".jsonl"):
        return None
    try:
        st = os.stat(path)  # before the scan: a change while it runs is seen by the next run
        # A named pipe or a device would block the writer (analyze_file reports it as such).
        if not stat.S_ISREG(st.st_mode) or not splittable(path):
            return None
        scan: LineScan = scan_lines(path)
    except OSError:
        return None  # analyze_file reports why it cannot be read
    records = records or []
    hashes = {r["meta"].get("line_hash"): r["doc_id"] for r in records}
    whole = bool(records) and None in hashes
    if whole and records[0]["meta"].get("hash") == scan.hash:  # same bytes, a new mtime
        plan = _LinePlan(path, path_doc_id(path), False, [], len(scan.lines), known={r["doc_id"] for r in records},
                         scanned=(st.st_size, st.st_mtime_ns))
        plan.kept = set(plan.known)
        return plan
    plan = _LinePlan(path, path_doc_id(path), len(scan.lines) == 1, [], len(scan.lines), known={r["doc_id"] for r in records},
                     whole=whole, stat={"size": st.st_size, "mtime_ns": st.st_mtime_ns, "hash": None},
                     scanned=(st.st_size, st.st_mtime_ns))
    for line in scan.lines:
        doc_id = None if whole else hashes.get(line.hash)
        if doc_id is not None and doc_id not in plan.kept:
            plan.kept.add(doc_id)
        else:
            plan.todo.append(line)
    return plan


def _apply(result: FileResult, records: list[dict] | None, writer: _Writer, summary: Summary,
           owners: dict[str, str]) -> None:
    """Account for one file's outcome (its documents are in a worker's segment: kept, or dropped
    when their id is taken); ``owners`` maps each document id in the index to its path."""
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
            writer.drop(doc)
            continue
        here.add(doc.doc_id)
        owners[doc.doc_id] = result.path
        summary.passages += writer.place(doc)
        written += 1
    if records:
        summary.updated += written
    else:
        summary.added += written


def _up_to_date(path: Path, records: list[dict], scanned: Scanned | None) -> bool:
    """Whether a file is as it was when last indexed, by its size and mtime. A JSONL file
    indexed line by line is, when it has the stat it was last scanned at (``scanned``) and the
    index still holds as many of its documents as that scan left: the records of its unchanged
    lines keep the stat of the run that wrote them, and fewer records than that mean some were
    lost since (``vnsearch check --repair`` dropped a segment holding them), which a scan of the
    file re-adds. Without that entry (the run that indexed its lines did not finish, or was a
    version that kept none) it is scanned again; other files have the stat of their records."""
    if scanned is not None or "line_hash" in records[0]["meta"]:
        try:
            st = path.stat()
        except OSError:
            return False
        if scanned is None or (scanned.documents is not None and len(records) < scanned.documents):
            return False
        return (st.st_size, st.st_mtime_ns) == (scanned.size, scanned.mtime_ns)
    return _same_stat(path, records[0]["meta"])


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
    synonyms: str | os.PathLike | None = None,
) -> Summary:
    """Index ready-made documents into a new index (benchmarks use it). A document without a
    ``doc_id`` is numbered by its place in ``documents`` (``doc-0``, ``doc-1``, ...).
    ``synonyms``: a synonyms file kept in the index, as ``index_paths`` takes it."""
    index_dir = Path(index_dir)
    jobs = jobs or default_jobs()
    started = time.monotonic()
    summary = Summary()
    # A new index: it keeps the synonyms given, and no copy left by an index the folder held before.
    groups = checked_synonyms(synonyms) if synonyms is not None else CheckedSynonyms("", 0)
    with _building(index_dir, clear=True, jobs=jobs,
                   committed=lambda: _keep_synonyms(index_dir, groups)) as (writer, executor):
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
