"""Hot terms (``search.hot``): the most frequent syllables decoded before the first query.

On the shipped corpus and the tests' documents, in several segments with a document deleted:
what warm-up pins changes no answer, is what queries then read instead of decoding, stays
within its budget and the cache's bound, and is done again for a newer commit. The shipped
corpus is small, so the floor of one page of postings is lowered to a few postings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzers import accented_forms, analyze, fold, normalize_syllable
from indexer.build import index_paths
from indexer.storage import open_reader
from search import engine, hot, scorer, search
from search.plan import COMMON
from search.scorer import arrays_for
from search.web import set_cache_mb

from tests._answers import every_answer

from .conftest import segmented_index

REPO = Path(__file__).resolve().parents[2]
QUERIES = ["đảng viên mới ở xã", "dang vien", "Thái Nguyên mùa chè", "tinh uy thai nguyen", "Tỉnh uỷ",
           "phòng chống thiên tai", "kinh tế hợp tác xã", "cán bộ", "xa", "người dân"]


def _answers(index: Path) -> list:
    return every_answer(index, QUERIES, limit=10)


@pytest.fixture
def low_floor(monkeypatch):
    monkeypatch.setattr(hot, "MIN_POSTINGS", 3)


@pytest.fixture
def indexes(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of one index of the corpus and the tests' documents, in several segments with
    one document deleted: one to warm, one to search cold."""
    (tmp_path / "warm").mkdir()
    segmented_index(tmp_path / "warm")
    shutil.copytree(tmp_path / "warm", tmp_path / "cold")
    return tmp_path / "warm" / "ix", tmp_path / "cold" / "ix"


def test_accented_forms_are_the_index_forms_that_fold_back():
    for word in ["người", "đảng", "Đảng", "đang", "dáng", "uỷ", "ủy", "hoà", "nghiêng", "kỹ", "tỷ", "Thuỷ", "quốc"]:
        (form,) = analyze(word).accented
        (folded,) = analyze(word).folded
        assert form in accented_forms(folded), word
    forms = accented_forms("dang")
    assert {"dang", "đang", "đảng", "dáng", "đăng", "dâng", "dạng"} <= set(forms)
    assert all(fold(f) == "dang" and normalize_syllable(f) == f for f in forms)
    assert len(forms) == len(set(forms)) and list(forms) == sorted(forms)
    # ``uỷ`` and ``ủy`` are one index form, listed once
    assert [f for f in accented_forms("uy") if f in ("uỷ", "ủy")] == [normalize_syllable("uỷ")]
    for not_a_syllable in ["", "Dang", "thanh_pho", "covid19", "nghiengg"[:0] + "abcdefgh", "東京"]:
        assert accented_forms(not_a_syllable) == (), not_a_syllable


def test_warm_pins_the_frequent_syllables_and_changes_no_answer(indexes, low_floor):
    warm, cold = indexes
    preloaded = engine.warm(warm)
    assert preloaded.syllables > 10 and preloaded.terms > preloaded.syllables  # accented forms too
    with engine.searching(warm) as opened:
        arrays = opened.arrays
        assert opened.hot is preloaded
        assert preloaded.bytes == arrays.pinned_bytes > 0
        reader = opened.reader
        folded = {k[1] for k in arrays.pinned if k[0] == "fsyl"}
        accented = {k[1] for k in arrays.pinned if k[0] == "syl"}
        assert {"xa", "nguoi", "nguyen"} <= folded and {"xã", "người", "nguyên"} <= accented
        # the whole-document values the shipped model reads (doc_fsyl), and no others
        assert {k for k in arrays.pinned if k[0].startswith("document:")} == {("document:fsyl", t) for t in folded}
        # ``dang`` is in most passages here (plan.COMMON): only its pairs are read
        assert not any(k[1] == "dang" for k in arrays.pinned)
        # the most frequent folded syllables that passages are scored by are the ones pinned
        scored = [t for t in reader.terms_with_prefix("fsyl", "") if reader.doc_frequency("fsyl", t) <= COMMON * reader.live_count()]
        scored.sort(key=lambda t: -reader.doc_frequency("fsyl", t))
        assert set(scored[: preloaded.syllables]) == folded
    assert _answers(warm) == _answers(cold)


def test_a_model_that_reads_more_gets_more_pinned(indexes, low_floor):
    warm, _ = indexes
    with open_reader(warm) as reader:
        arrays = arrays_for(reader)
        hot.preload(arrays, wanted=frozenset({"doc_syl", "doc_all"}))
        kinds = {k[0] for k in arrays.pinned}
        assert kinds == {"fsyl", "syl", "document:syl", "document:fsyl"}
        assert ("document:fsyl", "dang") in arrays.pinned and ("fsyl", "dang") not in arrays.pinned
        assert ("document:fsyl", "xa") not in arrays.pinned  # doc_fsyl not wanted


def test_pinned_terms_are_read_not_decoded(indexes, low_floor, monkeypatch):
    warm, _ = indexes
    engine.warm(warm)
    decoded = []
    real = scorer._postings
    monkeypatch.setattr(scorer, "_postings", lambda a, f, t: decoded.append((f, t)) or real(a, f, t))
    with engine.searching(warm) as opened:
        pinned = set(opened.arrays.pinned)
    search("Đảng viên mới ở xã", index=warm)
    assert ("fsyl", "xa") in pinned and ("syl", "xã") in pinned
    assert decoded and not pinned.intersection(decoded)


def test_the_budget_and_the_cache_bound_hold(indexes, low_floor, monkeypatch):
    warm, _ = indexes
    with open_reader(warm) as reader:
        whole = hot.preload(arrays_for(reader))
        arrays = arrays_for(reader)
        part = hot.preload(arrays, budget=whole.bytes // 4)
        assert 0 < part.syllables < whole.syllables and part.bytes < whole.bytes
        # what is pinned is kept, and the rest of the cache is trimmed to the bound around it
        monkeypatch.setattr(scorer, "CACHE_BYTES", part.bytes + 4096)
        pinned = dict(arrays.pinned)
        for docnum in list(reader.passages())[:40]:
            for text in set(analyze(reader.passage(docnum).text).folded):
                scorer.term_scores(arrays, "fsyl", text)
                scorer.term_scores(arrays, "fpair", text + "_" + text)
        assert arrays.cached_bytes + arrays.pinned_bytes <= scorer.CACHE_BYTES
        assert arrays.pinned.keys() == pinned.keys() and len(arrays.cache) > 0


def test_a_newer_commit_is_preloaded_as_it_is_opened(indexes, low_floor):
    warm, cold = indexes
    engine.warm(warm)
    more = warm.parent / "more"
    more.mkdir()
    for i in range(30):
        (more / f"them-{i}.txt").write_text(f"Đảng viên mới số {i}\n\nChi bộ xã kết nạp đảng viên mới, "
                                            f"người thứ {i}, trong năm nay.", encoding="utf-8")
    for index in (warm, cold):
        index_paths([more], index, jobs=1)
    search("đảng viên", index=warm)  # notices the commit
    with engine.searching(warm) as opened:
        assert opened.preloader is not None
        opened.preloader.join(timeout=60)
        assert opened.hot.syllables > 10 and ("syl", "nguyên") in opened.arrays.pinned
        assert opened.arrays.reader.live_count() == open_reader(cold).live_count()
    assert _answers(warm) == _answers(cold)


def test_the_cache_bound_comes_from_the_environment(tmp_path):
    def bound(value: str | None) -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if k != scorer.CACHE_ENV}
        if value is not None:
            env[scorer.CACHE_ENV] = value
        run = subprocess.run([sys.executable, "-c", "import search.scorer as s; print(s.CACHE_BYTES)"],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return int(run.stdout), run.stderr

    assert bound("64") == (64 * 2**20, "")
    default, said = bound(None)
    assert default == scorer.default_cache_mb() * 2**20 and not said
    assert bound("lots") == (default, f"vnsearch: {scorer.CACHE_ENV}='lots' is not a whole number of MB; "
                                      f"using {scorer.default_cache_mb()} MB\n")


def test_serve_gives_each_worker_a_share(monkeypatch):
    monkeypatch.delenv(scorer.CACHE_ENV, raising=False)
    monkeypatch.setattr(scorer, "CACHE_BYTES", scorer.CACHE_BYTES)
    assert scorer.default_cache_mb(64) <= scorer.default_cache_mb(1) <= scorer.MAX_DEFAULT_CACHE_MB
    assert set_cache_mb(None, 64) == scorer.default_cache_mb(64) == int(os.environ[scorer.CACHE_ENV])
    assert set_cache_mb(300, 2) == 300 and scorer.CACHE_BYTES == 300 * 2**20
    assert os.environ[scorer.CACHE_ENV] == "300"  # what the workers, started after, inherit
    assert set_cache_mb(None, 2) == 300  # a bound already set is kept
