"""What an index holds: ``vnsearch stats``."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .doc_fields import field_kinds
from .errors import IndexerError
from .storage import exists, open_reader, size_on_disk

INFO_NAME = "vnsearch-info.json"


def record_build(index_dir: Path, paths: list[str], scanned: dict[str, list[int]] | None = None,
                 forget: Iterable[str] = (), rebuild: bool = False) -> None:
    """Remember when the index was built and from which paths (written atomically, after the
    build's last commit, under its lock).

    ``scanned``: the JSONL files this build brought up to date line by line, with the size and
    mtime they had when scanned. Their unchanged lines keep their old records (and the stat those
    hold), so the records alone cannot tell the next run that the whole file is up to date; this
    says so, and only once the commit holding all its lines is made (an interrupted build leaves
    no entry, and the next run scans the file again). ``forget``: files gone from the index."""
    info = read_info(index_dir)
    known = info.get("paths", [])
    info["paths"] = known + [p for p in paths if p not in known]
    done = {} if rebuild else dict(info.get("scanned") or {})
    for path in forget:
        done.pop(path, None)
    done.update(scanned or {})
    info["scanned"] = done
    info["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    info.setdefault("created", info["updated"])
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".info-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, index_dir / INFO_NAME)


def scanned_files(index_dir: Path) -> dict[str, tuple[int, int]]:
    """``record_build``'s ``scanned``: path -> (size, mtime_ns) when last brought up to date."""
    return {path: (int(st[0]), int(st[1])) for path, st in (read_info(index_dir).get("scanned") or {}).items()}


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
