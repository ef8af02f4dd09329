"""What an index holds: ``vnsearch stats``."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .doc_fields import field_kinds
from .errors import IndexerError
from .storage import exists, open_reader, size_on_disk

INFO_NAME = "vnsearch-info.json"


@dataclass(frozen=True)
class Scanned:
    """A JSONL file as the last build that brought it up to date line by line left it: its
    stat before the scan, and how many document records of it the index then held (None in an
    entry an older version wrote)."""

    size: int
    mtime_ns: int
    documents: int | None = None


def record_build(index_dir: Path, paths: list[str], scanned: dict[str, list[int]] | None = None,
                 forget: Iterable[str] = (), rebuild: bool = False) -> None:
    """Remember when the index was built and from which paths (written atomically, after the
    build's last commit, under its lock).

    ``scanned``: the JSONL files this build brought up to date line by line, each with the size
    and mtime it had when scanned and the number of its documents the index holds. Their
    unchanged lines keep their old records (and the stat those hold), so the records alone cannot
    tell the next run that the whole file is up to date; this says so, and only once the commit
    holding all its lines is made (an interrupted build leaves no entry, and the next run scans
    the file again). ``forget``: files gone from the index."""
    info = read_info(index_dir)
    known = [] if rebuild else info.get("paths", [])  # a rebuild holds only the paths it was given
    info["paths"] = known + [p for p in paths if p not in known]
    done = {} if rebuild else dict(info.get("scanned") or {})
    for path in forget:
        done.pop(path, None)
    done.update(scanned or {})
    info["scanned"] = done
    info["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    info.setdefault("created", info["updated"])
    _write_info(index_dir, info)


def forget_scanned(index_dir: Path, paths: Iterable[str] | None) -> None:
    """Drop the ``scanned`` entries of ``paths`` (all of them, with None), so that the next build
    scans those files again line by line: ``vnsearch check --repair`` calls it, under the index's
    lock, before it drops segments holding some of their lines, which would otherwise stay lost
    (the lines still in the index would make the file look up to date)."""
    info = read_info(index_dir)
    done = dict(info.get("scanned") or {})
    kept = {} if paths is None else {path: st for path, st in done.items() if path not in set(paths)}
    if kept == done:
        return
    info["scanned"] = kept
    _write_info(index_dir, info)


def _write_info(index_dir: Path, info: dict) -> None:
    """``info`` as the index's info file, atomically (a reader sees the old file or the new one)."""
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".info-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(info, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, index_dir / INFO_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def scanned_files(index_dir: Path) -> dict[str, Scanned]:
    """``record_build``'s ``scanned``: path -> ``Scanned``, when last brought up to date."""
    out = {}
    for path, st in (read_info(index_dir).get("scanned") or {}).items():
        out[path] = Scanned(int(st[0]), int(st[1]), int(st[2]) if len(st) > 2 and st[2] is not None else None)
    return out


def read_info(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / INFO_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def index_stats(index_dir: Path) -> dict:
    if not exists(index_dir):
        raise IndexerError(f"no vnsearch index at {index_dir}")
    with open_reader(index_dir) as reader:
        documents, passages = reader.counts()
        fields = field_kinds(v.fields for v in reader.document_values())
    info = read_info(index_dir)
    return {
        "index": str(index_dir),
        "documents": documents,
        "passages": passages,
        "size_bytes": size_on_disk(index_dir),
        "created": info.get("created"),
        "updated": info.get("updated"),
        "paths": info.get("paths", []),
        "fields": fields,  # what filters, sorting and facets can use, and each one's kind
    }
