"""Every result of ``search()`` over the vinewsqa-dev questions, as written and stripped of
diacritics, one JSON line each (``to_dict()`` without ``took_ms``): two checkouts' dumps compared
byte for byte show a change kept the results identical (hits, scores, highlights, snippets, totals).

    cd /checkout && .venv/bin/python /this/checkout/benchmarks/results_dump.py INDEX OUT.jsonl [--limit N]
    cmp main.jsonl branch.jsonl

It imports the ``search`` package of the Python that runs it and ``common`` from the current
directory's ``benchmarks``, so run it from each checkout's root with that checkout's venv.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--limit", type=int, default=None, help="the first N questions only")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path.cwd() / "benchmarks"))
    from common import load_eval_set, strip_diacritics
    from search import search

    _, queries = load_eval_set("vinewsqa-dev")
    questions = [q["question"] for q in queries][: args.limit]
    with open(args.out, "w", encoding="utf-8") as f:
        for variant in (lambda s: s, strip_diacritics):
            for q in questions:
                d = search(variant(q), index=args.index, limit=10).to_dict()
                d.pop("took_ms", None)
                f.write(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
