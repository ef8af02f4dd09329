"""Reliability under stress: the longer runs of ``tests/reliability``, with figures.

    python benchmarks/stress.py                       # moderate: ~10 minutes on 2 cores
    python benchmarks/stress.py --kills 100 --fuzz 2000 --api-fuzz 1000 --seconds 60

Parts (each can be skipped with ``--skip PART``):

* ``crash``: SIGKILL a real indexer (the ``vnsearch index`` command every 5th run, else
  ``index_paths`` in a forked process) ``--kills`` times while it indexes ``--docs`` small documents;
  after every kill the index must be whole (no half document, nothing committed lost) and
  searchable; a last run must complete it;
* ``fuzz``: ``--fuzz`` random queries through ``search()`` and ``--api-fuzz`` schemathesis requests
  to the web API (no exception, valid highlights, no 5xx);
* ``nasty``: ``--copies`` copies of the nasty-file corpus (binary, empty, NFD, Windows-1258, symlink
  loops, a named pipe, ``/dev/zero``, a file deleted mid-run, ...), a real single-line file of
  ``--line-mb`` MB indexed, and a real ``--big-mb`` MB single-line file (over the 100 MB default
  limit: refused without reading it, in bounded time and memory);
* ``concurrency``: ``--threads`` threads and ``--processes`` processes searching for ``--seconds``
  while an indexer adds, updates and removes documents; every result checked against its commit.
* ``integrity``: ``--flips`` copies of a real index with bytes flipped at random in a random file
  of the commit (each must fail ``check``, and a search must raise ``IndexCorrupt`` or answer as
  the undamaged index did); the write faults of ``tests/reliability/write_faults`` (a full tmpfs,
  ``RLIMIT_FSIZE``, a read-only bind mount, the folder deleted mid-build: the mounting ones only
  as root); ``serve`` under 8 clients while ``vnsearch index`` adds ``--serve-docs`` documents;
  and, on the vietnews-val index (``--vietnews`` articles, built once or reused from
  ``--vietnews-index``), the cost of verification on open beside an open without it, the first
  read of the big parts, a commit's checksums of every file, and ``check``.

Prints the figures; exits 1 if any part had an error.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.reliability import _helpers as H  # noqa: E402
from tests.reliability.nasty import index_and_check, write_nasty  # noqa: E402

PARTS = ("crash", "fuzz", "nasty", "concurrency", "integrity")


def part_crash(work: Path, args) -> dict:
    f = H.crash_campaign(work / "crash", kills=args.kills, n_docs=args.docs, commit_every=args.commit_every,
                         seed=args.seed, max_delay=args.max_delay,
                         log=(lambda m: print("   ", m, flush=True)) if args.verbose else None)
    return {"kills survived": f.kills, "runs that finished first": f.missed, "checks": f.checks,
            "rounds of updates/removals": f.rounds, "documents": args.docs, "errors": 0}


def part_fuzz(work: Path, args) -> dict:
    from indexer.build import index_paths
    from search.web import create_app
    from tests.reliability.fuzz import fuzz_api, fuzz_search

    docs, index = work / "fuzz-docs", work / "fuzz-index"
    H.write_documents(docs, 40, seed=11)
    index_paths([H.CORPUS, docs], index, jobs=1)
    out = {"errors": 0}
    for name, run, n in (("queries fuzzed", lambda: fuzz_search(index, args.fuzz), args.fuzz),
                         ("API requests fuzzed", lambda: fuzz_api(create_app(index), args.api_fuzz), args.api_fuzz)):
        if not n:
            continue
        try:
            f = run()
            out[name] = f.examples
            out[f"{name}: slowest ms"] = round(f.max_ms, 1)
        except Exception as exc:  # hypothesis re-raises the (shrunk) failing example
            out[name] = "FAILED"
            out["errors"] += 1
            print(f"   {name}: {type(exc).__name__}: {str(exc)[:1500]}", flush=True)
    return out


def _big_file(path: Path, megabytes: int) -> None:
    line = " ".join(H.corpus_sentences()[:400]).replace("\n", " ").encode("utf-8")
    with open(path, "wb") as fh:
        written = 0
        while written < megabytes * 1024 * 1024:
            fh.write(line + b" ")
            written += len(line) + 1
        fh.write(b"\n")


def _index_big(folder: str, index: str, conn) -> None:
    """In a child process: index ``folder`` with the default limit, report time and peak memory."""
    from indexer.build import index_paths

    base = _rss_mb()
    started = time.monotonic()
    summary = index_paths([folder], index, jobs=1)
    conn.send({"seconds": round(time.monotonic() - started, 1), "skipped": summary.skipped,
               "documents": summary.documents, "passages": summary.passages,
               "rss_before_mb": base, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})


def _rss_mb() -> int:
    with open("/proc/self/statm") as fh:
        return round(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20)


def _in_child(fn, *args) -> dict:
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=fn, args=(*args, send))
    proc.start()
    if not recv.poll(1800):
        proc.kill()
        raise TimeoutError("the indexer did not finish in 30 minutes")
    out = recv.recv()
    proc.join()
    return out


def part_nasty(work: Path, args) -> dict:
    corpus = write_nasty(work / "nasty", seed=args.seed, copies=args.copies)
    f = index_and_check(corpus, work / "nasty-index")
    for problem in f.problems[:20]:
        print("   ", problem, flush=True)
    out = {"files tried": f.files, "good (found)": f.good, "bad (skipped with reason)": f.bad,
           "nasty corpus seconds": f.seconds, "errors": f.errors}
    # A real single-line file under the limit: indexed.
    line_dir = work / "one-line"
    line_dir.mkdir()
    _big_file(line_dir / "mot_dong.txt", args.line_mb)
    r = _in_child(_index_big, str(line_dir), str(work / "one-line-index"))
    out[f"{args.line_mb} MB one-line file"] = f"{r['passages']} passages in {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB"
    if r["documents"] != 1 or r["skipped"]:
        out["errors"] += 1
        print("    the one-line file was not indexed:", r["skipped"], flush=True)
    # A real file over the default limit (100 MB): refused before it is read.
    big_dir = work / "big"
    big_dir.mkdir()
    t = time.monotonic()
    _big_file(big_dir / "mot_dong_lon.txt", args.big_mb)
    out[f"{args.big_mb} MB file written in s"] = round(time.monotonic() - t, 1)
    r = _in_child(_index_big, str(big_dir), str(work / "big-index"))
    reasons = [s["reason"] for s in r["skipped"]]
    out[f"{args.big_mb} MB one-line file"] = (f"{reasons[0] if reasons else 'NOT SKIPPED'}; {r['seconds']} s, "
                                             f"RSS {r['rss_before_mb']} → peak {r['peak_rss_mb']} MB")
    out["files tried"] += 2
    if not (len(reasons) == 1 and "too large" in reasons[0]) or r["documents"]:
        out["errors"] += 1
    return out


def part_concurrency(work: Path, args) -> dict:
    f = H.concurrency_campaign(work / "concurrency", seconds=args.seconds, threads=args.threads,
                               processes=args.processes, seed=args.seed)
    if f.first_error:
        print(f.first_error, flush=True)
    return {"seconds searching": args.seconds, "threads": f.threads, "processes": f.processes,
            "queries": f.queries, "checked against their commit": f.pinned, "hits checked": f.hits,
            "indexer runs": f.index_runs, "files changed": f.changes, "errors": f.errors}


def _flips(work: Path, args) -> dict:
    import random

    from indexer.build import index_paths
    from indexer.check import check_index
    from indexer.errors import IndexerError
    from search.engine import search

    docs, pristine = work / "flip-docs", work / "flip-index"
    H.write_documents(docs, 100, seed=21)
    index_paths([H.CORPUS, docs], pristine, jobs=1, commit_every=80)
    expected = {q: search(q, pristine, limit=20).to_dict()["hits"] for q in H.PROBE_QUERIES}
    files = sorted(p.name for p in pristine.iterdir() if p.suffix in (".seg", ".toc", ".sums"))
    rng = random.Random(args.seed)
    found = wrong = refused = 0
    for k in range(args.flips):
        copy = work / f"flip-{k}"
        shutil.copytree(pristine, copy)
        target = copy / rng.choice(files)
        data = bytearray(target.read_bytes())
        at, n = rng.randrange(len(data)), rng.choice((1, 8, 64))
        for i in range(at, min(at + n, len(data))):
            data[i] ^= rng.randrange(1, 256)
        target.write_bytes(bytes(data))
        try:
            found += not check_index(copy).ok
        except IndexerError:
            found += 1
        try:
            for q, hits in expected.items():
                if search(q, copy, limit=20).to_dict()["hits"] != hits:
                    wrong += 1
                    print(f"    WRONG ANSWER: {q!r} after flipping {n} bytes at {at} of {target.name}", flush=True)
        except IndexerError:
            refused += 1
        shutil.rmtree(copy)
    return {"bytes flipped (index copies)": args.flips, "found by check": found,
            "searches refused with IndexCorrupt": refused, "wrong answers": wrong,
            "errors": (args.flips - found) + wrong}


def _write_faults(work: Path, args) -> dict:
    from tests.reliability import write_faults as W

    out = {"write faults injected": 0, "commits verified by check": 0, "documents lost": 0, "documents doubled": 0,
           "errors": 0}
    mount_problem = W.can_mount(work)
    for name, (scenario, mounts) in W.SCENARIOS.items():
        if mounts and mount_problem:
            out[name] = f"skipped: {mount_problem}"
            continue
        where = work / name.replace(" ", "-")
        where.mkdir()
        try:
            figures = scenario(where)
        except AssertionError as exc:
            out["errors"] += 1
            out[name] = f"FAILED: {str(exc)[:300]}"
            continue
        out["write faults injected"] += 1
        out["commits verified by check"] += 2  # the one the fault left, the one after the next run
        out[name] = f"one line, {figures['kept']} documents kept, {figures['after']} after the next run"
    return out


def _serve(work: Path, args) -> dict:
    from tests.reliability.test_serve_during_index import serve_during_index

    f = serve_during_index(work / "serve", n_docs=args.serve_docs)
    return {"serve: clients": f["clients"], "serve: requests": f["requests"], "requests failed": len(f["errors"]),
            "serve: commits seen": f["commits seen"], "responses mixing two commits": f["mixed"],
            "errors": len(f["errors"]) + f["mixed"]}


def _verification_costs(work: Path, args) -> dict:
    import statistics

    from indexer.check import check_index
    from indexer.storage import checksums, open_reader, verify

    index_dir = Path(args.vietnews_index) if args.vietnews_index else work / "vietnews-index"
    if not (index_dir / "vnsearch-info.json").exists() and not list(index_dir.glob("*.sums")):
        sys.path.insert(0, str(REPO / "benchmarks"))
        from common import iter_vietnews

        from indexer.build import index_documents
        from indexer.readers import RawDocument

        started = time.monotonic()
        index_documents((RawDocument(str(i), t, x) for i, t, x in iter_vietnews(args.vietnews)), index_dir)
        print(f"    built the vietnews index in {time.monotonic() - started:.0f} s", flush=True)
    with open_reader(index_dir) as reader:
        documents, passages = reader.counts()
        n_segments = len(reader.segments)
    size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())

    def open_ms(unverified: bool) -> float:
        times = []
        for _ in range(7):
            verify.clear_cache()
            started = time.perf_counter()
            if unverified:
                with verify.unverified():
                    reader = open_reader(index_dir)
            else:
                reader = open_reader(index_dir)
            times.append((time.perf_counter() - started) * 1000)
            reader.close()
        return statistics.median(times)

    open_reader(index_dir).close()  # the page cache warm for both
    base, verified = open_ms(True), open_ms(False)
    verify.clear_cache()
    with open_reader(index_dir) as reader:
        started = time.perf_counter()
        for seg, _ in reader.segments:
            seg.integrity.need("terms")
            seg.integrity.need("stored")
        lazy = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for entry in index_dir.glob("*.seg"):
        checksums.sum_file(index_dir, entry.name)
    summed = time.perf_counter() - started
    report = check_index(index_dir)
    return {"vietnews index": f"{documents:,} documents, {passages:,} passages, {n_segments} segments, {size / 1e6:.1f} MB",
            "open, verified (ms, median of 7)": round(verified, 1), "open, not verified: baseline (ms)": round(base, 1),
            "first read of the big parts, once per process (ms)": round(lazy, 1),
            "checksums of every segment file, as a commit computes them (s)": round(summed, 2),
            "check (s)": report.seconds, "check ok": report.ok, "errors": 0 if report.ok else 1}


def part_integrity(work: Path, args) -> dict:
    out = {"errors": 0}
    steps = ([_flips] if args.flips else []) + ([_write_faults] if args.write_faults else [])
    if args.serve_docs:
        steps.append(_serve)
    if args.vietnews != 0:
        steps.append(_verification_costs)
    for step in steps:
        figures = step(work, args)
        out["errors"] += figures.pop("errors")
        out.update(figures)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--commit-every", type=int, default=150)
    ap.add_argument("--max-delay", type=float, default=2.0, help="kill within this many seconds of the start")
    ap.add_argument("--fuzz", type=int, default=2000)
    ap.add_argument("--api-fuzz", type=int, default=1000)
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--line-mb", type=int, default=1)
    ap.add_argument("--big-mb", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--flips", type=int, default=60)
    ap.add_argument("--no-write-faults", dest="write_faults", action="store_false", help="skip the write faults")
    ap.add_argument("--serve-docs", type=int, default=5000, help="documents indexed while serve answers 8 clients (0: skip)")
    ap.add_argument("--vietnews", type=int, default=None, help="articles of vietnews-val for the verification costs "
                    "(default: all 22,642; 0: skip)")
    ap.add_argument("--vietnews-index", default=None, help="reuse this vietnews index (built there if missing)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip", action="append", choices=PARTS, default=[])
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vnsearch-stress-"))
    errors = 0
    report = []
    try:
        for name in PARTS:
            if name in args.skip:
                continue
            print(f"== {name}", flush=True)
            started = time.monotonic()
            try:
                figures = globals()[f"part_{name}"](work, args)
            except Exception:
                traceback.print_exc()
                figures = {"errors": 1}
            figures["seconds"] = round(time.monotonic() - started, 1)
            errors += figures["errors"]
            report.append((name, figures))
            for key, value in figures.items():
                print(f"   {key}: {value}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n== summary")
    for name, figures in report:
        print(f"   {name:12s} errors {figures['errors']}  {figures['seconds']} s")
    print(f"   total errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
