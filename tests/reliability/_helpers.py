"""Shared parts of the reliability tests and ``benchmarks/stress.py``: real documents, real
indexer processes, and the checks that say an index is whole (no mocks anywhere).

An index is *whole* when every document record's ``passages`` count equals the number of passage
records carrying its ``doc_id``, every passage belongs to a document record, and no document is
there twice: what a commit guarantees, since a file's document record and passages always go into
the same commit. A half-written document would break the first rule.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"

# Words that occur in the shipped corpus, to search for.
PROBE_QUERIES = ["tỉnh ủy", "hội nghị", "kinh tế", "dang bo", "năm 2020", '"xây dựng"', "phát triển -đảng"]


def corpus_sentences(min_len: int = 30, max_len: int = 300) -> list[str]:
    """Sentences of the shipped corpus, NFC, de-duplicated, in a stable order."""
    out: dict[str, None] = {}
    for path in sorted(CORPUS.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        for para in text.split("\n"):
            for sent in re.split(r"(?<=[.!?])\s+", para.strip()):
                if min_len <= len(sent) <= max_len:
                    out.setdefault(sent)
    return list(out)


def write_documents(folder: Path, n: int, seed: int = 0, sentences: list[str] | None = None) -> list[Path]:
    """``n`` small Vietnamese documents (a title and 1–4 short paragraphs) built from corpus sentences."""
    rng = random.Random(seed)
    sentences = sentences or corpus_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        sub = folder / f"nhom{i % 10}"
        sub.mkdir(exist_ok=True)
        path = sub / f"van_ban_{i:05d}.txt"
        path.write_text(document_text(rng, sentences, i), encoding="utf-8")
        paths.append(path)
    return paths


def document_text(rng: random.Random, sentences: list[str], i: int, version: int = 0) -> str:
    title = f"Văn bản số {i} phiên bản {version}: {rng.choice(sentences)[:60]}"
    paras = [" ".join(rng.sample(sentences, rng.randint(1, 2))) for _ in range(rng.randint(1, 3))]
    return title + "\n\n" + "\n\n".join(paras) + f"\n\nMã tài liệu vb{i:05d}x{version}.\n"


# ---------------------------------------------------------------------------
# checking an index
# ---------------------------------------------------------------------------

@dataclass
class IndexState:
    documents: int
    passages: int
    doc_ids: frozenset[str]
    paths: frozenset[str]
    passages_text: dict = None  # (doc_id, passage_no) -> (text, title)


class Inconsistent(AssertionError):
    pass


def check_whole(index_dir: Path) -> IndexState:
    """Open the index the way the engine does and check it is whole; raise ``Inconsistent`` if not."""
    from indexer.storage import open_reader

    with open_reader(Path(index_dir)) as reader:
        return _check_reader(reader)


def _check_reader(reader) -> IndexState:
    expected: dict[str, int] = {}
    titles: dict[str, str] = {}
    paths: set[str] = set()
    problems = []
    for record in reader.documents(with_text=True):
        if record.doc_id in expected:
            problems.append(f"document {record.doc_id} recorded twice")
        expected[record.doc_id] = record.meta["passages"]
        titles[record.doc_id] = record.title
        paths.add(record.path)
    found: Counter[str] = Counter()
    nos: dict[str, set[int]] = {}
    npass = 0
    stored: dict[tuple[str, int], tuple[str, str]] = {}
    # Each passage is resolved against the document record it follows, read once per document:
    # without it every passage of a big document decompressed the document's whole text again
    # (minutes for the 6 MB file of the big-file SIGKILL test). The reader still checks the
    # record given against the passage's own owner, and reads the right one if they differ; a
    # passage that names another document (older layouts store its id) is read the long way.
    starts = reader.document_starts()
    owner_record: dict[int, object] = {}
    for docnum in reader.passages():
        at = int(np.searchsorted(starts, docnum, side="right")) - 1
        document = None
        if at >= 0:
            owner = int(starts[at])
            document = owner_record.get(owner)
            if document is None:
                owner_record.clear()
                document = owner_record[owner] = reader.document(owner)
        p = reader.passage(docnum, document)
        if document is not None and p.doc_id != document.doc_id:
            p = reader.passage(docnum)
        stored[p.doc_id, p.passage_no] = (p.text, titles.get(p.doc_id, ""))
        found[p.doc_id] += 1
        nos.setdefault(p.doc_id, set()).add(p.passage_no)
        npass += 1
    for doc_id, n in expected.items():
        if found.get(doc_id, 0) != n:
            problems.append(f"document {doc_id}: record says {n} passages, index has {found.get(doc_id, 0)}")
        elif nos.get(doc_id, set()) != set(range(n)):
            problems.append(f"document {doc_id}: passage numbers {sorted(nos.get(doc_id, ()))}")
    orphans = set(found) - set(expected)
    if orphans:
        problems.append(f"{len(orphans)} documents have passages but no record, e.g. {sorted(orphans)[:3]}")
    if reader.live_count() != len(expected) + npass:
        problems.append(f"live records {reader.live_count()} != {len(expected)} records + {npass} passages")
    if problems:
        raise Inconsistent("; ".join(problems[:5]))
    return IndexState(len(expected), npass, frozenset(expected), frozenset(paths), stored)


def check_search(index_dir: Path, state: IndexState | None = None, queries=PROBE_QUERIES) -> int:
    """``search()`` answers; every hit belongs to a document of the index; highlights are in range.
    Returns the number of hits seen."""
    from search.engine import search

    seen = 0
    for q in queries:
        for mode in ("documents", "passages"):
            result = search(q, index_dir, limit=20, mode=mode)
            check_result(result)
            if state is not None:
                for hit in result.hits:
                    if hit.doc_id not in state.doc_ids:
                        raise Inconsistent(f"hit for {q!r} from unknown document {hit.doc_id}")
            seen += len(result.hits)
    return seen


def check_result(result) -> None:
    """Highlights are ordered, non-empty, in-range offsets into the hit's text; the page is sane."""
    if result.total < 0 or (result.hits and result.total == 0):
        raise Inconsistent(f"total {result.total} with {len(result.hits)} hits")
    keys = set()
    for hit in result.hits:
        key = (hit.doc_id, hit.passage_no)
        if key in keys:
            raise Inconsistent(f"passage {key} returned twice")
        keys.add(key)
        last = 0
        for span in hit.highlights:
            start, end = span
            if not (isinstance(start, int) and isinstance(end, int) and last <= start < end <= len(hit.text)):
                raise Inconsistent(f"bad highlight {span} (text of {len(hit.text)} chars) for {result.query!r}")
            last = end


# ---------------------------------------------------------------------------
# a real indexer process, killed at random moments
# ---------------------------------------------------------------------------

def indexer_command(paths: list[Path], index_dir: Path, jobs: int = 1) -> list[str]:
    return [sys.executable, "-m", "vnsearch", "index", *map(str, paths), "--index", str(index_dir),
            "--jobs", str(jobs), "--json"]


def indexer_env(commit_every: int) -> dict:
    env = dict(os.environ, VNSEARCH_COMMIT_EVERY=str(commit_every), PYTHONPATH=str(REPO))
    env.pop("VNSEARCH_INDEX", None)
    return env


def start_indexer(paths, index_dir: Path, commit_every: int, jobs: int = 1) -> subprocess.Popen:
    """A real ``vnsearch index`` command. It gets a session of its own, so that its worker
    processes (jobs > 1) can be cleaned up after the kill."""
    return subprocess.Popen(indexer_command(paths, index_dir, jobs), cwd=REPO, env=indexer_env(commit_every),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


class ForkedIndexer:
    """``index_paths`` in a forked child process: no interpreter start-up per run (two seconds of
    imports here), so a test can afford many kills. Same ``pid``/``poll``/``returncode`` as Popen."""

    def __init__(self, paths, index_dir: Path, commit_every: int, jobs: int = 1):
        import multiprocessing

        self._proc = multiprocessing.get_context("fork").Process(
            target=_forked_index, args=([str(p) for p in paths], str(index_dir), commit_every, jobs), daemon=False)
        self._proc.start()
        self.pid = self._proc.pid
        self.stderr = b""

    def poll(self):
        return self._proc.exitcode

    @property
    def returncode(self):
        return self._proc.exitcode

    def communicate(self):
        self._proc.join()
        return b"", b""


def _forked_index(paths, index_dir, commit_every, jobs) -> None:
    os.setsid()  # its own group, like the CLI above, for cleaning up its workers
    from indexer.build import index_paths

    index_paths(paths, index_dir, jobs=jobs, commit_every=commit_every)


def wait_until_locked(proc, index_dir: Path, timeout: float = 60) -> bool:
    """Wait until ``proc`` holds the index lock (it has started indexing); False if it ended first."""
    from indexer.storage.lock import LOCK_NAME

    lock = Path(index_dir) / LOCK_NAME
    deadline = time.monotonic() + timeout
    needle = f'"pid": {proc.pid},'
    while time.monotonic() < deadline:
        try:
            if needle in lock.read_text():
                return True
        except OSError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    raise TimeoutError("the indexer did not take the lock")


def kill_hard(proc) -> bool:
    """SIGKILL the indexer, then its worker processes (its session, by group id).
    True if it was still running when killed."""
    alive = proc.poll() is None
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()
    return alive


def run_indexer(paths, index_dir: Path, commit_every: int, jobs: int = 1, timeout: float = 300) -> dict:
    import json

    proc = subprocess.run(indexer_command(paths, index_dir, jobs), cwd=REPO, env=indexer_env(commit_every),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"indexer failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


@dataclass
class CrashFigures:
    kills: int = 0  # SIGKILLs of a running indexer
    missed: int = 0  # runs that ended before the kill landed
    checks: int = 0
    hits: int = 0
    rounds: int = 0  # times the whole corpus was completed and then changed
    seconds: float = 0.0


def crash_campaign(workdir: Path, kills: int, n_docs: int, commit_every: int, seed: int = 0,
                   max_delay: float = 2.0, cli_every: int = 5, log=None) -> CrashFigures:
    """Index ``n_docs`` files with a real ``vnsearch index`` process, SIGKILLing it at random
    moments ``kills`` times (every ``cli_every``-th run is the real ``vnsearch index`` command, the
    others ``index_paths`` in a forked process); after each kill the index must be whole,
    searchable, and keep every document of the last check that is still on disk. When a run completes, a few files are
    rewritten and removed so the next run has updates and removals to be killed in."""
    started = time.monotonic()
    rng = random.Random(seed)
    docs = workdir / "docs"
    index_dir = workdir / "index"
    sentences = corpus_sentences()
    files = write_documents(docs, n_docs, seed=seed, sentences=sentences)
    figures = CrashFigures()
    version = 0
    previous: IndexState | None = None
    while figures.kills < kills:
        jobs = 2 if rng.random() < 0.25 else 1
        run = figures.kills + figures.missed
        starter = start_indexer if cli_every and run % cli_every == 0 else ForkedIndexer
        proc = starter([docs], index_dir, commit_every, jobs=jobs)
        locked = wait_until_locked(proc, index_dir)
        if locked:
            time.sleep(rng.uniform(0, max_delay))
        if kill_hard(proc):
            figures.kills += 1
        else:
            figures.missed += 1
            if proc.returncode != 0:
                raise AssertionError(f"indexer failed on its own ({proc.returncode})")
        from indexer.storage import exists

        if previous is None and not exists(index_dir):
            continue  # killed before its first commit (creating the index is one): nothing to check
        state = check_whole(index_dir)
        figures.checks += 1
        figures.hits += check_search(index_dir, state, PROBE_QUERIES[:3])
        on_disk = {str(p) for p in files if p.exists()}
        if not state.paths <= on_disk | (previous.paths if previous else set()):
            raise Inconsistent("the index has paths that never existed")
        if previous is not None:
            lost = (previous.paths & on_disk) - state.paths
            if lost:
                raise Inconsistent(f"{len(lost)} committed documents lost after a kill, e.g. {sorted(lost)[:2]}")
        previous = state
        if log:
            log(f"kill {figures.kills}: {state.documents} documents, {state.passages} passages")
        if state.documents == len(on_disk) and state.paths == on_disk:
            # Complete: give the next run updates and removals to do.
            figures.rounds += 1
            version += 1
            for p in rng.sample([p for p in files if p.exists()], max(1, len(files) // 5)):
                p.write_text(document_text(rng, sentences, files.index(p), version), encoding="utf-8")
            for p in rng.sample([p for p in files if p.exists()], max(1, len(files) // 50)):
                p.unlink()
    # The last run finishes the job.
    summary = run_indexer([docs], index_dir, commit_every, jobs=2)
    state = check_whole(index_dir)
    on_disk = {str(p) for p in files if p.exists()}
    if state.paths != on_disk or state.documents != len(on_disk) or summary["documents"] != len(on_disk):
        raise Inconsistent(f"after the final run: {state.documents} documents for {len(on_disk)} files")
    figures.hits += check_search(index_dir, state)
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


# ---------------------------------------------------------------------------
# searches from threads and processes while an indexer adds, updates and removes documents
# ---------------------------------------------------------------------------

ALL_DOCS_QUERY = '"mã tài liệu"'  # in the last paragraph of every generated document


def checked_search(index_dir: Path, query: str, mode: str, rng: random.Random) -> tuple[bool, int]:
    """One ``search()``, checked against the very commit it ran on when that is known (the engine's
    open index was the same object before and after). Returns (was it pinned to a commit, hits)."""
    from search import engine

    with engine.searching(Path(index_dir)) as before:  # re-entrant: search() takes it too
        result = engine.search(query, index_dir, limit=rng.choice([5, 50, 1000]), mode=mode)
        with engine.searching(Path(index_dir)) as after:
            pinned = before is after
            if pinned:
                _check_pinned(before, query, mode, result)
    check_result(result)
    titles: dict[str, str] = {}
    for hit in result.hits:
        if titles.setdefault(hit.doc_id, hit.title) != hit.title:
            raise Inconsistent(f"document {hit.doc_id} in two versions in one result")
    return pinned, len(result.hits)


def _check_pinned(opened, query: str, mode: str, result) -> None:
    """The result is exactly what the commit the engine had open (``opened``) holds."""
    state = _check_reader(opened.reader)
    for hit in result.hits:
        if hit.doc_id not in state.doc_ids:
            raise Inconsistent(f"hit from {hit.doc_id}, not in the commit searched")
        if state.passages_text.get((hit.doc_id, hit.passage_no)) != (hit.text, hit.title):
            raise Inconsistent(f"hit {hit.doc_id}#{hit.passage_no} differs from the commit searched")
    if query == ALL_DOCS_QUERY and mode == "documents" and result.total != state.documents:
        raise Inconsistent(f"{result.total} documents match {query}, the commit has {state.documents}")


def search_loop(index_dir: Path, deadline: float, seed: int) -> dict:
    """Search until ``deadline`` (time.time()); count queries, pinned checks and errors."""
    import traceback

    rng = random.Random(seed)
    queries = PROBE_QUERIES + [ALL_DOCS_QUERY, "phiên bản", "văn bản số 1"]
    out = {"queries": 0, "pinned": 0, "hits": 0, "errors": 0, "first_error": None}
    while time.time() < deadline:
        try:
            pinned, hits = checked_search(index_dir, rng.choice(queries), rng.choice(["documents", "passages"]), rng)
            out["pinned"] += pinned
            out["hits"] += hits
        except Exception:
            out["errors"] += 1
            out["first_error"] = out["first_error"] or traceback.format_exc()
        out["queries"] += 1
    return out


def _search_process(index_dir: str, deadline: float, seed: int, conn) -> None:
    conn.send(search_loop(Path(index_dir), deadline, seed))
    conn.close()


def _writer_process(docs: str, index_dir: str, deadline: float, seed: int, commit_every: int, conn) -> None:
    """Add, update and remove documents and re-index, until ``deadline``."""
    from indexer.build import index_paths

    rng = random.Random(seed)
    sentences = corpus_sentences()
    folder = Path(docs) / "moi"
    folder.mkdir(exist_ok=True)
    runs = changes = 0
    next_id = 100_000
    while time.time() < deadline:
        files = sorted(Path(docs).rglob("*.txt"))
        for p in rng.sample(files, min(len(files), rng.randint(1, 8))):  # updates
            p.write_text(document_text(rng, sentences, int(p.stem.split("_")[-1]), version=runs + 1), encoding="utf-8")
            changes += 1
        for _ in range(rng.randint(0, 5)):  # additions
            (folder / f"van_ban_{next_id:05d}.txt").write_text(document_text(rng, sentences, next_id), encoding="utf-8")
            next_id += 1
            changes += 1
        for p in rng.sample(files, min(len(files) // 10, rng.randint(0, 4))):  # removals
            p.unlink()
            changes += 1
        index_paths([docs], index_dir, jobs=1, commit_every=commit_every, lock_wait=30)
        runs += 1
    conn.send({"runs": runs, "changes": changes})
    conn.close()


@dataclass
class ConcurrencyFigures:
    seconds: float = 0.0
    threads: int = 0
    processes: int = 0
    queries: int = 0
    pinned: int = 0  # queries checked against the exact commit they ran on
    hits: int = 0
    errors: int = 0
    index_runs: int = 0
    changes: int = 0
    first_error: str | None = None


def concurrency_campaign(workdir: Path, seconds: float, threads: int = 3, processes: int = 2,
                         n_docs: int = 150, commit_every: int = 40, seed: int = 0) -> ConcurrencyFigures:
    """Searches from ``threads`` threads of this process and ``processes`` other processes while
    an indexer process changes the documents and re-indexes (committing every ``commit_every``
    records), for ``seconds``; then the index must be whole and match the files."""
    import multiprocessing
    import threading

    from indexer.build import index_paths

    docs, index_dir = workdir / "docs", workdir / "index"
    write_documents(docs, n_docs, seed=seed)
    index_paths([docs], index_dir, jobs=1)
    ctx = multiprocessing.get_context("fork")
    deadline = time.time() + seconds
    started = time.monotonic()
    w_recv, w_send = ctx.Pipe(duplex=False)
    writer = ctx.Process(target=_writer_process, args=(str(docs), str(index_dir), deadline, seed, commit_every, w_send))
    searchers = []
    for i in range(processes):
        recv, send = ctx.Pipe(duplex=False)
        searchers.append((ctx.Process(target=_search_process, args=(str(index_dir), deadline, seed + 1 + i, send)), recv))
    writer.start()
    for proc, _ in searchers:
        proc.start()
    results: list[dict] = []
    pool = [threading.Thread(target=lambda i=i: results.append(search_loop(index_dir, deadline, seed + 100 + i)))
            for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    for proc, recv in searchers:
        results.append(recv.recv())
        proc.join()
    written = w_recv.recv()
    writer.join()
    if writer.exitcode or any(p.exitcode for p, _ in searchers):
        raise AssertionError("a writer or searcher process failed")
    figures = ConcurrencyFigures(threads=threads, processes=processes, index_runs=written["runs"],
                                 changes=written["changes"])
    for r in results:
        figures.queries += r["queries"]
        figures.pinned += r["pinned"]
        figures.hits += r["hits"]
        figures.errors += r["errors"]
        figures.first_error = figures.first_error or r["first_error"]
    state = check_whole(index_dir)
    on_disk = {str(p) for p in docs.rglob("*.txt")}
    if state.paths != on_disk:
        # The writer's last run may have changed files after its last index; one more run settles it.
        index_paths([docs], index_dir, jobs=1)
        state = check_whole(index_dir)
        if state.paths != on_disk:
            raise Inconsistent(f"index has {state.documents} documents for {len(on_disk)} files")
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


def uncommitted_files(index_dir: Path) -> list[str]:
    """Segment files in the index folder that its current commit does not name (a failed or
    interrupted build's, which it must delete), and workers' temporary folders."""
    from indexer.storage.checksums import latest_generation, read_manifest
    from indexer.storage.reader import INDEX_NAME

    named = set(read_manifest(Path(index_dir), INDEX_NAME, latest_generation(Path(index_dir), INDEX_NAME)).segments)
    return sorted(f.name for f in Path(index_dir).iterdir()
                  if (re.match(rf"{INDEX_NAME}_[0-9a-z]+\.", f.name) and f.name.split(".")[0] not in named)
                  or f.name.startswith(f"{INDEX_NAME}.tmp"))
