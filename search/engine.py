"""``search()``: from a query string to ranked, grouped, highlighted passages.

Three steps, each its own module: ``plan`` turns the parsed query into clauses (scored terms,
bonuses, filters), ``rank`` scores every record from them and picks the page, and the hits are
built here from the stored text, marked by the terms ``marks`` derives from the plan. Scoring
is done on numpy arrays over whole posting lists (``scorer``), with decoded term scores cached
per open index; every read of the index goes through the storage's reader (``indexer.storage``).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.default import ensure_default_index
from indexer.storage import DocumentRecord, IndexReader, exists, open_reader

from indexer.doc_fields import relative_path
from indexer.synonyms import recorded_synonyms

from . import narrow
from .docvalues import columns_for, roots_for
from .highlight import snippet
from .hot import Preloaded, preload
from .keystrokes import decode_query
from .marks import QueryTerms, highlight_terms
from .plan import TYPO_FIELD, Exclude, Require, plan_query
from .prefix import still_typing
from .rank import record_scores, top_documents, top_passages
from .scorer import IndexArrays, arrays_for
from .results import Hit, SearchResult, json_safe
from .sorting import RELEVANCE, check_sort, sorted_documents, sorted_passages
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
    """An index's latest commit as the engine keeps it open: the storage's reader, the arrays
    the scorer derives from it once, and, once ``warm`` has been called for the index, what
    was preloaded into them (``hot``; the next commit is preloaded as it is opened, by
    ``preloader``, a thread of its own)."""

    reader: IndexReader
    arrays: IndexArrays
    hot: Preloaded | None = None
    preloader: threading.Thread | None = None


_lock = threading.Lock()  # guards the two dicts below
_open_indexes: dict[str, OpenIndex] = {}
_reopen_locks: dict[str, threading.Lock] = {}
_default_index: Path | None = None


def _forget_open_indexes() -> None:
    """In a forked child: open indexes of its own, and never wait on a lock that a thread of
    the parent held at the fork (it would never be released here)."""
    global _lock
    _lock = threading.Lock()
    _open_indexes.clear()
    _reopen_locks.clear()


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
    """The index's latest commit as this process keeps it open, shared by every thread.

    No lock is held while the block runs: the storage's readers read their memory-mapped files
    by position (``indexer.storage.mapped``), so threads answer queries on one reader at once.
    The block keeps the commit it started with, even if a newer one replaces it meanwhile (a
    query never mixes two commits)."""
    yield _open_index(index_dir)


def _open_index(index_dir: Path) -> OpenIndex:
    """A reader per index, kept open across queries and replaced by a fresh one when a newer
    commit exists (every process notices on its own, from the table of contents' generation:
    each of ``serve``'s workers picks up a commit at its next query). One thread opens it while
    the others wait for that one reader rather than opening their own; the old reader is never
    closed here, since other threads may still be answering with it: its maps are released with
    the last query that holds it."""
    key = str(index_dir.resolve())
    current = _open_indexes.get(key)
    if current is not None and current.reader.is_current():
        return current
    with _lock:
        reopen = _reopen_locks.setdefault(key, threading.Lock())
    with reopen:  # this index's own lock: opening a large index must not hold up the others
        current = _open_indexes.get(key)
        if current is None or not current.reader.is_current():
            warmed = current is not None and current.hot is not None
            reader = open_reader(index_dir)
            current = OpenIndex(reader, arrays_for(reader))
            if warmed:
                _preload_in_background(current)
            with _lock:
                _open_indexes[key] = current
    return current


def warm(index: str | Path | None = None) -> Preloaded:
    """Open an index and prepare what its first queries would otherwise wait for (the typo
    lookups' deletion index, the documents' columns for filters and facets, the postings of its
    most frequent syllables: ``hot``): a server calls it before it takes requests. Each newer
    commit of the index is then preloaded too, as it is opened. Returns what was preloaded."""
    with searching(resolve_index(index)) as opened:
        opened.reader.prepare_lookups(TYPO_FIELD)
        columns_for(opened.reader, opened.arrays)  # the page's facets read them on every query
        if opened.hot is None:
            opened.hot = preload(opened.arrays)
        return opened.hot


def _preload_in_background(opened: OpenIndex) -> None:
    """Preload a newly opened commit in a thread of its own: the query that noticed the commit
    answers meanwhile (its terms decoded as before), rather than waiting seconds for it."""
    def run() -> None:
        try:
            opened.hot = preload(opened.arrays)
        except Exception as exc:  # a damaged or vanished commit: its queries say so themselves
            print(f"vnsearch: the new commit's frequent terms were not preloaded: {exc}", file=sys.stderr)

    opened.hot = Preloaded()  # started: warm() need not start another
    opened.preloader = threading.Thread(target=run, name="vnsearch-preload", daemon=True)
    opened.preloader.start()


def search(
    query: str,
    index: str | Path | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    mode: str = "documents",
    exact: bool = False,
    passages_per_doc: int = 3,
    sort: str = "relevance",
    facets: Sequence[str] | str = (),
    filters: Sequence[str] = (),
    prefix: bool = True,
    synonyms: bool | str | os.PathLike = True,
    as_typed: bool = False,
) -> SearchResult:
    """Search an index; ``index`` is an index folder, ``None`` the default index.

    ``mode="documents"`` ranks documents as wholes (``rank.ranked_documents``) and returns up to
    ``passages_per_doc`` passages under each (``limit``/``offset`` count documents);
    ``mode="passages"`` returns passages alone. ``exact=True`` matches diacritics exactly.
    ``sort``: ``"relevance"``, ``"date"`` (newest first) or ``"date_asc"``, undated last.
    ``facets``: names to count matches by (``("year", "category")``), over all matches.
    ``filters``: more ``field:value`` filters, as typed in a query (``"date:2021"``).
    ``prefix``: the last word, if the query ends in it, also matches as the start of a longer
    syllable (it is still being typed). ``synonyms``: ``True`` expands abbreviations and
    synonyms by the shipped table and the groups the index keeps (``vnsearch index
    --synonyms``), a file path by those and the file's groups too, ``False`` not at all. ``as_typed=True`` searches words typed as Telex/VNI keystrokes as they are,
    rather than as the syllables they spell.
    """
    started = time.perf_counter()
    if mode not in ("documents", "passages"):
        raise ValueError("mode must be 'documents' or 'passages'")
    check_sort(sort)
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    ask = narrow.Asked.of(query, filters, facets, sort)
    parsed = parse(query)
    result = SearchResult(query=valid_unicode(query), total=0, took_ms=0.0, suggestion=None, hits=[],
                          notes=list(ask.notes), mode=mode, sort=sort)
    if parsed.is_empty() and not ask.may_filter():
        result.notes.extend(parsed.notes)
        result.notes.append("nothing to search for: the query has no words" if not parsed.excluded
                            else "nothing to search for: the query only excludes words")
        result.took_ms = _ms(started)
        return result
    index_dir = resolve_index(index)
    options = QueryOptions(exact, prefix and still_typing(query), synonym_table(synonyms, index_dir), as_typed)
    with searching(index_dir) as opened:
        result.notes.extend(filter(None, [analysis_note(opened.reader, index_dir)]))
        _answer(opened, ask, result, options, limit=limit, offset=offset, per_doc=passages_per_doc)
    result.took_ms = _ms(started)
    return result


@dataclass(frozen=True)
class QueryOptions:
    """How a query is planned, beyond its text (``search``'s keyword arguments)."""

    exact: bool = False
    prefix: bool = False
    synonyms: Synonyms | None = None
    as_typed: bool = False


def synonym_table(synonyms: bool | str | os.PathLike, index_dir: Path | None = None) -> Synonyms | None:
    """The groups a search of ``index_dir`` expands by: the shipped table, the index's own (given
    at index time), and a file given now; none at all for ``False``."""
    if synonyms is False or synonyms is None:
        return None
    recorded = recorded_synonyms(index_dir) if index_dir is not None else None
    try:
        return load_synonyms(None if synonyms is True else synonyms, recorded)
    except SynonymsError as exc:
        raise SearchError(str(exc)) from None


def check_synonyms(synonyms: bool | str | os.PathLike, index_dir: Path | None = None) -> None:
    """Read the synonyms files now: a ``SearchError`` saying what is wrong with one, if anything."""
    synonym_table(synonyms, index_dir)


def plan_for(parsed: ParsedQuery, reader: IndexReader, options: QueryOptions):
    """The plan ``search()`` makes of a parsed query with these options."""
    return plan_query(parsed, reader, options.exact, synonyms=options.synonyms, prefix=options.prefix)


def _answer(opened: OpenIndex, ask: narrow.Asked, result: SearchResult, options: QueryOptions, *, limit: int,
            offset: int, per_doc: int) -> None:
    """Fill in ``result``'s total, hits, suggestion and notes: filter, plan, rank, then build the page's hits."""
    reader, arrays = opened.reader, opened.arrays
    decode = None if options.as_typed else (lambda text: decode_query(text, reader))
    narrowed = narrow.narrow(ask, reader, arrays, decode)  # the filters the index can apply, the text to search
    parsed = narrowed.parsed
    if narrowed.searched is not None:
        result.searched = narrowed.searched
        result.notes.append(f"showing results for {narrowed.searched}")
    result.notes.extend(narrowed.notes)
    result.filters = [f.to_dict() for f in narrowed.filters]
    plan = plan_for(parsed, reader, options)
    result.notes.extend(plan.notes)
    if plan.finds_anything():
        scores = narrowed.apply(record_scores(reader, arrays, plan.clauses))
    elif narrowed.filters:
        # Filters alone: every document they let through, but those holding an excluded word.
        scores = narrowed.everything(arrays)
        for clause in plan.clauses:
            if isinstance(clause, Exclude):
                scores[record_scores(reader, arrays, [Require(clause.field, clause.terms, clause.accented)]) > 0] = 0.0
    else:
        result.notes.append("nothing to search for: the query has no words" if parsed.is_empty()
                            else "nothing to search for: the query has no letters or digits")
        return
    ranked = None  # (document record, score) of the page's documents, when ranked by relevance
    if ask.sort != RELEVANCE:
        days = narrowed.columns.days
        if result.mode == "passages":
            result.total, chosen = sorted_passages(scores, days, ask.sort, limit, offset)
        else:
            result.total, chosen = sorted_documents(scores, arrays, days, ask.sort, limit, offset, per_doc)
    elif result.mode == "passages":
        result.total, chosen = top_passages(scores, limit, offset)
    else:
        result.total, chosen, ranked = top_documents(scores, arrays, limit, offset, per_doc, plan)
    if ask.facets:
        result.facets, notes = narrowed.facets(ask.facets, scores, arrays, result.mode)
        result.notes.extend(notes)
    result.hits = _hits(reader, arrays, chosen, highlight_terms(plan))
    if ranked is not None:
        by_record = dict(ranked)
        result.document_scores = {hit.doc_id: round(by_record[int(arrays.owner[docnum])], 4)
                                  for hit, (docnum, _) in zip(result.hits, chosen)}
    if plan.finds_anything() and (plan.corrections or result.total < 3 or not any(s.has_marks for s in plan.syllables)):
        result.suggestion = suggest(result.searched or result.query, [hit.text for hit in result.hits[:10]],
                                    plan.corrections)


def _hits(reader: IndexReader, arrays: IndexArrays, chosen: list[tuple[int, float]], terms: QueryTerms) -> list[Hit]:
    """The chosen passages as hits, their text sliced from their document's record (read once
    per page), their path relative to the folder that was indexed."""
    hits = []
    records: dict[int, DocumentRecord] = {}
    roots = roots_for(reader)
    for docnum, score in chosen:
        owner = int(arrays.owner[docnum])
        if owner not in records:
            records[owner] = reader.document(owner)
        passage = reader.passage(docnum, records[owner])
        spans = terms.spans(passage.text)
        hits.append(
            Hit(
                doc_id=passage.doc_id,
                path=relative_path(passage.path, roots),
                title=passage.title,
                date=passage.date,
                passage_no=passage.passage_no,
                text=passage.text,
                score=round(score, 4),
                highlights=spans,
                snippet=snippet(passage.text, spans),
                source=passage.path,
                metadata=json_safe(records[owner].fields),
            )
        )
    return hits


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
