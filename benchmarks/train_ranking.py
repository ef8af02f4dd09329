"""Fit the document ranking (``search/ranking.json``) by cross-validation across the two sets.

    python benchmarks/train_ranking.py             # features, cross-validation, then the model
    python benchmarks/train_ranking.py --cv-only   # figures only, search/ranking.json untouched

For every question of both evaluation sets (as written and stripped of diacritics) the engine's
own candidates and features (``search.features``) are computed once, on indexes built once into
``--cache`` (vinewsqa-dev with 5,000 vietnews articles as distractors, as in
``relevance.py``). A model is a weight per feature; the document score is their dot product.
Weights are fitted by coordinate ascent on MRR@10 (RankLib's, in a few lines), starting from the
best passage alone, on the training questions only, then measured:

* across sets: fitted on one set, measured on the other, both ways;
* within a set: 5 folds, questions grouped by their gold document (questions about the same
  article never fall on both sides of a fold).

The model is fitted on both sets together, and shipped only if fitting beat the untuned prior
(the best passage and the whole document's folded syllables and pairs, equally weighted) out of
sample across the sets; otherwise the prior is shipped. The folds are written beside this script
(``ranking-folds.json``) so that the validation can be checked. Only a feature that raises the
out-of-sample figures is kept (``--features`` tries subsets; ``SHIPPED`` names the kept ones).
"""
from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np

from common import EVAL_SETS, VARIANTS, iter_vietnews, load_eval_set, passages_as_docs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.engine import QueryOptions, plan_for, searching, synonym_table  # noqa: E402
from search.features import FEATURES, features  # noqa: E402
from search.prefix import still_typing  # noqa: E402
from search.rank import record_scores  # noqa: E402
from search.syntax import parse  # noqa: E402

DISTRACTORS = {"vinewsqa-dev": 5000, "alqac2022": 0}
TRAIN_VARIANTS = ("as-written", "stripped")
#: The features the shipped model is fitted over (the others were tried and did not help out of
#: sample: see the README's relevance section).
SHIPPED = ("passage", "doc_fsyl", "doc_fpair")
PRIOR = ("passage", "doc_fsyl", "doc_fpair")
K = 10
FOLDS = 5


def shipped_features() -> list[int]:
    return [FEATURES.index(f) for f in SHIPPED]


def cached_index(set_name: str, cache: Path) -> Path:
    """The set's index (with its distractors), built once into ``cache`` and reused."""
    from vnsearch_system import VnsearchSystem

    n = DISTRACTORS[set_name]
    system = VnsearchSystem(str(cache / f"{set_name}-d{n}"), reuse=True)
    passages, _ = load_eval_set(set_name)
    docs = passages_as_docs(passages)
    system.build(docs + list(iter_vietnews(limit_docs=n)) if n else docs)
    return system.index_dir


def extract(set_name: str, cache: Path) -> dict:
    """Features of every question's candidates, per variant: X (rows), y (gold or not),
    offsets of each question's rows, and the gold document of each question (for folds)."""
    out_file = cache / f"features-{set_name}.npz"
    if out_file.exists():
        return _load(out_file, set_name)
    index = cached_index(set_name, cache)
    _, queries = load_eval_set(set_name)
    data: dict = {}
    with searching(index) as opened:
        reader, arrays = opened.reader, opened.arrays
        ids = {int(r.docnum): r.doc_id for r in reader.documents()}
        for variant in TRAIN_VARIANTS:
            rows, labels, offsets = [], [], [0]
            for q in queries:
                plan = search_plan(VARIANTS[variant](q["question"]), reader)
                scores = record_scores(reader, arrays, plan.clauses)
                docs, _, x = features(arrays, scores, plan)
                gold = set(q["gold"])
                rows.append(x)
                labels.append(np.array([ids[int(d)] in gold for d in docs], dtype=bool))
                offsets.append(offsets[-1] + len(docs))
            data[variant] = (np.concatenate(rows), np.concatenate(labels), np.array(offsets))
    np.savez(out_file, **{f"{v}_{n}": a for v, t in data.items() for n, a in zip("Xyo", t)})
    return _load(out_file, set_name)


def search_plan(question: str, reader):
    """The plan ``search()`` makes of a question with its default options (synonyms on, the
    last syllable as a prefix if it is still being typed)."""
    options = QueryOptions(False, still_typing(question), synonym_table(True), False)
    return plan_for(parse(question), reader, options)


def _load(path: Path, set_name: str) -> dict:
    z = np.load(path)
    _, queries = load_eval_set(set_name)
    groups = np.array([zlib.crc32(q["gold"][0].encode("utf-8")) for q in queries])  # the fold key
    return {"groups": groups, **{v: (z[f"{v}_X"], z[f"{v}_y"], z[f"{v}_o"]) for v in TRAIN_VARIANTS}}


def mrr(weights: np.ndarray, X: np.ndarray, y: np.ndarray, offsets: np.ndarray, select=None) -> float:
    """MRR@10 of the candidates ranked by their score under ``weights``; a question whose gold
    is not a candidate scores 0."""
    s = normalized(X, offsets) @ weights
    nq = len(offsets) - 1
    counts = np.diff(offsets)
    q_of = np.repeat(np.arange(nq), counts)
    full = counts > 0
    g = np.full(nq, -np.inf)
    if len(s):
        g[full] = np.maximum.reduceat(np.where(y, s, -np.inf), offsets[:-1][full])
    # ties go by docnum, as the engine breaks them: rows are in docnum order within a question
    row = np.arange(len(s))
    first = np.full(nq, len(s))
    if len(s):
        at_gold = np.where(y & (s == g[q_of]), row, len(s))
        first[full] = np.minimum.reduceat(at_gold, offsets[:-1][full])
    ahead = (s > g[q_of]) | ((s == g[q_of]) & (row < first[q_of]))
    rank = 1 + np.bincount(q_of, weights=ahead, minlength=nq)
    rr = np.where(np.isfinite(g) & (rank <= K), 1.0 / rank, 0.0)
    return float(rr.mean() if select is None else rr[select].mean())


def normalized(X: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Each feature divided by its largest value among the question's candidates
    (``ltr.normalize``, kept once per matrix)."""
    key = (id(X), X.shape)
    if key not in _NORMALIZED:
        from search.ltr import normalize

        out = np.empty_like(X)
        for a, b in zip(offsets[:-1], offsets[1:]):
            out[a:b] = normalize(X[a:b])
        _NORMALIZED[key] = out
    return _NORMALIZED[key]


_NORMALIZED: dict = {}


def objective(weights, parts) -> float:
    """Mean MRR@10 over the (X, y, offsets, questions) parts: each set and variant counts once."""
    return float(np.mean([mrr(weights, *p) for p in parts]))


def prior(use: list[int], n: int = len(FEATURES)) -> np.ndarray:
    """The untuned starting point: the best passage and the whole document's folded syllables
    and pairs (the anchor's two fields), equally weighted, of the features in ``use`` (of ``n``
    columns: experiments add some after ``FEATURES``)."""
    w = np.zeros(n)
    for name in PRIOR:
        if FEATURES.index(name) in use:
            w[FEATURES.index(name)] = 1.0
    w[0] = 1.0
    return w


def fit(parts, use: list[int], rounds: int = 3, start: np.ndarray | None = None,
        free: list[int] | None = None) -> np.ndarray:
    """Coordinate ascent on MRR@10 over the features in ``use`` (others stay 0), from ``start``
    (the prior): each weight but the best passage's (the scale) in turn is set to the best of
    a grid of values, as long as that raises the training questions' MRR@10. ``free``: only
    these weights are fitted, the others stay as they start (an experiment's one new feature
    beside the prior)."""
    w = prior(use, parts[0][0].shape[1]) if start is None else start.copy()
    best = objective(w, parts)
    grid = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0]
    for _ in range(rounds):
        improved = False
        for f in use:
            if f == 0 or (free is not None and f not in free):
                continue
            for sign in (1.0, -1.0):
                for g in grid:
                    trial = w.copy()
                    trial[f] = sign * g
                    got = objective(trial, parts)
                    if got > best + 1e-6:
                        best, w, improved = got, trial, True
        if not improved:
            break
    return w


def parts_of(data: dict, questions=None) -> list:
    return [(*data[v], questions) for v in TRAIN_VARIANTS]


def folds(groups: np.ndarray, k: int = FOLDS) -> list[np.ndarray]:
    """Question indexes of ``k`` folds, grouped by gold document (deterministic)."""
    unique = np.unique(groups)
    rng = np.random.default_rng(16)
    rng.shuffle(unique)
    fold_of = {g: i % k for i, g in enumerate(unique)}
    assign = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assign == i) for i in range(k)]


def cross_validate(sets: dict, use: list[int], free: list[int] | None = None,
                   start: np.ndarray | None = None) -> list[tuple]:
    """Rows (fitted on, measured on, variant, in-sample MRR@10, out-of-sample MRR@10, and on the
    measured part the untuned prior's MRR@10 and the best passage's alone, the ranking before).
    ``free``, ``start``: as ``fit``'s."""
    rows = []
    n = next(iter(sets.values()))[TRAIN_VARIANTS[0]][0].shape[1]
    base = np.zeros(n)
    base[0] = 1.0
    names = list(sets)
    for train in names:
        for test in names:
            if train == test:
                continue
            w = fit(parts_of(sets[train]), use, start=start, free=free)
            for v in TRAIN_VARIANTS:
                rows.append((train, test, v, mrr(w, *sets[train][v]), mrr(w, *sets[test][v]),
                             mrr(prior(use, n), *sets[test][v]), mrr(base, *sets[test][v])))
    for name in names:
        fs = folds(sets[name]["groups"])
        ins = {v: [] for v in TRAIN_VARIANTS}
        outs = {v: [] for v in TRAIN_VARIANTS}
        for i, held in enumerate(fs):
            train_q = np.concatenate([f for j, f in enumerate(fs) if j != i])
            w = fit(parts_of(sets[name], train_q), use, start=start, free=free)
            for v in TRAIN_VARIANTS:
                ins[v].append(mrr(w, *sets[name][v], train_q))
                outs[v].append(mrr(w, *sets[name][v], held))
        for v in TRAIN_VARIANTS:
            rows.append((f"{name} {FOLDS - 1}/{FOLDS}", f"{name} 1/{FOLDS}", v, float(np.mean(ins[v])),
                         float(np.mean(outs[v])), mrr(prior(use, n), *sets[name][v]), mrr(base, *sets[name][v])))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/vnsearch-ranking"),
                    help="where the evaluation indexes and features are built once and reused")
    ap.add_argument("--features", nargs="+", default=list(SHIPPED), choices=list(FEATURES))
    ap.add_argument("--cv-only", action="store_true")
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    from common import print_table

    sets = {name: extract(name, args.cache) for name in EVAL_SETS}
    use = [FEATURES.index(f) for f in args.features]
    rows = cross_validate(sets, use)
    print_table(["fitted on", "measured on", "variant", "in-sample", "out-of-sample", "prior", "best passage"], rows,
                title=f"== document ranking, features: {' '.join(args.features)} ==")
    if args.cv_only:
        return
    fitted = fit([p for d in sets.values() for p in parts_of(d)], use)
    # Ship the fitted weights only if fitting helped where it was not fitted: across sets, on
    # average, the out-of-sample figure beats the untuned prior's on the same questions.
    across = [r for r in rows if " " not in r[0]]
    gain = float(np.mean([r[4] - r[5] for r in across]))
    w = fitted if gain > 0 else prior(use)
    print(f"fitted on both sets: {np.round(fitted, 2).tolist()}; across sets it is {gain:+.4f} MRR@10 "
          f"against the prior: shipping the {'fitted weights' if gain > 0 else 'prior'}")
    model = {"features": [FEATURES[i] for i in use], "weights": [round(float(w[i]), 4) for i in use]}
    (ROOT / "search" / "ranking.json").write_text(json.dumps(model) + "\n")
    write_folds(sets)
    print(json.dumps(model))


def write_folds(sets: dict) -> None:
    """The question ids of each fold of each set, as validated (``ranking-folds.json``)."""
    out = {}
    for name, data in sets.items():
        _, queries = load_eval_set(name)
        out[name] = [[queries[i]["qid"] for i in fold] for fold in folds(data["groups"])]
    (Path(__file__).with_name("ranking-folds.json")).write_text(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
