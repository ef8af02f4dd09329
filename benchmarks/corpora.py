"""The latency benchmark's corpora, and their vnsearch indexes built once and reused.

A corpus of size N is the vinewsqa-dev passages (so that its questions have their answers) plus
N VietNews articles: the first N of ``vietnews-val`` up to its 22,642, and beyond that the whole
set again with new ids (``val/000001.txt.seg~2``), so 90,568 is ``vietnews-val`` four times. The
copies make the posting lists four times as long and the lexicon no larger, which is what the
median query cost grows with.

Building 90k articles takes a quarter of an hour on two cores, so an index is built once into
``--data-dir`` (``/work/bench-data`` by default, ``$VNSEARCH_BENCH_DATA`` otherwise), marked
complete by a ``BUILT`` file naming its size, and reused by later runs.

    python benchmarks/corpora.py 5000 22642 90568    # build (or find) the indexes
    python benchmarks/corpora.py 90568 --cli          # and the index `vnsearch index` builds of it

The first index is built in process (``index_documents`` over an iterator): one writer, one
segment at the end. ``vnsearch index`` over files builds the same corpus on every core, a
segment per worker per round (``indexer.build.COMMIT_EVERY``), which it does not merge
(``indexer.storage.merges.FULL``): ten segments at 90,568 articles, each of which a query looks
every term up in. ``cli_built_index`` builds that one too, from the corpus written as
1,000-article JSONL files, with the CLI as a user runs it, so that ``latency.py --cli-built``
times both.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from common import iter_vietnews, load_eval_set, passages_as_docs, run_vnsearch, write_jsonl_parts

VIETNEWS_VAL = 22_642
DEFAULT_DATA = Path(os.environ.get("VNSEARCH_BENCH_DATA", "/work/bench-data"))


def corpus_docs(articles: int):
    """(doc_id, title, text) of the vinewsqa-dev passages and ``articles`` VietNews articles."""
    passages, _ = load_eval_set("vinewsqa-dev")
    yield from passages_as_docs(passages)
    left, copy = articles, 1
    while left > 0:
        n = 0
        for doc_id, title, text in iter_vietnews(limit_docs=min(left, VIETNEWS_VAL)):
            yield (doc_id if copy == 1 else f"{doc_id}~{copy}"), title, text
            n += 1
        if n == 0:
            raise SystemExit("vietnews-val is empty")
        left -= n
        copy += 1


def index_path(articles: int, data_dir: Path = DEFAULT_DATA) -> Path:
    return data_dir / f"vnsearch-{articles}"


def built_index(articles: int, data_dir: Path = DEFAULT_DATA, jobs: int | None = None) -> Path:
    """The vnsearch index of the corpus of ``articles`` articles, built unless it exists."""
    path = index_path(articles, data_dir)
    marker = path / "BUILT"
    if marker.exists() and json.loads(marker.read_text()).get("articles") == articles:
        return path
    from vnsearch_system import VnsearchSystem

    print(f"building the {articles:,}-article index in {path} (once; reused afterwards)", file=sys.stderr, flush=True)
    started = time.perf_counter()
    system = VnsearchSystem(index_dir=str(path), jobs=jobs)
    system.build(corpus_docs(articles))
    stats = dict(system.build_stats, articles=articles, seconds=round(time.perf_counter() - started, 1))
    marker.write_text(json.dumps(stats))
    print(f"built {path}: {stats}", file=sys.stderr, flush=True)
    return path


def cli_built_index(articles: int, data_dir: Path = DEFAULT_DATA, jobs: int | None = None) -> Path:
    """The index ``vnsearch index`` builds of the corpus of ``articles`` articles (written once as
    1,000-article JSONL files into ``data_dir``), built unless it exists."""
    path = data_dir / f"vnsearch-cli-{articles}"
    marker = path / "BUILT"
    if marker.exists() and json.loads(marker.read_text()).get("articles") == articles:
        return path
    files = data_dir / f"corpus-{articles}"
    written = files / "WRITTEN"
    if not written.exists():
        files.mkdir(parents=True, exist_ok=True)
        write_jsonl_parts(corpus_docs(articles), files)
        written.touch()
    print(f"building the {articles:,}-article index with `vnsearch index` in {path} (once; reused afterwards)",
          file=sys.stderr, flush=True)
    args = ["index", str(files), "--index", str(path), "--rebuild"] + (["--jobs", str(jobs)] if jobs else [])
    summary, seconds, peak_mb = run_vnsearch(args, env=_cli_env())
    stats = dict(summary, articles=articles, seconds=round(seconds, 1), peak_mb=round(peak_mb),
                 segments=len(list(path.glob("*.seg"))))
    marker.write_text(json.dumps(stats))
    print(f"built {path}: {stats['segments']} segments in {stats['seconds']} s", file=sys.stderr, flush=True)
    return path


def _cli_env() -> dict:
    """The environment for the CLI, without the settings that would change what a build writes."""
    return {k: v for k, v in os.environ.items() if k not in ("VNSEARCH_COMMIT_EVERY", "VNSEARCH_SPLIT_BYTES")}


def optimized_cli_index(articles: int, data_dir: Path = DEFAULT_DATA) -> Path:
    """A copy of ``cli_built_index``'s index after ``vnsearch optimize`` (its segments merged
    into one, as a user would once the build is done), made unless it exists for that very
    build; its ``BUILT`` file keeps the merge's own time (``merge_seconds``), the command's
    (``seconds``) and the peak resident memory of the command (``peak_mb``)."""
    path = data_dir / f"vnsearch-cli-{articles}-optimized"
    marker = path / "BUILT"
    source = cli_built_index(articles, data_dir)
    built = json.loads((source / "BUILT").read_text())
    if marker.exists() and json.loads(marker.read_text()).get("source") == built:
        return path
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(source, path, ignore=shutil.ignore_patterns("BUILT"))
    print(f"merging a copy of {source} with `vnsearch optimize` into {path} (once)", file=sys.stderr, flush=True)
    merge, seconds, peak_mb = run_vnsearch(["optimize", "--index", str(path)], env=_cli_env())
    stats = dict(merge, merge_seconds=merge["seconds"], seconds=round(seconds, 1), peak_mb=round(peak_mb),
                 articles=articles, source=built)
    marker.write_text(json.dumps(stats))
    print(f"merged {path}: {stats['segments_before']} segments into {stats['segments_after']} in "
          f"{stats['merge_seconds']:.1f} s", file=sys.stderr, flush=True)
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="+", type=int)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--cli", action="store_true", help="also build each corpus with `vnsearch index`")
    args = ap.parse_args(argv)
    for size in args.sizes:
        print(built_index(size, args.data_dir, args.jobs))
        if args.cli:
            print(cli_built_index(size, args.data_dir, args.jobs))


if __name__ == "__main__":
    main()
