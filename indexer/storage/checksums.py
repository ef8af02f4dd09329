"""Checksums of every file a commit writes, kept in a manifest beside its table of contents.

Lucene ends each file with a checksum footer (``CodecUtil.writeFooter``); Whoosh's files have no
room for one, and a segment is a single compound file (``.seg``) assembled from parts (the term
index ``.trm``, the postings ``.pst``, the stored records ``_stored.col``, the length columns,
our ``.vnseg`` and ``.bag``). So a commit writes, for generation ``N``, a manifest
``_vnsearch_N.sums``: the size and CRC-32 of the table of contents, and of every segment file,
whole and part by part, the parts located by their offsets in the compound file. The manifest
ends with the CRC-32 of its own bytes.

Order of a commit (``write_commit``): the segment files are already on disk (fsynced); the table
of contents is written to a temporary file and synced, then the manifest (synced), and only then
is the table of contents renamed into place. A crash before the rename leaves a manifest nobody
reads (the next commit of the same generation overwrites it); after it, both are on disk.

Segments carried over from the previous commit keep their entry (they are immutable; deletions
live in the table of contents). A segment written by a version without checksums has no entry
(``None``): it is read as before and ``vnsearch check`` says so; it gets one when it is merged.

CRC-32 (``zlib.crc32``) and not a cryptographic hash: it detects the accidents it is for (bit
rot, torn or misdirected writes, a truncated copy) at memory speed, with no dependency.
"""

from __future__ import annotations

import json
import mmap
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
EXT = ".sums"
COMPOUND_EXT = ".seg"
_TRAILER = re.compile(rb"\ncrc32 ([0-9a-f]{8})\n\Z")


@dataclass(frozen=True)
class Part:
    """A part of a compound segment file: where it lies, and its CRC-32."""

    offset: int
    length: int
    crc: int


@dataclass(frozen=True)
class FileSum:
    """A file's size and CRC-32 and, for a compound segment file, its parts by name."""

    name: str
    size: int
    crc: int
    parts: dict[str, Part] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"name": self.name, "size": self.size, "crc32": self.crc,
                "parts": {k: [p.offset, p.length, p.crc] for k, p in sorted(self.parts.items())}}

    @classmethod
    def from_json(cls, raw: dict) -> FileSum:
        return cls(str(raw["name"]), int(raw["size"]), int(raw["crc32"]),
                   {k: Part(int(v[0]), int(v[1]), int(v[2])) for k, v in raw.get("parts", {}).items()})


@dataclass(frozen=True)
class Manifest:
    """The checksums of one commit: its table of contents, and each segment's files (``None``
    for a segment written before there were checksums)."""

    generation: int
    toc: FileSum
    segments: dict[str, list[FileSum] | None]

    def encode(self) -> bytes:
        body = json.dumps({
            "format": FORMAT, "generation": self.generation, "toc": self.toc.to_json(),
            "segments": {sid: None if files is None else [f.to_json() for f in files]
                         for sid, files in sorted(self.segments.items())},
        }, sort_keys=True).encode("utf-8")
        return body + b"\ncrc32 %08x\n" % zlib.crc32(body)


class BadManifest(ValueError):
    """The manifest's own checksum fails, or it is not a manifest."""


def decode_manifest(data: bytes) -> Manifest:
    m = _TRAILER.search(data)
    if m is None:
        raise BadManifest("no checksum trailer (truncated?)")
    body = data[: m.start()]
    if zlib.crc32(body) != int(m.group(1), 16):
        raise BadManifest("its own checksum does not match")
    try:
        raw = json.loads(body.decode("utf-8"))
        return Manifest(int(raw["generation"]), FileSum.from_json(raw["toc"]),
                        {sid: None if files is None else [FileSum.from_json(f) for f in files]
                         for sid, files in raw["segments"].items()})
    except (ValueError, KeyError, TypeError) as exc:
        raise BadManifest(f"unreadable ({exc})") from None


def manifest_name(indexname: str, generation: int) -> str:
    return f"_{indexname}_{generation}{EXT}"


def toc_name(indexname: str, generation: int) -> str:
    return f"_{indexname}_{generation}.toc"


def latest_generation(folder: str | Path, indexname: str) -> int:
    """The generation of the newest table of contents in ``folder`` (-1 if none), as Whoosh
    finds it."""
    pattern = re.compile(rf"^_{re.escape(indexname)}_(\d+)\.toc$")
    found = [int(m.group(1)) for name in os.listdir(folder) if (m := pattern.match(name))]
    return max(found, default=-1)


def read_manifest(folder: str | Path, indexname: str, generation: int) -> Manifest | None:
    """The manifest of a commit; None when it has none (written by an older version).
    ``BadManifest`` when it fails its own checksum."""
    try:
        data = (Path(folder) / manifest_name(indexname, generation)).read_bytes()
    except FileNotFoundError:
        return None
    return decode_manifest(data)


# ---------------------------------------------------------------------------
# computing checksums
# ---------------------------------------------------------------------------

def crc_of(data) -> int:
    return zlib.crc32(data)


class Mapped:
    """A file mapped read-only (an empty file maps to ``b""``), for checksums of its ranges
    without copying them."""

    def __init__(self, path: str | Path):
        self._fh = open(path, "rb")
        size = os.fstat(self._fh.fileno()).st_size
        self.size = size
        self._map = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        self.view = memoryview(self._map) if self._map is not None else memoryview(b"")

    def crc(self, offset: int = 0, length: int | None = None) -> int:
        end = self.size if length is None else offset + length
        if offset < 0 or end > self.size:
            return -1  # the range is not in the file: it cannot match
        return zlib.crc32(self.view[offset:end])

    def close(self) -> None:
        self.view.release()
        if self._map is not None:
            self._map.close()
        self._fh.close()

    def __enter__(self) -> Mapped:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def compound_parts(path: str | Path) -> dict[str, tuple[int, int]]:
    """The parts of a compound segment file, by name: (offset, length), from its directory."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.structfile import StructFile

    with open(path, "rb") as fh:
        compound = CompoundStorage(StructFile(fh), use_mmap=False)
        return {name: (int(e["offset"]), int(e["length"])) for name, e in compound._dir.items()}


def sum_file(folder: str | Path, name: str) -> FileSum:
    """A segment file's checksums: whole, and part by part if it is a compound file."""
    path = Path(folder) / name
    parts = compound_parts(path) if name.endswith(COMPOUND_EXT) else {}
    with Mapped(path) as mapped:
        return FileSum(name, mapped.size, mapped.crc(),
                       {part: Part(off, length, mapped.crc(off, length)) for part, (off, length) in parts.items()})


def segment_files(segment, storage) -> list[str]:
    """The files of a Whoosh segment in the index folder: its compound file, or its parts."""
    if getattr(segment, "compound", False):
        return [segment.make_filename(COMPOUND_EXT)]
    return sorted(segment.list_files(storage))


def sum_segment(segment, storage) -> list[FileSum]:
    return [sum_file(storage.folder, name) for name in segment_files(segment, storage)]


# ---------------------------------------------------------------------------
# writing a commit
# ---------------------------------------------------------------------------

def write_commit(storage, indexname: str, toc, carried: dict[str, list[FileSum] | None],
                 previous_ids: set[str]) -> None:
    """Write the table of contents ``toc`` (a Whoosh ``TOC``) with its manifest (see the module
    docstring for the order). ``carried``: the previous manifest's entries; a segment of the
    previous commit without one stays without; any other segment is new and is summed now."""
    from whoosh.filedb.filestore import RamStorage

    ram = RamStorage()
    toc.write(ram, indexname)  # Whoosh's own encoding of the table of contents
    name = toc_name(indexname, toc.generation)
    data = bytes(ram.files[name])
    segments: dict[str, list[FileSum] | None] = {}
    for segment in toc.segments:
        sid = segment.segment_id()
        if sid in carried:
            segments[sid] = carried[sid]
        elif sid in previous_ids:
            segments[sid] = None  # written before checksums
        else:
            segments[sid] = sum_segment(segment, storage)
    manifest = Manifest(toc.generation, FileSum(name, len(data), zlib.crc32(data)), segments)
    temp = f"{name}.{os.getpid()}.tmp"
    _write(storage, temp, data)
    _write(storage, manifest_name(indexname, toc.generation), manifest.encode())
    storage.rename_file(temp, name, safe=True)


def _write(storage, name: str, data: bytes) -> None:
    out = storage.create_file(name)
    try:
        out.write(data)
    finally:
        out.close()


def carried_entries(folder: str | Path, indexname: str, generation: int) -> dict[str, list[FileSum] | None]:
    """The entries with checksums of the manifest of commit ``generation`` (none when it has
    no manifest). ``BadManifest`` when it fails its own checksum: the writer refuses to go on
    (``vnsearch check --repair`` writes a new one, without vouching for what it cannot check)."""
    manifest = read_manifest(folder, indexname, generation)
    if manifest is None:
        return {}
    return {sid: files for sid, files in manifest.segments.items() if files is not None}


def remove_stale_manifests(folder: str | Path, indexname: str, generation: int) -> None:
    """Delete the manifests of other commits (Whoosh's ``clean_files`` does not know them)."""
    pattern = re.compile(rf"^_{re.escape(indexname)}_(\d+){re.escape(EXT)}$")
    for entry in os.scandir(folder):
        m = pattern.match(entry.name)
        if m and int(m.group(1)) != generation:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
