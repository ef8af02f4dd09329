"""Verifying a commit against its manifest (``checksums``): the cheap part when a reader opens it,
the big parts the first time they are read, and everything for ``vnsearch check``.

When an ``IndexReader`` opens a commit (``attach``), the manifest's own checksum is verified, then
the table of contents, the size of every segment file, and every small part of each segment: the
``.vnseg`` info, the length columns and the ``.bag`` postings (read whole at open anyway). The
three big parts are verified the first time a reader needs them (``SegmentCheck.need``): the term
index and postings (``terms``) before the first lookup or posting read, the stored records
(``stored``) before the first record is read. Each is verified once per process (``_verified``),
so a server pays it once per segment, not per query. A part that fails raises ``IndexCorrupt``
naming the file, before any byte of it is used: never a wrong answer.

A reader opened just before a newer commit may find its segment files already deleted by that
commit's clean-up (it keeps them open, so it still reads them); such a file is not verified by
name, and the next reader verifies the new commit.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexCorrupt, IndexerError
from .checksums import (BadManifest, FileSum, Mapped, carried_entries, latest_generation, manifest_name, read_manifest,
                        toc_name)

#: Parts verified on first use rather than on open, by suffix.
LAZY = {".trm": "terms", ".pst": "terms", "_stored.col": "stored"}
WHAT = {".trm": "the term index", ".pst": "the postings", "_stored.col": "the stored records",
        ".bag": "the bag postings", ".vnseg": "the segment info", "_len.col": "a length column"}

_verified: set[tuple] = set()  # (path, part, crc) verified by this process
_lock = threading.Lock()


def group_of(name: str) -> str:
    for suffix, group in LAZY.items():
        if name.endswith(suffix):
            return group
    return "open"


def what_is(name: str) -> str:
    for suffix, what in WHAT.items():
        if name.endswith(suffix):
            return f" ({what})"
    return ""


def part_label(name: str) -> str:
    """A compound file's part, as a message names it: ``.pst (the postings)``."""
    rest = name.split(".", 1)[1] if "." in name else name  # what follows the segment's id
    short = rest if rest.startswith("_") else f".{rest}"
    return f"{short}{what_is(name)}"


class SegmentCheck:
    """The checksums of one segment of an open commit, verified a group of parts at a time."""

    def __init__(self, folder: str | Path, generation: int, indexname: str, files: list[FileSum] | None):
        self.folder = Path(folder)
        self.generation = generation
        self.indexname = indexname
        self.files = files
        self._done: set[str] = set()
        self._lock = threading.Lock()

    @property
    def checked(self) -> bool:
        return self.files is not None

    def need(self, group: str) -> None:
        """Verify the parts of ``group`` ("open", "terms", "stored") unless done already."""
        if group in self._done or self.files is None:
            return
        with self._lock:
            if group in self._done:
                return
            for fs in self.files:
                self._verify(fs, group)
            self._done.add(group)

    def _verify(self, fs: FileSum, group: str) -> None:
        path = self.folder / fs.name
        wanted = [(name, p.offset, p.length, p.crc) for name, p in fs.parts.items() if group_of(name) == group]
        if not fs.parts and group_of(fs.name) == group:
            wanted = [(fs.name, 0, fs.size, fs.crc)]
        todo = [w for w in wanted if (str(path), w[0], w[3]) not in _verified]
        if not todo and group != "open":
            return
        try:
            mapped = Mapped(path)
        except FileNotFoundError:
            if self._superseded():
                return
            raise IndexCorrupt(self.folder, fs.name, "is missing") from None
        with mapped:
            if mapped.size != fs.size:
                raise IndexCorrupt(self.folder, fs.name, f"has {mapped.size:,} bytes, not the {fs.size:,} it was written with")
            for name, offset, length, crc in todo:
                if mapped.crc(offset, length) != crc:
                    part = f", part {part_label(name)}," if name != fs.name else what_is(name)
                    raise IndexCorrupt(self.folder, fs.name + part, "fails its checksum")
                with _lock:
                    _verified.add((str(path), name, crc))

    def _superseded(self) -> bool:
        """Whether a newer commit replaced this one. Its files are removed once the newer table
        of contents is in place, in no set order: a segment file may go before the old table of
        contents does, so a newer one existing is enough (a reader opening during a build saw
        "is missing" and called the index damaged)."""
        if not (self.folder / toc_name(self.indexname, self.generation)).exists():
            return True
        try:
            return latest_generation(self.folder, self.indexname) > self.generation
        except OSError:
            return False


UNCHECKED = SegmentCheck(".", -1, "", None)


def commit_checks(folder: str | Path, indexname: str, generation: int, segment_ids: list[str]) -> dict[str, SegmentCheck]:
    """Verify what is cheap in commit ``generation`` (see the module docstring) and return the
    check of each segment, for the rest. Empty for a commit without a manifest (an older
    version's): it is read unverified, as that version read it."""
    folder = Path(folder)
    name = manifest_name(indexname, generation)
    try:
        manifest = read_manifest(folder, indexname, generation)
    except BadManifest as exc:
        raise IndexCorrupt(folder, name, f"is damaged ({exc})") from None
    if manifest is None:
        return {}
    verify_toc(folder, manifest.toc)
    checks = {}
    for sid in segment_ids:
        if sid not in manifest.segments:
            raise IndexCorrupt(folder, toc_name(indexname, generation), f"names a segment {sid} that {name} does not list")
        checks[sid] = SegmentCheck(folder, generation, indexname, manifest.segments[sid])
        checks[sid].need("open")
    return checks


def verify_toc(folder: Path, toc: FileSum) -> None:
    try:
        data = (folder / toc.name).read_bytes()
    except FileNotFoundError:
        return  # superseded by a newer commit since it was read
    if len(data) != toc.size or zlib.crc32(data) != toc.crc:
        raise IndexCorrupt(folder, toc.name, "(the table of contents) fails its checksum")


def attach(reader, folder: str | Path, indexname: str) -> None:
    """Verify an ``IndexReader``'s commit on open, and give each of its segments its check."""
    generation = reader._searcher.reader().generation()
    if generation is None or generation < 0:  # an index without segments (Whoosh's EmptyReader)
        generation = latest_generation(folder, indexname)
    reader.generation = generation
    ids = [seg._reader.segment().segment_id() for seg, _ in reader.segments]
    if getattr(_unverified, "on", False):
        reader.checksummed = _has_manifest(folder, indexname, generation)
        return
    checks = commit_checks(folder, indexname, generation, ids)
    reader.checksummed = bool(checks) or _has_manifest(folder, indexname, generation)
    for (seg, _), sid in zip(reader.segments, ids):
        seg.integrity = checks.get(sid, UNCHECKED)


def _has_manifest(folder, indexname: str, generation: int) -> bool:
    return (Path(folder) / manifest_name(indexname, generation)).exists()


@contextmanager
def opening(folder: str | Path, indexname: str) -> Iterator[None]:
    """Opening a commit: an error from damaged bytes (an unpickling error, a short read) becomes
    ``IndexCorrupt`` naming the file that fails its checksum, when one does."""
    try:
        yield
    except IndexerError:
        raise
    except Exception as exc:
        found = diagnose(folder, indexname)
        if found is not None:
            raise found from exc
        raise


def diagnosed(init):
    """``opening`` around an ``IndexReader``'s ``__init__(self, index_dir)``."""
    import functools

    @functools.wraps(init)
    def wrapper(self, index_dir, *args, **kwargs):
        from .reader import INDEX_NAME

        with opening(index_dir, INDEX_NAME):
            init(self, index_dir, *args, **kwargs)

    return wrapper


def diagnose(folder: str | Path, indexname: str) -> IndexCorrupt | None:
    """The first file of the latest commit that fails its checksum, as an ``IndexCorrupt``."""
    folder = Path(folder)
    generation = latest_generation(folder, indexname)
    try:
        manifest = read_manifest(folder, indexname, generation)
    except BadManifest as exc:
        return IndexCorrupt(folder, manifest_name(indexname, generation), f"is damaged ({exc})")
    if manifest is None:
        return None
    try:
        verify_toc(folder, manifest.toc)
        for files in manifest.segments.values():
            for problem in verify_files(folder, files or []):
                return IndexCorrupt(folder, problem[0], problem[1])
    except IndexCorrupt as exc:
        return exc
    return None


def verify_files(folder: str | Path, files: list[FileSum]) -> list[tuple[str, str]]:
    """Every byte of a segment's files against the manifest: (file, what is wrong) for each
    file that fails (naming the failing parts of a compound file)."""
    problems = []
    for fs in files:
        path = Path(folder) / fs.name
        try:
            mapped = Mapped(path)
        except FileNotFoundError:
            problems.append((fs.name, "is missing"))
            continue
        with mapped:
            if mapped.size != fs.size:
                problems.append((fs.name, f"has {mapped.size:,} bytes, not the {fs.size:,} it was written with"))
                continue
            if mapped.crc() == fs.crc:
                for name, p in fs.parts.items():
                    _verified.add((str(path), name, p.crc))
                continue
            bad = [name for name, p in sorted(fs.parts.items()) if mapped.crc(p.offset, p.length) != p.crc]
            where = " (parts " + ", ".join(part_label(n) for n in bad) + ")" if bad else " (its directory)"
            problems.append((fs.name, f"fails its checksum{where}"))
    return problems


def previous_entries(folder: str | Path, indexname: str, generation: int) -> dict[str, list[FileSum] | None]:
    """For a writer: the checksums of the commit it starts from (``checksums.carried_entries``);
    a damaged manifest is ``IndexCorrupt``, unless the writer repairs (``repairing``)."""
    try:
        return carried_entries(folder, indexname, generation)
    except BadManifest as exc:
        if getattr(_repairing, "on", False):
            return {}
        raise IndexCorrupt(folder, manifest_name(indexname, generation), f"is damaged ({exc})") from None


_repairing = threading.local()
_unverified = threading.local()


@contextmanager
def unverified() -> Iterator[None]:
    """Readers opened in this block verify nothing (``vnsearch check`` verifies every file in
    full first, then reads the records of the segments that passed)."""
    _unverified.on = True
    try:
        yield
    finally:
        _unverified.on = False


@contextmanager
def repairing() -> Iterator[None]:
    """Writers created in this block accept a damaged manifest (``vnsearch check --repair``
    writes a new one; the segments it cannot vouch for are written without checksums)."""
    _repairing.on = True
    try:
        yield
    finally:
        _repairing.on = False


def before_merge(folder: str | Path, segment, carried: dict[str, list[FileSum] | None]) -> None:
    """Verify a segment in full before it is merged into a new one (as Lucene's merges call
    ``checkIntegrity``): its damage must not be copied under fresh checksums."""
    files = carried.get(segment.segment_id())
    if not files:
        return
    todo = [fs for fs in files if any((str(Path(folder) / fs.name), n, p.crc) not in _verified for n, p in fs.parts.items())
            or not fs.parts]
    for name, problem in verify_files(folder, todo):
        raise IndexCorrupt(folder, name, problem)


def clear_cache() -> None:
    """Forget what this process verified (tests damage files it has read)."""
    with _lock:
        _verified.clear()


def verified_count() -> int:
    return len(_verified)
