"""Relevance benchmark: R@1, R@10 and MRR@10 per system and query variant.

    python benchmarks/relevance.py --set vinewsqa-dev
    python benchmarks/relevance.py --set all --distractors 5000 --systems stock-whoosh bm25s vnsearch

Documents are the set's passages (plus N vietnews articles as distractors);
each question is asked as written, with diacritics stripped, and in the old
tone style (hoà/thuỷ/khoẻ). Targets (spec): vnsearch as-written MRR@10 >= best
baseline + 0.05; vnsearch stripped MRR@10 >= 0.9 x its own as-written.
"""
from __future__ import annotations

import argparse
import sys

from baselines import make_systems
from common import (EVAL_SETS, VARIANTS, Timer, iter_vietnews, load_eval_set, mrr_at,
                    passages_as_docs, peak_rss_mb, print_table, recall_at)

K = 10


def evaluate(system, queries, variant_fn, k: int = K) -> dict:
    """Mean R@1, R@10, MRR@10 of a built system over queries."""
    r1 = r10 = mrr = 0.0
    for q in queries:
        ranked = system.query(variant_fn(q["question"]), k)
        r1 += recall_at(ranked, q["gold"], 1)
        r10 += recall_at(ranked, q["gold"], 10)
        mrr += mrr_at(ranked, q["gold"], 10)
    n = max(len(queries), 1)
    return {"R@1": r1 / n, "R@10": r10 / n, "MRR@10": mrr / n}


def run_set(set_name, systems, distractors=0, limit_queries=None, variants=VARIANTS):
    """Build every system over the set (+ distractors) and evaluate. Returns
    {system_name: {variant: metrics}}."""
    passages, queries = load_eval_set(set_name)
    if limit_queries:
        queries = queries[:limit_queries]
    docs = passages_as_docs(passages)
    if distractors:
        docs += list(iter_vietnews(limit_docs=distractors))
    results = {}
    for system in systems:
        with Timer() as tb:
            system.build(docs)
        res = {}
        with Timer() as tq:
            for vname, fn in variants.items():
                res[vname] = evaluate(system, queries, fn)
        results[system.name] = res
        print(f"[{set_name}] {system.name}: built {len(docs)} docs in {tb.seconds:.1f}s, "
              f"{len(queries) * len(variants)} queries in {tq.seconds:.1f}s, "
              f"peak RSS {peak_rss_mb():.0f} MB", file=sys.stderr, flush=True)
        if hasattr(system, "close"):
            system.close()
    return results, len(docs), len(queries)


def print_results(set_name, results, ndocs, nqueries):
    rows = [(sysname, v, m["R@1"], m["R@10"], m["MRR@10"])
            for sysname, res in results.items() for v, m in res.items()]
    print_table(["system", "variant", "R@1", "R@10", "MRR@10"], rows,
                title=f"== {set_name}: {ndocs} documents, {nqueries} questions ==")


def print_targets(set_name, results):
    if "vnsearch" not in results:
        print(f"(targets for {set_name}: vnsearch not in this run)")
        return
    vn = results["vnsearch"]
    base = [r["as-written"]["MRR@10"] for n, r in results.items() if n != "vnsearch"]
    rows = []
    if base:
        need = max(base) + 0.05
        got = vn["as-written"]["MRR@10"]
        rows.append(("as-written MRR@10 >= best baseline + 0.05", f"{got:.3f}", f"{need:.3f}",
                     "PASS" if got >= need else "FAIL"))
    need = 0.9 * vn["as-written"]["MRR@10"]
    got = vn["stripped"]["MRR@10"]
    rows.append(("stripped MRR@10 >= 0.9 x as-written", f"{got:.3f}", f"{need:.3f}",
                 "PASS" if got >= need else "FAIL"))
    print_table(["target", "vnsearch", "needed", ""], rows, title=f"-- targets ({set_name}) --")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="vinewsqa-dev", choices=[*EVAL_SETS, "all"])
    ap.add_argument("--distractors", type=int, default=0, metavar="N",
                    help="add the first N vietnews-val articles as distractor documents")
    ap.add_argument("--limit-queries", type=int, default=None, metavar="N")
    ap.add_argument("--systems", nargs="+", default=["stock-whoosh", "bm25s", "vnsearch"],
                    help="systems to compare: stock-whoosh bm25s vnsearch")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = ap.parse_args(argv)

    sets = EVAL_SETS if args.set == "all" else (args.set,)
    variants = {v: VARIANTS[v] for v in args.variants}
    for set_name in sets:
        systems = make_systems(args.systems)  # fresh instances per set
        results, ndocs, nq = run_set(set_name, systems, args.distractors, args.limit_queries, variants)
        print_results(set_name, results, ndocs, nq)
        if {"as-written", "stripped"} <= set(variants):
            print_targets(set_name, results)


if __name__ == "__main__":
    main()
