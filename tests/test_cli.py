"""The vnsearch command as a user runs it: a real subprocess, real files, real index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert data["suggestion"] == "tỉnh ủy thái nguyên" and len({h["doc_id"] for h in data["hits"]}) <= 2
    text = vnsearch("search", "tinh", "uy", "thai", "nguyen", "--index", str(built / "ix"), env={"NO_COLOR": "1"})
    assert text.returncode == 0
    assert "»Tỉnh ủy Thái Nguyên«" in text.stdout and "\x1b[" not in text.stdout
    assert "Did you mean: tỉnh ủy thái nguyên" in text.stdout


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
    assert json.loads(out.stdout)["hits"]
    assert (tmp_path / "cache" / "vnsearch" / "corpus-index").is_dir()


def test_keystrokes_prefix_and_synonyms_options(built: Path, tmp_path: Path):
    ix = str(built / "ix")
    decoded = vnsearch("search", "tinhr", "uyr", "thais", "nguyeen", "--index", ix, env={"NO_COLOR": "1"})
    assert decoded.returncode == 0 and "note: showing results for tỉnh uỷ thái nguyên" in decoded.stdout
    assert "»Tỉnh ủy Thái Nguyên«" in decoded.stdout
    typed = vnsearch("search", "tinhr", "uyr", "--as-typed", "--index", ix, "--json")
    assert json.loads(typed.stdout)["searched"] is None
    prefix = json.loads(vnsearch("search", "tinh uy thai ngu", "--index", ix, "--json", "--limit", "1").stdout)
    whole = json.loads(vnsearch("search", "tinh uy thai ngu", "--no-prefix", "--index", ix, "--json", "--limit", "1").stdout)
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in prefix["hits"][0]["snippet"]
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" not in whole["hits"][0]["snippet"]
    groups = tmp_path / "groups.txt"
    groups.write_text("TƯ, Trung ương\n", encoding="utf-8")
    ok = vnsearch("search", "UBND", "--synonyms", str(groups), "--index", ix, "--json")
    assert ok.returncode == 0, ok.stderr
    for bad, message in ((tmp_path / "none.txt", "cannot read synonyms file"), (tmp_path, "cannot read synonyms file")):
        out = vnsearch("search", "UBND", "--synonyms", str(bad), "--index", ix)
        assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr
