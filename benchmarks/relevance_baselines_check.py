"""Sanity check of the two baselines (no vnsearch needed).

    python benchmarks/relevance_baselines_check.py

1. stock Whoosh and bm25s on vinewsqa-dev (documents = passages), questions
   as written / diacritics stripped / old tone style: R@1, R@10, MRR@10.
   Earlier project figures: MRR@10 ~0.72 as written, ~0.21 stripped, both.
2. stock-Whoosh query latency on vinewsqa-dev + the first --vietnews (5,000)
   vietnews-val articles.
"""
from __future__ import annotations

import argparse

from baselines import StockWhoosh, make_systems
from common import iter_vietnews, load_eval_set, passages_as_docs, print_table
from latency import latency_row, time_queries
from relevance import print_results, run_set


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vietnews", type=int, default=5000, metavar="N")
    ap.add_argument("--limit-queries", type=int, default=None, metavar="N")
    args = ap.parse_args(argv)

    results, ndocs, nq = run_set("vinewsqa-dev", make_systems(["stock-whoosh", "bm25s"]),
                                 limit_queries=args.limit_queries)
    print_results("vinewsqa-dev", results, ndocs, nq)

    passages, queries = load_eval_set("vinewsqa-dev")
    questions = [q["question"] for q in queries[: args.limit_queries]]
    docs = passages_as_docs(passages) + list(iter_vietnews(limit_docs=args.vietnews))
    sw = StockWhoosh()
    sw.build(docs)
    ms = time_queries(sw, questions)
    st = sw.build_stats
    sw.close()
    print_table(["system", "queries", "p50 ms", "p95 ms", "mean ms", "max ms"], [latency_row(sw.name, ms)],
                title=f"== stock-whoosh latency: {len(docs)} documents "
                      f"(built in {st['seconds']:.1f}s, {st['bytes_indexed'] / 1e6:.1f} MB text, "
                      f"index {st['index_bytes'] / 1e6:.1f} MB) ==")


if __name__ == "__main__":
    main()
