"""What an indexing worker does with its share of a build: analyze it, and write it into a
segment of its own.

The writer process used to receive every analyzed document (some eight times the bytes of its
text, pickled) and add it to the one segment it was writing, then write that segment's postings
while the workers waited: on two cores the writer, not the analysis, set the pace. Here each
worker takes a *block* of tasks (consecutive files or groups of JSONL lines), analyzes them and
adds the documents to a segment it writes itself (``storage.SegmentBuilder``); it returns what
the writer needs to keep its books (each document's id, where its record is, how many passages)
and the finished segment, which the writer commits. The writer's part is reduced to deciding
which documents stand (a duplicate id is dropped from the segment before it is committed),
deletions, and the commit.

A block's tasks are consecutive, and the blocks of a round are committed in order, so documents
keep the order of their files and lines whatever the number of workers.
"""

from __future__ import annotations

import gc
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from .documents import FileResult
from .storage import SegmentBuilder, WrittenSegment

_report: Callable[[tuple], None] | None = None  # how a worker tells the writer a task is done


def start(queue=None) -> None:
    """A worker process's initializer: task reports go to ``queue`` (if given)."""
    gc.enable()
    # Ctrl-C reaches the whole process group. The writer process turns it into one line and
    # removes what the build wrote; a worker has nothing to say, and Python's default would print
    # a KeyboardInterrupt traceback from each idle worker. What a worker leaves in its temporary
    # folder is removed with the uncommitted segments (``IndexWriter.cancel``).
    signal.signal(signal.SIGINT, _leave)
    global _report
    _report = queue.put if queue is not None else None


def _leave(signum, frame) -> None:
    os._exit(128 + signum)


@dataclass
class Written:
    """A document as a worker wrote it into its block's segment: its record's docnum there, and
    the records it took (its record and its passages)."""

    doc_id: str
    first: int
    records: int

    @property
    def passages(self) -> int:
        return self.records - 1


@dataclass
class BlockTask:
    """One task of a block: ``fn(*args)`` gives a ``FileResult``; ``meta`` is what its
    documents' records keep of their file (a JSONL file's stat, known to the writer), or None
    for the file's own (size, mtime and hash, as read by the task)."""

    number: int
    fn: Callable[..., FileResult]
    args: tuple
    meta: dict | None = None


def write_block(index_dir: str, memory_mb: int | None, share: int, tasks: list[BlockTask],
                report: Callable[[tuple], None] | None = None) -> tuple[WrittenSegment | None, list[FileResult]]:
    """Run ``tasks`` in order, writing their documents into one new segment of the index at
    ``index_dir``; returns the segment (None if no task had a document) and each task's result,
    its documents as ``Written``. Each task done is reported (``(number, bytes, documents)``) as
    it ends, so progress moves inside a block. A failure to write (a full disk) raises: the
    build stops, and nothing of the block is committed."""
    tell = report or _report
    builder = SegmentBuilder(index_dir, memory_mb=memory_mb, share=share)
    results: list[FileResult] = []
    # The segment's buffers are millions of lists that never form cycles: each full collection
    # of the cyclic garbage collector would walk them all again (as it did in the writer).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for task in tasks:
            result = task.fn(*task.args)
            meta = task.meta if task.meta is not None else {"size": result.size, "mtime_ns": result.mtime_ns,
                                                             "hash": result.hash}
            result.documents = [Written(doc.doc_id, builder.add(doc, meta), doc.passage_count + 1)
                                for doc in result.documents]
            results.append(result)
            if tell is not None:
                tell((task.number, result.size, len(result.documents)))
        return builder.finish(), results
    except BaseException:
        builder.cancel()
        raise
    finally:
        if collecting:
            gc.enable()


def blocks(tasks: list[BlockTask], sizes: list[int], jobs: int) -> list[list[BlockTask]]:
    """``tasks`` cut into at most ``jobs`` runs of consecutive tasks of about the same bytes
    (``sizes``), one per worker. Each cut falls on whichever side of the task that crosses a
    worker's share leaves the blocks closer in bytes: always cutting after it gave the first
    worker of a 17 MB JSONL a whole 1 MB group more than the second, which then worked alone
    for the last 1.6 s of a 10 s build (the round waits for its last block)."""
    total = sum(sizes)
    out: list[list[BlockTask]] = []
    current: list[BlockTask] = []
    done = 0
    for task, size in zip(tasks, sizes):
        if len(out) < jobs - 1 and current:
            share = total * (len(out) + 1) / jobs
            if done < share < done + size and done + size - share > share - done:
                out.append(current)  # this task would overshoot the share more than leaving it out falls short
                current = []
        current.append(task)
        done += size
        if len(out) < jobs - 1 and done >= total * (len(out) + 1) / jobs:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def in_order(executor: Executor | None, calls: Iterable[tuple], window: int) -> Iterator[tuple[object, object]]:
    """For each ``(context, fn, args)`` in order, ``(context, fn(*args))``, computed by the
    executor's workers with at most ``window`` in flight; ``context`` stays in this process."""
    if executor is None:
        for context, fn, args in calls:
            yield context, fn(*args)
        return
    inflight: deque[tuple[object, Future]] = deque()
    try:
        for context, fn, args in calls:
            inflight.append((context, executor.submit(fn, *args)))
            if len(inflight) >= window:
                context, future = inflight.popleft()
                yield context, future.result()
        while inflight:
            context, future = inflight.popleft()
            yield context, future.result()
    finally:  # left early (a failed task): what has not started yet is not run for nothing
        for _context, future in inflight:
            future.cancel()
