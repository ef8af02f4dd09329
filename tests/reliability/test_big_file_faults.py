"""Faults while every worker reads one big file (``indexer.big_files``): the writer process adds
the workers' shares to the document's segment itself, so its failures are the build's. A
file-size limit hit while that segment is written, and a SIGKILL of the real ``vnsearch index``
in the middle of the file: the last commit stays whole and searchable, and the next run adds the
file once, every passage of it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import time
import unicodedata
from pathlib import Path

from ._helpers import (CORPUS, REPO, check_search, check_whole, indexer_command, indexer_env, kill_hard,
                       start_indexer, wait_until_locked)
from .write_faults import assert_last_commit_whole, assert_one_line, check_passes


def _big_text(folder: Path, copies: int = 40) -> Path:
    """About 2 MB of the shipped corpus's articles in one text file."""
    folder.mkdir(parents=True, exist_ok=True)
    articles = [unicodedata.normalize("NFC", p.read_text(encoding="utf-8")).strip() for p in sorted(CORPUS.glob("*.txt"))]
    path = folder / "tuyen_tap.txt"
    path.write_text("\n\n".join(f"Phần {i}. {a}" for i in range(copies) for a in articles), encoding="utf-8")
    return path


def _env() -> dict:
    return dict(indexer_env(100_000), VNSEARCH_SPLIT_BYTES="65536")


def _run(paths, index_dir: Path, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(indexer_command(paths, index_dir, jobs=2), cwd=REPO, env=_env(), capture_output=True,
                          text=True, timeout=600, preexec_fn=preexec_fn)


def _passages_of_the_big_file(index_dir: Path, big: Path) -> int:
    from indexer.storage import open_reader

    with open_reader(index_dir) as reader:
        [doc] = [d for d in reader.documents() if d.path == str(big)]
        return len(reader.passages_of(doc))


def test_the_file_size_limit_while_a_big_file_is_written(tmp_path):
    big = _big_text(tmp_path / "big")
    index_dir = tmp_path / "ix"
    first = _run([CORPUS], index_dir)
    assert first.returncode == 0, first.stderr

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))

    out = _run([CORPUS, big.parent], index_dir, preexec_fn=limited)
    assert_one_line(out, "a file of the index reached the file-size limit", "File too large",
                    "the last commit is intact and searchable (5 documents")
    assert_last_commit_whole(index_dir, 5)
    again = _run([CORPUS, big.parent], index_dir)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["added"] == 1
    state = check_whole(index_dir)
    assert state.documents == 6
    check_passes(index_dir)
    assert _passages_of_the_big_file(index_dir, big) > 1000


def test_sigkill_in_the_middle_of_a_big_file(tmp_path):
    big = _big_text(tmp_path / "big", copies=100)  # about 6 MB: seconds of work, for the kill to land inside
    index_dir = tmp_path / "ix"
    assert _run([CORPUS], index_dir).returncode == 0
    proc = subprocess.Popen(indexer_command([CORPUS, big.parent], index_dir, jobs=2), cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert wait_until_locked(proc, index_dir)
        time.sleep(2.0)  # the file is read at once: its shares are being analyzed and written
    finally:
        killed = kill_hard(proc)
    # One commit or the other, each whole: a kill can also land after the last commit, while
    # the indexer is on its way out.
    state = check_whole(index_dir)
    assert state.documents in (5, 6) if killed else state.documents == 6
    check_search(index_dir, state)
    check_passes(index_dir)
    again = _run([CORPUS, big.parent], index_dir)
    assert again.returncode == 0, again.stderr[-3000:]
    state = check_whole(index_dir)
    assert state.documents == 6 and len(state.doc_ids) == 6
    check_passes(index_dir)
    assert _passages_of_the_big_file(index_dir, big) > 1000
