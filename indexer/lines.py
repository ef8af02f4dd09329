"""A JSONL file as lines: where each line is, what it hashes to, and how to share them out.

A JSONL export is the usual way an archive hands over its articles, often as one big file. Read
as one piece it is analyzed on one core and held in memory whole; scanned into lines (offsets and
hashes, in the writer process, streaming) it becomes many small tasks that every worker can take,
and each line is its own document for incremental runs: a line whose hash the index already holds
is left alone, a changed line re-indexes that document only, a removed line removes it.

Lines are split on ``\\n`` bytes, which is right for UTF-8 and every 8-bit encoding; a file in
UTF-16 or UTF-32 (a BOM, or NUL bytes near its start) is not split and is read whole, as before.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_SNIFF = 64 * 1024

T = TypeVar("T")


@dataclass(frozen=True)
class Line:
    """One non-blank line: its byte range in the file, its number (from 1) and content hash."""

    offset: int
    length: int
    lineno: int
    hash: str


@dataclass
class LineScan:
    """The non-blank lines of a file, its size when scanned, and the hash of all its bytes
    (``metadata.content_hash``'s, which records written before lines had hashes hold)."""

    path: str
    size: int
    lines: list[Line] = field(default_factory=list)
    hash: str = ""


def line_hash(data: bytes) -> str:
    """The content hash that identifies a line across runs (16 hex digits of BLAKE2b)."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def splittable(path: str | Path) -> bool:
    """Whether the file's lines can be found by splitting on ``\\n`` bytes (not UTF-16/32)."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF)
    return not head.startswith(_WIDE_BOMS) and b"\x00" not in head


def scan_lines(path: str | Path) -> LineScan:
    """Every non-blank line of the file, streaming (memory does not grow with the file)."""
    scan = LineScan(str(path), 0)
    offset = 0
    whole = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            whole.update(raw)
            start, data = offset, raw
            offset += len(raw)
            if lineno == 1 and data.startswith(_UTF8_BOM):
                start, data = start + len(_UTF8_BOM), data[len(_UTF8_BOM):]
            data = data.rstrip(b"\r\n")
            if data.strip():
                scan.lines.append(Line(start, len(data), lineno, line_hash(data)))
    scan.size = offset
    scan.hash = whole.hexdigest()
    return scan


def share_out(lines: list[Line], jobs: int, most: int = 256 << 10, least: int = 64 << 10) -> list[list[Line]]:
    """Lines in groups of about the same bytes, at least ``4 * jobs`` groups when there is enough
    to share (so every worker has work to the end), each at most ``most`` bytes (which bounds what
    a worker holds at once, and how unequal the workers' blocks of a round can be: they are cut
    between groups, ``workers.blocks``) and at least ``least`` (so tiny files stay one task)."""
    total = sum(line.length for line in lines)
    return runs(lines, [line.length for line in lines], max(least, min(most, total // max(1, 4 * jobs))))


def runs(items: list[T], sizes: list[int], target: int) -> list[list[T]]:
    """``items`` cut into consecutive runs, each ended as soon as its ``sizes`` reach ``target``."""
    out: list[list[T]] = []
    current: list[T] = []
    size = 0
    for item, item_size in zip(items, sizes):
        current.append(item)
        size += item_size
        if size >= target:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def read_lines(path: str | Path, lines: list[Line]) -> list[bytes]:
    """The bytes of ``lines``, by positional reads (the file is not read whole)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return [os.pread(fd, line.length, line.offset) for line in lines]
    finally:
        os.close(fd)
