"""Query latency benchmark: p50 / p95 / mean milliseconds per query.

    python benchmarks/latency.py                      # whole vietnews-val
    python benchmarks/latency.py --vietnews 5000 --systems stock-whoosh vnsearch

Index = vinewsqa-dev passages + vietnews-val articles (--vietnews N limits
them). Queries = the vinewsqa-dev questions as written, top-10, one at a time,
after a short warm-up. Every system is built and timed in the same run.
Targets (spec): p50 <= 50 ms, p95 <= 200 ms, and vnsearch no slower than
stock Whoosh.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from baselines import make_systems
from common import (Timer, iter_vietnews, load_eval_set, passages_as_docs, peak_rss_mb,
                    percentile, print_table)


def time_queries(system, questions, k=10, warmup=20) -> list[float]:
    """Per-query wall-clock latencies in ms (warm-up queries not counted)."""
    for q in questions[:warmup]:
        system.query(q, k)
    out = []
    for q in questions:
        t0 = time.perf_counter()
        system.query(q, k)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def latency_row(name, ms):
    return (name, len(ms), f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}",
            f"{statistics.fmean(ms):.1f}", f"{max(ms):.1f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vietnews", type=int, default=None, metavar="N",
                    help="index only the first N vietnews-val articles (default: all)")
    ap.add_argument("--limit-queries", type=int, default=None, metavar="N")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--systems", nargs="+", default=["stock-whoosh", "bm25s"],
                    help="systems to compare: stock-whoosh bm25s vnsearch")
    args = ap.parse_args(argv)

    passages, queries = load_eval_set("vinewsqa-dev")
    questions = [q["question"] for q in queries[: args.limit_queries]]
    docs = passages_as_docs(passages) + list(iter_vietnews(limit_docs=args.vietnews))

    stats, builds = {}, []
    for system in make_systems(args.systems):
        with Timer() as tb:
            system.build(docs)
        bs = getattr(system, "build_stats", None) or {}
        builds.append((system.name, len(docs), f"{tb.seconds:.1f}",
                       f"{bs['index_bytes'] / 1e6:.1f}" if "index_bytes" in bs else "-",
                       f"{peak_rss_mb():.0f}"))
        print(f"{system.name}: built {len(docs)} docs in {tb.seconds:.1f}s", file=sys.stderr, flush=True)
        stats[system.name] = time_queries(system, questions, args.k)
        if hasattr(system, "close"):
            system.close()

    print_table(["system", "docs", "build s", "index MB", "peak RSS MB (process so far)"], builds,
                title=f"== build: {sum(len(t.encode()) for _, _, t in docs) / 1e6:.1f} MB of text ==")
    print_table(["system", "queries", "p50 ms", "p95 ms", "mean ms", "max ms"],
                [latency_row(n, ms) for n, ms in stats.items()],
                title=f"== query latency: {len(docs)} documents, top-{args.k} ==")

    rows = []
    for name, ms in stats.items():
        p50, p95 = percentile(ms, 50), percentile(ms, 95)
        rows.append((f"{name}: p50 <= 50 ms", f"{p50:.1f}", "PASS" if p50 <= 50 else "FAIL"))
        rows.append((f"{name}: p95 <= 200 ms", f"{p95:.1f}", "PASS" if p95 <= 200 else "FAIL"))
    if "vnsearch" in stats and "stock-whoosh" in stats:
        vn, sw = stats["vnsearch"], stats["stock-whoosh"]
        for p in (50, 95):
            a, b = percentile(vn, p), percentile(sw, p)
            rows.append((f"vnsearch p{p} <= stock-whoosh p{p} ({b:.1f})", f"{a:.1f}",
                         "PASS" if a <= b else "FAIL"))
    print_table(["target", "ms", ""], rows, title="-- targets --")


if __name__ == "__main__":
    main()
