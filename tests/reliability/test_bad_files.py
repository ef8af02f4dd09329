"""Nasty files: each bad one is reported in ``summary.skipped`` with its reason, each good one is found.

The folder is written by the test: binary, 0 bytes, blank, a one-line file over ``max_bytes``, a
broken .docx/.pdf/.jsonl, HTML without text, a symlink loop, a dangling symlink, a named pipe, a
symlink to ``/dev/zero``, a folder symlink loop, a file deleted while the indexer runs (from its
progress callback, after discovery), an unreadable file; and odd but good ones: NFD, Windows-1258,
UTF-16, CRLF with a BOM, UTF-8 with two corrupt bytes. The index runs in a child process with a
time limit, because the failure to catch here is often a hang (a named pipe is never at its end).

Root reads any file, so "permission denied" is checked by a child that drops to ``nobody``.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import require

from .nasty import can_read, index_and_check, write_nasty

TIME_LIMIT = 120


def _in_child(fn, *args, uid: int | None = None):
    """Run ``fn(*args)`` in a forked child (as ``uid`` if given); its result, or fail on a hang."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def target():
        if uid is not None:
            # This Python lives under /root (mode 700 here): import what the readers and codecs
            # load lazily by indexing the same files once as root, then drop privileges.
            _run(Path(args[0]).parent / "warm-up", Path(args[0]).parent / "warm-up-ix")
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        try:
            send.send(("ok", fn(*args)))
        except BaseException as exc:  # noqa: BLE001 - sent back to the test
            send.send(("error", repr(exc)))

    proc = ctx.Process(target=target)
    proc.start()
    if not recv.poll(TIME_LIMIT):
        proc.kill()
        proc.join()
        pytest.fail(f"indexing the nasty files did not finish in {TIME_LIMIT} s (a file blocked it?)")
    status, value = recv.recv()
    proc.join()
    assert status == "ok", value
    return value


def _run(folder: Path, index_dir: Path):
    corpus = write_nasty(folder)
    return corpus, index_and_check(corpus, index_dir)


def test_nasty_files_are_skipped_with_a_reason_and_good_ones_found(tmp_path):
    corpus, figures = _in_child(_run, tmp_path / "nasty", tmp_path / "ix")
    assert figures.problems == []
    assert figures.good >= 6 and figures.bad >= 14
    assert any("disappeared" in r for r in corpus.bad.values())


def test_permission_denied_is_reported(tmp_path):
    if os.geteuid() != 0:
        # Not root: the test above already had an unreadable file among the bad ones.
        probe = tmp_path / "probe"
        probe.write_text("x")
        probe.chmod(0)
        assert not can_read(probe)
        return
    require(hasattr(os, "setuid"), "cannot drop privileges here")
    # Root reads anything; a child that drops to `nobody` does not.
    shared = Path(tempfile.mkdtemp(prefix="vnsearch-nobody-"))
    try:
        shared.chmod(0o777)
        corpus, figures = _in_child(_run, shared / "nasty", shared / "ix", uid=65534)
        assert figures.problems == []
        assert [p for p, r in corpus.bad.items() if r == "permission denied"], "no unreadable file was tried"
    finally:
        import shutil

        shutil.rmtree(shared, ignore_errors=True)
