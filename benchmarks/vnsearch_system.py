"""vnsearch behind the benchmarks' system interface: build(docs), query(question, k)."""

from __future__ import annotations

import json
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

    def __init__(self, index_dir: str | None = None, jobs: int | None = None, reuse: bool = False):
        """``reuse``: an index already built in ``index_dir`` (its ``built.json`` written) is
        searched as it is, so that relevance runs over the same collection build it once."""
        self._owned = index_dir is None
        self.index_dir = Path(index_dir or tempfile.mkdtemp(prefix="vnsearch-bench-"))
        self.jobs = jobs
        self.reuse = reuse
        self.build_stats: dict = {}

    def build(self, docs) -> None:
        marker = self.index_dir / "built.json"
        if self.reuse and marker.exists():
            self.build_stats = json.loads(marker.read_text())
            search("khởi động", index=self.index_dir)
            return
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
        if self.reuse:
            marker.write_text(json.dumps(self.build_stats))
        search("khởi động", index=self.index_dir)  # open the searcher once, outside the timings

    def query(self, question: str, k: int, **options) -> list[str]:
        """The top ``k`` document ids; ``options``: more of ``search()``'s (sort, filters, facets)."""
        result = search(question, index=self.index_dir, limit=k, **options)
        return list(dict.fromkeys(hit.doc_id for hit in result.hits))[:k]

    def first_passage(self, question: str) -> str | None:
        """The text of the first passage a user is shown (the first hit of the first page)."""
        hits = search(question, index=self.index_dir, limit=1).hits
        return hits[0].text if hits else None

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.index_dir, ignore_errors=True)
