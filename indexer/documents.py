"""From one file (or one ready-made document) to analyzed passages, ready for the writer.

This is the part of indexing that runs in worker processes: reading, decoding, extracting,
splitting into passages, analyzing, and encoding for the storage (``storage.encode``). It returns
picklable data; only the writer process touches the index.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UnreadableFile
from .metadata import content_hash, find_date, guess_title
from .passages import Passage, split_passages
from .lines import Line, read_lines
from .readers import DEFAULT_MAX_BYTES, RawDocument, decode_jsonl_lines, jsonl_documents, read_document, too_large
from .passage_terms import analyze_passage, folded_positions
from .storage import AnalyzedDocument, AnalyzedPassage, EncodedDocument, encode


@dataclass
class FileResult:
    """What became of one file: its documents, or why it was skipped."""

    path: str
    size: int
    mtime_ns: int
    hash: str | None = None
    documents: list[EncodedDocument] = field(default_factory=list)
    skipped: str | None = None
    unchanged: bool = False
    legacy_encoding: str | None = None
    problems: list[str] = field(default_factory=list)  # parts skipped (bad JSONL lines), with why
    malformed: int = 0  # JSONL lines that are not documents (``analyze_lines``)


def path_doc_id(path: str) -> str:
    """A stable, URL-safe id for the document of a file: its name plus a hash of its path."""
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in Path(path).stem)[:60]
    digest = hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}-{digest}"


def document_date(fields: dict, text: str) -> str | None:
    """A document's date: its source's ``date`` field when it reads as a date (ISO, ``30/5/2019``,
    ``ngày 30 tháng 5 năm 2019``), else the first date of its text."""
    declared = fields.get("date")
    if isinstance(declared, str):
        found = find_date(declared)
        if found:
            return found
    return find_date(text)


def analyze_document(raw: RawDocument, path: str, doc_id: str, extra_meta: dict | None = None) -> AnalyzedDocument:
    """Split one document into passages and compute the terms of every field."""
    doc = document_head(raw, path, doc_id, extra_meta)
    for p in split_passages(raw.text):
        doc.passages.append(analyzed_passage(p))
    return doc


def document_head(raw: RawDocument, path: str, doc_id: str, extra_meta: dict | None = None) -> AnalyzedDocument:
    """A document's record without its passages: title (its own, or guessed from the text),
    date, metadata and the title's terms."""
    title = (raw.title or "").strip() or guess_title(raw.text)
    fields = {k: v for k, v in (raw.meta or {}).items() if k != "path"}
    # The source's own fields apart from what the indexer keeps (a JSONL field named "size"
    # or "hash" must not overwrite the file's).
    meta = dict(extra_meta or {}, fields=fields) if fields else dict(extra_meta or {})
    return AnalyzedDocument(
        doc_id=doc_id,
        path=path,
        title=title,
        date=document_date(fields, raw.text),
        meta=meta,
        text=raw.text,
        title_terms=folded_positions(title),
    )


def analyzed_passage(p: Passage) -> AnalyzedPassage:
    return AnalyzedPassage(p.no, p.start, p.end, analyze_passage(p.text))


def analyze_file(path: str, known_hash: str | None = None, max_bytes: int | None = None) -> FileResult:
    """Read and analyze one file; never raises for a bad file, reports it instead."""
    result = opened_file(path, known_hash, max_bytes)
    if result.skipped or result.unchanged:
        return result
    with reported(result):
        kwargs = {"max_bytes": max_bytes} if max_bytes else {}
        for raw, doc_id, meta in file_documents(result, read_document(Path(path), **kwargs)):
            result.documents.append(encode(analyze_document(raw, path, doc_id, meta)))
    return result


def opened_file(path: str, known_hash: str | None = None, max_bytes: int | None = None) -> FileResult:
    """A file's ``FileResult`` before it is read into documents: its stat and content hash, or
    why it is skipped (not a regular file, too large, unreadable), or ``unchanged`` when its
    content hash is ``known_hash``."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and os.path.islink(path):
            return FileResult(path, 0, 0, skipped="broken symbolic link")
        return FileResult(path, 0, 0, skipped=_os_reason(exc))
    result = FileResult(path, st.st_size, st.st_mtime_ns)
    if not stat.S_ISREG(st.st_mode):  # a named pipe or a device would block or never end
        result.skipped = f"not a regular file ({_file_kind(st.st_mode)})"
        return result
    limit = max_bytes or DEFAULT_MAX_BYTES
    if st.st_size > limit:  # before reading it whole to hash it
        result.skipped = too_large(st.st_size, limit)
        return result
    with reported(result):
        with open(path, "rb") as fh:
            result.hash = content_hash(fh.read())
        result.unchanged = known_hash is not None and result.hash == known_hash
    return result


@contextmanager
def reported(result: FileResult) -> Iterator[None]:
    """Whatever goes wrong reading or analyzing the file becomes why it is skipped: a broken
    file must never abort the run."""
    try:
        yield
    except BrokenExecutor:  # a worker died (killed, out of memory): the build's failure, not the file's
        raise
    except UnreadableFile as exc:
        result.skipped = exc.reason
    except OSError as exc:
        result.skipped = _os_reason(exc)
    except Exception as exc:
        result.skipped = f"could not be read: {type(exc).__name__}: {exc}"


def file_documents(result: FileResult, raws: list[RawDocument]) -> Iterator[tuple[RawDocument, str, dict]]:
    """Each document read from a file, with its id and its record's metadata; the malformed
    parts and a legacy encoding go into ``result``."""
    result.problems = list(getattr(raws, "problems", []))
    unexplained = getattr(raws, "skipped", 0) - len(result.problems)
    if unexplained > 0:
        result.problems.append(f"{unexplained} more malformed records")
    base_id = path_doc_id(result.path)
    for i, raw in enumerate(raws):
        doc_id = raw.doc_id or (base_id if len(raws) == 1 else f"{base_id}:{i}")
        if raw.legacy_encoding:
            result.legacy_encoding = raw.legacy_encoding
        yield raw, doc_id, {"size": result.size, "legacy_encoding": raw.legacy_encoding}


def analyze_lines(path: str, lines: list[Line], base_id: str, single: bool) -> FileResult:
    """Read and analyze some lines of a JSONL file (a worker's share of a big file); never raises.

    A line without an ``id`` is named by its line number (``<file id>:<line - 1>``), so its
    name does not depend on how the file was shared out; a file of one line is named by the file
    (``single``), as any one-document file. Each document carries its line's hash, by which the
    next run knows whether it changed. A group that cannot be read is reported as a problem of
    its lines, and the rest of the file goes on."""
    result = FileResult(path, sum(line.length for line in lines), 0)
    try:
        data = read_lines(path, lines)
        texts, legacy = decode_jsonl_lines(data)
        batch = jsonl_documents([(line.lineno, text) for line, text in zip(lines, texts)], legacy)
        hashes = {line.lineno: line.hash for line in lines}
        result.problems = list(batch.problems)
        if batch.skipped > len(batch.problems):
            result.problems.append(f"{batch.skipped - len(batch.problems)} more malformed records")
        result.malformed = batch.skipped
        for raw, lineno in zip(batch, batch.linenos):
            doc_id = raw.doc_id or (base_id if single else f"{base_id}:{lineno - 1}")
            if raw.legacy_encoding:
                result.legacy_encoding = raw.legacy_encoding
            meta = {"legacy_encoding": raw.legacy_encoding, "line_hash": hashes[lineno]}
            result.documents.append(encode(analyze_document(raw, path, doc_id, meta)))
    except (UnreadableFile, OSError) as exc:
        reason = exc.reason if isinstance(exc, UnreadableFile) else _os_reason(exc)
        result.problems = [f"lines {lines[0].lineno}-{lines[-1].lineno}: {reason}"]
        result.malformed = len(lines)
    except Exception as exc:  # a broken line must never abort the run
        result.problems = [f"lines {lines[0].lineno}-{lines[-1].lineno}: could not be read: {type(exc).__name__}: {exc}"]
        result.malformed = len(lines)
    return result


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file disappeared while indexing"
    return exc.strerror or str(exc)
