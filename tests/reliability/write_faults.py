"""Write faults, for real (the scenarios of ``test_write_faults`` and ``benchmarks/stress.py``): a disk that fills up (a small tmpfs), a file-size limit
(``RLIMIT_FSIZE``), a read-only index folder (a read-only bind mount: ``chmod`` does not stop
root), and the index folder deleted under a running build.

Each must end the real ``vnsearch index`` command with one line (what happened, that the last
commit is intact and searchable, what to do) and a non-zero status; the last commit must still
pass ``vnsearch check`` and answer searches; and once the fault is cleared the same command must
complete with every document there once. Mounting needs root (``CAP_SYS_ADMIN``): those tests
are skipped, with the reason, where it is not allowed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from indexer.check import check_index

from ._helpers import CORPUS, REPO, check_search, check_whole, indexer_command, indexer_env, write_documents


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


def can_mount(tmp: Path) -> str | None:
    """None if this process may mount a tmpfs, else why not."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    probe = tmp / "probe"
    probe.mkdir(exist_ok=True)
    out = _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe))
    if out.returncode != 0:
        return f"mount is not permitted here: {out.stderr.strip()}"
    subprocess.run(["umount", str(probe)], check=True)
    return None


@contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    out = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where))
    assert out.returncode == 0, out.stderr
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def run(paths, index_dir: Path, commit_every: int = 40, preexec_fn=None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(indexer_command(paths, index_dir), cwd=REPO, env=indexer_env(commit_every),
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn)


def check_passes(index_dir: Path) -> None:
    """What ``vnsearch check`` runs (its command line is tested in tests/test_check.py)."""
    report = check_index(index_dir)
    assert report.ok and report.checksums == "ok", report.to_dict()


def assert_one_line(out: subprocess.CompletedProcess, *phrases: str) -> str:
    assert out.returncode != 0, out.stdout
    line = out.stderr.strip()
    assert "Traceback" not in out.stderr and "\n" not in line, out.stderr[-3000:]
    assert line.startswith("vnsearch: "), line
    for phrase in phrases:
        assert phrase in line, line
    return line


def assert_last_commit_whole(index_dir: Path, documents: int) -> None:
    """The commit left by the fault: ``vnsearch check`` passes, it is whole and searchable."""
    check_passes(index_dir)
    state = check_whole(index_dir)
    assert state.documents == documents
    check_search(index_dir, state)


def assert_completed(out: subprocess.CompletedProcess, index_dir: Path, expected: int) -> None:
    """The run after the fault: complete, nothing lost, nothing twice (``check_whole``)."""
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout)["documents"] == expected
    state = check_whole(index_dir)
    assert state.documents == expected and len(state.doc_ids) == expected
    check_passes(index_dir)


def disk_full(work: Path) -> dict:
    """A tmpfs that fills up during a build (needs ``can_mount``)."""
    docs = work / "docs"
    write_documents(docs, 200, seed=5)
    with tmpfs(work / "disk", "8m") as disk:
        index_dir = disk / "ix"
        first = run([CORPUS], index_dir)
        assert first.returncode == 0, first.stderr
        used = sum(p.stat().st_size for p in index_dir.iterdir())
        # Room for a little more than what is there: the build fills it on its way.
        assert _mount("-o", f"remount,size={used // 1024 + 160}k", str(disk)).returncode == 0
        full = run([CORPUS, docs], index_dir)
        line = assert_one_line(full, "the disk holding the index is full", "No space left on device",
                               "the last commit is intact and searchable", "free some space")
        kept = check_whole(index_dir).documents
        assert f"({kept:,} documents" in line and kept >= 5
        assert_last_commit_whole(index_dir, kept)
        # What the failed commit wrote was removed: the space is there again for the next run.
        assert sum(p.stat().st_size for p in index_dir.iterdir()) < used + 160 * 1024
        assert _mount("-o", "remount,size=64m", str(disk)).returncode == 0
        assert_completed(run([CORPUS, docs], index_dir), index_dir, 205)
    return {"kept": kept, "after": 205}


def file_size_limit(work: Path) -> dict:
    """``RLIMIT_FSIZE`` on the ``vnsearch index`` command (no root needed)."""
    # Loading the word segmenter writes a 0.7 MB temporary file (its CRF model as text): the limit is
    # above it, and 600 documents in one commit make a segment file larger than the limit.
    limit = 2**20
    docs = work / "docs"
    write_documents(docs, 600, seed=8)
    index_dir = work / "ix"
    first = run([CORPUS], index_dir)
    assert first.returncode == 0, first.stderr

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = run([CORPUS, docs], index_dir, commit_every=100_000, preexec_fn=limited)
    assert_one_line(out, "a file of the index reached the file-size limit", "File too large",
                    "the last commit is intact and searchable (5 documents", "ulimit -f")
    assert_last_commit_whole(index_dir, 5)
    assert_completed(run([CORPUS, docs], index_dir, commit_every=100_000), index_dir, 605)
    return {"kept": 5, "after": 605}


def read_only_folder(work: Path) -> dict:
    """A read-only bind mount of the index folder (needs ``can_mount``)."""
    docs = work / "docs"
    write_documents(docs, 20, seed=6)
    index_dir = work / "ix"
    first = run([CORPUS], index_dir)
    assert first.returncode == 0, first.stderr
    assert _mount("--bind", str(index_dir), str(index_dir)).returncode == 0
    try:
        assert _mount("-o", "remount,bind,ro", str(index_dir)).returncode == 0
        out = run([CORPUS, docs], index_dir)
        assert_one_line(out, "the index folder is on a read-only file system", "Read-only file system",
                        "the last commit is intact and searchable (5 documents", "make it writable")
        assert_last_commit_whole(index_dir, 5)  # check and search need no write
    finally:
        subprocess.run(["umount", "-l", str(index_dir)], check=False)  # lazily: this process has its files open
    assert_completed(run([CORPUS, docs], index_dir), index_dir, 25)
    return {"kept": 5, "after": 25}


def folder_deleted(work: Path) -> dict:
    """The index folder deleted under a running build."""
    import shutil

    docs = work / "docs"
    write_documents(docs, 500, seed=7)
    index_dir = work / "ix"
    proc = subprocess.Popen(indexer_command([CORPUS, docs], index_dir), cwd=REPO, env=indexer_env(30),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            # A few commits made, more to come. Any generation from 3 on: a commit removes the
            # table of contents before it, so a poll can miss generation 3 itself.
            if any(int(p.stem.rsplit("_", 1)[1]) >= 3 for p in index_dir.glob("_vnsearch_*.toc")):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the build ended before its folder could be deleted"
        # At once (rmtree alone races with the files the build keeps creating), then gone.
        gone = index_dir.with_name("deleted")
        os.rename(index_dir, gone)
        shutil.rmtree(gone, ignore_errors=True)
        out_text, err_text = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    out = subprocess.CompletedProcess(proc.args, proc.returncode, out_text, err_text)
    assert_one_line(out, f"the index folder {index_dir} was deleted while indexing", "nothing is left of the index",
                    "run the same command again")
    assert not index_dir.exists()  # nothing half-made left in its place
    shutil.rmtree(gone, ignore_errors=True)
    assert_completed(run([CORPUS, docs], index_dir), index_dir, 505)
    return {"kept": 0, "after": 505}


#: name -> (scenario, whether it mounts)
SCENARIOS = {"disk full": (disk_full, True), "file-size limit": (file_size_limit, False),
             "read-only folder": (read_only_folder, True), "folder deleted": (folder_deleted, False)}
