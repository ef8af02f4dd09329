"""Baseline systems for the benchmarks.

Every system (baselines and vnsearch alike) follows one small interface:

    system.name                       # label for the tables
    system.build(docs)                # docs: iterable of (doc_id, title, text)
    system.query(question, k) -> list[doc_id]   # best first
    system.close()                    # optional: free resources / temp dirs

``build`` may record ``system.build_stats`` (a dict of figures: seconds,
bytes_indexed, index_bytes, docs) for index-time comparisons.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import time
import unicodedata

from common import dir_size, strip_diacritics

_QUERY_TOKEN = re.compile(r"\w+(?:\.\w+)*")
_SYLLABLE = re.compile(r"\w+")


def doc_content(title: str, text: str) -> str:
    """What the baselines index for a document: title and text."""
    if title and not text.startswith(title):
        return f"{title}\n\n{text}"
    return text


class StockWhoosh:
    """Out-of-the-box Whoosh: StandardAnalyzer, one process, OR query."""

    name = "stock-whoosh"

    def __init__(self, index_dir: str | None = None):
        self._own_dir = index_dir is None
        self.index_dir = index_dir or tempfile.mkdtemp(prefix="vnsearch-bench-whoosh-")
        self.build_stats: dict = {}
        self._ix = self._searcher = self._parser = None

    def build(self, docs) -> None:
        from whoosh import index
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import OrGroup, QueryParser

        schema = Schema(id=ID(stored=True), content=TEXT)  # TEXT: StandardAnalyzer
        t0 = time.perf_counter()
        ix = index.create_in(self.index_dir, schema)
        writer = ix.writer()  # procs=1
        n = nbytes = 0
        for doc_id, title, text in docs:
            content = doc_content(title, text)
            writer.add_document(id=doc_id, content=content)
            n += 1
            nbytes += len(content.encode("utf-8"))
        writer.commit()
        self.build_stats = {
            "docs": n,
            "bytes_indexed": nbytes,
            "seconds": time.perf_counter() - t0,
            "index_bytes": dir_size(self.index_dir),
        }
        self._ix = ix
        self._searcher = ix.searcher()
        self._parser = QueryParser("content", schema, group=OrGroup)

    @staticmethod
    def clean_query(question: str) -> str:
        # Keep only word tokens, lowercased: no query syntax (quotes, colons,
        # parentheses, wildcards, AND/OR/NOT ...) survives, so everything parses.
        return " ".join(_QUERY_TOKEN.findall(question.lower()))

    def query(self, question: str, k: int) -> list[str]:
        q = self._parser.parse(self.clean_query(question))
        return [hit["id"] for hit in self._searcher.search(q, limit=k)]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        if self._own_dir:
            shutil.rmtree(self.index_dir, ignore_errors=True)


def syllables(text: str) -> list[str]:
    """NFC-lowercased \\w+ tokens (Vietnamese syllables)."""
    return _SYLLABLE.findall(unicodedata.normalize("NFC", text).lower())


class BM25sSyllables:
    """bm25s (default BM25 parameters) over lowercased syllables."""

    name = "bm25s-syllables"

    def __init__(self):
        self.build_stats: dict = {}
        self._ids: list[str] = []
        self._bm25 = None

    def build(self, docs) -> None:
        import bm25s

        t0 = time.perf_counter()
        ids, corpus, nbytes = [], [], 0
        for doc_id, title, text in docs:
            content = doc_content(title, text)
            ids.append(doc_id)
            corpus.append(syllables(content))
            nbytes += len(content.encode("utf-8"))
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        self._ids, self._bm25 = ids, bm25
        self.build_stats = {"docs": len(ids), "bytes_indexed": nbytes,
                            "seconds": time.perf_counter() - t0}

    def query(self, question: str, k: int) -> list[str]:
        toks = [t for t in syllables(question) if t in self._bm25.vocab_dict]
        if not toks:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._bm25.retrieve([toks], k=k, show_progress=False)
        return [self._ids[i] for i, s in zip(docs[0], scores[0]) if s > 0]

    def close(self) -> None:
        self._bm25 = None


def folded_syllables_and_pairs(text: str) -> list[str]:
    """Lowercased syllables stripped of diacritics, and each adjacent pair of them (``a_b``)."""
    folded = [strip_diacritics(t) for t in syllables(text)]
    return folded + [f"{a}_{b}" for a, b in zip(folded, folded[1:])]


class BM25sFoldedPairs(BM25sSyllables):
    """The anchor of issue 16: bm25s (default parameters) over folded syllables plus folded
    adjacent syllable pairs, scoring whole documents. Ten lines, no pyvi, no fields; the tuned
    ranking has to beat it on collections it was not tuned on."""

    name = "bm25s-folded-pairs"
    tokens = staticmethod(folded_syllables_and_pairs)

    def build(self, docs) -> None:
        import bm25s

        t0 = time.perf_counter()
        ids, corpus = [], []
        for doc_id, title, text in docs:
            ids.append(doc_id)
            corpus.append(self.tokens(doc_content(title, text)))
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        self._ids, self._bm25 = ids, bm25
        self.build_stats = {"docs": len(ids), "seconds": time.perf_counter() - t0}

    def query(self, question: str, k: int) -> list[str]:
        toks = [t for t in dict.fromkeys(self.tokens(question)) if t in self._bm25.vocab_dict]
        if not toks:
            return []
        docs, scores = self._bm25.retrieve([toks], k=min(k, len(self._ids)), show_progress=False)
        return [self._ids[i] for i, s in zip(docs[0], scores[0]) if s > 0]


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentence_windows(text: str, size: int = 400) -> list[str]:
    """Consecutive sentences joined into windows of about ``size`` characters (a sentence
    longer than that is a window of its own): the passages a simple system would return."""
    windows, current = [], ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > size:
            windows.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        windows.append(current)
    return windows


class BM25sWindows(BM25sFoldedPairs):
    """bm25s over 400-character sentence windows (folded syllables and pairs): the passage-level
    baseline. ``query`` gives the documents of the best windows; ``passages`` the windows' text."""

    name = "bm25s-windows"

    def build(self, docs) -> None:
        owners, windows = [], []
        for doc_id, title, text in docs:
            for window in sentence_windows(doc_content(title, text)):
                owners.append(doc_id)
                windows.append(window)
        self._windows = windows
        super().build((owner, "", window) for owner, window in zip(owners, windows))

    def passages(self, question: str, k: int) -> list[str]:
        toks = [t for t in dict.fromkeys(self.tokens(question)) if t in self._bm25.vocab_dict]
        if not toks:
            return []
        found, scores = self._bm25.retrieve([toks], k=min(k, len(self._ids)), show_progress=False)
        return [self._windows[i] for i, s in zip(found[0], scores[0]) if s > 0]

    def query(self, question: str, k: int) -> list[str]:
        ranked = super().query(question, 5 * k)
        return list(dict.fromkeys(ranked))[:k]

    def first_passage(self, question: str) -> str | None:
        found = self.passages(question, 1)
        return found[0] if found else None


BASELINES = {"stock-whoosh": StockWhoosh, "bm25s": BM25sSyllables, "bm25s-folded-pairs": BM25sFoldedPairs,
             "bm25s-windows": BM25sWindows}


def make_vnsearch_system():
    """The vnsearch system under test (imported lazily: the baselines need no engine)."""
    from vnsearch_system import VnsearchSystem

    return VnsearchSystem()


def make_systems(names):
    """Instantiate systems by name: 'stock-whoosh', 'bm25s', 'vnsearch'."""
    out = []
    for n in names:
        if n == "vnsearch":
            system = make_vnsearch_system()
            system.name = "vnsearch"  # the harnesses' targets look for this name
            out.append(system)
        elif n in BASELINES:
            out.append(BASELINES[n]())
        else:
            raise SystemExit(f"unknown system {n!r}; choose from vnsearch, {', '.join(BASELINES)}")
    return out
