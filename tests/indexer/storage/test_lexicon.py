"""Typo lookups through the deletion index give exactly what Whoosh gives (its Levenshtein
automaton over one segment; with swaps, its Damerau-Levenshtein scan over several), at a cost
that follows the word, not the lexicon."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from whoosh.support.levenshtein import distance

from indexer.build import index_paths
from indexer.storage import open_reader
from indexer.storage.lexicon import DeletionIndex, within_one_edit
from tests.indexer.conftest import CORPUS

LETTERS = "abcdeghiklmnopqrstuvxyđ0123456789"


def _edits(word: str, rng: random.Random) -> list[str]:
    """Words one edit from ``word`` of each kind, and two edits away."""
    i = rng.randrange(len(word) + 1)
    c = rng.choice(LETTERS)
    out = [word[:i] + c + word[i:]]  # insertion
    if word:
        j = rng.randrange(len(word))
        out += [word[:j] + word[j + 1 :], word[:j] + c + word[j + 1 :]]  # deletion, substitution
    if len(word) > 1:
        k = rng.randrange(len(word) - 1)
        out.append(word[:k] + word[k + 1] + word[k] + word[k + 2 :])  # adjacent swap
        out.append(out[-1][:i] + c + out[-1][i:])  # two edits
    return out


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def test_one_edit_agrees_with_the_edit_distances():
    rng = random.Random(7)
    words = ["", "a", "ab", "thai", "nguyen", "đảng", "tỉnh", "35ct", "covid19"]
    for _ in range(3000):
        a = rng.choice(words) if rng.random() < 0.3 else "".join(rng.choice(LETTERS) for _ in range(rng.randrange(7)))
        for b in _edits(a, rng) + [a, rng.choice(words)]:
            assert within_one_edit(a, b) == (_levenshtein(a, b) <= 1), (a, b)
            if a and b:  # Whoosh's Damerau-Levenshtein, for the swaps
                assert within_one_edit(a, b, swaps=True) == (distance(a, b, limit=1) <= 1), (a, b)
    assert within_one_edit("thai", "thia", swaps=True) and not within_one_edit("thai", "thia")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lexicon")
    index_paths([CORPUS], root / "ix", jobs=1)
    return root / "ix"


def test_same_terms_as_whoosh_scan(index: Path):
    rng = random.Random(11)
    with open_reader(index) as reader:
        segment, _ = reader.segments[0]
        whoosh = segment._reader
        lexicon = [t.decode("utf-8") for t in whoosh.lexicon("fsyl")]
        from whoosh.reading import IndexReader as Base  # the scan over every term, as over several segments

        deletions = segment._deletions("fsyl")
        assert len(lexicon) > 500
        probes = [w for t in rng.sample(lexicon, 300) for w in _edits(t, rng)]
        probes += ["nguyeen", "thia", "tinhr", "xx", "0" * 1000, "🙂", "đ", ""]
        for probe in probes:
            automaton = sorted(_str(t) for t in whoosh.terms_within("fsyl", probe, 1))
            assert reader.terms_within("fsyl", probe, 1) == automaton, probe
            scan = sorted(_str(t) for t in Base.terms_within(whoosh, "fsyl", probe, 1))
            assert deletions.within_one(probe, swaps=True) == scan, probe
        assert "nguyen" in reader.terms_within("fsyl", "nguyeen", 1)
        assert "nguyen" not in reader.terms_within("fsyl", "nguyne", 1)  # swapped letters: only with swaps
        assert "nguyen" in deletions.within_one("nguyne", swaps=True)


def _str(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def test_lookups_cost_the_word_not_the_lexicon():
    rng = random.Random(3)
    syllables = {"".join(rng.choice(LETTERS) for _ in range(rng.randrange(3, 9))) for _ in range(200_000)}
    terms = sorted(syllables)
    started = time.perf_counter()
    index = DeletionIndex(terms)
    built = time.perf_counter() - started
    words = [t[:2] + "q" + t[2:] for t in rng.sample(terms, 200)] + ["0" * 1000, "x" * 10] * 50
    started = time.perf_counter()
    for w in words:
        index.within_one(w)
    per_lookup = (time.perf_counter() - started) / len(words)
    scan = time.perf_counter()
    for t in terms[:20_000]:  # a tenth of one scan, as Whoosh would do per lookup
        distance(t, "nguyeen", limit=1)
    scan = (time.perf_counter() - scan) * 10
    assert per_lookup < 0.005 and per_lookup * 50 < scan, (per_lookup, scan, built)
    assert index.within_one(terms[5]) and terms[5] in index.within_one(terms[5])


def test_prepared_once_and_kept_across_commits(index: Path, tmp_path: Path):
    import shutil

    from indexer.storage import IndexWriter
    from indexer.storage import lexicon

    copy = tmp_path / "ix"
    shutil.copytree(index, copy)
    with open_reader(copy) as reader:
        reader.prepare_lookups("fsyl")
        built = dict(lexicon._cache)
        assert any(key[-1] == "fsyl" for key in built)
        reader.terms_within("fsyl", "nguyeen", 1)
        assert dict(lexicon._cache) == built  # no rebuild on lookup
    with IndexWriter(copy) as w:  # a commit that keeps the old segment
        w.delete_path("no/such/file.txt")
        w.commit()
    with open_reader(copy) as reader:
        assert all(lexicon._cache[k] is built[k] for k in built)
        assert "nguyen" in reader.terms_within("fsyl", "nguyeen", 1)


def test_typos_corrected_as_release_0_1_did(index: Path, tmp_path: Path):
    """Release 0.1 counted two swapped letters as one edit on an index of several segments (Whoosh
    scans the lexicon there) but not on one segment (Whoosh's automaton): both are kept."""
    from search import search

    several = tmp_path / "several"
    index_paths([CORPUS], several, jobs=1, commit_every=30)
    with open_reader(several) as reader:
        assert len(reader.segments) > 1
        assert "nguyen" in reader.terms_within("fsyl", "nguyne", 1)
    with open_reader(index) as reader:
        assert len(reader.segments) == 1
        assert "nguyen" not in reader.terms_within("fsyl", "nguyne", 1)
        assert "nguyen" in reader.terms_within("fsyl", "nguyeen", 1)
    result = search("nguyne", index=several)
    assert result.hits and "nguy" in (result.suggestion or "")
