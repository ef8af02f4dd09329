"""Filtered and sorted query latency beside the same query unfiltered (issue 15), and the plain
query beside stock Whoosh. (``latency.py`` measures query speed as the corpus grows, beside
tantivy, and ``serve`` under concurrent clients.)

    python benchmarks/filters.py --systems vnsearch --limit-queries 300   # what the README quotes
    python benchmarks/filters.py --vietnews 5000 --systems stock-whoosh vnsearch

Index = vinewsqa-dev passages + vietnews-val articles (--vietnews N limits
them). Queries = the vinewsqa-dev questions as written, top-10, one at a time,
after a short warm-up. Every system is built and timed in the same run.
Targets (spec): p50 <= 50 ms, p95 <= 200 ms, and vnsearch no slower than
stock Whoosh.

vnsearch is also timed on the same questions filtered and sorted (issue 15): a year filter
(``date:YEAR``, the year most documents are dated in), a keyword filter (``set:vietnews``: the
collection a document comes from, kept as metadata; it lets most matches through, the costly
case) and sort by date, each interleaved with the unfiltered query question by question, so
that the machine's noise falls on both alike. Target: p50 and p95 within 10% of the unfiltered.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from collections import Counter

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


def with_metadata(docs, sets):
    """The documents with a keyword field: the collection each comes from (vnsearch only)."""
    return [(doc_id, title, text, {"set": name}) for (doc_id, title, text), name in zip(docs, sets)]


def busiest_year(system) -> str:
    from search import search

    years = search("năm", index=system.index_dir, facets="year", limit=1).facets.get("year", {})
    return max(years, key=years.get) if years else "2018"


def time_variants(system, questions, k=10, warmup=20) -> dict[str, list[float]]:
    """Per-query latencies of the unfiltered query and of each filtered or sorted one, the
    variants of a question timed one after another in an order rotated per question."""
    year = busiest_year(system)
    variants = {
        "unfiltered": {},
        f"year filter (date:{year})": {"filters": [f"date:{year}"]},
        "keyword filter (set:vietnews)": {"filters": ["set:vietnews"]},
        "sort by date": {"sort": "date"},
    }
    names = list(variants)
    for q in questions[:warmup]:
        for name in names:
            system.query(q, k, **variants[name])
    out: dict[str, list[float]] = {name: [] for name in names}
    for i, q in enumerate(questions):
        for name in names[i % len(names):] + names[: i % len(names)]:
            t0 = time.perf_counter()
            system.query(q, k, **variants[name])
            out[name].append((time.perf_counter() - t0) * 1000.0)
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
    qa_docs = passages_as_docs(passages)
    docs = qa_docs + list(iter_vietnews(limit_docs=args.vietnews))
    sets = ["vinewsqa"] * len(qa_docs) + ["vietnews"] * (len(docs) - len(qa_docs))

    stats, builds, variants = {}, [], {}
    for system in make_systems(args.systems):
        with Timer() as tb:
            system.build(with_metadata(docs, sets) if system.name == "vnsearch" else docs)
        bs = getattr(system, "build_stats", None) or {}
        builds.append((system.name, len(docs), f"{tb.seconds:.1f}",
                       f"{bs['index_bytes'] / 1e6:.1f}" if "index_bytes" in bs else "-",
                       f"{peak_rss_mb():.0f}"))
        print(f"{system.name}: built {len(docs)} docs in {tb.seconds:.1f}s", file=sys.stderr, flush=True)
        stats[system.name] = time_queries(system, questions, args.k)
        if system.name == "vnsearch":
            variants = time_variants(system, questions, args.k)
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
    if variants:
        print_table(["vnsearch query", "queries", "p50 ms", "p95 ms", "mean ms", "max ms"],
                    [latency_row(n, ms) for n, ms in variants.items()],
                    title=f"== filtered and sorted, interleaved with the unfiltered query ({Counter(sets)}) ==")
        base = variants["unfiltered"]
        for name, ms in variants.items():
            if name == "unfiltered":
                continue
            for p in (50, 95):
                a, b = percentile(ms, p), percentile(base, p)
                rows.append((f"vnsearch {name} p{p} <= 1.10 x unfiltered p{p} ({b:.1f})", f"{a:.1f} ({a / b:.2f}x)",
                             "PASS" if a <= 1.10 * b else "FAIL"))
    print_table(["target", "ms", ""], rows, title="-- targets --")


if __name__ == "__main__":
    main()
