"""vnsearch behind the benchmarks' system interface: build(docs), query(question, k)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.build import index_documents  # noqa: E402
from indexer.readers import RawDocument  # noqa: E402
from search import search  # noqa: E402

from common import dir_size  # noqa: E402


class VnsearchSystem:
    name = "vnsearch"

    def __init__(self, index_dir: str | None = None, jobs: int | None = None):
        self._owned = index_dir is None
        self.index_dir = Path(index_dir or tempfile.mkdtemp(prefix="vnsearch-bench-"))
        self.jobs = jobs
        self.build_stats: dict = {}

    def build(self, docs) -> None:
        nbytes = 0

        def raws():
            nonlocal nbytes
            for doc_id, title, text, *meta in docs:  # (id, title, text) or (id, title, text, metadata)
                nbytes += len(text.encode("utf-8"))
                yield RawDocument(str(doc_id), title, text, dict(meta[0]) if meta else {})

        started = time.perf_counter()
        summary = index_documents(raws(), self.index_dir, jobs=self.jobs)
        self.build_stats = {
            "docs": summary.documents,
            "passages": summary.passages,
            "bytes_indexed": nbytes,
            "seconds": time.perf_counter() - started,
            "index_bytes": dir_size(self.index_dir),
        }
        search("khởi động", index=self.index_dir)  # open the searcher once, outside the timings

    def query(self, question: str, k: int, **options) -> list[str]:
        """The top ``k`` document ids; ``options``: more of ``search()``'s (sort, filters, facets)."""
        result = search(question, index=self.index_dir, limit=k, **options)
        return list(dict.fromkeys(hit.doc_id for hit in result.hits))[:k]

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.index_dir, ignore_errors=True)
