"""One big file's work shared by all the workers, as a folder of files is.

A build hands each file to one worker (``workers.write_block``), and a big JSONL is shared out by
its lines (``lines``). A 2,000-page PDF or a 200 MB text file is one document, though, and used
to be read and analyzed by one worker while the others idled. Here, in the writer process:

* a PDF's pages are extracted by all workers at once, in consecutive ranges
  (``readers.pdf_page_texts``): pypdf's pure-Python extraction costs several times the analysis
  of the text it gives;
* the document's text is split into passages (a single linear pass), and consecutive shares of
  them are analyzed and encoded by all workers at once (``encode_share``);
* the shares are added to a segment of their own as they come back, in order
  (``SegmentBuilder.add_in_parts``), while the workers analyze the next ones: only the shares in
  flight are held, and the segment is the one a single worker would have written.

The result is the same document, record and passages as ``documents.analyze_file`` gives (the
tests compare them), whatever the number of workers.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor
from pathlib import Path

from .documents import FileResult, analyzed_passage, document_head, file_documents, opened_file, reported
from .lines import runs
from .passages import Passage, split_passages
from .readers import pdf_page_texts, read_document, read_pdf_in_parts
from .storage import EncodedPassages, SegmentBuilder, WrittenSegment, encode, encode_passages
from .workers import Written, in_order

# Files at least this big (``VNSEARCH_SPLIT_BYTES`` overrides both) are shared by the workers when
# there are several. A PDF's bytes say little of its text (fonts, images), and its pages cost most.
SPLIT_BYTES = 8 << 20
SPLIT_PDF_BYTES = 1 << 20
SHARE_CHARS = 200_000  # of text per share of passages: small enough for progress, big enough to amortize a task
SPLITTABLE = frozenset({".pdf", ".txt", ".md", ".html", ".htm", ".docx"})


def split_bytes(path: str) -> int:
    """The size from which the file at ``path`` is shared by the workers."""
    override = os.environ.get("VNSEARCH_SPLIT_BYTES")
    if override:
        return max(1, int(override))
    return SPLIT_PDF_BYTES if path.lower().endswith(".pdf") else SPLIT_BYTES


def shared(path: str, size: int, total: int, jobs: int) -> bool:
    """Whether a file of ``size`` bytes, in a build of ``total`` bytes on ``jobs`` workers, is read
    and analyzed in shares (``split_bytes`` and up).

    A text, Markdown, HTML or Word file always is, with one job too (in this process): its
    shares are written as they are analyzed, so the memory a document takes is that of the
    shares in flight and the segment's buffers, not of the whole document analyzed at once
    (1.7 GB for 20 MB of text). A PDF's bytes are mostly not text, so its memory is not the
    reason: it is shared when there are several workers and it is a good part of the build (a
    quarter of a worker's part), which the other workers would otherwise wait for; a folder of
    many PDFs keeps one file a worker and a segment a worker a round, rather than a segment and
    a serial tail a file."""
    suffix = Path(path).suffix.lower()
    if suffix not in SPLITTABLE or size < split_bytes(path):
        return False
    return suffix != ".pdf" or (jobs > 1 and size * 4 * jobs >= total)


def encode_share(passages: list[Passage]) -> EncodedPassages:
    """A worker's share of a big document: its passages analyzed and encoded."""
    return encode_passages([analyzed_passage(p) for p in passages])


def _shares(passages: list[Passage], jobs: int) -> list[list[Passage]]:
    """Consecutive runs of about ``SHARE_CHARS`` of text, at least two per worker."""
    sizes = [p.end - p.start for p in passages]
    return runs(passages, sizes, max(1, min(SHARE_CHARS, sum(sizes) // (2 * jobs) + 1)))


class _ShareFailed(Exception):
    """A worker could not analyze a share of the file (the file's fault, not the index's)."""


def index_shared_file(executor: Executor | None, index_dir: str, memory_mb: int | None, jobs: int, path: str,
                      known_hash: str | None, max_bytes: int | None,
                      advance: Callable[[int], None]) -> tuple[WrittenSegment | None, FileResult]:
    """Read, analyze and write one big file with every worker (``executor``'s ``jobs``; this
    process alone when there is none) into a segment of its own; returns it (None when the file
    has no document) and the file's result, its documents as ``Written``, as
    ``workers.write_block`` does. ``advance(bytes)`` hears of the file's bytes as they are done: a
    PDF's extraction is counted as half of them, the analysis as the rest. A bad file is skipped with its reason; a failure to write (a full disk) raises."""
    result = opened_file(path, known_hash, max_bytes)
    if result.skipped or result.unchanged:
        advance(result.size)
        return None, result
    is_pdf = path.lower().endswith(".pdf")
    extraction = result.size // 2 if is_pdf else 0
    docs = []
    with reported(result):
        if is_pdf:
            def extract(ranges: list[tuple[int, int]]) -> Iterator[list[str]]:
                pages = max(1, ranges[-1][1]) if ranges else 1
                calls = (((a, b), pdf_page_texts, (path, a, b)) for a, b in ranges)
                for (start, end), texts in in_order(executor, calls, 2 * jobs):
                    advance(extraction * (end - start) // pages)
                    yield texts
            raws = read_pdf_in_parts(Path(path), extract, 4 * jobs)
        else:
            raws = read_document(Path(path), **({"max_bytes": max_bytes} if max_bytes else {}))
        for raw, doc_id, doc_meta in file_documents(result, raws):
            passages = split_passages(raw.text)
            head = encode(document_head(raw, path, doc_id, doc_meta), spans=[(p.no, p.start, p.end) for p in passages])
            docs.append((doc_id, head, passages))
    if result.skipped:
        advance(result.size - extraction)
        return None, result
    chars = max(1, sum(len(head.text) for _, head, _ in docs))
    meta = {"size": result.size, "mtime_ns": result.mtime_ns, "hash": result.hash}  # as ``write_block``'s
    builder = SegmentBuilder(index_dir, memory_mb=memory_mb, share=1)
    # The segment's buffers never form cycles: full collections would walk them again and again
    # (as in ``workers.write_block``).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for doc_id, head, passages in docs:

            def parts(passages=passages) -> Iterator[EncodedPassages]:
                calls = ((share, encode_share, (share,)) for share in _shares(passages, jobs))
                shares = in_order(executor, calls, 2 * jobs)
                while True:
                    try:
                        share, encoded = next(shares)
                    except StopIteration:
                        return
                    except BrokenExecutor:
                        raise
                    except Exception as exc:
                        raise _ShareFailed(f"could not be read: {type(exc).__name__}: {exc}") from exc
                    advance((result.size - extraction) * sum(p.end - p.start for p in share) // chars)
                    yield encoded

            first = builder.add_in_parts(head, parts(), meta)
            result.documents.append(Written(doc_id, first, head.passage_count + 1))
        segment = builder.finish()
    except _ShareFailed as failed:
        builder.cancel()
        result.skipped, result.documents = str(failed), []
        return None, result
    except BaseException:  # the index's disk (a full one), or an interruption: the build stops
        builder.cancel()
        raise
    finally:
        if collecting:
            gc.enable()
    return segment, result
