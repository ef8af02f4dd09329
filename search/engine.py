"""``search()``: from a query string to ranked, grouped, highlighted passages.

Three steps, each its own module: ``plan`` turns the parsed query into clauses (scored terms,
bonuses, filters), ``rank`` scores every record from them and picks the page, and the hits are
built here from the stored text, marked by the terms ``marks`` derives from the plan. Scoring
is done on numpy arrays over whole posting lists (``scorer``), with decoded term scores cached
per open index; every read of the index goes through the storage's reader (``indexer.storage``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.default import ensure_default_index
from indexer.storage import DocumentRecord, IndexReader, exists, open_reader

from .highlight import snippet
from .keystrokes import decode_query
from .marks import QueryTerms, highlight_terms
from .plan import TYPO_FIELD, plan_query
from .prefix import still_typing
from .rank import record_scores, top_documents, top_passages
from .scorer import IndexArrays, arrays_for
from .results import Hit, SearchResult
from .staleness import analysis_note
from .suggest import suggest
from .synonyms import Synonyms, SynonymsError
from .synonyms import load as load_synonyms
from .syntax import ParsedQuery, parse, valid_unicode

MAX_LIMIT = 1000
MAX_OFFSET = 10_000


class SearchError(Exception):
    """A search that cannot run at all (no index); the message says what to do."""


@dataclass
class OpenIndex:
    """An index's latest commit as the engine keeps it open: the storage's reader, and the
    arrays the scorer derives from it once."""

    reader: IndexReader
    arrays: IndexArrays


_lock = threading.Lock()
_open_indexes: dict[str, OpenIndex] = {}
_index_locks: dict[str, threading.RLock] = {}
_default_index: Path | None = None


def _forget_open_indexes() -> None:
    """In a forked child: open indexes of its own, and never wait on a lock that a thread of
    the parent held at the fork (it would never be released here)."""
    global _lock
    _lock = threading.Lock()
    _open_indexes.clear()
    _index_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_open_indexes)


def resolve_index(index: str | Path | None) -> Path:
    """The index folder to search: ``index``, or the default index (built on first use)."""
    global _default_index
    if index is not None:
        path = Path(index)
        if str(path.resolve()) in _open_indexes:
            return path  # open already; whether it changed is checked by _open_index
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
def searching(index_dir: Path) -> Iterator[OpenIndex]:
    """The index's shared reader, for this thread alone while the block runs.

    The storage's readers are not thread-safe: their files keep one read position, so two
    threads reading postings or stored records of the same reader at once read each other's
    bytes (``UnpicklingError``, wrong postings). Everything that reads a cached reader goes
    through here. The lock is re-entrant, so a caller may hold it around ``search()``.
    """
    key = str(index_dir.resolve())
    with _lock:
        lock = _index_locks.setdefault(key, threading.RLock())
    with lock:
        yield _open_index(index_dir)


def _open_index(index_dir: Path) -> OpenIndex:
    """A reader per index, kept open across queries and replaced by a fresh one when a newer
    commit exists; called with the index's lock held (``searching``). The old reader is not closed here, since another thread may still be
    answering a query with it; it is closed when the last query lets it go."""
    key = str(index_dir.resolve())
    with _lock:
        current = _open_indexes.get(key)
    if current is None or not current.reader.is_current():
        # Under this index's lock (``searching``), not the global one: opening a large index
        # must not hold up searches of the others.
        reader = open_reader(index_dir)
        current = OpenIndex(reader, arrays_for(reader))
        with _lock:
            _open_indexes[key] = current
    return current


def warm(index: str | Path | None = None) -> None:
    """Open an index and prepare what its first queries would otherwise wait for (the typo
    lookups' deletion index): a server calls it before it takes requests."""
    with searching(resolve_index(index)) as opened:
        opened.reader.prepare_lookups(TYPO_FIELD)


def search(
    query: str,
    index: str | Path | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    mode: str = "documents",
    exact: bool = False,
    passages_per_doc: int = 3,
    prefix: bool = True,
    synonyms: bool | str | os.PathLike = True,
    as_typed: bool = False,
) -> SearchResult:
    """Search an index; ``index`` is an index folder, ``None`` the default index.

    ``mode="documents"`` ranks documents by their best passage and returns up to
    ``passages_per_doc`` passages under each (``limit``/``offset`` count documents);
    ``mode="passages"`` returns passages alone. ``exact=True`` matches diacritics exactly.
    ``prefix``: the last word, if the query ends in it, also matches as the start of a longer
    syllable (it is still being typed). ``synonyms``: ``True`` expands abbreviations and
    synonyms by the shipped table, a file path by that table and the file's groups, ``False``
    not at all. ``as_typed=True`` searches words typed as Telex/VNI keystrokes as they are,
    rather than as the syllables they spell.
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
    options = QueryOptions(exact, prefix and still_typing(query), synonym_table(synonyms))
    index_dir = resolve_index(index)
    with searching(index_dir) as opened:
        result.notes.extend(filter(None, [analysis_note(opened.reader, index_dir)]))
        decoded = None if as_typed else decode_query(result.query, opened.reader)
        if decoded is not None:
            parsed, result.searched = parse(decoded), decoded
            result.notes.append(f"showing results for {decoded}")
        _answer(opened, parsed, result, options, limit=limit, offset=offset, per_doc=passages_per_doc)
    result.took_ms = _ms(started)
    return result


@dataclass(frozen=True)
class QueryOptions:
    """How a query is planned, beyond its text (``search``'s keyword arguments)."""

    exact: bool = False
    prefix: bool = False
    synonyms: Synonyms | None = None


def synonym_table(synonyms: bool | str | os.PathLike) -> Synonyms | None:
    if synonyms is False or synonyms is None:
        return None
    try:
        return load_synonyms(None if synonyms is True else synonyms)
    except SynonymsError as exc:
        raise SearchError(str(exc)) from None


def check_synonyms(synonyms: bool | str | os.PathLike) -> None:
    """Read a synonyms file now: a ``SearchError`` saying what is wrong with it, if anything."""
    synonym_table(synonyms)


def plan_for(parsed: ParsedQuery, reader: IndexReader, options: QueryOptions):
    """The plan ``search()`` makes of a parsed query with these options."""
    return plan_query(parsed, reader, options.exact, synonyms=options.synonyms, prefix=options.prefix)


def _answer(opened: OpenIndex, parsed: ParsedQuery, result: SearchResult, options: QueryOptions, *, limit: int,
            offset: int, per_doc: int) -> None:
    """Fill in ``result``'s total, hits, suggestion and notes: plan, rank, then build the page's hits."""
    reader, arrays = opened.reader, opened.arrays
    plan = plan_for(parsed, reader, options)
    result.notes.extend(plan.notes)
    if not plan.finds_anything():
        result.notes.append("nothing to search for: the query has no letters or digits")
        return
    scores = record_scores(reader, arrays, plan.clauses)
    if result.mode == "passages":
        result.total, chosen = top_passages(scores, limit, offset)
    else:
        result.total, chosen = top_documents(scores, arrays, limit, offset, per_doc)
    result.hits = _hits(reader, arrays, chosen, highlight_terms(plan))
    if plan.corrections or result.total < 3 or not any(s.has_marks for s in plan.syllables):
        result.suggestion = suggest(result.searched or result.query, [hit.text for hit in result.hits[:10]],
                                    plan.corrections)


def _hits(reader: IndexReader, arrays: IndexArrays, chosen: list[tuple[int, float]], terms: QueryTerms) -> list[Hit]:
    """The chosen passages as hits, their text sliced from their document's record (read once
    per page)."""
    hits = []
    records: dict[int, DocumentRecord] = {}
    for docnum, score in chosen:
        owner = int(arrays.owner[docnum])
        if owner not in records:
            records[owner] = reader.document(owner)
        passage = reader.passage(docnum, records[owner])
        spans = terms.spans(passage.text)
        hits.append(
            Hit(
                doc_id=passage.doc_id,
                path=passage.path,
                title=passage.title,
                date=passage.date,
                passage_no=passage.passage_no,
                text=passage.text,
                score=round(score, 4),
                highlights=spans,
                snippet=snippet(passage.text, spans),
            )
        )
    return hits


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
