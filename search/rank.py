"""Ranking: a score for every record from a plan's clauses, and the page of best records.

Each clause kind has one effect, applied in a fixed order whatever the order of the plan: scored
terms summed (a title's score passed on from the document record to its passages), the exact-mode
gate, phrase bonuses, required clauses (as a mask, with one point for matching them all) and
excluded ones. Zero means no match; deleted records and document records never match. Ties are
broken by docnum, so page 2 continues page 1 exactly.

Documents are ranked in two steps: the candidates (``features``: the best by their best passage
and by whole-document BM25) are ordered by the document model (``ltr``), and any other matching
document follows them, by its best passage. Each document's score is the one it is ranked by (a
candidate's model score; below the last candidate's, for the others), so that the scores a page
shows fall as its ranks do. The candidates do not depend on the page asked for, so pages still
continue each other exactly.
"""

from __future__ import annotations

import numpy as np

from indexer.storage import IndexReader

from .features import FEATURES, features
from .ltr import document_scores, used
from .plan import DOCUMENT_FIELDS, AnyOf, Bonus, Clause, Exclude, Plan, Require, Scored
from .scorer import IndexArrays, bm25, document_bm25, member, term_scores
from .topk import top_k, top_runs


def record_scores(reader: IndexReader, arrays: IndexArrays, clauses: list[Clause]) -> np.ndarray:
    """Score of every record (passages and document records alike, by global docnum)."""
    scored = _of(clauses, Scored)
    scores = bm25(arrays, _terms(c for c in scored if c.field not in DOCUMENT_FIELDS))
    titles = _terms(c for c in scored if c.field in DOCUMENT_FIELDS)
    if titles and len(arrays.doc_starts):  # a title's score, passed on to its records by document index
        arrays.add_spread(scores, document_bm25(arrays, titles))
    for clause in _of(clauses, AnyOf):
        scores[bm25(arrays, [(clause.field, t, 1.0) for t in clause.terms]) == 0] = 0.0
    for clause in _of(clauses, Bonus):
        docs = reader.matching(clause.field, clause.terms)
        if len(docs):
            scores[docs] += clause.weight
    required = _of(clauses, Require)
    if required:
        mask = np.ones(arrays.size, dtype=bool)
        for clause in required:
            mask &= _holds(reader, arrays, clause)
        scores = np.where(mask, scores + 1.0, 0.0).astype(np.float32)
    for clause in _of(clauses, Exclude):
        scores[_holds(reader, arrays, clause)] = 0.0
    scores[arrays.deleted] = 0.0
    scores[arrays.doc_starts] = 0.0
    return scores


def top_passages(scores: np.ndarray, limit: int, offset: int) -> tuple[int, list[tuple[int, float]]]:
    """The number of matching passages, and (docnum, score) of the page's, best first."""
    order = top_k(scores, offset + limit, floor=0.0)
    return int(np.count_nonzero(scores > 0)), [(int(d), float(scores[d])) for d in order[offset : offset + limit]]


def top_documents(
    scores: np.ndarray, arrays: IndexArrays, limit: int, offset: int, per_doc: int, plan: Plan | None = None
) -> tuple[int, list[tuple[int, float]], list[tuple[int, float]]]:
    """The number of matching documents, (docnum, score) of up to ``per_doc`` best passages of
    each document of the page, and (document record, score) of the page's documents, best first:
    the score a document is ranked by, which is what it shows. Documents are ranked by the
    document model (with ``plan``) or by their best passage. A query whose words have synonyms
    (``plan.synonyms``) is ranked by the model too: its whole-document features count an
    expansion as a match of the typed term (``features``), as the passage scores do.

    No per-document value is computed for every document (90,568 of them at 90,568 articles,
    half a million matching records): the documents that match are counted from a running
    count of the matching records, and the best are picked above a threshold (``topk``), with
    vectorised passes over the scores alone."""
    hit = arrays.matching_documents(scores)
    if plan is None:
        page, ranks = best_documents(scores, arrays, offset + limit)
    else:
        page, ranks = ranked_documents(arrays, scores, plan, hit, offset + limit)
    page, ranks = page[offset : offset + limit], ranks[offset : offset + limit]
    documents = [(int(d), float(s)) for d, s in zip(page, ranks)]
    return int(np.count_nonzero(hit)), page_passages(page, scores, arrays, per_doc), documents


def page_passages(page: np.ndarray, scores: np.ndarray, arrays: IndexArrays, per_doc: int) -> list[tuple[int, float]]:
    """(docnum, score) of up to ``per_doc`` best matching passages of each document of ``page``
    (document records), document by document in the page's order."""
    if not len(page):
        return []
    dix = np.searchsorted(arrays.doc_starts, page)
    records = arrays.records_of(np.unique(dix))
    records = records[scores[records] > 0]
    records = records[np.lexsort((records, -scores[records]))]  # best first, ties by docnum
    owners = arrays.owner_index[records]
    chosen = []
    for doc in dix.tolist():
        chosen.extend((int(d), float(scores[d])) for d in records[owners == doc][:per_doc])
    return chosen


def best_documents(scores: np.ndarray, arrays: IndexArrays, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Document records of the ``k`` best documents, each ranked by its best passage, and those
    best passages' scores."""
    documents, best = top_runs(scores, arrays.owner_index, k)
    return arrays.doc_starts[documents], best


def ranked_documents(arrays: IndexArrays, scores: np.ndarray, plan: Plan, hit: np.ndarray,
                     k: int) -> tuple[np.ndarray, np.ndarray]:
    """Document records of the ``k`` best documents and their scores: the candidates by the
    document model, best first (ties by docnum), then the other matching documents by their
    best passage, each scored below the last candidate (``beyond_candidates``), so that the
    scores shown fall as the ranks do. ``hit``: whether each document matches (by index in
    ``doc_starts``)."""
    docs, _, x = features(arrays, scores, plan, used(), hit)
    if not len(docs):
        return docs, np.zeros(0, dtype=np.float32)
    model = document_scores(x)
    order = np.lexsort((docs, -model))
    ranked, ranked_scores = docs[order], model[order]
    if k <= len(ranked):
        return ranked[:k], ranked_scores[:k]
    rest = scores.copy()  # the other documents' records
    rest[arrays.records_of(np.searchsorted(arrays.doc_starts, docs))] = 0.0
    more, passage = best_documents(rest, arrays, k - len(ranked))
    below = beyond_candidates(float(ranked_scores[-1]), passage, float(x[:, FEATURES.index("passage")].max()))
    return np.concatenate([ranked, more]), np.concatenate([ranked_scores, below]).astype(np.float32)


def beyond_candidates(lowest: float, passage: np.ndarray, best_passage: float) -> np.ndarray:
    """Scores of documents beyond the candidates, from their best passages: the lowest
    candidate's score times the share of the candidates' best passage score that theirs
    reaches. Every candidate of a query scores above 0 and the best passages are all among the
    candidates (``features.POOL``), so the share is at most 1: no such document scores above a
    candidate, and they fall in the order of their best passages."""
    share = passage.astype(np.float64) / best_passage if best_passage > 0 else np.zeros(len(passage))
    return (lowest * share if lowest > 0 else lowest - (1.0 - share)).astype(np.float32)


def _of(clauses: list[Clause], kind: type) -> list:
    return [c for c in clauses if isinstance(c, kind)]


def _terms(clauses) -> list[tuple[str, str, float]]:
    """(field, term, weight) of scored clauses, in the plan's order (which fixes the float sums)."""
    return [(c.field, t, c.weight) for c in clauses for t in c.terms]


def _holds(reader: IndexReader, arrays: IndexArrays, clause: Require | Exclude) -> np.ndarray:
    """Mask of the records holding a phrase clause: a document field's match holds for its passages."""
    docs = reader.matching(clause.field, clause.terms)
    for accented in clause.accented:
        if not len(docs):
            break
        ids, _ = term_scores(arrays, "syl", accented)
        docs = docs[member(docs, ids, arrays.size)]
    inside = np.zeros(arrays.size, dtype=bool)
    inside[docs] = True
    return inside[arrays.owner] if clause.field in DOCUMENT_FIELDS else inside
