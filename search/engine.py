"""``search()``: from a query string to ranked, grouped, highlighted passages.

Three steps, each its own module: ``plan`` turns the parsed query into clauses (scored terms,
bonuses, filters), ``rank`` scores every record from them and picks the page, and the hits are
built here from the stored text, marked by the terms ``marks`` derives from the plan. Scoring
is done on numpy arrays over whole posting lists (``scorer``), with decoded term scores cached
per open index; every read of the index goes through ``reads``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.default import ensure_default_index
from indexer.schema import document_fields, passage_text
from indexer.store import exists, open_index

from .highlight import snippet
from .marks import QueryTerms, highlight_terms
from .plan import plan_query
from .rank import record_scores, top_documents, top_passages
from .reads import IndexArrays, arrays_for, stored_fields
from .results import Hit, SearchResult
from .suggest import suggest
from .syntax import ParsedQuery, parse, valid_unicode

MAX_LIMIT = 1000
MAX_OFFSET = 10_000


class SearchError(Exception):
    """A search that cannot run at all (no index); the message says what to do."""


_lock = threading.Lock()
_searchers: dict[str, object] = {}
_index_locks: dict[str, threading.RLock] = {}
_default_index: Path | None = None


def _forget_searchers() -> None:
    """In a forked child: open searchers of its own, and never wait on a lock that a thread of
    the parent held at the fork (it would never be released here)."""
    global _lock
    _lock = threading.Lock()
    _searchers.clear()
    _index_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_searchers)


def resolve_index(index: str | Path | None) -> Path:
    """The index folder to search: ``index``, or the default index (built on first use)."""
    global _default_index
    if index is not None:
        path = Path(index)
        if str(path.resolve()) in _searchers:
            return path  # open already; whether it changed is checked by _searcher
        if not exists(path):
            raise SearchError(f"no vnsearch index at {path}: build one with `vnsearch index PATH --index {path}`")
        return path
    with _lock:
        if _default_index is None:
            _default_index = ensure_default_index()
        if not exists(_default_index):
            raise SearchError(f"no vnsearch index at {_default_index}: build one with `vnsearch index PATH`")
        return _default_index


@contextmanager
def searching(index_dir: Path) -> Iterator[object]:
    """The index's shared searcher, for this thread alone while the block runs.

    Whoosh readers are not thread-safe: their files keep one read position, so two threads
    reading postings or stored fields of the same searcher at once read each other's bytes
    (``UnpicklingError``, wrong postings). Everything that reads a cached searcher goes through
    here. The lock is re-entrant, so a caller may hold it around ``search()``.
    """
    key = str(index_dir.resolve())
    with _lock:
        lock = _index_locks.setdefault(key, threading.RLock())
    with lock:
        yield _searcher(index_dir)


def _searcher(index_dir: Path):
    """A searcher per index, kept open across queries and replaced when the index changes.

    The replacement is a fresh searcher, not ``searcher.refresh()``: whoosh-reloaded's refresh
    re-uses the old reader's segments, keeping segments a merge has replaced (every document
    twice) and the deletions as they were. The old searcher is not closed here, since another
    thread may still be answering a query with it; it is closed when the last query lets it go.
    """
    key = str(index_dir.resolve())
    with _lock:
        searcher = _searchers.get(key)
        if searcher is None or not searcher.up_to_date():
            searcher = open_index(index_dir).searcher()  # scoring is ours (scorer.py), not Whoosh's
        _searchers[key] = searcher
        return searcher


def search(
    query: str,
    index: str | Path | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    mode: str = "documents",
    exact: bool = False,
    passages_per_doc: int = 3,
) -> SearchResult:
    """Search an index; ``index`` is an index folder, ``None`` the default index.

    ``mode="documents"`` ranks documents by their best passage and returns up to
    ``passages_per_doc`` passages under each (``limit``/``offset`` count documents);
    ``mode="passages"`` returns passages alone. ``exact=True`` matches diacritics exactly.
    """
    started = time.perf_counter()
    if mode not in ("documents", "passages"):
        raise ValueError("mode must be 'documents' or 'passages'")
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    parsed = parse(query)
    result = SearchResult(query=valid_unicode(query), total=0, took_ms=0.0, suggestion=None, hits=[], notes=parsed.notes, mode=mode)
    if parsed.is_empty():
        result.notes.append("nothing to search for: the query has no words" if not parsed.excluded
                            else "nothing to search for: the query only excludes words")
        result.took_ms = _ms(started)
        return result
    with searching(resolve_index(index)) as searcher:
        _answer(searcher, parsed, result, exact=exact, limit=limit, offset=offset, per_doc=passages_per_doc)
    result.took_ms = _ms(started)
    return result


def _answer(searcher, parsed: ParsedQuery, result: SearchResult, *, exact: bool, limit: int, offset: int, per_doc: int) -> None:
    """Fill in ``result``'s total, hits, suggestion and notes: plan, rank, then build the page's hits."""
    plan = plan_query(parsed, searcher, exact)
    result.notes.extend(plan.notes)
    if not plan.finds_anything():
        result.notes.append("nothing to search for: the query has no letters or digits")
        return
    arrays = arrays_for(searcher)
    scores = record_scores(searcher, arrays, plan.clauses)
    if result.mode == "passages":
        result.total, chosen = top_passages(scores, limit, offset)
    else:
        result.total, chosen = top_documents(scores, arrays, limit, offset, per_doc)
    result.hits = _hits(searcher, arrays, chosen, highlight_terms(plan))
    if plan.corrections or result.total < 3 or not any(s.has_marks for s in plan.syllables):
        result.suggestion = suggest(result.query, [hit.text for hit in result.hits[:10]], plan.corrections)


def _hits(searcher, arrays: IndexArrays, chosen: list[tuple[int, float]], terms: QueryTerms) -> list[Hit]:
    """The chosen passages as hits: text sliced from their document's record, read once per page."""
    hits = []
    records: dict[int, dict] = {}  # document records (path, title, date)
    for docnum, score in chosen:
        stored = stored_fields(searcher, docnum)
        owner = int(arrays.owner[docnum])
        if owner not in records:
            records[owner] = stored_fields(searcher, owner)
        path, title, date = document_fields(stored, records[owner])
        text = passage_text(stored, records[owner])
        spans = terms.spans(text)
        hits.append(
            Hit(
                doc_id=stored["doc_id"],
                path=path,
                title=title,
                date=date,
                passage_no=stored["passage_no"],
                text=text,
                score=round(score, 4),
                highlights=spans,
                snippet=snippet(text, spans),
            )
        )
    return hits


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
