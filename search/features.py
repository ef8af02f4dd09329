"""What is known of a candidate document for a query: the features the document ranking combines.

A document used to be ranked by its best passage alone. That loses where the answer is spread
over a document (a regulation's article, an encyclopaedia entry) and against a plain BM25 of
the whole document, which sees every passage at once. So the best documents by either measure
are the *candidates* (at most ``POOL`` of each, among the documents with a matching passage),
and each is described by a few numbers:

* ``passage``, ``passage2``: the scores of its best and second-best passages (``rank``'s
  record scores: the query's fields and weights, the title passed on);
* ``doc_fsyl``, ``doc_fpair``, ``doc_syl``: BM25 of the whole document (all its passages'
  terms summed, bm25s's default ``k1``/``b``) for the query's folded syllables, folded pairs
  and, for a query with diacritics, accented syllables; a passage holding another form of a
  synonym group the query holds a term of (``Ủy ban nhân dân`` for ``UBND``) counts as holding
  the typed form's terms once, as the passage scores count it;
* ``coverage``: the share of the query's syllables (weighted by idf) found in the document;
* ``proximity``: the share (weighted by idf) of them found together in its best passage, within
  ``WINDOW`` syllables of each other, as span/interval queries would score it;
* ``length``: log of the document's length in syllables;
* ``doc_all``: BM25 of the whole document for every folded syllable of the question, the common
  ones (``plan.COMMON``) included: idf alone decides how much each counts.

``ltr`` combines them with a model fitted by cross-validation across the two evaluation sets
(``benchmarks/train_ranking.py``). Everything here is computed from the index's postings, except
proximity, which re-analyzes the best passages of the candidates with ``analyzers.analyze``, the
same analysis the index was built with (the passage field's positions are not read by the scorer).
"""

from __future__ import annotations

import numpy as np

from analyzers import analyze

from .plan import Clause, Plan, Scored
from .scorer import IndexArrays, add_at, idf_of, term_postings
from .topk import top_k, top_runs

POOL = 50  # candidates by best passage, and as many by whole-document BM25
WINDOW = 8  # syllables: query syllables this close together count as near
DOC_K1 = 1.5  # bm25s's defaults: documents are long, a repeated term keeps adding
DOC_B = 0.75

FEATURES = ("passage", "passage2", "doc_fsyl", "doc_fpair", "doc_syl", "coverage", "proximity", "length", "doc_all")


def query_terms(clauses: list[Clause]) -> dict[str, tuple[str, ...]]:
    """The scored terms of a plan by field (``fsyl``, ``fpair``, ``syl``), in query order."""
    terms: dict[str, list[str]] = {"fsyl": [], "fpair": [], "syl": []}
    for clause in clauses:
        if isinstance(clause, Scored) and clause.field in terms:
            terms[clause.field].extend(t for t in clause.terms if t not in terms[clause.field])
    return {name: tuple(found) for name, found in terms.items()}


def document_lengths(arrays: IndexArrays, fieldname: str) -> tuple[np.ndarray, float]:
    """Length of ``fieldname`` over each whole document, by its record's docnum, and the mean
    over live documents (computed once per open index)."""
    key = ("document-lengths", fieldname)
    if key not in arrays.derived:
        lengths = _compact_lengths(arrays, fieldname)
        total = np.zeros(arrays.size, dtype=np.float32)
        total[arrays.doc_starts] = lengths
        arrays.derived[key] = (total, _mean_length(arrays, lengths))
    return arrays.derived[key]


def _compact_lengths(arrays: IndexArrays, fieldname: str) -> np.ndarray:
    """Length of ``fieldname`` over each whole document, by its index in ``doc_starts``."""
    key = ("document-lengths-by-index", fieldname)
    if key not in arrays.derived:
        lengths, _ = arrays.length(fieldname)
        # (cut to the documents: with none live, every record's index is 0)
        arrays.derived[key] = np.bincount(arrays.owner_index, weights=lengths,
                                          minlength=len(arrays.doc_starts))[: len(arrays.doc_starts)].astype(np.float32)
    return arrays.derived[key]


def _mean_length(arrays: IndexArrays, lengths: np.ndarray) -> float:
    live = arrays.live[arrays.doc_starts]
    return max(float(lengths[live].mean()) if live.any() else 1.0, 1.0)


def document_term_scores(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Document records holding a term, and its BM25 over each whole document."""
    dix, scores = _term_scores_by_index(arrays, fieldname, text)
    return arrays.doc_starts[dix].astype(np.int32), scores


def expanded_term_scores(arrays: IndexArrays, fieldname: str, text: str,
                         phrases: tuple[tuple[str, ...], ...]) -> tuple[np.ndarray, np.ndarray]:
    """As ``document_term_scores``, with every passage holding one of ``phrases`` (folded
    syllables: the other forms of a synonym group, ``plan.Plan.expanded``) counted as one more
    occurrence of the term, as the passage scores count it (``plan.synonym_bonuses``); the
    term's idf is that of the documents holding it in any form. With no ``phrases`` (a term
    without synonyms) it is ``document_term_scores``."""
    dix, scores = _expanded_by_index(arrays, fieldname, text, phrases)
    return arrays.doc_starts[dix].astype(np.int32), scores


def _term_scores_by_index(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Documents holding a term, by index in ``doc_starts`` (ascending), and its BM25 over each
    whole document (cached beside the passage scores: the same terms recur from query to query)."""
    key = document_key(fieldname, text)
    cached = arrays.recall(key)  # under the cache's lock: threads share an open index
    if cached is not None:
        return cached
    value = document_value(arrays, fieldname, text)
    arrays.remember(key, value)
    return value


def document_key(fieldname: str, text: str) -> tuple[str, str]:
    """The term cache's key of a term's whole-document BM25 (beside its passage scores' key,
    ``(fieldname, text)``)."""
    return "document:" + fieldname, text


def document_value(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Documents holding a term (by index in ``doc_starts``) and its whole-document BM25,
    computed (not looked up in the cache, and not kept: ``search.hot`` pins it)."""
    return _document_bm25(arrays, fieldname, *_document_tf(arrays, fieldname, text))


def _expanded_by_index(arrays: IndexArrays, fieldname: str, text: str,
                       phrases: tuple[tuple[str, ...], ...]) -> tuple[np.ndarray, np.ndarray]:
    """``expanded_term_scores`` by document index (``_term_scores_by_index``)."""
    if not phrases:
        return _term_scores_by_index(arrays, fieldname, text)
    key = document_key(fieldname, text + "\x00" + "\x00".join(" ".join(p) for p in phrases))
    cached = arrays.recall(key)
    if cached is not None:
        return cached
    docs, tf = _document_tf(arrays, fieldname, text)
    owner_parts, tf_parts = [docs], [tf]
    for phrase in phrases:
        passages = np.asarray(arrays.reader.matching("fsyl", phrase), dtype=np.int64)
        passages = passages[arrays.live[passages]]
        owner_parts.append(arrays.owner_index[passages])
        tf_parts.append(np.ones(len(passages), dtype=np.float32))
    owners = np.concatenate(owner_parts)
    merged, where = np.unique(owners, return_inverse=True)
    counts = np.bincount(where, weights=np.concatenate(tf_parts), minlength=len(merged)).astype(np.float32)
    value = _document_bm25(arrays, fieldname, merged.astype(np.int32), counts)
    arrays.remember(key, value)
    return value


def _document_tf(arrays: IndexArrays, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Documents holding a term (by index in ``doc_starts``, ascending), and its frequency over
    each whole document. A term's postings are in docnum order and a document's passages follow
    its record, so each document's postings are one run: summed where the run ends, no sort.
    Whole counts (what the decode keeps, ``scorer._decoded``) are summed as differences of one
    running sum, exact as the float64 ``reduceat`` they replace and a third of its time (its
    cost is per run, and a common syllable's postings are tens of thousands of runs)."""
    ids, tf = term_postings(arrays, fieldname, text)  # the passages' decode, shared
    if len(arrays.deleted):  # (an index without deletions keeps every posting)
        keep = np.take(arrays.live, ids)  # (``take``: the gathers of this module, in half the time of [])
        if not keep.all():
            ids, tf = ids[keep], tf[keep]
    if not len(ids):
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    owners = np.take(arrays.owner_index, ids)
    first = np.empty(len(owners), dtype=bool)
    first[0] = True
    np.not_equal(owners[1:], owners[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    if tf.dtype.kind not in "ui":  # weights that are not counts: float64 sums, as before
        return owners[starts], np.add.reduceat(tf.astype(np.float64), starts).astype(np.float32)
    # (``int32`` sums while no run can pass 2**31: half the bytes of ``int64``'s, the same sums)
    running = np.cumsum(tf, dtype=np.int32 if len(tf) * int(np.iinfo(tf.dtype).max) < 2**31 else np.int64)
    sums = running[np.append(starts[1:], len(owners)) - 1]
    sums[1:] -= sums[:-1].copy()
    return owners[starts], sums.astype(np.float32)


def _document_bm25(arrays: IndexArrays, fieldname: str, docs: np.ndarray,
                   tf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BM25 over whole documents (bm25s's defaults) of a term with these frequencies; ``docs``
    by index in ``doc_starts``."""
    if not len(docs):
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    lengths = _compact_lengths(arrays, fieldname)
    _, mean = document_lengths(arrays, fieldname)
    idf = idf_of(len(docs), max(1, len(arrays.doc_starts)))
    norm = DOC_K1 * ((1 - DOC_B) + DOC_B * lengths[docs] / mean)
    return docs.astype(np.int32), (idf * tf * (DOC_K1 + 1) / (tf + norm)).astype(np.float32)


def candidates(arrays: IndexArrays, scores: np.ndarray, terms: dict[str, tuple[str, ...]],
               expanded: dict[tuple[str, str], tuple[tuple[str, ...], ...]] | None = None,
               hit: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """Document records of the candidates (ascending), and their whole-document scores (by
    field: the candidates' values, in their order); a term with synonyms (``expanded``, from
    ``plan.Plan.expanded``) scores its other forms as itself (``expanded_term_scores``).
    Whole-document arrays are indexed by document (``IndexArrays.owner_index``), not by record.
    ``hit``: whether each document has a record scoring above 0
    (``IndexArrays.matching_documents``), if the caller has it. Ties at the pool's edge go to
    the lower docnum (``topk``)."""
    expanded = expanded or {}
    if not len(arrays.doc_starts):
        return arrays.doc_starts[:0], {}
    if hit is None:
        hit = arrays.matching_documents(scores)
    if not hit.any():
        return arrays.doc_starts[:0], {}
    by_passage, _ = top_runs(scores, arrays.owner_index, POOL)
    whole = {}
    for fieldname in ("fsyl", "fpair"):  # the pool's; ``doc_syl`` is looked up at the candidates alone
        total = np.zeros(len(arrays.doc_starts), dtype=np.float32)
        for text in terms.get(fieldname, ()):
            ids, s = _expanded_by_index(arrays, fieldname, text, expanded.get((fieldname, text), ()))
            add_at(total, ids, s)
        whole[fieldname] = total
    by_document = np.where(hit, whole["fsyl"] + whole["fpair"], -np.inf)  # among the matching documents
    chosen = np.union1d(by_passage, top_k(by_document, POOL))
    return arrays.doc_starts[chosen], {name: values[chosen] for name, values in whole.items()}


def features(arrays: IndexArrays, scores: np.ndarray, plan: Plan,
             wanted: frozenset[str] = frozenset(FEATURES),
             hit: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates of a query (document records), their best passage, and their features
    (rows in ``FEATURES`` order; those not ``wanted`` are left 0: proximity re-analyzes text).
    ``hit``: whether each document matches (``IndexArrays.matching_documents``), if the caller
    has it."""
    terms = query_terms(plan.clauses)
    docs, whole = candidates(arrays, scores, terms, plan.expanded, hit)
    out = np.zeros((len(docs), len(FEATURES)), dtype=np.float32)
    if not len(docs):
        return docs, docs, out
    dix = np.searchsorted(arrays.doc_starts, docs)  # the candidates by document index
    matched = arrays.records_of(dix)
    matched = matched[scores[matched] > 0]  # their matching records, ascending
    order = np.lexsort((matched, -scores[matched], arrays.owner[matched]))
    matched = matched[order]
    where = np.searchsorted(docs, arrays.owner[matched])
    first = np.r_[True, where[1:] != where[:-1]]
    starts = np.flatnonzero(first)
    best_passage = matched[starts]
    out[:, 0] = scores[best_passage]
    second = starts + 1
    has_second = second < len(matched)
    has_second[has_second] = where[second[has_second]] == where[starts[has_second]]
    out[has_second, 1] = scores[matched[second[has_second]]]
    out[:, 2] = whole["fsyl"]
    out[:, 3] = whole["fpair"]
    if "doc_syl" in wanted:
        out[:, 4] = _at(arrays, dix, "syl", terms["syl"], plan.expanded)
    idfs = _idfs(arrays, terms["fsyl"]) if {"coverage", "proximity"} & wanted else {}
    if idfs:
        total = sum(idfs.values())
        for text, idf in idfs.items():
            ids, _ = _term_scores_by_index(arrays, "fsyl", text)
            out[np.isin(dix, ids), 5] += idf / total
        if "proximity" in wanted:
            out[:, 6] = proximity(arrays, best_passage, idfs)
    lengths, _ = document_lengths(arrays, "fsyl")
    out[:, 7] = np.log1p(lengths[docs])
    if not plan.exact and "doc_all" in wanted:
        out[:, 8] = _at(arrays, dix, "fsyl", dict.fromkeys(plan.corrections.get(s.folded, s.folded) for s in plan.content))
    return docs, best_passage, out


def _at(arrays: IndexArrays, dix: np.ndarray, fieldname: str, texts,
        expanded: dict[tuple[str, str], tuple[tuple[str, ...], ...]] | None = None) -> np.ndarray:
    """Whole-document BM25 of ``texts`` summed at the documents ``dix`` alone (ascending, by index
    in ``doc_starts``), in
    the terms' order, as a sum over every document would give them: a search per candidate,
    not an array over every record (5 ms a question at 90,568 articles). A term with synonyms
    (``expanded``) scores its other forms as itself, as in ``candidates``."""
    out = np.zeros(len(dix), dtype=np.float32)
    for text in texts:
        ids, part = _expanded_by_index(arrays, fieldname, text, (expanded or {}).get((fieldname, text), ()))
        found = np.searchsorted(ids, dix)
        inside = found < len(ids)
        inside[inside] = ids[found[inside]] == dix[inside]
        out[inside] += part[found[inside]]
    return out


def proximity(arrays: IndexArrays, passages: np.ndarray, idfs: dict[str, float]) -> np.ndarray:
    """For each passage, the largest share of the query's idf found within ``WINDOW`` syllables."""
    reader = arrays.reader
    total = sum(idfs.values())
    out = np.zeros(len(passages), dtype=np.float32)
    records: dict[int, object] = {}
    for i, docnum in enumerate(passages):
        owner = int(arrays.owner[docnum])
        if owner not in records:
            records[owner] = reader.document(owner)
        text = reader.passage(int(docnum), records[owner]).text
        out[i] = best_window(analyze(text).folded, idfs, WINDOW) / total
    return out


def best_window(folded: list[str], idfs: dict[str, float], window: int) -> float:
    """The largest idf sum of distinct query syllables inside any ``window`` consecutive syllables."""
    hits = [(i, s) for i, s in enumerate(folded) if s in idfs]
    best = 0.0
    counts: dict[str, int] = {}
    mass = 0.0
    lo = 0
    for pos, s in hits:
        counts[s] = counts.get(s, 0) + 1
        if counts[s] == 1:
            mass += idfs[s]
        while pos - hits[lo][0] >= window:
            gone = hits[lo][1]
            counts[gone] -= 1
            if not counts[gone]:
                mass -= idfs[gone]
            lo += 1
        best = max(best, mass)
    return best


def _idfs(arrays: IndexArrays, texts: tuple[str, ...]) -> dict[str, float]:
    """Passage-level idf of each folded syllable of the query that the index holds."""
    total = arrays.size
    found = {}
    for text in texts:
        df = sum(segment.doc_frequency("fsyl", text) for segment, _ in arrays.reader.segments)
        if df:
            found[text] = idf_of(df, total)
    return found
