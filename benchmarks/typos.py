"""Typo lookups and the worst query inputs: what an unknown word costs a search.

    python benchmarks/typos.py                    # all of vietnews-val (22,642 articles)
    python benchmarks/typos.py --vietnews 5000

Builds a vnsearch index of vietnews-val, then, in the same run:

* the lookup of one unknown word's neighbours one edit away (what did-you-mean and typo
  correction ask the index), through the storage's deletion index, beside Whoosh's own
  ``terms_within`` on the same segments (the Levenshtein automaton vnsearch used before);
* ``search()`` for questions of vinewsqa-dev with a foreign or misspelt word added (the words
  are not in the corpus: news is full of them), and for the longest inputs the API accepts
  (1,000 characters of one token, of digits, of codes, of emoji).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import iter_vietnews, load_eval_set, percentile, print_table  # noqa: E402

from indexer.build import index_documents  # noqa: E402
from indexer.readers import RawDocument  # noqa: E402
from indexer.storage import open_reader  # noqa: E402
from search import search  # noqa: E402

UNKNOWN = ["Leukocoria", "Oleocanthal", "Strydom", "Kowalczyk", "Zbigniew", "Nguyeenx", "Thuwf", "Vaccxin",
           "Brzęczyszczykiewicz", "Pfizerr", "Ronaldinhoo", "Quangg", "Hanooi", "Xyzzyq", "Ukrainee", "Mbappeh"]
WORST = {
    "1,000 zeros": "0" * 1000,
    "1,000 letters": "a" * 1000,
    "a 1,000-letter misspelling": "nguyeenx" * 125,
    "codes": "35-CT/TW " * 111,
    "emoji": "🙂" * 1000,
    "Vietnamese, one token": "Đảng" * 250,
    "mixed": ("tinhr uyr thai nguyeen 35-CT/TW 🙂 " * 30)[:1000],
}


def timed_ms(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000.0, out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vietnews", type=int, default=None, metavar="N", help="first N articles (default: all)")
    ap.add_argument("--questions", type=int, default=200)
    args = ap.parse_args(argv)

    index_dir = Path(tempfile.mkdtemp(prefix="vnsearch-bench-typos-")) / "ix"
    docs = [RawDocument(doc_id, title, text) for doc_id, title, text in iter_vietnews(limit_docs=args.vietnews)]
    t0 = time.perf_counter()
    index_documents(docs, index_dir)
    print(f"built {len(docs)} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    with open_reader(index_dir) as reader:
        words = [w.lower() for w in UNKNOWN]
        terms = sum(len(list(seg._reader.lexicon("fsyl"))) for seg, _ in reader.segments)
        first, _ = timed_ms(reader.terms_within, "fsyl", "khongcotu", 1)  # builds the deletion indexes
        ours = [timed_ms(reader.terms_within, "fsyl", w, 1)[0] for w in words]
        whoosh = [timed_ms(lambda w: [t for seg, _ in reader.segments
                                      for t in seg._reader.terms_within("fsyl", w, 1)], w)[0] for w in words]
        same = all(sorted(reader.terms_within("fsyl", w, 1)) ==
                   sorted({(t.decode() if isinstance(t, bytes) else t)
                           for seg, _ in reader.segments for t in seg._reader.terms_within("fsyl", w, 1)})
                   for w in words)
    print_table(["lookup of one unknown word", "p50 ms", "max ms"],
                [("deletion index (vnsearch)", f"{percentile(ours, 50):.2f}", f"{max(ours):.2f}"),
                 ("Whoosh terms_within (before)", f"{percentile(whoosh, 50):.1f}", f"{max(whoosh):.1f}")],
                title=f"== {terms:,} folded syllables in the lexicon; deletion index built on first use in "
                      f"{first:.0f} ms; same terms as Whoosh: {same} ==")

    _, queries = load_eval_set("vinewsqa-dev")
    search("khởi động", index=index_dir)
    plain = [timed_ms(search, q["question"], index=index_dir)[0] for q in queries[: args.questions]]
    typo = [timed_ms(search, f"{q['question']} {UNKNOWN[i % len(UNKNOWN)]}", index=index_dir)[0]
            for i, q in enumerate(queries[: args.questions])]
    print_table(["queries", "n", "p50 ms", "p95 ms", "max ms"],
                [("questions as written", len(plain), f"{percentile(plain, 50):.1f}", f"{percentile(plain, 95):.1f}",
                  f"{max(plain):.1f}"),
                 ("with an unknown word added", len(typo), f"{percentile(typo, 50):.1f}", f"{percentile(typo, 95):.1f}",
                  f"{max(typo):.1f}")],
                title="== search() ==")
    rows = []
    for name, q in WORST.items():
        ms, result = timed_ms(search, q, index=index_dir)
        rows.append((name, len(q), f"{ms:.1f}", result.total))
    print_table(["longest inputs", "chars", "ms", "hits"], rows, title="== the longest queries the API accepts ==")


if __name__ == "__main__":
    main()
