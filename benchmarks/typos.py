"""Typo lookups and the worst query inputs: what an unknown word costs a search.

    python benchmarks/typos.py                    # all of vietnews-val (22,642 articles)
    python benchmarks/typos.py --vietnews 5000

Builds a vnsearch index of vietnews-val as ``vnsearch index`` does (files of 1,000 articles,
several commits, so several segments), then, in the same run:

* the lookup of one unknown word's neighbours one edit away (what typo correction asks the
  index), through the storage's deletion index, beside Whoosh's ``terms_within`` over the same
  commit, which is what vnsearch called before: on an index of several segments, a pure-Python
  edit distance to every term of the lexicon;
* ``search()`` for questions of vinewsqa-dev with a foreign or misspelt word added (the words
  are not in the corpus: news is full of them), and for the longest inputs the API accepts
  (1,000 characters of one token, of digits, of codes, of emoji).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import iter_vietnews, load_eval_set, percentile, print_table  # noqa: E402

from indexer.build import index_paths  # noqa: E402
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

    root = Path(tempfile.mkdtemp(prefix="vnsearch-bench-typos-"))
    files = root / "docs"
    files.mkdir()
    n = 0
    out = None
    for n, (doc_id, title, text) in enumerate(iter_vietnews(limit_docs=args.vietnews)):
        if n % 1000 == 0:
            out = open(files / f"part-{n // 1000:03d}.jsonl", "w", encoding="utf-8")
        out.write(json.dumps({"id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n")
    out.close()
    index_dir = root / "ix"
    t0 = time.perf_counter()
    index_paths([files], index_dir)
    print(f"built {n + 1} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    with open_reader(index_dir) as reader:
        whoosh_reader = reader._searcher.reader()  # the whole commit, as the engine asked before
        words = [w.lower() for w in UNKNOWN]
        terms = len(list(whoosh_reader.lexicon("fsyl")))
        first, _ = timed_ms(reader.prepare_lookups, "fsyl")
        ours = [timed_ms(reader.terms_within, "fsyl", w, 1)[0] for w in words]
        theirs = [timed_ms(lambda w: list(whoosh_reader.terms_within("fsyl", w, 1)), w)[0] for w in words]
        differ = []  # the terms release 0.1 got from Whoosh for the same word, and ours
        for w in words:
            ours_terms = set(reader.terms_within("fsyl", w, 1))
            before = {t.decode() if isinstance(t, bytes) else t for t in whoosh_reader.terms_within("fsyl", w, 1)}
            if ours_terms != before:
                differ.append(f"{w}: {sorted(ours_terms ^ before)}")
        same = not differ
        zeros_ours, _ = timed_ms(reader.terms_within, "fsyl", "0" * 1000, 1)
        zeros_theirs, _ = timed_ms(lambda: list(whoosh_reader.terms_within("fsyl", "0" * 1000, 1)))
        segments = len(reader.segments)
    theirs_ms = theirs
    print_table(["lookup one edit away", "p50 ms", "max ms", "1,000 zeros ms"],
                [("deletion index (vnsearch)", f"{percentile(ours, 50):.2f}", f"{max(ours):.2f}", f"{zeros_ours:.2f}"),
                 ("Whoosh terms_within (before)", f"{percentile(theirs_ms, 50):.1f}", f"{max(theirs_ms):.1f}",
                  f"{zeros_theirs:.0f}")],
                title=f"== {terms:,} folded syllables in {segments} segments; deletion indexes built in {first:.0f} ms "
                      f"(once, before the first lookup); same terms as Whoosh gave release 0.1: {same} ==")
    for line in differ:
        print("  differs:", line)

    _, queries = load_eval_set("vinewsqa-dev")
    search("khởi động", index=index_dir)
    # Different questions for each row, so neither finds the other's term scores cached.
    plain = [timed_ms(search, q["question"], index=index_dir)[0] for q in queries[: args.questions]]
    typo = [timed_ms(search, f"{q['question']} {UNKNOWN[i % len(UNKNOWN)]}", index=index_dir)[0]
            for i, q in enumerate(queries[args.questions : 2 * args.questions])]
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
