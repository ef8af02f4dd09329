"""What an index holds: ``vnsearch stats``."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from .doc_fields import field_kinds
from .errors import IndexerError
from .storage import exists, open_reader, size_on_disk

INFO_NAME = "vnsearch-info.json"


def record_build(index_dir: Path, paths: list[str]) -> None:
    """Remember when the index was built and from which paths (written atomically)."""
    info = read_info(index_dir)
    known = info.get("paths", [])
    info["paths"] = known + [p for p in paths if p not in known]
    info["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    info.setdefault("created", info["updated"])
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".info-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, ensure_ascii=False, indent=2)
    os.replace(tmp, index_dir / INFO_NAME)


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
