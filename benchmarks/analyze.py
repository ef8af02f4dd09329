"""Analyzer throughput: MB/s of each field's analyzer, of all four together, and of pyvi.

    python benchmarks/analyze.py            # first 10 MB of vietnews-val
    python benchmarks/analyze.py --mb 2 --repeat 3   # fastest of 3 runs (noisy machines)

Text = title, abstract and body of each vietnews-val article joined by blank lines, taken in
file order until ``--mb`` megabytes (10^6 bytes of UTF-8) are collected. Each analyzer runs over
every token with ``positions=True, chars=True``, as the indexer does; "all fields" runs the four
analyzers on each text in turn (what indexing one document costs). Plain
``pyvi.ViTokenizer.tokenize`` runs on the same texts in the same run, after the same warm-up.
Target (spec): all fields together <= 1.3x the time of pyvi alone.

The data is read from ``../shared/bench/vietnews-val.jsonl.gz`` beside the repository; set
``VNSEARCH_SHARED`` to point at another shared directory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyvi import ViTokenizer  # noqa: E402

from analyzers import FIELD_ANALYZERS  # noqa: E402

TARGET_RATIO = 1.3


def data_path() -> Path:
    env = os.environ.get("VNSEARCH_SHARED")
    shared = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    return shared / "bench" / "vietnews-val.jsonl.gz"


def load_texts(path: Path, mb: float) -> list[str]:
    limit = int(mb * 1_000_000)
    texts, size = [], 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            text = "\n\n".join(doc.get(k) or "" for k in ("title", "abstract", "body"))
            texts.append(text)
            size += len(text.encode("utf-8"))
            if size >= limit:
                break
    return texts


def run_field(analyzer, texts: list[str]) -> int:
    n = 0
    for text in texts:
        for _ in analyzer(text, positions=True, chars=True):
            n += 1
    return n


def run_all(analyzers: list, texts: list[str]) -> int:
    n = 0
    for text in texts:
        for analyzer in analyzers:
            for _ in analyzer(text, positions=True, chars=True):
                n += 1
    return n


def run_pyvi(texts: list[str]) -> int:
    return sum(ViTokenizer.tokenize(text).count(" ") + 1 for text in texts)


def timed(fn, *args) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = fn(*args)
    return time.perf_counter() - t0, n


def best_of(repeat: int, fn, *args) -> tuple[float, int]:
    return min((timed(fn, *args) for _ in range(max(1, repeat))), key=lambda r: r[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="megabytes of text to analyze (default 10)")
    ap.add_argument("--warmup-mb", type=float, default=0.2, help="warm-up text, not timed (default 0.2)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest counts")
    args = ap.parse_args(argv)

    path = data_path()
    if not path.exists():
        print(f"missing {path} (set VNSEARCH_SHARED)", file=sys.stderr)
        return 2
    texts = load_texts(path, args.mb)
    size_mb = sum(len(t.encode("utf-8")) for t in texts) / 1_000_000
    print(f"{len(texts)} documents, {size_mb:.2f} MB, {sum(map(len, texts)) / 1e6:.2f} M chars from {path.name}")

    analyzers = {name: make() for name, make in FIELD_ANALYZERS.items()}
    # Warm-up: the syllable caches and pyvi's model, as in any indexing run after the first MB.
    warm = load_texts(path, args.warmup_mb) if args.warmup_mb > 0 else []
    run_all(list(analyzers.values()), warm)
    run_pyvi(warm)

    rows = []
    t_pyvi, n_pyvi = best_of(args.repeat, run_pyvi, texts)
    rows.append(("pyvi.ViTokenizer.tokenize", t_pyvi, n_pyvi))
    for name, analyzer in analyzers.items():
        t, n = best_of(args.repeat, run_field, analyzer, texts)
        rows.append((f"field {name}", t, n))
    t_all, n_all = best_of(args.repeat, run_all, list(analyzers.values()), texts)
    rows.append(("all fields together", t_all, n_all))

    print(f"{'analyzer':<28}{'seconds':>10}{'MB/s':>10}{'tokens':>12}")
    for name, t, n in rows:
        print(f"{name:<28}{t:>10.2f}{size_mb / t:>10.2f}{n:>12,}")
    ratio = t_all / t_pyvi
    verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"all fields / pyvi time: {ratio:.2f}x (target <= {TARGET_RATIO}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
