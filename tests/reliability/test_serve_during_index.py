"""``vnsearch serve`` under 8 clients while ``vnsearch index`` adds 5,000 documents, committing
and merging as it goes: no request fails, and every response comes from one commit.

Only the public behaviour is used (the HTTP API of a real ``serve`` process, the real indexer
command), so the test holds however ``serve`` is run inside (threads, worker processes).

One commit per response: every generated document contains "Mã tài liệu", so the number of
documents matching ``mã tài liệu`` in a commit is the number the index had before plus the
generated documents committed so far. The indexer commits in rounds: after the file that brings
the round's input to about ``VNSEARCH_COMMIT_EVERY`` records' worth of bytes per worker
(``indexer.build.rounds``), in the order it finds the files, so the totals a commit can have are
known from the files alone: a total that is not one of them mixes two commits. A client's
totals never go down (each request starts after its previous one ended, and a server only moves
to newer commits), and every hit's highlights lie in its text.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from indexer.build import BYTES_PER_RECORD
from indexer.discover import discover
from indexer.readers import SUPPORTED_SUFFIXES

from ._helpers import CORPUS, REPO, indexer_command, indexer_env, write_documents

QUERY = "mã tài liệu"
N_DOCS = 5000
CLIENTS = 8
COMMIT_EVERY = 1500
JOBS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(base: str, **params) -> tuple[int, dict | str]:
    url = f"{base}/api/search?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")[:500]
    except Exception as exc:  # noqa: BLE001 - a refused or broken connection is a failed request
        return -1, f"{type(exc).__name__}: {exc}"


def _client(base: str, n: int, stop: threading.Event, seen: list, errors: list, counts: list) -> None:
    last = -1
    i = 0
    while not stop.is_set() or i < 3:
        mode = "passages" if i % 3 == 2 else "documents"
        status, body = _get(base, q=QUERY, mode=mode, limit=20, offset=(i * 7) % 40)
        i += 1
        counts[n] = i
        if status != 200:
            errors.append(f"client {n}: {status} {body}")
            continue
        shown = body["hits"] if mode == "passages" else [p for d in body["documents"] for p in d["passages"]]
        for hit in shown:
            for start, end in hit["highlights"]:
                if not 0 <= start < end <= len(hit["text"]):
                    errors.append(f"client {n}: highlight {start}-{end} outside the {len(hit['text'])} characters")
        if mode == "documents":
            if body["total"] < last:
                errors.append(f"client {n}: total went down from {last} to {body['total']}")
            last = body["total"]
            seen.append(body["total"])


def _commit_totals(docs: Path, base: int) -> set[int]:
    """The totals the commits of the run could have (see the module docstring)."""
    totals, pending, added = {base}, 0, 0
    for path in discover([docs], SUPPORTED_SUFFIXES):
        pending += path.stat().st_size
        added += 1
        if pending >= COMMIT_EVERY * JOBS * BYTES_PER_RECORD:
            totals.add(base + added)
            pending = 0
    totals.add(base + added)
    return totals


def serve_during_index(work: Path, n_docs: int = N_DOCS, clients: int = CLIENTS) -> dict:
    """Run the scenario; returns what was seen (``errors``: failed or malformed responses,
    ``mixed``: totals no commit had)."""
    docs = work / "docs"
    write_documents(docs, n_docs, seed=12)
    index_dir = work / "ix"
    first = subprocess.run(indexer_command([CORPUS], index_dir), cwd=REPO, env=indexer_env(COMMIT_EVERY),
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "vnsearch", "serve", "--index", str(index_dir), "--port", str(port)],
                              cwd=REPO, env=indexer_env(COMMIT_EVERY), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            status, body = _get(base, q=QUERY)
            if status == 200:
                break
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-2000:]
            time.sleep(0.2)
        start_total = body["total"]
        stop = threading.Event()
        seen: list[list[int]] = [[] for _ in range(clients)]
        errors: list[str] = []
        counts = [0] * clients
        threads = [threading.Thread(target=_client, args=(base, n, stop, seen[n], errors, counts)) for n in range(clients)]
        for t in threads:
            t.start()
        indexer = subprocess.run(indexer_command([docs], index_dir, jobs=JOBS), cwd=REPO, env=indexer_env(COMMIT_EVERY),
                                 capture_output=True, text=True, timeout=1200)
        time.sleep(1.0)  # a few requests on the last commit too
        stop.set()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert indexer.returncode == 0, indexer.stderr[-2000:]
    assert json.loads(indexer.stdout)["added"] == n_docs
    totals = _commit_totals(docs, start_total)
    observed = [t for client in seen for t in client]
    return {"clients": clients, "requests": sum(counts), "errors": errors, "totals": totals, "observed": observed,
            "start": start_total, "commits seen": len(set(observed)), "mixed": len(set(observed) - totals)}


def test_serve_answers_from_one_commit_while_indexing_and_merging(tmp_path):
    f = serve_during_index(tmp_path)
    assert not f["errors"], f["errors"][:10]
    assert len(f["totals"]) > 3  # several commits, merged as they came
    observed = f["observed"]
    assert len(observed) >= CLIENTS * 3
    assert set(observed) <= f["totals"], sorted(set(observed) - f["totals"])[:10]
    assert max(observed) == f["start"] + N_DOCS  # the last commit was served
    assert len(set(observed)) > 1  # and the commits before it, while they were the last
