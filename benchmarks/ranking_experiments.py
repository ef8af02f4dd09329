"""Document-ranking experiments of issue 16, on the discipline of ``train_ranking.py``.

    python benchmarks/ranking_experiments.py --cache DIR

Each experiment is a feature computed here beside the engine's (``search.features``) for every
candidate of every question of both evaluation sets (as written and stripped), added to the
shipped model (the untuned prior: best passage + whole-document folded syllables + folded pairs,
equal weights) with one weight fitted by ``train_ranking.fit`` on one part and measured on the
part it was not fitted on: across the sets both ways, and on 5 folds within each. A change that
replaces a feature rather than adding one has no weight to fit, and is measured on both sets as
it is. Printed for every change: in-sample and out-of-sample MRR@10 beside the prior's on the
same questions.

The experiments:

* ``prf``: pseudo-relevance feedback, RM3 on folded syllables: the top ``F`` documents by the
  shipped model give a term distribution, P(t | feedback) = sum over d of P(d) tf(t, d) / |d|
  with P(d) proportional to the model's score, over syllables in at most ``plan.COMMON`` of all
  passages; its ``M`` likeliest terms, weighted by it, score each candidate by whole-document
  BM25 (the feature; its weight is RM3's interpolation).
* ``idf-weighted``: query term weighting for long questions (issue 16, item 4): the whole
  document's folded syllables each weighted by its idf over the query's largest (a common
  syllable of a forty-word question counts less than its BM25 idf alone says), as a feature
  beside the prior and instead of ``doc_fsyl``.
* ``rare-half``: the same, the question's syllables beyond its 8 rarest dropped from the
  whole-document score (a question of 8 syllables or fewer is scored as before).

And the ceiling: the MRR@10 of the candidates perfectly reordered (the share of questions whose
gold document is a candidate) beside the shipped model's R@10 and MRR@10, for each set.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

import train_ranking as tr
from common import EVAL_SETS, VARIANTS, load_eval_set, print_table

from analyzers import analyze  # noqa: E402  (train_ranking put the repository on the path)
from search.engine import searching  # noqa: E402
from search.features import FEATURES, document_term_scores, features, query_terms  # noqa: E402
from search.ltr import document_scores, used  # noqa: E402
from search.plan import COMMON  # noqa: E402
from search.rank import record_scores  # noqa: E402
from search.scorer import idf_of  # noqa: E402

PRF = {"prf3": (3, 10), "prf5": (5, 20)}  # name: (feedback documents F, expansion terms M)
RARE = 8
EXTRA = (*PRF, "idf_weighted", "rare_half")


def extract(set_name: str, cache: Path) -> dict:
    """Features (``FEATURES`` then ``EXTRA``) of every question's candidates, per variant, as
    ``train_ranking.extract`` returns them."""
    out_file = cache / f"experiments-{set_name}.npz"
    if out_file.exists():
        return tr._load(out_file, set_name)
    index = tr.cached_index(set_name, cache)
    _, queries = load_eval_set(set_name)
    data: dict = {}
    with searching(index) as opened:
        reader, arrays = opened.reader, opened.arrays
        ids = {int(r.docnum): r.doc_id for r in reader.documents()}
        common = COMMON * max(1, reader.live_count())
        syllables: dict[int, Counter] = {}  # a document's folded syllables, analyzed once
        for variant in tr.TRAIN_VARIANTS:
            rows, labels, offsets = [], [], [0]
            for q in queries:
                plan = tr.search_plan(VARIANTS[variant](q["question"]), reader)
                scores = record_scores(reader, arrays, plan.clauses)
                docs, _, x = features(arrays, scores, plan, used())
                extra = np.zeros((len(docs), len(EXTRA)), dtype=np.float32)
                if len(docs):
                    model = document_scores(x)
                    for j, (f, m) in enumerate(PRF.values()):
                        extra[:, j] = feedback(arrays, docs, model, f, m, syllables, common)
                    extra[:, len(PRF):] = weighted(arrays, docs, query_terms(plan.clauses)["fsyl"])
                rows.append(np.hstack([x, extra]))
                labels.append(np.array([ids[int(d)] in set(q["gold"]) for d in docs], dtype=bool))
                offsets.append(offsets[-1] + len(docs))
            data[variant] = (np.concatenate(rows), np.concatenate(labels), np.array(offsets))
            print(f"[{set_name}] {variant}: {len(queries)} questions", file=sys.stderr, flush=True)
    np.savez(out_file, **{f"{v}_{n}": a for v, t in data.items() for n, a in zip("Xyo", t)})
    return tr._load(out_file, set_name)


def feedback(arrays, docs, model, f: int, m: int, syllables: dict, common: float) -> np.ndarray:
    """RM3's expansion (see the module's docstring) scored over each candidate's whole document."""
    top = np.lexsort((docs, -model))[:f]
    weight = np.maximum(model[top], 0)
    weight = weight / weight.sum() if weight.sum() > 0 else np.full(len(top), 1 / len(top))
    dist: Counter = Counter()
    for i, w in zip(top, weight):
        d = int(docs[i])
        if d not in syllables:
            syllables[d] = Counter(analyze(arrays.reader.document(d).text).folded)
        counts = syllables[d]
        length = max(1, sum(counts.values()))
        for t, n in counts.items():
            dist[t] += w * n / length
    reader = arrays.reader
    kept = [(t, p) for t, p in dist.most_common(4 * m + 50) if reader.doc_frequency("fsyl", t) <= common][:m]
    total = sum(p for _, p in kept) or 1.0
    out = np.zeros(len(docs), dtype=np.float32)
    for t, p in kept:
        ids, s = document_term_scores(arrays, "fsyl", t)
        found = np.searchsorted(ids, docs)
        inside = found < len(ids)
        inside[inside] = ids[found[inside]] == docs[inside]
        out[inside] += (p / total) * s[found[inside]]
    return out


def weighted(arrays, docs, terms: tuple[str, ...]) -> np.ndarray:
    """Two columns: the whole document's folded syllables each weighted by its idf over the
    query's largest, and only the ``RARE`` rarest of them."""
    n = max(1, len(arrays.doc_starts))
    scored = []
    for t in terms:
        ids, s = document_term_scores(arrays, "fsyl", t)
        if len(ids):
            scored.append((idf_of(len(ids), n), ids, s))
    out = np.zeros((len(docs), 2), dtype=np.float32)
    if not scored:
        return out
    top = max(idf for idf, _, _ in scored)
    rare = sorted(range(len(scored)), key=lambda i: -scored[i][0])[:RARE]
    for i, (idf, ids, s) in enumerate(scored):
        found = np.searchsorted(ids, docs)
        inside = found < len(ids)
        inside[inside] = ids[found[inside]] == docs[inside]
        out[inside, 0] += (idf / top) * s[found[inside]]
        if i in rare:
            out[inside, 1] += s[found[inside]]
    return out


def column(name: str) -> int:
    return FEATURES.index(name) if name in FEATURES else len(FEATURES) + EXTRA.index(name)


def added(sets: dict, name: str) -> list[tuple]:
    """The prior plus one feature, its weight fitted (``train_ranking.cross_validate``)."""
    use = [*tr.shipped_features(), column(name)]
    return [(f"+ {name}", *row) for row in tr.cross_validate(sets, use, free=[column(name)])]


def replaced(sets: dict, old: str, new: str) -> list[tuple]:
    """The prior with one feature in place of another, nothing fitted: the same figure in and
    out of sample, on each set and variant."""
    n = next(iter(sets.values()))[tr.TRAIN_VARIANTS[0]][0].shape[1]
    prior = tr.prior(tr.shipped_features(), n)
    w = prior.copy()
    w[column(new)], w[column(old)] = w[column(old)], 0.0
    rows = []
    for set_name, data in sets.items():
        for v in tr.TRAIN_VARIANTS:
            got = tr.mrr(w, *data[v])
            rows.append((f"{old} -> {new}", "(nothing fitted)", set_name, v, got, got, tr.mrr(prior, *data[v]), ""))
    return rows


def ceiling(sets: dict) -> list[tuple]:
    """Per set and variant: questions whose gold is a candidate (the MRR@10 of a perfect
    reordering of the candidates), the shipped model's R@10 and MRR@10, and the pool's size."""
    rows = []
    for set_name, data in sets.items():
        n = data[tr.TRAIN_VARIANTS[0]][0].shape[1]
        prior = tr.prior(tr.shipped_features(), n)
        for v in tr.TRAIN_VARIANTS:
            X, y, offsets = data[v]
            counts = np.diff(offsets)
            has = np.array([y[a:b].any() for a, b in zip(offsets[:-1], offsets[1:])])
            s = tr.normalized(X, offsets) @ prior
            r10 = []
            for a, b in zip(offsets[:-1], offsets[1:]):
                if not y[a:b].any():
                    r10.append(0.0)
                    continue
                order = np.lexsort((np.arange(b - a), -s[a:b]))
                r10.append(float(y[a:b][order[:10]].any()))
            rows.append((set_name, v, float(has.mean()), float(np.mean(r10)), tr.mrr(prior, X, y, offsets),
                         float(counts.mean())))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True,
                    help="where the evaluation indexes and features are built once and reused")
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    sets = {name: extract(name, args.cache) for name in EVAL_SETS}
    print_table(["set", "variant", "gold among candidates (oracle MRR@10)", "R@10", "MRR@10", "candidates"],
                ceiling(sets), title="== the ceiling: the candidates perfectly reordered ==")
    rows = [r for name in EXTRA for r in added(sets, name)]
    rows += replaced(sets, "doc_fsyl", "idf_weighted") + replaced(sets, "doc_fsyl", "rare_half")
    print_table(["change", "fitted on", "measured on", "variant", "in-sample", "out-of-sample", "prior", "best passage"],
                rows, title="== experiments (MRR@10; 'prior': the shipped model on the measured questions) ==")


if __name__ == "__main__":
    main()
