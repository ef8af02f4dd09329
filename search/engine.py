"""``search()``: from a query string to ranked, grouped, highlighted passages.

The query is assembled from the analyzers' own terms (see ``terms``), as a sum over fields:

* ``fsyl`` folded syllables: recall; a query typed without diacritics matches everything;
* ``syl`` accented syllables, only for syllables typed with diacritics: the exact spelling
  outranks the folded one (``đảng`` before ``đang``);
* ``fpair`` folded syllable pairs and ``word`` pyvi words: adjacency and word-level precision;
* ``title`` folded syllables: a passage of a document whose title matches ranks higher.

Speed: scoring is done on numpy arrays over whole posting lists (``scorer``), with decoded term
scores cached per open index. Syllables in more than ``COMMON`` of all passages (``của``, ``và``,
``các``) are left out as single terms when the query has rarer ones: their pairs (``tác_dụng``)
carry what they mean at a fraction of the postings. Question words (``gì``, ``bao nhiêu``: see
``questions``) are left out altogether. Queries are capped at ``MAX_SYLLABLES``
syllables and ``MAX_CORRECTIONS`` typo lookups, so no query costs without bound.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.default import ensure_default_index
from indexer.storage import DocumentRecord, IndexReader, exists, open_reader

from .highlight import match_spans, snippet
from .questions import is_question_word, question_positions
from .results import Hit, SearchResult
from .scorer import IndexArrays, arrays_for, bm25, term_scores
from .suggest import suggest
from .syntax import parse, valid_unicode
from .terms import QuerySyllable, pairs, query_syllables, query_words, runs

COMMON = 0.2  # fraction of passages above which a syllable is only used inside pairs
MAX_LIMIT = 1000
MAX_SYLLABLES = 64  # of free text; a longer query searches its first 64 syllables
MAX_CORRECTIONS = 3  # typo lookups (an edit-distance scan of the lexicon each)
MAX_OFFSET = 10_000

# Field weights, tuned on ../shared/eval (benchmarks/relevance.py); never per question.
W_FOLDED = 1.0
W_ACCENTED = 0.6
W_PAIR = 1.2
W_WORD = 0.6
W_TITLE = 0.25
W_RUN = 2.0


class SearchError(Exception):
    """A search that cannot run at all (no index); the message says what to do."""


@dataclass(frozen=True)
class _Clause:
    """Folded syllables that must occur in a row in a positional field (a phrase, or one term),
    and in exact mode the accented syllables its records must also have (``syl``)."""

    field: str
    folded: tuple[str, ...]
    accented: tuple[str, ...] = ()


@dataclass
class _Plan:
    terms: list[tuple[str, str, float]] = field(default_factory=list)  # optional, scored
    bonus: list[tuple[_Clause, float]] = field(default_factory=list)  # (a run of syllables, score bonus)
    required: list[_Clause] = field(default_factory=list)  # every hit matches these
    excluded: list[_Clause] = field(default_factory=list)  # no hit matches these
    gate: list[tuple[str, str, float]] = field(default_factory=list)  # exact mode: a hit matches one
    titles: list[tuple[str, str, float]] = field(default_factory=list)  # scored on document records
    title_required: list[_Clause] = field(default_factory=list)  # the document's title matches these
    folded: set[str] = field(default_factory=set)
    accented: set[str] = field(default_factory=set)
    pairs: set[str] = field(default_factory=set)
    corrections: dict[str, str] = field(default_factory=dict)
    syllables: list[QuerySyllable] = field(default_factory=list)

    def highlight(self, s: QuerySyllable, exact: bool, key: str) -> None:
        """Mark a query syllable's hits by its exact spelling if typed with diacritics
        (or in exact mode), else by its folded form, or by its correction if it was a typo."""
        if key != s.folded:
            self.folded.add(key)
        elif s.has_marks or exact:
            self.accented.add(s.accented)
        else:
            self.folded.add(key)


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


@dataclass
class OpenIndex:
    """An index's latest commit as the engine keeps it open: the storage's reader, and the
    arrays the scorer derives from it once."""

    reader: IndexReader
    arrays: IndexArrays


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
        yield _searcher(index_dir)


def _searcher(index_dir: Path) -> OpenIndex:
    """A reader per index, kept open across queries and replaced by a fresh one when a newer
    commit exists. The old reader is not closed here, since another thread may still be
    answering a query with it; it is closed when the last query lets it go."""
    key = str(index_dir.resolve())
    with _lock:
        current = _searchers.get(key)
        if current is None or not current.reader.is_current():
            reader = open_reader(index_dir)
            current = OpenIndex(reader, arrays_for(reader))
        _searchers[key] = current
        return current


def plan_query(parsed, index: OpenIndex, exact: bool) -> _Plan:
    """The terms, phrases and filters of a parsed query, and what its hits are marked by."""
    reader = index.reader
    total = max(1, reader.live_count())
    free = query_syllables(parsed.free_text)
    if len(free) > MAX_SYLLABLES:
        free = free[:MAX_SYLLABLES]
        parsed.notes.append(f"only the first {MAX_SYLLABLES} syllables of the query are searched")
    plan = _Plan(syllables=free)
    marked = any(s.has_marks for s in free)

    def df(fieldname: str, text: str) -> int:
        return reader.doc_frequency(fieldname, text)

    optional = plan.terms
    seen: set[str] = set()
    asked = question_positions(free)
    content = [s for i, s in enumerate(free) if i not in asked and s.folded not in seen and not seen.add(s.folded)]
    rare = [s for s in content if df("fsyl", s.folded) <= COMMON * total]
    keep = rare if rare else content
    for s in content:
        key = s.folded
        if df("fsyl", key) == 0 and len(key) >= 4 and len(plan.corrections) < MAX_CORRECTIONS:
            fixed = _correct(reader, key)
            if fixed:
                plan.corrections[key] = fixed
                key = fixed
        plan.highlight(s, exact, key)
        if s not in keep:
            continue
        if exact:
            optional.append(("syl", s.accented, W_FOLDED + W_ACCENTED))
            plan.gate.append(("syl", s.accented, 1.0))
        else:
            optional.append(("fsyl", key, W_FOLDED))
            if marked and (s.has_marks or s.folded == s.accented):
                optional.append(("syl", s.accented, W_ACCENTED))
            plan.titles.append(("title", key, W_TITLE))
    free_fixed = [QuerySyllable(s.accented, plan.corrections.get(s.folded, s.folded), s.gap) for s in free]
    for p in dict.fromkeys(pairs(free_fixed, skip=asked)):
        plan.pairs.add(p)
        optional.append(("fpair", p, W_PAIR))
    if marked:
        for w in dict.fromkeys(query_words(parsed.free_text)):
            if is_question_word(w):
                continue
            optional.append(("word", w, W_WORD))
    for run in runs(free):
        plan.bonus.append((_Clause("fsyl", tuple(s.folded for s in run)), W_RUN))

    required = plan.required
    for text in parsed.phrases:
        sylls = query_syllables(text)
        if sylls:
            required.append(_phrase("fsyl", sylls, exact))
            for s in sylls:
                plan.highlight(s, exact, s.folded)
            plan.pairs.update(pairs(sylls))
    for text in parsed.title:
        sylls = query_syllables(text)
        if sylls:
            plan.title_required.append(_phrase("title", sylls, False))
    excluded = plan.excluded
    for text in parsed.excluded:
        sylls = query_syllables(text)
        if sylls:
            excluded.append(_phrase("fsyl", sylls, exact))

    return plan


def _phrase(fieldname: str, sylls: list[QuerySyllable], exact: bool) -> _Clause:
    folded = tuple(s.folded for s in sylls)
    return _Clause(fieldname, folded, tuple(dict.fromkeys(s.accented for s in sylls)) if exact else ())


def _correct(reader: IndexReader, key: str) -> str | None:
    """The most frequent indexed syllable one edit away from an unknown one (a typo)."""
    candidates = [t for t in reader.terms_within("fsyl", key, 1) if t != key]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (reader.doc_frequency("fsyl", t), t))


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
    with searching(resolve_index(index)) as opened:
        return _search(opened, result.query, parsed, result, limit, offset, mode, exact, passages_per_doc, started)


def _search(opened: OpenIndex, query, parsed, result, limit, offset, mode, exact, passages_per_doc, started) -> SearchResult:
    plan = plan_query(parsed, opened, exact)
    if not (plan.terms or plan.required or plan.title_required):
        result.notes.append("nothing to search for: the query has no letters or digits")
        result.took_ms = _ms(started)
        return result

    reader, arrays = opened.reader, opened.arrays
    scores = _scores(reader, arrays, plan)
    matched = np.flatnonzero(scores > 0)
    if mode == "passages":
        result.total = len(matched)
        order = _best(matched, scores, offset + limit)
        chosen = [(int(d), float(scores[d])) for d in order[offset : offset + limit]]
    else:
        owners = arrays.owner[matched]
        seen = np.zeros(arrays.size, dtype=bool)
        seen[owners] = True
        result.total = int(seen.sum())
        ranked = _best_documents(matched, owners, scores, offset + limit)
        page = ranked[offset : offset + limit]
        mine = matched[np.isin(owners, page)]
        mine = _best(mine, scores, len(mine))
        mine_owner = arrays.owner[mine]
        chosen = []
        for doc in page:
            chosen.extend((int(d), float(scores[d])) for d in mine[mine_owner == doc][:passages_per_doc])

    records: dict[int, DocumentRecord] = {}  # each document's record, read once per page
    for docnum, score in chosen:
        owner = int(arrays.owner[docnum])
        if owner not in records:
            records[owner] = reader.document(owner)
        passage = reader.passage(docnum, records[owner])
        text = passage.text
        spans = match_spans(text, plan.folded, plan.pairs, plan.accented)
        result.hits.append(
            Hit(
                doc_id=passage.doc_id,
                path=passage.path,
                title=passage.title,
                date=passage.date,
                passage_no=passage.passage_no,
                text=text,
                score=round(score, 4),
                highlights=spans,
                snippet=snippet(text, spans),
            )
        )
    if plan.corrections or result.total < 3 or not any(s.has_marks for s in plan.syllables):
        result.suggestion = suggest(query, [hit.text for hit in result.hits[:10]], plan.corrections)
    result.took_ms = _ms(started)
    return result


def _scores(reader: IndexReader, arrays: IndexArrays, plan: _Plan) -> np.ndarray:
    """Score of every record: BM25 of the optional terms, the document title's score passed on
    to its passages, phrase bonuses, required and excluded clauses applied as masks; zero means
    no match. Document records themselves never match."""
    scores = bm25(arrays, plan.terms)
    if plan.titles:
        scores += bm25(arrays, plan.titles)[arrays.owner]
    if plan.gate:  # exact mode: folded pairs and titles only add to passages with an exact match
        scores[bm25(arrays, plan.gate) == 0] = 0.0
    for clause, bonus in plan.bonus:
        docs = reader.matching(clause.field, clause.folded)
        if len(docs):
            scores[docs] += bonus
    if plan.required or plan.title_required:
        mask = np.ones(arrays.size, dtype=bool)
        for clause in plan.required:
            mask &= _member(arrays.size, _matching(reader, arrays, clause))
        for clause in plan.title_required:
            mask &= _member(arrays.size, _matching(reader, arrays, clause))[arrays.owner]
        scores = np.where(mask, scores + 1.0, 0.0).astype(np.float32)
    for clause in plan.excluded:
        scores[_matching(reader, arrays, clause)] = 0.0
    scores[~arrays.live] = 0.0
    scores[arrays.doc_starts] = 0.0
    return scores


def _best(docnums: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best of ``docnums``, best first, ties by docnum, without sorting them all.

    Every docnum tied with the k-th score is kept through the partial sort, so that the
    first k are the same whatever k is: page 2 continues page 1 exactly.
    """
    if k <= 0:
        return docnums[:0]
    if len(docnums) > k:
        kth = np.partition(scores[docnums], len(docnums) - k)[len(docnums) - k]
        docnums = docnums[scores[docnums] >= kth]
    return docnums[np.lexsort((docnums, -scores[docnums]))][:k]


def _best_documents(matched: np.ndarray, owners: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Document records of the ``k`` best documents, each ranked by its best passage."""
    size = int(owners.max()) + 1 if len(owners) else 0
    best = np.full(size, -np.inf, dtype=np.float32)
    np.maximum.at(best, owners, scores[matched])
    docs = np.flatnonzero(best > -np.inf)
    return _best(docs, best, k)


def _member(size: int, docnums: np.ndarray) -> np.ndarray:
    inside = np.zeros(size, dtype=bool)
    inside[docnums] = True
    return inside


def _matching(reader: IndexReader, arrays: IndexArrays, clause: _Clause) -> np.ndarray:
    docs = reader.matching(clause.field, clause.folded)
    for accented in clause.accented:
        if not len(docs):
            break
        ids, _ = term_scores(arrays, "syl", accented)
        docs = docs[np.isin(docs, ids)]
    return docs


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
