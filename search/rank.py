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
from .scorer import IndexArrays, bm25, distinct_sorted, document_bm25, member, of_documents, term_scores


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
    matched = np.flatnonzero(scores > 0)
    order = best(matched, scores, offset + limit)
    return len(matched), [(int(d), float(scores[d])) for d in order[offset : offset + limit]]


def top_documents(
    scores: np.ndarray, arrays: IndexArrays, limit: int, offset: int, per_doc: int, plan: Plan | None = None
) -> tuple[int, list[tuple[int, float]], list[tuple[int, float]]]:
    """The number of matching documents, (docnum, score) of up to ``per_doc`` best passages of
    each document of the page, and (document record, score) of the page's documents, best first:
    the score a document is ranked by, which is what it shows. Documents are ranked by the
    document model (with ``plan``) or by their best passage. A query whose words have synonyms
    (``plan.synonyms``) is ranked by the model too: its whole-document features count an
    expansion as a match of the typed term (``features``), as the passage scores do."""
    matched = np.flatnonzero(scores > 0)
    owners = np.take(arrays.owner, matched)  # ascending, as the records are (``take``: half the time of [])
    if plan is None:
        page, ranks = best_documents(matched, owners, scores, offset + limit)
    else:
        page, ranks = ranked_documents(arrays, scores, plan, matched, owners, offset + limit)
    page, ranks = page[offset : offset + limit], ranks[offset : offset + limit]
    documents = [(int(d), float(s)) for d, s in zip(page, ranks)]
    return distinct_sorted(owners), page_passages(page, matched, owners, scores, arrays, per_doc), documents


def page_passages(page: np.ndarray, matched: np.ndarray, owners: np.ndarray, scores: np.ndarray,
                  arrays: IndexArrays, per_doc: int) -> list[tuple[int, float]]:
    """(docnum, score) of up to ``per_doc`` best matching passages of each document of ``page``,
    document by document in the page's order. ``owners``: the document record of each of
    ``matched``, ascending."""
    mine = of_documents(matched, owners, page)
    mine = best(mine, scores, len(mine))
    mine_owner = arrays.owner[mine]
    chosen = []
    for doc in page:
        chosen.extend((int(d), float(scores[d])) for d in mine[mine_owner == doc][:per_doc])
    return chosen


def best(docnums: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
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


def best_documents(matched: np.ndarray, owners: np.ndarray, scores: np.ndarray,
                   k: int) -> tuple[np.ndarray, np.ndarray]:
    """Document records of the ``k`` best documents, each ranked by its best passage, and those
    best passages' scores."""
    size = int(owners.max()) + 1 if len(owners) else 0
    top = np.full(size, -np.inf, dtype=np.float32)
    np.maximum.at(top, owners, scores[matched])
    docs = best(np.flatnonzero(top > -np.inf), top, k)
    return docs, top[docs]


def ranked_documents(arrays: IndexArrays, scores: np.ndarray, plan: Plan, matched: np.ndarray,
                     owners: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Document records of the ``k`` best documents and their scores: the candidates by the
    document model, best first (ties by docnum), then the other matching documents by their
    best passage, each scored below the last candidate (``beyond_candidates``), so that the
    scores shown fall as the ranks do."""
    docs, _, x = features(arrays, scores, plan, used(), matched, owners)
    if not len(docs):
        return docs, np.zeros(0, dtype=np.float32)
    model = document_scores(x)
    order = np.lexsort((docs, -model))
    ranked, ranked_scores = docs[order], model[order]
    if k <= len(ranked):
        return ranked[:k], ranked_scores[:k]
    rest = ~member(owners, docs, arrays.size)
    more, passage = best_documents(matched[rest], owners[rest], scores, k - len(ranked))
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
