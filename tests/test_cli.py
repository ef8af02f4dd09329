"""The vnsearch command as a user runs it: a real subprocess, real files, real index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def vnsearch(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "vnsearch", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    docs = root / "docs"
    shutil.copytree(CORPUS, docs)
    (docs / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    out = vnsearch("index", str(docs), "--index", str(root / "ix"), "--json", "--jobs", "2")
    assert out.returncode == 0, out.stderr
    return root


def test_index_json_summary(built: Path):
    again = vnsearch("index", str(built / "docs"), "--index", str(built / "ix"), "--json")
    data = json.loads(again.stdout)
    assert {"added", "updated", "removed", "unchanged", "skipped", "documents", "passages"} <= set(data)
    assert data["unchanged"] == 5 and data["documents"] == 5
    assert data["skipped"][0]["path"].endswith("broken.txt") and "binary" in data["skipped"][0]["reason"]


def test_search_json_and_text(built: Path):
    out = vnsearch("search", "tinh uy thai nguyen", "--index", str(built / "ix"), "--json", "--limit", "2")
    data = json.loads(out.stdout)
    assert data["suggestion"] == "tỉnh ủy thái nguyên" and len(data["documents"]) <= 2
    assert data["documents"][0]["path"] == "docs/000_13f43d64bff1cfb9.txt"
    text = vnsearch("search", "tinh", "uy", "thai", "nguyen", "--index", str(built / "ix"), env={"NO_COLOR": "1"})
    assert text.returncode == 0
    assert "»Tỉnh ủy Thái Nguyên«" in text.stdout and "\x1b[" not in text.stdout
    assert "Did you mean: tỉnh ủy thái nguyên" in text.stdout


def test_search_json_documents_fall_in_the_order_of_their_scores(built: Path):
    out = vnsearch("search", "đảng bộ tỉnh", "--index", str(built / "ix"), "--json")
    docs = json.loads(out.stdout)["documents"]
    assert len(docs) >= 3
    shown = [d["score"] for d in docs]
    assert shown == sorted(shown, reverse=True)
    # the document model's score (its features scaled per query to at most 1 each, weighted),
    # not a passage's BM25
    from search import ltr

    ceiling = float(np.abs(ltr.weights()).sum())
    assert 0 < shown[-1] and shown[0] <= ceiling < max(p["score"] for d in docs for p in d["passages"])


def test_no_results_is_success_with_a_message(built: Path):
    out = vnsearch("search", "qwxzvbnm", "--index", str(built / "ix"))
    assert out.returncode == 0 and "No results" in out.stdout


def test_errors_are_one_line_not_a_traceback(tmp_path: Path, built: Path):
    missing = vnsearch("search", "đảng", "--index", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "no vnsearch index" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_limit = vnsearch("search", "đảng", "--index", str(built / "ix"), "--limit", "0")
    assert bad_limit.returncode == 2 and "Traceback" not in bad_limit.stderr
    stats = vnsearch("stats", "--index", str(tmp_path / "nowhere"))
    assert stats.returncode == 1 and "Traceback" not in stats.stderr


def test_stats_json(built: Path):
    data = json.loads(vnsearch("stats", "--index", str(built / "ix"), "--json").stdout)
    assert data["documents"] == 5 and data["passages"] > 0 and data["size_bytes"] > 0


def test_first_search_builds_the_default_index(tmp_path: Path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "VNSEARCH_INDEX": ""}
    out = vnsearch("search", "xay dung dang", "--json", "--limit", "1", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["documents"] and data["documents"][0]["path"].startswith("corpus/")
    assert (tmp_path / "cache" / "vnsearch" / "corpus-index").is_dir()


def test_the_default_index_holds_this_installations_corpus_only(tmp_path: Path):
    # Another installation (a checkout, an older pip install) indexed its own copy of the corpus
    # into the same per-user cache: each article must still be listed once.
    other = tmp_path / "site-packages" / "corpus"
    shutil.copytree(CORPUS, other)
    index = tmp_path / "cache" / "vnsearch" / "corpus-index"
    assert vnsearch("index", str(other), "--index", str(index), "--json").returncode == 0
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "VNSEARCH_INDEX": ""}
    out = vnsearch("search", "tinh uy thai nguyen", "--json", "--limit", "20", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    sources = [d["source"] for d in data["documents"]]
    assert len(sources) == len(set(sources)) and not any(str(other) in s for s in sources), sources
    assert data["total"] == len({Path(s).name for s in sources}) <= len(list(CORPUS.glob("*.txt")))
    stats = json.loads(vnsearch("stats", "--index", str(index), "--json").stdout)
    assert len(stats["paths"]) == 1 and Path(stats["paths"][0]).name == "corpus", stats["paths"]
    segments = sorted(p.name for p in index.iterdir() if p.suffix == ".seg")
    assert vnsearch("search", "tinh uy", "--limit", "1", env=env).returncode == 0
    # ... so the next search finds it up to date and does not rebuild it again
    assert sorted(p.name for p in index.iterdir() if p.suffix == ".seg") == segments


def _jsonl(path: Path, copies: int = 2) -> Path:
    """The corpus's articles as JSONL lines, each paragraph of 200+ characters a document."""
    lines = []
    for c in range(copies):
        for f in sorted(CORPUS.glob("*.txt")):
            for i, para in enumerate(p for p in f.read_text(encoding="utf-8").split("\n") if len(p) >= 200):
                lines.append(json.dumps({"id": f"{f.stem}-{c}-{i}", "text": para}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_index_progress_is_plain_lines_off_a_terminal_and_nothing_with_json(tmp_path: Path):
    src = _jsonl(tmp_path / "news.jsonl")
    total = len(src.read_text(encoding="utf-8").splitlines())
    out = vnsearch("index", str(src), "--index", str(tmp_path / "ix"), "--jobs", "2",
                   env={"VNSEARCH_PROGRESS_SECONDS": "0"})
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith("vnsearch: ")]
    assert len(lines) >= 2  # inside the one file, not only at its end
    assert all(f"/{total} documents, " in line and " MB/s" in line for line in lines)
    assert f"{total}/{total} documents" in lines[-1]
    quiet = vnsearch("index", str(src), "--index", str(tmp_path / "ix2"), "--json",
                     env={"VNSEARCH_PROGRESS_SECONDS": "0"})
    assert quiet.returncode == 0 and quiet.stderr == "" and json.loads(quiet.stdout)["added"] == total


@pytest.mark.parametrize("size", [(24, 100), (0, 0)], ids=["terminal", "terminal-without-a-size"])
def test_index_progress_is_a_bar_on_a_terminal(tmp_path: Path, size: tuple[int, int]):
    import fcntl
    import pty
    import struct
    import termios

    src = _jsonl(tmp_path / "news.jsonl", copies=3)
    pid, fd = pty.fork()
    if pid == 0:  # the child: vnsearch on a terminal
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
        os.execv(sys.executable, [sys.executable, "-m", "vnsearch", "index", str(src), "--index", str(tmp_path / "ix")])
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closed: the child is done
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    bars = [part for part in text.split("\r") if part.startswith("indexing")]
    assert bars and all("%|" in bar and "documents" in bar for bar in bars), text
    assert "177/177 documents" in bars[-1] and "added" in text


def test_keystrokes_prefix_and_synonyms_options(built: Path, tmp_path: Path):
    ix = str(built / "ix")
    decoded = vnsearch("search", "tinhr", "uyr", "thais", "nguyeen", "--index", ix, env={"NO_COLOR": "1"})
    assert decoded.returncode == 0 and "note: showing results for tỉnh uỷ thái nguyên" in decoded.stdout
    assert "»Tỉnh ủy Thái Nguyên«" in decoded.stdout
    typed = vnsearch("search", "tinhr", "uyr", "--as-typed", "--index", ix, "--json")
    assert json.loads(typed.stdout)["searched"] is None
    prefix = json.loads(vnsearch("search", "tinh uy thai ngu", "--index", ix, "--json", "--limit", "1").stdout)
    whole = json.loads(vnsearch("search", "tinh uy thai ngu", "--no-prefix", "--index", ix, "--json", "--limit", "1").stdout)
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in prefix["documents"][0]["passages"][0]["snippet"]
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" not in whole["documents"][0]["passages"][0]["snippet"]
    groups = tmp_path / "groups.txt"
    groups.write_text("TƯ, Trung ương\n", encoding="utf-8")
    ok = vnsearch("search", "UBND", "--synonyms", str(groups), "--index", ix, "--json")
    assert ok.returncode == 0, ok.stderr
    for bad, message in ((tmp_path / "none.txt", "cannot read synonyms file"), (tmp_path, "cannot read synonyms file")):
        out = vnsearch("search", "UBND", "--synonyms", str(bad), "--index", ix)
        assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_index_keeps_the_synonyms_it_is_given(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "phong-doc.txt").write_text("Phòng đọc sách của xã\n\nPhòng đọc sách của xã vừa nhận thêm năm trăm cuốn "
                                        "truyện.", encoding="utf-8")
    (docs / "ubnd.txt").write_text("Ủy ban nhân dân xã họp dân\n\nỦy ban nhân dân xã họp dân bàn việc làm đường.",
                                   encoding="utf-8")
    ix = str(tmp_path / "ix")
    bad = tmp_path / "bad.txt"
    bad.write_text("thư viện, phòng đọc sách\nchỉ một từ\n", encoding="utf-8")
    out = vnsearch("index", str(docs), "--index", ix, "--synonyms", str(bad))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [f"vnsearch: {bad}, line 2: a group needs two terms separated by a comma"]
    assert not (tmp_path / "ix").exists()  # checked before anything was written

    groups = tmp_path / "groups.txt"
    groups.write_text("thư viện, phòng đọc sách\n", encoding="utf-8")
    assert vnsearch("index", str(docs), "--index", ix, "--synonyms", str(groups)).returncode == 0
    groups.unlink()

    def names(*args: str) -> list[str]:
        found = vnsearch("search", *args, "--index", ix, "--json")
        assert found.returncode == 0, found.stderr
        return [Path(d["path"]).name for d in json.loads(found.stdout)["documents"]]

    assert names("thư viện")[0] == "phong-doc.txt"  # not told: the index's groups
    assert "phong-doc.txt" not in names("thư viện", "--no-synonyms")
    assert names("UBND") == ["ubnd.txt"] and names("UBND", "--no-synonyms") == []
    more = tmp_path / "more.txt"
    more.write_text("chính quyền xã, ủy ban nhân dân xã\n", encoding="utf-8")
    assert names("chính quyền xã", "--synonyms", str(more)) == ["ubnd.txt"]
    assert names("thư viện", "--synonyms", str(more))[0] == "phong-doc.txt"  # added to the index's, not instead
