"""Two checkouts' query latency in one run, query by query in turn (``latency.py --beside``).

Each checkout answers in a process of its own (its own ``.venv``, so its own code), warmed as
``latency.vnsearch_times`` warms: ``engine.warm``, then the first 20 questions not counted.
The driver then sends every question to one process and then to the other, alternately first,
so that whatever else the machine is doing falls on both alike; each process times its own
``search()`` call, as a caller in process would see it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

WORKER = r"""
import json, sys, time
from search import search
from search.engine import warm
index, k = sys.argv[1], int(sys.argv[2])
warm(index)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    q = json.loads(line)
    t0 = time.perf_counter()
    result = search(q, index=index, limit=k)
    ms = (time.perf_counter() - t0) * 1000.0
    print(json.dumps({"ms": ms, "ids": [h.doc_id for h in result.hits]}), flush=True)
"""


class Checkout:
    """A checkout's ``search()`` in a process of its own."""

    def __init__(self, repo: Path, index: Path, k: int):
        python = repo / ".venv" / "bin" / "python"
        self.repo = repo
        self.proc = subprocess.Popen([str(python), "-c", WORKER, str(index), str(k)], cwd=repo, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the search process of {self.repo} ended")
        return json.loads(line)

    def ask(self, question: str) -> dict:
        self.proc.stdin.write(json.dumps(question) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def interleaved(repos: list[Path], index: Path | list[Path], questions: list[str], k: int,
                warmup: int = 20) -> tuple[list[list[tuple[float, str]]], int]:
    """(ms, question) of every question for each checkout, asked in turn; and how many
    questions' hits (document ids, in order) differed between the first two checkouts.
    ``index``: the one index all search, or one per checkout (the same corpus in each one's
    layout, when the layout changed between them)."""
    indexes = index if isinstance(index, list) else [index] * len(repos)
    checkouts = [Checkout(repo, ix, k) for repo, ix in zip(repos, indexes)]
    try:
        for q in questions[:warmup]:
            for c in checkouts:
                c.ask(q)
        times: list[list[tuple[float, str]]] = [[] for _ in checkouts]
        differ = 0
        for i, q in enumerate(questions):
            order = list(range(len(checkouts)))
            if i % 2:
                order.reverse()
            answers = {}
            for j in order:
                answers[j] = checkouts[j].ask(q)
                times[j].append((answers[j]["ms"], q))
            differ += len(checkouts) > 1 and answers[0]["ids"] != answers[1]["ids"]
        return times, differ
    finally:
        for c in checkouts:
            c.close()
