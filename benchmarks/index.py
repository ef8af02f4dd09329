"""Indexing throughput, memory and size: vnsearch beside stock Whoosh, same documents, same run.

Each system builds in a child process of its own, so peak memory is that system's alone
(vnsearch's figure includes its worker processes). Targets from the indexer issue: throughput at
least stock Whoosh's (ratio >= 1.0), peak memory under 1 GB, index size under 2x the text.

    python benchmarks/index.py                 # all of vietnews-val (22,642 articles, ~75 MB)
    python benchmarks/index.py --docs 2000     # a quicker run
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import iter_vietnews, print_table  # noqa: E402


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _build(system_name: str, limit_docs: int | None, jobs: int | None, out) -> None:
    from baselines import StockWhoosh

    if system_name == "vnsearch":
        from vnsearch_system import VnsearchSystem

        system = VnsearchSystem(jobs=jobs)
    else:
        system = StockWhoosh()
    system.build(iter_vietnews(limit_docs=limit_docs))
    stats = dict(system.build_stats)
    stats["peak_mb_self"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats["peak_mb_children"] = _children_peak_mb()
    system.close()
    out.send(stats)


def measure(system_name: str, limit_docs: int | None, jobs: int | None) -> dict:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_build, args=(system_name, limit_docs, jobs, child))
    started = time.perf_counter()
    proc.start()
    stats = parent.recv()
    proc.join()
    stats["wall"] = time.perf_counter() - started
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=None, help="index only the first N articles")
    ap.add_argument("--jobs", type=int, default=None, help="vnsearch worker processes (default: all cores)")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args(argv)

    results = {name: measure(name, args.docs, args.jobs) for name in ("stock-whoosh", "vnsearch")}
    rows = []
    for name, s in results.items():
        mb = s["bytes_indexed"] / 1e6
        peak = s["peak_mb_self"] + (s["peak_mb_children"] if name == "vnsearch" else 0)
        rows.append([name, s["docs"], f"{mb:.1f}", f"{s['seconds']:.1f}", f"{mb / s['seconds']:.3f}",
                     f"{s['docs'] / s['seconds']:.1f}", f"{peak:.0f}", f"{s['index_bytes'] / 1e6:.1f}",
                     f"{s['index_bytes'] / s['bytes_indexed']:.2f}"])
    print_table(["system", "docs", "text MB", "seconds", "MB/s", "docs/s", "peak MB", "index MB", "index/text"], rows,
                title="Indexing vietnews-val")
    base, ours = results["stock-whoosh"], results["vnsearch"]
    ratio = (ours["bytes_indexed"] / ours["seconds"]) / (base["bytes_indexed"] / base["seconds"])
    peak = ours["peak_mb_self"] + ours["peak_mb_children"]
    size = ours["index_bytes"] / ours["bytes_indexed"]
    print(f"\nthroughput ratio vnsearch / stock Whoosh: {ratio:.2f}  (target >= 1.0: {'PASS' if ratio >= 1 else 'FAIL'})")
    print(f"vnsearch peak memory (writer + its largest worker): {peak:.0f} MB  (target < 1024: {'PASS' if peak < 1024 else 'FAIL'})")
    print(f"vnsearch index size / text size: {size:.2f}  (target < 2.0: {'PASS' if size < 2 else 'FAIL'})")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
