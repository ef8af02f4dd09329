"""``vnsearch check``: verify every file and every record of an index's current commit, and
``--repair``: drop the segments that fail, and say which documents the next run re-adds.

What is checked, in the manner of Lucene's ``CheckIndex``:

* every byte of every file of the commit against its manifest (``storage.verify.verify_files``):
  the table of contents, the manifest itself, each segment file whole and part by part;
* in each segment whose files pass (or that has no checksums, being older): every posting
  points at one of its records, of the kind its field is indexed on (``storage.audit``);
  every passage follows its document's record (the search layer finds a passage's document by
  the record before it), and its span lies inside that document's text;
* over the commit: no document twice, each document's ``passages`` count equals its live
  passages, numbered 0 to n-1, no passage without its document, and the live record count is
  documents plus passages.

A segment with a failing file or a problem of its own is *damaged*; ``repair`` commits the
index without it. Its documents are then missing from the index, so the next ``vnsearch index``
on the same paths finds their files unknown and adds them again, exactly them (the others are
unchanged). Their paths are listed when the damaged segment's records can still be read.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import IndexerError
from .stats import forget_scanned, read_info
from .storage import IndexWriter, exists, open_reader
from .storage import audit
from .storage import verify
from .storage.checksums import BadManifest, latest_generation, manifest_name, read_manifest
from .storage.reader import INDEX_NAME


@dataclass
class SegmentReport:
    id: str
    records: int = 0
    deleted: int = 0
    documents: int = 0
    passages: int = 0
    checksums: str = "ok"  # "ok", "failed", or "none" (written by an older version)
    problems: list[str] = field(default_factory=list)

    @property
    def damaged(self) -> bool:
        return bool(self.problems)


@dataclass
class CheckReport:
    index: str
    generation: int = -1
    checksums: str = "ok"  # "ok", "failed", "none" (no manifest), "partial" (some older segments)
    documents: int = 0
    passages: int = 0
    segments: list[SegmentReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # of the commit as a whole
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not any(s.damaged for s in self.segments)

    def damaged_segments(self) -> list[SegmentReport]:
        return [s for s in self.segments if s.damaged]

    def to_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


@dataclass
class RepairReport:
    index: str
    dropped: list[str] = field(default_factory=list)  # segment ids
    documents_dropped: int = 0
    to_reindex: list[str] = field(default_factory=list)  # paths, when their records could be read
    unreadable: int = 0  # dropped documents whose path could not be read
    paths: list[str] = field(default_factory=list)  # what the index was built from
    repaired: bool = False
    reason: str = ""  # why it could not repair, when it could not

    def to_dict(self) -> dict:
        return asdict(self)


def check_index(index_dir: str | Path) -> CheckReport:
    """Verify the index's current commit in full (see the module docstring)."""
    started = time.monotonic()
    index_dir = Path(index_dir)
    try:
        present = exists(index_dir)
    except IndexerError:  # its table of contents is damaged: the checks below say so
        present = True
    if not present:
        raise IndexerError(f"no vnsearch index at {index_dir}")
    report = CheckReport(index=str(index_dir))
    report.generation = generation = latest_generation(index_dir, INDEX_NAME)
    failed_files: dict[str, list[str]] = {}
    entries = _file_checks(index_dir, generation, report, failed_files)
    if report.problems:  # the table of contents or the manifest: nothing else can be trusted
        report.seconds = round(time.monotonic() - started, 2)
        return report
    try:
        with verify.unverified():
            reader = open_reader(index_dir)
    except Exception as exc:  # noqa: BLE001 - a damaged segment may fail any way
        report.problems.append(f"the commit could not be opened: {type(exc).__name__}: {exc}")
        report.seconds = round(time.monotonic() - started, 2)
        return report
    with reader:
        if reader.generation != generation:
            report.notes.append(f"a newer commit ({reader.generation}) was made while checking; checked {generation}")
        _records_checks(reader, report, entries, failed_files)
    if report.checksums == "ok" and any(s.checksums == "none" for s in report.segments):
        report.checksums = "partial"
    if report.checksums in ("none", "partial"):
        report.notes.append("no checksums (written by an older version)" if report.checksums == "none" else
                            "some segments have no checksums (written by an older version); they get them when merged")
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _file_checks(index_dir: Path, generation: int, report: CheckReport, failed: dict[str, list[str]]) -> dict:
    """Every file of the commit against its manifest; returns the manifest's segment entries."""
    name = manifest_name(INDEX_NAME, generation)
    try:
        manifest = read_manifest(index_dir, INDEX_NAME, generation)
    except BadManifest as exc:
        report.checksums = "failed"
        report.problems.append(f"{name} is damaged ({exc})")
        return {}
    if manifest is None:
        report.checksums = "none"
        return {}
    try:
        verify.verify_toc(index_dir, manifest.toc)
    except IndexerError:
        report.checksums = "failed"
        report.problems.append(f"{manifest.toc.name} (the table of contents) fails its checksum")
        return {}
    for sid, files in manifest.segments.items():
        if files is None:
            continue
        for fname, problem in verify.verify_files(index_dir, files):
            failed.setdefault(sid, []).append(f"{fname} {problem}")
    if failed:
        report.checksums = "failed"
    return manifest.segments


def _records_checks(reader, report: CheckReport, entries: dict, failed: dict[str, list[str]]) -> None:
    owners: Counter[str] = Counter()  # document id -> document records
    expected: dict[str, int] = {}
    numbers: dict[str, list[int]] = {}
    where: dict[str, str] = {}  # document id -> segment
    live_total = 0
    for seg, _ in reader.segments:
        sid = audit.segment_id(seg)
        item = SegmentReport(id=sid, records=seg.doc_count_all)
        report.segments.append(item)
        if report.checksums == "none":
            item.checksums = "none"
        elif sid not in entries:
            item.checksums = "failed"
            item.problems.append(f"{manifest_name(INDEX_NAME, reader.generation)} does not list this segment")
        elif entries[sid] is None:
            item.checksums = "none"
        if sid in failed:
            item.checksums = "failed"
            item.problems.extend(failed[sid])
            continue  # its records cannot be trusted: not read
        try:
            _segment_checks(seg, item, owners, expected, numbers, where)
            item.problems.extend(audit.postings_problems(seg))
        except IndexerError as exc:
            item.problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - damage in an unchecksummed segment
            item.problems.append(f"could not be read: {type(exc).__name__}: {exc}")
        live_total += item.records - item.deleted
    for doc_id, n in owners.items():
        if n > 1:
            report.problems.append(f"document {doc_id} is in the index {n} times")
    for doc_id, nos in numbers.items():
        if doc_id not in expected:
            continue
        if sorted(nos) != list(range(expected[doc_id])):
            _segment(report, where[doc_id]).problems.append(
                f"document {doc_id}: its record says {expected[doc_id]} passages, the index has {len(nos)}"
                + ("" if len(nos) != expected[doc_id] else f" numbered {sorted(nos)[:10]}"))
    for doc_id, n in expected.items():
        if n and doc_id not in numbers:
            _segment(report, where[doc_id]).problems.append(f"document {doc_id}: its record says {n} passages, the index has none")
    report.documents = sum(s.documents for s in report.segments)
    report.passages = sum(s.passages for s in report.segments)
    if not failed and report.documents + report.passages != reader.live_count():
        report.problems.append(f"{reader.live_count():,} live records are not {report.documents:,} documents "
                               f"and {report.passages:,} passages")


def _segment(report: CheckReport, sid: str) -> SegmentReport:
    return next(s for s in report.segments if s.id == sid)


def _segment_checks(seg, item: SegmentReport, owners: Counter, expected: dict, numbers: dict, where: dict) -> None:
    """The records of one segment: each passage after its document's record, inside its text."""
    deleted = seg.deleted()
    item.deleted = int(deleted.sum()) if deleted is not None else 0
    is_doc = set(int(d) for d in audit.document_records(seg))
    current = None  # the document record the following passages belong to
    current_len = 0
    for local in range(seg.doc_count_all):
        if local in is_doc:
            _spans_count(current, local, deleted, item)
            record = seg.document(local, with_text=True)
            current, current_len = record, len(record.text or "")
            if deleted is not None and deleted[local]:
                continue
            item.documents += 1
            owners[record.doc_id] += 1
            expected[record.doc_id] = int(record.meta.get("passages", 0))
            where[record.doc_id] = item.id
            continue
        if deleted is not None and deleted[local]:
            continue
        if current is not None and current.spans is not None:  # version 3: its span is on the record
            problem = _span_problem(current, local)
            if problem:
                item.problems.append(problem)
                if len(item.problems) >= 20:
                    return
                continue
        passage = seg.passage(local, current)
        item.passages += 1
        numbers.setdefault(passage.doc_id, []).append(passage.passage_no)
        where.setdefault(passage.doc_id, item.id)
        if current is None or current.doc_id != passage.doc_id:
            item.problems.append(f"passage {passage.passage_no} of {passage.doc_id} (record {local}) does not follow "
                                 "its document's record")
        elif seg.info.records >= 2 and current.text is not None and not 0 <= passage.start <= passage.end <= current_len:
            item.problems.append(f"passage {passage.passage_no} of {passage.doc_id} spans {passage.start}-{passage.end}, "
                                 f"outside its document's {current_len} characters")
        if len(item.problems) >= 20:
            return
    _spans_count(current, seg.doc_count_all, deleted, item)


def _spans_count(document, end: int, deleted, item: SegmentReport) -> None:
    """A version-3 document record lists one span per passage record that follows it (up to
    ``end``, the next document record): its passages store nothing else, so a list of another
    length gives some of them another passage's text, or none."""
    if document is None or document.spans is None or (deleted is not None and deleted[document.docnum]):
        return
    following = end - document.docnum - 1
    if len(document.spans) != following:
        item.problems.append(f"document {document.doc_id}: its record lists {len(document.spans)} passage spans, "
                             f"{following} passage records follow it")


def _span_problem(document, local: int) -> str | None:
    """What is wrong with the span a version-3 document record lists for its passage record
    ``local``, or None: one it does not have, one that is not (passage_no, start, end), or one
    that holds no text."""
    at = local - document.docnum - 1
    where = f"passage record {local} of {document.doc_id}"
    if not 0 <= at < len(document.spans):
        return f"{where} has no span in its document's record"
    span = document.spans[at]
    if not (isinstance(span, (list, tuple)) and len(span) == 3 and all(isinstance(v, int) for v in span)):
        return f"{where} has a malformed span in its document's record: {span!r}"
    if span[1] >= span[2]:
        return f"{where} (passage {span[0]}) has an empty span {span[1]}-{span[2]} in its document's record"
    return None


def repair_index(index_dir: str | Path, report: CheckReport | None = None) -> RepairReport:
    """Drop the damaged segments of the current commit (``check_index`` finds them) and list the
    documents that were in them, which the next ``vnsearch index`` on the same paths re-adds
    (a JSONL file that loses some of its lines is scanned again: its ``scanned`` entry goes)."""
    index_dir = Path(index_dir)
    report = report or check_index(index_dir)
    out = RepairReport(index=str(index_dir), paths=list(read_info(index_dir).get("paths", [])))
    if report.ok:
        return out
    if any("table of contents" in p or "could not be opened" in p for p in report.problems):
        out.reason = (f"{report.problems[0]}: there is no commit to keep; rebuild the index with "
                      f"`vnsearch index PATH --index {index_dir} --rebuild`")
        return out
    damaged = report.damaged_segments()
    manifest_damaged = any(p.startswith("_") and ".sums is damaged" in p for p in report.problems)
    if not damaged and not manifest_damaged:
        out.reason = ("; ".join(report.problems[:3]) + ": not the fault of one segment; rebuild the index with "
                      f"`vnsearch index PATH --index {index_dir} --rebuild`")
        return out
    ids = {s.id for s in damaged}
    out.dropped = sorted(ids)
    out.to_reindex, out.documents_dropped, out.unreadable, complete = _documents_in(index_dir, ids)
    with verify.repairing(), IndexWriter(index_dir) as writer:
        # Before the drop (a repair cut short then costs a re-scan, not lost documents): a JSONL
        # file some of whose lines go counts as up to date by its ``scanned`` entry, and the
        # next run would not re-add them. Every entry goes when some paths are unknown.
        forget_scanned(index_dir, out.to_reindex if complete and not out.unreadable else None)
        writer.drop_segments(ids)
    out.repaired = True
    return out


def _documents_in(index_dir: Path, ids: set[str]) -> tuple[list[str], int, int, bool]:
    """(paths, live documents, of which unreadable, whether every segment's records could be
    listed) of the segments ``ids``, read as far as their damage allows."""
    paths: set[str] = set()
    count = unreadable = 0
    try:
        with verify.unverified():
            reader = open_reader(index_dir)
    except Exception:  # noqa: BLE001
        return [], 0, 0, False
    listed = 0
    with reader:
        for seg, _ in reader.segments:
            if audit.segment_id(seg) not in ids:
                continue
            try:
                deleted = seg.deleted()
                docs = audit.document_records(seg)
            except Exception:  # noqa: BLE001
                continue
            listed += 1
            for local in docs:
                local = int(local)
                if deleted is not None and local < len(deleted) and deleted[local]:
                    continue
                count += 1
                try:
                    paths.add(seg.document(local, with_text=False).path)
                except Exception:  # noqa: BLE001
                    unreadable += 1
    return sorted(paths), count, unreadable, listed == len(ids)
