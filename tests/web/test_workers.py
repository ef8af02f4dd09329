"""``vnsearch serve --workers 2``: two processes over one memory-mapped index, each picking up a
new commit at its next query.

The real program is started as a user starts it, on a free port of 127.0.0.1; which worker answers
a request is the kernel's choice, so requests are sent eight at a time until every worker has
answered from the new commit (each worker's memory map, in ``/proc``, shows which commit's
segment files it reads).
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer.build import index_paths

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
NEW_DOC = """Hội thi thổi cơm ở làng Thị Cấm

Sáng nay, làng Thị Cấm tổ chức hội thi thổi cơm bằng nồi đất bên bờ sông, mỗi đội gánh nước,
vót đũa và nhóm lửa từ rơm khô. Đội thắng cuộc được trao nồi đồng của làng.
"""
QUERY = "hội thi thổi cơm làng Thị Cấm"

pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")


def _get(port: int, query: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/api/search?" + urlencode({"q": query, "limit": 3}))
        response = conn.getresponse()
        assert response.status == 200
        return json.loads(response.read())
    finally:
        conn.close()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(c) for c in f.read().split()]


def _mapped(pid: int, index: Path) -> set[str]:
    """Names of the index's files that process ``pid`` has mapped."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return {Path(line.split()[-1]).name for line in f if str(index) in line}
    except OSError:
        return set()


def _workers(server: subprocess.Popen, index: Path) -> list[int]:
    """The worker processes that have the index open (the supervisor's spawned children)."""
    return [p for p in _children(server.pid) if _mapped(p, index)]


def test_two_workers_share_the_index_and_both_pick_up_a_commit(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:3]:
        (docs / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    index = (tmp_path / "ix").resolve()
    index_paths([docs], index, jobs=1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "vnsearch", "serve", "--index", str(index), "--port", str(port),
                               "--workers", "2"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pool = ThreadPoolExecutor(8)
    try:
        deadline = time.monotonic() + 240
        while len(_workers(server, index)) < 2:  # each worker maps the index as it warms
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "two workers did not start"
            time.sleep(0.5)
        while True:
            try:
                before = _get(port, QUERY)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.5)
        assert all("thi_cam" not in h["path"] for h in before["documents"])
        old_files = set().union(*(_mapped(p, index) for p in _workers(server, index)))

        (docs / "thi_cam.txt").write_text(NEW_DOC, encoding="utf-8")
        assert index_paths([docs], index, jobs=1).added == 1
        new_files = {f.name for f in index.iterdir()} - old_files - {"vnsearch.lock"}
        assert any(name.endswith(".seg") for name in new_files), new_files

        answered_new: set[int] = set()
        while len(answered_new) < 2:
            assert time.monotonic() < deadline, f"workers that picked up the commit: {answered_new}"
            for result in pool.map(lambda _: _get(port, QUERY), range(8)):
                assert result["documents"][0]["path"].endswith("thi_cam.txt"), "a worker answered from the old commit"
            answered_new = {p for p in _workers(server, index) if _mapped(p, index) & new_files}
        assert len(_children(server.pid)) >= 2
    finally:
        pool.shutdown()
        _stop(server)


def _serving(index: Path, *options: str):
    """``vnsearch serve --workers 2`` with ``options``, and its port once both workers are up."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "vnsearch", "serve", "--index", str(index), "--port", str(port),
                               "--workers", "2", *options], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while len(_workers(server, index)) < 2:
        assert server.poll() is None, server.stderr.read().decode()
        assert time.monotonic() < deadline, "two workers did not start"
        time.sleep(0.5)
    return server, port


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _found(port: int, query: str) -> set[str]:
    deadline = time.monotonic() + 120
    while True:
        try:
            answers = [_get(port, query) for _ in range(6)]  # which worker answers is the kernel's choice
            break
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.5)
    names = [{Path(d["path"]).name for d in a["documents"]} for a in answers]
    assert all(n == names[0] for n in names), "the workers answered differently"
    return names[0]


def test_workers_use_the_index_synonyms_and_serve_no_synonyms_turns_all_off(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "phong-doc.txt").write_text("Phòng đọc sách của xã\n\nPhòng đọc sách của xã vừa nhận thêm năm trăm "
                                        "cuốn truyện.", encoding="utf-8")
    (docs / "ubnd.txt").write_text("Ủy ban nhân dân xã họp dân\n\nỦy ban nhân dân xã họp dân bàn việc làm đường.",
                                   encoding="utf-8")
    groups = tmp_path / "groups.txt"
    groups.write_text("thư viện, phòng đọc sách\n", encoding="utf-8")
    index = (tmp_path / "ix").resolve()
    index_paths([docs], index, jobs=1, synonyms=groups)
    server, port = _serving(index)
    try:
        assert "phong-doc.txt" in _found(port, "thư viện")  # the index's own group, in every worker
        assert "ubnd.txt" in _found(port, "UBND")  # and the shipped table
    finally:
        _stop(server)
    server, port = _serving(index, "--no-synonyms")
    try:
        assert "phong-doc.txt" not in _found(port, "thư viện")
        assert "ubnd.txt" not in _found(port, "UBND")
    finally:
        _stop(server)
