"""Query latency as the corpus grows, beside tantivy, and ``vnsearch serve`` under concurrent clients.

    python benchmarks/latency.py                                   # 5,000, 22,642 and 90,568 articles
    python benchmarks/latency.py --sizes 5000 --limit-queries 300 --clients 1 8 --serve-seconds 20

Corpora (``corpora.py``): the vinewsqa-dev passages plus N VietNews articles; 90,568 is
``vietnews-val`` four times with new ids. Their vnsearch indexes are built once into ``--data-dir``
and reused (a quarter of an hour for 90k articles on two cores); so are tantivy's.

In process, warm (``engine.warm`` as ``serve`` does: it also decodes the index's most frequent
syllables, ``search.hot``, and says how many on stderr; then 20 queries not counted): the vinewsqa-dev
questions as written, top 10, through ``search()`` as a caller uses it; p50/p95/p99/max and the five
slowest queries by name. Beside it in the same run, tantivy (Rust, its official Python bindings)
over the same passages, fed the same terms: the syllable, folded-syllable and folded-pair terms of
vnsearch's own query plan (question words left out, common syllables dropped, typos corrected),
each a boosted ``should`` term of a boolean query, top 10 passages. Its time covers the search
only (no planning, no grouping by document, no stored text, no highlighting), so it is a floor.

Concurrency: ``vnsearch serve --workers W`` on 127.0.0.1 over the largest index, then C clients at
once (each a thread issuing one request after the other on its own connections, questions in a
fixed order) for ``--serve-seconds``, after a warm-up run not counted: queries/s, p50, p95, errors; and the resident memory of the
server's processes (RSS, and PSS, which counts a page shared by n processes as 1/n of it).

``--cli-built`` also times, in the same run, the index ``vnsearch index`` builds of the same corpus
from JSONL files (``corpora.cli_built_index``: a segment per worker per round, ten at 90,568
articles, where the in-process build leaves one), which is what a user of the CLI searches;
``--optimized``, that index after ``vnsearch optimize`` merged its segments into one
(``corpora.optimized_cli_index``, a copy made once; the merge's time is printed).

``--beside CHECKOUT`` also times another checkout (its own ``.venv``) in the same run, each
question asked of both in turn (``beside.py``), and counts the questions whose hits differ.

Targets at 90,568 articles (issue 12): p95 <= 50 ms; p50 <= 3x tantivy's p50; 8 clients >= 1.8x the
queries/s of one, with no errors.
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from common import load_eval_set, percentile, print_table
from corpora import DEFAULT_DATA, built_index, cli_built_index, optimized_cli_index

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TANTIVY_FIELDS = ("syl", "fsyl", "fpair")


# --------------------------------------------------------------------------
# vnsearch in process
# --------------------------------------------------------------------------

def vnsearch_times(index_dir: Path, questions: list[str], k: int, warmup: int = 20) -> list[tuple[float, str]]:
    from search import search
    from search.engine import warm

    hot = warm(index_dir)
    print(f"{index_dir.name}: warm preloaded {hot.syllables:,} frequent syllables ({hot.terms:,} terms, "
          f"{hot.postings / 1e6:.1f}M postings, {hot.bytes / 2**20:,.0f} MB) in {hot.seconds:.1f} s",
          file=sys.stderr, flush=True)
    for q in questions[:warmup]:
        search(q, index=index_dir, limit=k)
    out = []
    for q in questions:
        t0 = time.perf_counter()
        search(q, index=index_dir, limit=k)
        out.append(((time.perf_counter() - t0) * 1000.0, q))
    return out


def hits_differ(a: Path, b: Path, questions: list[str], k: int) -> int:
    """How many questions' top ``k`` hits (document, passage, score, highlights) and totals
    differ between two indexes."""
    from search import search

    def answer(index, q):
        result = search(q, index=index, limit=k)
        return result.total, [(h.doc_id, h.passage_no, h.score, h.highlights) for h in result.hits]

    return sum(answer(a, q) != answer(b, q) for q in questions)


# --------------------------------------------------------------------------
# tantivy, over the same passages and the same terms
# --------------------------------------------------------------------------

def _tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    for name in TANTIVY_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field("docnum", stored=True)
    return builder.build()


def tantivy_index(vn_index: Path, articles: int, data_dir: Path):
    """tantivy's index of the passages of ``vn_index`` (read back from it, so they are the
    same passages), each as its accented syllables, folded syllables and folded pairs; built
    once into ``data_dir`` and reused."""
    import tantivy

    from analyzers import analyze
    from indexer.storage import open_reader

    path = data_dir / f"tantivy-{articles}"
    schema = _tantivy_schema()
    marker = path / "BUILT"
    if marker.exists():
        return tantivy.Index(schema, path=str(path), reuse=True)
    path.mkdir(parents=True, exist_ok=True)
    print(f"building tantivy's index of {articles:,} articles in {path}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    index = tantivy.Index(schema, path=str(path), reuse=False)
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    memo: dict[str, tuple[str, str, str]] = {}  # the corpus repeats itself beyond 22,642 articles
    n = 0
    with open_reader(vn_index) as reader:
        for document in reader.documents(with_text=True):
            for passage in reader.passages_of(document):
                fields = memo.get(passage.text)
                if fields is None:
                    syl = analyze(passage.text)
                    fields = (" ".join(syl.accented), " ".join(syl.folded),
                              " ".join(p for p in syl.pairs() if p))
                    if len(memo) < 2_000_000:
                        memo[passage.text] = fields
                writer.add_document(tantivy.Document(syl=fields[0], fsyl=fields[1], fpair=fields[2],
                                                     docnum=passage.docnum))
                n += 1
    writer.commit()
    writer.wait_merging_threads()
    marker.write_text(json.dumps({"passages": n, "seconds": round(time.perf_counter() - started, 1)}))
    print(f"built {path}: {n} passages", file=sys.stderr, flush=True)
    return tantivy.Index(schema, path=str(path), reuse=True)


def planned_terms(vn_index: Path, questions: list[str]) -> list[list[tuple[str, str, float]]]:
    """(field, term, weight) of each question's plan, for the fields tantivy has."""
    from search.engine import searching
    from search.plan import Scored, plan_query
    from search.syntax import parse

    out = []
    with searching(vn_index) as opened:
        for q in questions:
            plan = plan_query(parse(q), opened.reader, exact=False)
            out.append([(c.field, t, c.weight) for c in plan.clauses
                        if isinstance(c, Scored) and c.field in TANTIVY_FIELDS for t in c.terms])
    return out


def tantivy_times(index, questions: list[str], terms: list[list[tuple[str, str, float]]], k: int,
                  warmup: int = 20) -> list[tuple[float, str]]:
    import tantivy

    index.reload()
    searcher = index.searcher()
    schema = _tantivy_schema()

    def query(ts):
        subs = [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, f, t), w))
                for f, t, w in ts]
        return tantivy.Query.boolean_query(subs) if subs else tantivy.Query.empty_query()

    for ts in terms[:warmup]:
        searcher.search(query(ts), limit=k)
    out = []
    for q, ts in zip(questions, terms):
        t0 = time.perf_counter()
        searcher.search(query(ts), limit=k).hits
        out.append(((time.perf_counter() - t0) * 1000.0, q))
    return out


# --------------------------------------------------------------------------
# vnsearch serve under concurrent clients
# --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(index_dir: Path, workers: int, startup: float = 600.0) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vnsearch", "serve", "--index", str(index_dir), "--port", str(port),
                             "--workers", str(workers)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"vnsearch serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if _get(port, "/api/search?q=kh%E1%BB%9Fi+%C4%91%E1%BB%99ng", timeout=5)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        proc.kill()
        raise SystemExit("vnsearch serve did not start in time")
    # Every worker must be up before timing (uvicorn starts them one by one): ask until they
    # have all mapped the index (each answers once it has warmed).
    while time.monotonic() < deadline and len([p for p in server_processes(proc.pid) if _maps(p, index_dir)]) < workers:
        _get(port, "/api/search?q=kh%E1%BB%9Fi+%C4%91%E1%BB%99ng")
        time.sleep(0.2)
    return proc, port


def server_processes(pid: int) -> list[int]:
    """The server and its workers (the process tree under ``pid``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _maps(pid: int, index_dir: Path) -> bool:
    try:
        with open(f"/proc/{pid}/maps") as f:
            return str(index_dir.resolve()) in f.read()
    except OSError:
        return False


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(RSS, PSS) summed over ``pids``, in MB."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    key, _, rest = line.partition(":")
                    if key == "Rss":
                        rss += int(rest.split()[0])
                    elif key == "Pss":
                        pss += int(rest.split()[0])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def client_run(port: int, questions: list[str], clients: int, seconds: float, k: int) -> dict:
    """``clients`` threads, each asking one question after another until ``seconds`` are up."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start = threading.Barrier(clients)

    def client(i: int) -> None:
        mine, bad = [], []
        start.wait()
        n = i * 97
        while time.monotonic() < deadline:
            q = questions[n % len(questions)]
            n += 1
            t0 = time.perf_counter()
            try:
                status, _ = _get(port, "/api/search?" + urlencode({"q": q, "limit": k}))
                if status != 200:
                    bad.append(f"HTTP {status}")
            except OSError as exc:
                bad.append(repr(exc))
            mine.append((time.perf_counter() - t0) * 1000.0)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"clients": clients, "queries": len(latencies), "qps": len(latencies) / wall,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "errors": len(errors),
            "first_error": errors[0] if errors else ""}


# --------------------------------------------------------------------------

def latency_row(name: str, size: int, timed: list[tuple[float, str]]):
    ms = [t for t, _ in timed]
    return (name, size, len(ms), f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}",
            f"{percentile(ms, 99):.1f}", f"{statistics.fmean(ms):.1f}", f"{max(ms):.1f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", type=int, default=[5000, 22642, 90568], help="articles per corpus")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="where the indexes are built once and reused")
    ap.add_argument("--limit-queries", type=int, default=None, metavar="N")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--no-tantivy", action="store_true")
    ap.add_argument("--clients", nargs="*", type=int, default=[1, 8], help="concurrency runs (none: skip)")
    ap.add_argument("--workers", type=int, default=None, help="serve's worker processes (default: serve's own)")
    ap.add_argument("--serve-seconds", type=float, default=60.0)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    ap.add_argument("--cli-built", action="store_true",
                    help="also time the index `vnsearch index` builds of each corpus (corpora.cli_built_index)")
    ap.add_argument("--optimized", action="store_true",
                    help="also time that index after `vnsearch optimize` (corpora.optimized_cli_index)")
    ap.add_argument("--beside", type=Path, default=None, metavar="CHECKOUT",
                    help="also time another checkout (with its own .venv), question by question in turn (beside.py)")
    ap.add_argument("--beside-data-dir", type=Path, default=None, metavar="DIR",
                    help="where the --beside checkout's indexes are (built by its own corpora.py: another index "
                         "layout); default: --data-dir")
    args = ap.parse_args(argv)

    _, queries = load_eval_set("vinewsqa-dev")
    questions = [q["question"] for q in queries[: args.limit_queries]]
    rows, slowest, figures = [], [], {"sizes": {}}
    for size in args.sizes:
        first_row = len(rows)
        vn_index = built_index(size, args.data_dir)
        if args.beside is None:
            vn = vnsearch_times(vn_index, questions, args.k)
        else:
            from beside import interleaved

            other_index = built_index(size, args.beside_data_dir) if args.beside_data_dir else vn_index
            (vn, other), differ = interleaved([REPO, args.beside.resolve()], [vn_index, other_index], questions, args.k)
            rows.append(latency_row(f"vnsearch at {args.beside}", size, other))
            print(f"{size}: {differ} of {len(questions)} questions' hits differ from {args.beside}'s",
                  file=sys.stderr, flush=True)
            figures.setdefault("beside", {})[size] = {p: percentile([t for t, _ in other], p) for p in (50, 95, 99)}
            figures["beside"][size]["hits_differ"] = differ
        rows.append(latency_row("vnsearch", size, vn))
        slowest.extend((size, f"{t:.1f}", q[:90]) for t, q in sorted(vn, reverse=True)[:5])
        entry = {"vnsearch": {p: percentile([t for t, _ in vn], p) for p in (50, 95, 99)}}
        if args.cli_built:
            cli_index = cli_built_index(size, args.data_dir)
            segments = len(list(cli_index.glob("*.seg")))
            cli = vnsearch_times(cli_index, questions, args.k)
            rows.append(latency_row(f"vnsearch, `vnsearch index`-built ({segments} segments)", size, cli))
            entry["vnsearch_cli_built"] = {p: percentile([t for t, _ in cli], p) for p in (50, 95, 99)}
            entry["vnsearch_cli_built"]["segments"] = segments
        if args.optimized:
            merged_index = optimized_cli_index(size, args.data_dir)
            merge = json.loads((merged_index / "BUILT").read_text())
            merged = vnsearch_times(merged_index, questions, args.k)
            rows.append(latency_row(f"vnsearch, then `vnsearch optimize` ({merge['segments_before']} segments "
                                    f"into {merge['segments_after']} in {merge['merge_seconds']:.0f} s)", size, merged))
            differ = hits_differ(cli_built_index(size, args.data_dir), merged_index, questions, args.k)
            print(f"{size}: `vnsearch optimize` took {merge['merge_seconds']:.1f} s (peak {merge['peak_mb']:,} MB); "
                  f"{differ} of {len(questions)} questions' hits differ between the index before and after it",
                  file=sys.stderr, flush=True)
            entry["vnsearch_optimized"] = {p: percentile([t for t, _ in merged], p) for p in (50, 95, 99)}
            entry["vnsearch_optimized"].update(merge_seconds=merge["merge_seconds"], peak_mb=merge["peak_mb"],
                                               hits_differ=differ)
        if not args.no_tantivy:
            tv = tantivy_times(tantivy_index(vn_index, size, args.data_dir), questions,
                               planned_terms(vn_index, questions), args.k)
            rows.append(latency_row("tantivy", size, tv))
            entry["tantivy"] = {p: percentile([t for t, _ in tv], p) for p in (50, 95, 99)}
        figures["sizes"][size] = entry
        print(f"{size}: {rows[first_row:]}", file=sys.stderr, flush=True)

    serve_rows, memory = [], None
    if args.clients:
        size = max(args.sizes)
        workers = args.workers
        if workers is None:
            from search.web import default_workers
            workers = default_workers()
        proc, port = start_server(index_path := built_index(size, args.data_dir), workers)
        try:
            pids = server_processes(proc.pid)
            before = memory_mb(pids)
            # Not counted: every worker decodes its first terms (and the page cache fills) here.
            client_run(port, questions[::-1], 2 * workers, min(30.0, args.serve_seconds), args.k)
            for clients in args.clients:
                run = client_run(port, questions, clients, args.serve_seconds, args.k)
                serve_rows.append((size, workers, clients, run["queries"], f"{run['qps']:.1f}", f"{run['p50']:.1f}",
                                   f"{run['p95']:.1f}", run["errors"], run["first_error"][:60]))
                figures.setdefault("serve", []).append(run | {"workers": workers, "size": size})
            memory = (before, memory_mb(server_processes(proc.pid)), len(pids))
            figures["serve_memory_mb"] = {"rss": memory[1][0], "pss": memory[1][1], "processes": memory[2],
                                          "index_bytes": sum(f.stat().st_size for f in index_path.iterdir())}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    print_table(["system", "articles", "queries", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms"], rows,
                title=f"== query latency in process, warm, top-{args.k}, vinewsqa-dev questions ==")
    print_table(["articles", "ms", "query"], slowest, title="-- the five slowest vnsearch queries of each size --")
    if serve_rows:
        print_table(["articles", "workers", "clients", "queries", "queries/s", "p50 ms", "p95 ms", "errors", "first error"],
                    serve_rows, title=f"== vnsearch serve on 127.0.0.1, {args.serve_seconds:.0f} s per run ==")
    if memory:
        (rss0, pss0), (rss1, pss1), n = memory
        index_mb = figures["serve_memory_mb"]["index_bytes"] / 1e6
        print(f"\nserve's memory ({n} processes: the supervisor and its workers), index {index_mb:.0f} MB on disk: "
              f"RSS {rss0:.0f} MB after start, {rss1:.0f} MB after the runs; PSS {pss0:.0f} -> {pss1:.0f} MB")

    largest = max(args.sizes)
    entry = figures["sizes"][largest]
    targets = [(f"p95 <= 50 ms at {largest:,}", f"{entry['vnsearch'][95]:.1f}", entry["vnsearch"][95] <= 50)]
    if "tantivy" in entry:
        ratio = entry["vnsearch"][50] / max(entry["tantivy"][50], 1e-9)
        targets.append((f"p50 <= 3x tantivy's ({entry['tantivy'][50]:.1f} ms)", f"{ratio:.1f}x", ratio <= 3))
    runs = {r["clients"]: r for r in figures.get("serve", [])}
    if 1 in runs and 8 in runs:
        gain = runs[8]["qps"] / max(runs[1]["qps"], 1e-9)
        targets.append(("8 clients >= 1.8x one client's queries/s", f"{gain:.2f}x", gain >= 1.8))
        targets.append(("no errors", str(runs[1]["errors"] + runs[8]["errors"]), runs[1]["errors"] + runs[8]["errors"] == 0))
    print_table(["target", "measured", ""], [(t, m, "PASS" if ok else "FAIL") for t, m, ok in targets], title="-- targets --")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
