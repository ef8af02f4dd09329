"""Indexing as users run it: ``vnsearch index`` as a subprocess, beside stock Whoosh and the
analysis floor, on the same input in the same run.

    python benchmarks/index.py                          # all three inputs (the 90k one is long)
    python benchmarks/index.py --inputs jsonl-5k        # one big JSONL of 5,000 articles
    python benchmarks/index.py --inputs files-22k --jobs 2 --memory-mb 512

Inputs, written once into ``--work`` from ``../shared/bench/vietnews-val.jsonl.gz`` (title,
abstract and body joined, one JSON line an article):

- ``jsonl-5k``: the first 5,000 articles in one ``.jsonl`` file;
- ``files-22k``: all 22,642 articles as 1,000-article ``.jsonl`` files;
- ``files-90k``: the same four times with new ids (90,568 articles);
- ``text-1file`` (not run by default): the first 6,000 articles in one ``.txt`` file (about 20 MB),
  one document;
- ``pdf-1file`` (not run by default): a 2,000-page PDF, an article (its first 2,400 characters)
  a page, written with fpdf2 and DejaVu Sans; one document.

A single big file is one document, which all the workers read and analyze (``indexer.big_files``):
beside ``vnsearch index`` these two inputs run ``vnsearch index --jobs 1``, one worker, as a
file was indexed before. Their floor is the analysis of the same articles as JSONL lines (none for
the PDF, whose text extraction costs more than its analysis).

For each input: wall time, MB/s (of the input files' bytes), documents/s, peak resident memory of
the whole process tree (the CLI and its workers, sampled from ``/proc`` every 0.1 s) and index
size, for

- ``vnsearch index`` (the CLI, ``--json``, a fresh index);
- stock Whoosh: one TEXT field (StandardAnalyzer), one process, the same documents;
- the analysis floor: the indexer's own worker function (``analyze_lines``: decode, split into
  passages, pyvi, encode) on all cores with no writer, over the input's first 5,000 articles
  (a rate, so a sample measures it), once before the runs and once after, the two summed.

Targets (indexing issue): vnsearch >= 0.6 MB/s and >= 80% of the floor on every input, peak
<= 1 GB, index <= 2x the text.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import TreePeak, dir_size, iter_vietnews, jsonl_line, print_table, run_vnsearch, write_jsonl_parts  # noqa: E402

INPUTS = ("jsonl-5k", "files-22k", "files-90k")
SINGLE_FILES = {"text-1file": "articles.txt", "pdf-1file": "articles.pdf"}
PDF_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FLOOR_SAMPLE = 5000


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------

def _input_path(name: str, target: Path) -> Path:
    if name == "jsonl-5k":
        return target / "articles.jsonl"
    return target / SINGLE_FILES[name] if name in SINGLE_FILES else target


def prepare(name: str, work: Path) -> Path:
    """The input's file or folder under ``work``, written on first use."""
    target = work / name
    done = work / f"{name}.done"
    if done.exists():
        return _input_path(name, target)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if name == "jsonl-5k":
        with open(target / "articles.jsonl", "w", encoding="utf-8") as fh:
            for doc in iter_vietnews(limit_docs=5000):
                fh.write(jsonl_line(*doc))
    elif name in SINGLE_FILES:
        _single_file(name, target)
    else:
        copies = 4 if name == "files-90k" else 1
        write_jsonl_parts(((f"{doc_id}#{copy}" if copy else doc_id, title, text)
                           for copy in range(copies) for doc_id, title, text in iter_vietnews()), target)
    done.touch()
    return _input_path(name, target)


def _single_file(name: str, target: Path) -> None:
    """One big file of articles, and the same articles as JSON lines (``floor.jsonl``) for the
    analysis floor."""
    pdf = name == "pdf-1file"
    docs = [(doc_id, title, text[:2400] if pdf else text) for doc_id, title, text in iter_vietnews(limit_docs=2000 if pdf else 6000)]
    with open(target / "floor.jsonl", "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(jsonl_line(*doc))
    if not pdf:
        (target / SINGLE_FILES[name]).write_text("\n\n".join(f"{title}\n\n{text}" for _, title, text in docs),
                                                 encoding="utf-8")
        return
    import fpdf

    out = fpdf.FPDF()
    out.add_font("DejaVu", fname=str(PDF_FONT))
    out.set_font("DejaVu", size=10)
    for _, title, text in docs:
        out.add_page()
        out.multi_cell(0, 5, f"{title}\n\n{text}")
    out.output(str(target / SINGLE_FILES[name]))


def input_files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.glob("*.jsonl"))


def _jsonl_of(path: Path) -> Path:
    """The input as JSON lines: itself, or a single file's ``floor.jsonl``."""
    return path.with_name("floor.jsonl") if path.name in SINGLE_FILES.values() else path


def input_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in input_files(path))


def input_docs(path: Path, limit: int | None = None):
    n = 0
    for f in input_files(path):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if limit is not None and n >= limit:
                    return
                d = json.loads(line)
                n += 1
                yield d["id"], d["title"], d["text"]


# --------------------------------------------------------------------------
# Systems
# --------------------------------------------------------------------------

def run_cli(path: Path, index_dir: Path, jobs: int | None, memory_mb: int | None, checkout: Path | None = None) -> dict:
    """``vnsearch index`` of this checkout, or of another one (``checkout``, with its own ``.venv``)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    args = ["index", str(path), "--index", str(index_dir)]
    if jobs:
        args += ["--jobs", str(jobs)]
    if memory_mb and not checkout:
        args += ["--memory-mb", str(memory_mb)]
    summary, wall, peak_mb = run_vnsearch(args, checkout)
    return {"seconds": wall, "docs": summary["documents"], "peak_mb": peak_mb, "index_bytes": dir_size(index_dir),
            "skipped": len(summary["skipped"])}


def _whoosh_child(path: str, index_dir: str, out) -> None:
    from baselines import StockWhoosh

    system = StockWhoosh(index_dir)
    system.build(input_docs(Path(path)))
    out.send(dict(system.build_stats))


def run_whoosh(path: Path, index_dir: Path) -> dict:
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    started = time.perf_counter()
    proc = ctx.Process(target=_whoosh_child, args=(str(path), str(index_dir), child))
    proc.start()
    peak = TreePeak(proc.pid)
    stats = parent.recv()
    proc.join()
    return {"seconds": time.perf_counter() - started, "docs": stats["docs"], "peak_mb": peak.stop(),
            "index_bytes": dir_size(index_dir)}


def run_floor(path: Path, work: Path, jobs: int) -> dict:
    """The workers' analysis alone, on all cores, over the input's first FLOOR_SAMPLE articles."""
    from indexer.documents import analyze_lines, path_doc_id
    from indexer.lines import scan_lines, share_out

    sample = work / f"floor-{path.name}.jsonl"
    with open(sample, "w", encoding="utf-8") as fh:
        for doc in input_docs(_jsonl_of(path), FLOOR_SAMPLE):
            fh.write(jsonl_line(*doc))
    scan = scan_lines(sample)
    groups = share_out(scan.lines, jobs)
    ctx = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
        docs = sum(len(r.documents) for r in pool.map(analyze_lines, [str(sample)] * len(groups), groups,
                                                       [path_doc_id(str(sample))] * len(groups), [False] * len(groups)))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "docs": docs, "bytes": sample.stat().st_size}


# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", default=",".join(INPUTS), help=f"comma-separated, of {', '.join(INPUTS)}")
    ap.add_argument("--jobs", type=int, default=None, help="vnsearch worker processes (default: all cores)")
    ap.add_argument("--memory-mb", type=int, default=None, help="vnsearch --memory-mb (default: its own)")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "vnsearch-bench-index",
                    help="where the inputs and indexes are written")
    ap.add_argument("--no-whoosh", action="store_true", help="skip stock Whoosh")
    ap.add_argument("--compare", type=Path, default=None,
                    help="also run `vnsearch index` of another checkout (with its own .venv), e.g. the last release")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run vnsearch (and --compare) this many times, alternated, for figures under load")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args(argv)
    jobs = args.jobs or len(os.sched_getaffinity(0))
    args.work.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict] = {}
    rows = []
    for name in args.inputs.split(","):
        path = prepare(name, args.work)
        mb = input_bytes(path) / 1e6
        runs: dict[str, dict] = {}
        # The floor before and after the runs, summed: this machine's speed drifts by a quarter
        # within minutes, and a floor measured once, after, moved the ratio to it as much.
        floors = [run_floor(path, args.work, jobs)] if name != "pdf-1file" else []
        for turn in range(args.repeat):  # this checkout and --compare alternated: ABAB
            suffix = f" #{turn + 1}" if args.repeat > 1 else ""
            runs[f"vnsearch{suffix}"] = run_cli(path, args.work / f"ix-vnsearch-{name}", args.jobs, args.memory_mb)
            if args.compare:
                runs[f"vnsearch at {args.compare.name}{suffix}"] = run_cli(path, args.work / f"ix-compare-{name}",
                                                                          args.jobs, None, args.compare)
            if name in SINGLE_FILES:  # one worker, as a single file was indexed before
                runs[f"vnsearch --jobs 1{suffix}"] = run_cli(path, args.work / f"ix-one-{name}", 1, args.memory_mb)
        if floors:
            floors.append(run_floor(path, args.work, jobs))
            print(f"{name}: analysis floor before the runs {floors[0]['bytes'] / 1e6 / floors[0]['seconds']:.3f} MB/s, "
                  f"after {floors[1]['bytes'] / 1e6 / floors[1]['seconds']:.3f} MB/s", file=sys.stderr)
        floor = {"seconds": sum(f["seconds"] for f in floors), "docs": sum(f["docs"] for f in floors),
                 "bytes": sum(f["bytes"] for f in floors)} if floors else None
        if not args.no_whoosh and name not in SINGLE_FILES:
            runs["stock-whoosh"] = run_whoosh(path, args.work / f"ix-whoosh-{name}")
        results[name] = {"mb": mb, "floor": floor, **runs}
        for system, r in runs.items():
            rows.append([name, system, r["docs"], f"{mb:.1f}", f"{r['seconds']:.1f}", f"{mb / r['seconds']:.3f}",
                         f"{r['docs'] / r['seconds']:.1f}", f"{r['peak_mb']:.0f}", f"{r['index_bytes'] / 1e6:.1f}",
                         f"{r['index_bytes'] / 1e6 / mb:.2f}"])
        if floor is None:
            continue
        floor_rate = floor["bytes"] / 1e6 / floor["seconds"]
        rows.append([name, f"analysis floor ({jobs} cores, {floor['docs']} articles)", floor["docs"],
                     f"{floor['bytes'] / 1e6:.1f}", f"{floor['seconds']:.1f}", f"{floor_rate:.3f}",
                     f"{floor['docs'] / floor['seconds']:.1f}", "", "", ""])
    print_table(["input", "system", "docs", "MB", "seconds", "MB/s", "docs/s", "peak MB (tree)", "index MB",
                 "index/text"], rows, title="vnsearch index (the CLI) beside stock Whoosh and the analysis floor")
    print()
    for name, r in results.items():
        mine = [k for k in r if k == "vnsearch" or k.startswith("vnsearch #")]
        best = min(mine, key=lambda k: r[k]["seconds"])
        ours = r["mb"] / r[best]["seconds"]
        peak = max(r[k]["peak_mb"] for k in mine)
        size = r[best]["index_bytes"] / 1e6 / r["mb"]
        one = [k for k in r if k.startswith("vnsearch --jobs 1")]
        if one:
            alone = min(r[k]["seconds"] for k in one)
            print(f"{name} ({best}): {r[best]['seconds']:.1f} s, {alone / r[best]['seconds']:.2f}x one worker's "
                  f"{alone:.1f} s, peak {peak:.0f} MB", end="")
            if r["floor"] is None:
                print()
                continue
            print(f", {r['floor']['bytes'] / 1e6 / r['floor']['seconds']:.3f} MB/s floor of its text as JSONL: ", end="")
        floor = r["floor"]["bytes"] / 1e6 / r["floor"]["seconds"]
        line = (f"{name} ({best}): {ours:.3f} MB/s (>= 0.6: {'PASS' if ours >= 0.6 else 'FAIL'}), "
                f"{ours / floor:.0%} of the floor (>= 80%: {'PASS' if ours >= 0.8 * floor else 'FAIL'}), "
                f"peak {peak:.0f} MB (<= 1024: {'PASS' if peak <= 1024 else 'FAIL'}), "
                f"index/text {size:.2f} (<= 2: {'PASS' if size <= 2 else 'FAIL'})")
        if "stock-whoosh" in r:
            line += f", {ours / (r['mb'] / r['stock-whoosh']['seconds']):.2f}x stock Whoosh"
        print(line)
    sized = [name for name in results if name not in SINGLE_FILES]
    if len(sized) > 1:
        rates = {name: results[name]["mb"] / min(v["seconds"] for k, v in r.items() if k == "vnsearch" or k.startswith("vnsearch #"))
                 for name, r in ((name, results[name]) for name in sized)}
        first, last = list(rates)[0], list(rates)[-1]
        print(f"throughput {last} / {first}: {rates[last] / rates[first]:.2f} (flat with size: >= 0.85)")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
