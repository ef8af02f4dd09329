"""A folder of nasty files, written for real, and the check that indexing it goes right.

Shared by ``test_bad_files`` and ``benchmarks/stress.py``. Good files (odd but readable: NFD,
Windows-1258, UTF-16, a few corrupt UTF-8 bytes) must be indexed and found by ``search()`` with
their Vietnamese decoded right; bad ones must each be in ``summary.skipped`` with the reason.
"""

from __future__ import annotations

import os
import random
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ._helpers import corpus_sentences

PHRASE = "Thành phố Hồ Chí Minh đẩy mạnh chuyển đổi số trong quản lý đô thị"
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: base letters precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in parts[1:] if m in TONES)
        base = unicodedata.normalize("NFC", parts[0] + "".join(m for m in parts[1:] if m not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


@dataclass
class NastyCorpus:
    folder: Path
    good: dict[str, str] = field(default_factory=dict)  # path -> marker word
    bad: dict[str, str] = field(default_factory=dict)  # path -> expected words of the reason
    deleted: str | None = None  # a file to delete while the indexer runs (see ``progress``)
    max_bytes: int = 100_000

    def progress(self, _state) -> None:
        """Index with this as the progress callback: it deletes ``deleted`` after the first file,
        before the indexer reaches it (files are read in name order with ``jobs=1``)."""
        if self.deleted and os.path.exists(self.deleted):
            os.unlink(self.deleted)


def write_nasty(folder: Path, seed: int = 0, copies: int = 1, big_bytes: int = 300_000,
                max_bytes: int = 100_000) -> NastyCorpus:
    """Write the nasty corpus ``copies`` times over (each copy in its own sub-folder)."""
    rng = random.Random(seed)
    sentences = corpus_sentences()
    corpus = NastyCorpus(folder, max_bytes=max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    n = 0

    def text(marker: str) -> str:
        body = " ".join(rng.sample(sentences, 3))
        return f"{PHRASE}.\n\n{body} Mã {marker}.\n"

    def good(path: Path, data: bytes | None = None, make=None) -> None:
        nonlocal n
        n += 1
        marker = f"vnsmarker{n}"
        raw = text(marker)
        path.write_bytes(make(raw) if make else raw.encode("utf-8"))
        corpus.good[str(path)] = marker

    def bad(path: Path, data: bytes, reason: str) -> None:
        path.write_bytes(data)
        corpus.bad[str(path)] = reason

    for c in range(copies):
        d = folder / f"ban_{c:03d}"
        d.mkdir()
        good(d / "a_utf8.txt")
        good(d / "b_nfd.txt", make=lambda t: unicodedata.normalize("NFD", t).encode("utf-8"))
        good(d / "c_cp1258.txt", make=cp1258_bytes)
        good(d / "d_utf16.txt", make=lambda t: t.encode("utf-16"))
        good(d / "e_crlf_bom.md", make=lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("utf-8"))

        def corrupt(t: str) -> bytes:  # two stray bytes in a page of UTF-8: a damaged download
            raw = (t + " ".join(rng.sample(sentences, 8))).encode("utf-8")
            a = raw.index(b" ", len(PHRASE.encode()) + 20)  # after the phrase, between characters
            b = raw.index(b" ", a + 100)
            return raw[:a] + b"\xff" + raw[a:b] + b"\xc3" + raw[b:]

        good(d / "f_invalid_utf8.txt", make=corrupt)
        good(d / "g_noperm.txt")  # made unreadable below; root reads it anyway
        bad(d / "h_binary.txt", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00" * 64, "binary file")
        bad(d / "i_empty.txt", b"", "empty file")
        bad(d / "j_blank.md", b" \n\t\r\n  \n", "empty file")
        line = " ".join(rng.choice(sentences) for _ in range(big_bytes // 50))
        bad(d / "k_big_one_line.txt", line.encode("utf-8")[:big_bytes].rstrip(b"\x80\xbf"), "file too large")
        bad(d / "l_bad.docx", b"PK\x03\x04 not really a zip", "not a valid .docx")
        bad(d / "m_bad.pdf", b"%PDF-1.4\n garbage without xref", "PDF")
        bad(d / "n_bad.jsonl", b'{"text": 1}\nnot json\n[1, 2]\n', "no valid JSON lines")
        bad(d / "o_script_only.html", b"<html><body><script>var x = 1;</script></body></html>", "no text found")
        loop_a, loop_b = d / "p_loop_a.txt", d / "p_loop_b.txt"
        os.symlink(loop_b.name, loop_a)
        os.symlink(loop_a.name, loop_b)
        corpus.bad[str(loop_a)] = corpus.bad[str(loop_b)] = "symbolic links"
        os.symlink("nowhere.txt", d / "q_dangling.txt")
        corpus.bad[str(d / "q_dangling.txt")] = "broken symbolic link"
        os.mkfifo(d / "r_pipe.txt")
        corpus.bad[str(d / "r_pipe.txt")] = "not a regular file (named pipe)"
        if c == 0:  # once: another link to the same device is the same file, indexed (or not) once
            os.symlink("/dev/zero", d / "s_zero.txt")
            corpus.bad[str(d / "s_zero.txt")] = "not a regular file (device)"
        os.symlink("..", d / "t_loop_dir")  # a folder symlink loop: not followed
        if c == 0:
            corpus.deleted = str(d / "z_deleted.txt")
            bad(Path(corpus.deleted), text("vnsmarker0").encode("utf-8"), "disappeared")
        noperm = d / "g_noperm.txt"
        os.chmod(noperm, 0)
        if not can_read(noperm):
            corpus.bad[str(noperm)] = "permission denied"
            del corpus.good[str(noperm)]
    return corpus


def can_read(path: Path) -> bool:
    try:
        with open(path, "rb"):
            return True
    except PermissionError:
        return False


@dataclass
class NastyFigures:
    files: int = 0
    good: int = 0
    bad: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def index_and_check(corpus: NastyCorpus, index_dir: Path, jobs: int = 1) -> NastyFigures:
    """Index the nasty corpus and check every file: good ones found, bad ones skipped with reason."""
    from indexer.build import index_paths
    from search.documents import get_document
    from search.engine import search

    started = time.monotonic()
    summary = index_paths([corpus.folder], index_dir, jobs=jobs, max_bytes=corpus.max_bytes,
                          progress=corpus.progress)
    figures = NastyFigures(files=len(corpus.good) + len(corpus.bad), good=len(corpus.good), bad=len(corpus.bad))
    problems = figures.problems
    skipped = {item["path"]: item["reason"] for item in summary.skipped}
    for path, words in corpus.bad.items():
        reason = skipped.pop(path, None)
        if reason is None:
            problems.append(f"not reported as skipped: {path}")
        elif words.lower() not in reason.lower():
            problems.append(f"{path}: reason {reason!r} does not say {words!r}")
    for path in skipped:
        problems.append(f"skipped but readable: {path}: {skipped[path]}")
    if summary.documents != len(corpus.good):
        problems.append(f"{summary.documents} documents indexed for {len(corpus.good)} good files")
    for path, marker in corpus.good.items():
        result = search(marker, index_dir, limit=5)
        paths = [hit.source for hit in result.hits]
        if paths[:1] != [path]:
            problems.append(f"{marker} of {path} found in {paths}")
            continue
        doc = get_document(result.hits[0].doc_id, index_dir)  # the phrase is in its first passage
        text = " ".join(p.text for p in doc.passages)
        if PHRASE not in text:
            problems.append(f"{path}: Vietnamese not decoded right: {text[:80]!r}")
    if corpus.good:
        phrase_hits = search(f'"{PHRASE}"', index_dir, limit=1000).total
        if phrase_hits != len(corpus.good):
            problems.append(f"the phrase is found in {phrase_hits} documents, not {len(corpus.good)}")
    figures.errors = len(problems)
    figures.seconds = round(time.monotonic() - started, 1)
    return figures
