"""Where a query's time goes: ``search()`` over the vinewsqa-dev questions under cProfile, the
cumulative time of each part of a query, as a share of the whole.

    python benchmarks/query_profile.py /path/to/index --queries 100
    /other/checkout/.venv/bin/python benchmarks/query_profile.py /path/to/index   # that checkout's code

It profiles the ``search`` package of the Python that runs it (whatever its ``.venv`` installed),
so the same script measures two checkouts alike. Warm as ``latency.py``: ``engine.warm``, then
20 questions not counted. Parts overlap where one calls another (the hits include their
highlighting); the profiler's own overhead inflates Python-heavy parts, so compare checkouts
with the same script, not with ``latency.py``'s wall times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from common import load_eval_set

#: label -> (file, function) whose cumulative time is the part's
PARTS = {
    "plan (parse, lookups, synonyms)": ("plan.py", "plan_query"),
    "  typo corrections": ("plan.py", "_corrections"),
    "filters / keystrokes": ("narrow.py", "narrow"),
    "record scores": ("rank.py", "record_scores"),
    "  dense BM25 (scorer.bm25)": ("scorer.py", "bm25"),
    "  phrase matches (reader.matching)": ("reader.py", "matching"),
    "document ranking (top_documents)": ("rank.py", "top_documents"),
    "  features": ("features.py", "features"),
    "hits (_hits)": ("engine.py", "_hits"),
    "  stored records (reader.document)": ("reader.py", "document"),
    "  stored records (reader.passage)": ("reader.py", "passage"),
    "  highlight (match_spans)": ("highlight.py", "match_spans"),
    "  snippets": ("highlight.py", "snippet"),
    "suggestion (did you mean)": ("suggest.py", "suggest"),
    "analyze (all callers)": ("analysis.py", "analyze"),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--skip", type=int, default=20, help="questions used to warm up, not counted")
    ap.add_argument("--top", type=int, default=0, help="also print the profile's top N functions by own time")
    args = ap.parse_args(argv)

    import search
    from search import search as run
    from search.engine import warm

    _, queries = load_eval_set("vinewsqa-dev")
    questions = [q["question"] for q in queries]
    warm(args.index)
    for q in questions[: args.skip]:
        run(q, index=args.index, limit=10)
    counted = questions[args.skip : args.skip + args.queries]
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for q in counted:
        run(q, index=args.index, limit=10)
    profile.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profile).stats
    print(f"{len(counted)} questions on {args.index} with {Path(search.__file__).parent.parent}: "
          f"{total:.2f} s profiled, {total / len(counted) * 1000:.1f} ms a query")
    for label, (filename, function) in PARTS.items():
        # The outermost of same-named functions of one file (IndexReader.matching calls each
        # SegmentReader.matching): the largest cumulative time, not their sum.
        spent = max((v[3] for k, v in stats.items() if k[0].endswith("/" + filename) and k[2] == function), default=0.0)
        print(f"  {label:38s} {spent / len(counted) * 1000:8.1f} ms  {spent / total * 100:5.1f}%")
    if args.top:
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
