"""The scorer's shortcuts give what the long way gives, on real indexes.

A term is decoded once and cached with its scores and counts; the whole-document BM25 of the
document ranking reads that decode instead of its own; membership goes through a mask. Each is
checked here against the plain computation it replaced (the postings straight from every
segment, ``np.isin``), on an index of several segments with a deleted document, for terms
drawn from the index itself, and end to end: random queries answered from a cold cache and from
a warm one give the same pages, in both modes, pages 1 and 2.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from analyzers import analyze
from indexer.passage_terms import analyze_passage
from indexer.storage import open_reader
from search import search
from search.engine import QueryOptions, plan_for
from search.features import DOC_B, DOC_K1, _document_tf, document_lengths, document_term_scores
from search.rank import record_scores
from search.scorer import (ENTRY_BYTES, B, K1, arrays_for, bm25, document_bm25, idf_of, member, term_postings,
                           term_scores)
from search.syntax import parse

from .conftest import segmented_index


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    """The corpus and the tests' documents in several segments, one document deleted after."""
    return segmented_index(tmp_path_factory.mktemp("scorer"))


def _index_terms(reader, fieldname: str, count: int, seed: int) -> list[str]:
    """Terms of ``fieldname`` found in the index's own passages (and a few it does not hold)."""
    found: set[str] = set()
    for docnum in reader.passages():
        found.update(analyze_passage(reader.passage(docnum).text).get(fieldname, {}))
    terms = sorted(found)
    return random.Random(seed).sample(terms, min(count, len(terms))) + ["khongcoday", "zzz"]


def test_the_index_has_several_segments_and_a_deletion(segmented: Path):
    with open_reader(segmented) as reader:
        assert len(reader.segments) > 1
        assert not reader.live().all()


@pytest.mark.parametrize("fieldname", ["fsyl", "syl", "fpair", "word"])
def test_a_terms_postings_and_scores_are_every_segments(segmented: Path, fieldname: str):
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        lengths = reader.field_lengths(fieldname)
        avg = float(lengths[lengths > 0].mean())
        for text in _index_terms(reader, fieldname, 60, seed=len(fieldname)):
            parts = [(seg.postings(fieldname, text), base) for seg, base in reader.segments]
            ids = np.concatenate([p[0] + base for p, base in parts])
            tf = np.concatenate([p[1] for p, _ in parts])
            for _ in range(2):  # decoded, then from the cache
                got_ids, got_tf = term_postings(arrays, fieldname, text)
                assert got_ids.tolist() == ids.tolist() and got_tf.tolist() == tf.tolist()
                _, scores = term_scores(arrays, fieldname, text)
                if len(ids):
                    idf = idf_of(reader.doc_frequency(fieldname, text), reader.size)
                    expected = idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * lengths[ids] / avg))
                    np.testing.assert_allclose(scores, expected, rtol=1e-5)
                    # and exactly the float32 expression the in-place arithmetic stands for
                    plain = (idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * arrays.length(fieldname)[0][ids]
                                                                 / arrays.length(fieldname)[1]))).astype(np.float32)
                    assert scores.dtype == np.float32 and scores.tobytes() == plain.tobytes()
                else:
                    assert len(scores) == 0


@pytest.mark.parametrize("fieldname", ["fsyl", "syl", "fpair", "word", "title"])
def test_scored_postings_are_a_segments_postings_and_frequency(segmented: Path, fieldname: str):
    """One lookup gives what ``postings`` and ``doc_frequency`` give, in every segment (the
    deleted document's terms included: bags keep its postings, W3 drops them but counts them),
    and the commit's remembered frequencies are every segment's sum, asked again or not."""
    with open_reader(segmented) as reader:
        terms = _index_terms(reader, "fsyl" if fieldname == "title" else fieldname, 40, seed=4)
        terms += ["dang", "xuong", "lam"] if fieldname in ("fsyl", "title") else []
        for text in terms:
            for seg, _ in reader.segments:
                ids, tf, df = seg.scored_postings(fieldname, text)
                want_ids, want_tf = seg.postings(fieldname, text)
                assert ids.tolist() == want_ids.tolist() and tf.tolist() == want_tf.tolist()
                assert df == seg.doc_frequency(fieldname, text)
            total = sum(seg.doc_frequency(fieldname, text) for seg, _ in reader.segments)
            assert reader.doc_frequency(fieldname, text) == total == reader.doc_frequency(fieldname, text)


@pytest.mark.parametrize("fieldname", ["fsyl", "fpair", "syl"])
def test_whole_document_bm25_from_the_shared_decode(segmented: Path, fieldname: str):
    """What ``features.document_term_scores`` computed from its own decode of every segment."""
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        live, owner = reader.live(), arrays.owner
        for text in _index_terms(reader, fieldname, 40, seed=3):
            totals: dict[int, float] = {}
            for seg, base in reader.segments:
                ids, tf = seg.postings(fieldname, text)
                for d, f in zip((ids + base).tolist(), tf.tolist()):
                    if live[d]:
                        totals[int(owner[d])] = totals.get(int(owner[d]), 0.0) + f
            docs, scores = document_term_scores(arrays, fieldname, text)
            assert docs.tolist() == sorted(totals)
            _, counts = _document_tf(arrays, fieldname, text)  # whole counts, summed exactly
            assert counts.dtype == np.float32 and counts.tolist() == [totals[d] for d in sorted(totals)]
            if totals:
                lengths, mean = document_lengths(arrays, fieldname)
                tf = np.array([totals[d] for d in sorted(totals)])
                idf = idf_of(len(totals), len(arrays.doc_starts))
                norm = DOC_K1 * ((1 - DOC_B) + DOC_B * lengths[docs] / mean)
                np.testing.assert_allclose(scores, idf * tf * (DOC_K1 + 1) / (tf + norm), rtol=1e-5)


def test_counts_are_kept_small_in_the_cache(segmented: Path):
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        term_scores(arrays, "fsyl", "xa")
        ids, scores, tf = arrays.recall(("fsyl", "xa"))
        # the bags' pages hold counts as bytes, and the cache keeps them so (9 bytes a posting)
        assert len(ids) and tf.dtype == np.uint8 and ids.dtype == np.int32 and scores.dtype == np.float32
        assert arrays.cached_bytes == ids.nbytes + scores.nbytes + tf.nbytes + ENTRY_BYTES
        expected_ids, expected_tf = [], []
        for segment, offset in reader.segments:
            seg_ids, seg_tf = segment.postings("fsyl", "xa")
            expected_ids.extend((seg_ids + offset).tolist())
            expected_tf.extend(seg_tf.tolist())
        assert ids.tolist() == expected_ids and tf.tolist() == expected_tf and max(expected_tf) > 1


QUERIES = ["xã", "đảng viên mới", "Thái Nguyên chè", "phòng chống thiên tai Quảng Bình", "kinh te phat trien",
           "hợp tác xã -đảng", '"hợp tác xã" kinh tế', "cán bộ title:khoá", "dang"]


def test_membership_of_owners_is_isins(segmented: Path):
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        for query in QUERIES:
            plan = plan_for(parse(query), reader, QueryOptions())
            scores = record_scores(reader, arrays, plan.clauses)
            matched = np.flatnonzero(scores > 0)
            assert len(matched), query
            owners = arrays.owner[matched]
            page = np.unique(owners)[::2]
            assert member(owners, page, arrays.size).tolist() == np.isin(owners, page).tolist()


def test_a_documents_records_and_whether_it_matches(segmented: Path):
    """``records_of`` gives exactly the records whose owner is one of the documents asked for,
    and ``matching_documents`` exactly the documents whose best record scores above 0 (as a
    maximum over each document's run of records finds them)."""
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        rng = np.random.default_rng(3)
        documents = np.arange(len(arrays.doc_starts))
        for query in QUERIES:
            plan = plan_for(parse(query), reader, QueryOptions())
            scores = record_scores(reader, arrays, plan.clauses)
            best = np.maximum.reduceat(scores, arrays.run_starts)
            hit = arrays.matching_documents(scores)
            assert hit.tolist() == (best > 0).tolist(), query
            assert 0 < hit.sum() < len(hit), query
            held = np.flatnonzero(hit)
            for some in (held[::2], held, np.sort(rng.choice(documents, 7, replace=False)), documents[:0], documents):
                expected = np.flatnonzero(np.isin(arrays.owner_index, some))
                assert arrays.records_of(some).tolist() == expected.tolist()


def test_a_titles_scores_summed_by_document_are_every_records(segmented: Path):
    """The title's BM25 summed into an array of documents and spread to their records gives
    the same float32 bytes as summed over every record and gathered at the documents."""
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        held = sorted({s for d in reader.documents() for s in analyze(d.title).folded})
        titles = random.Random(9).sample(held, min(40, len(held)))
        for count in (1, 2, 5, 40):
            terms = [("title", t, 1.0 + i % 3) for i, t in enumerate(titles[:count])] + [("title", "zzz", 1.0)]
            by_document = document_bm25(arrays, terms)
            assert by_document.tobytes() == bm25(arrays, terms)[arrays.doc_starts].tobytes()
            assert by_document.any()
            assert arrays.spread(by_document).tobytes() == by_document[arrays.owner_index].tobytes()
            # added only where a document's value is not 0: the bytes of adding the whole spread
            base = np.random.default_rng(count).random(arrays.size).astype(np.float32)
            added, plain = base.copy(), base.copy()
            arrays.add_spread(added, by_document)
            plain += arrays.spread(by_document)
            assert added.tobytes() == plain.tobytes() and not np.array_equal(added, base)
            for share in (0.0, 0.01, 0.5, 1.0):  # the sparse way and the dense one
                values = np.where(np.random.default_rng(7).random(len(by_document)) < share, 0.25,
                                  0.0).astype(np.float32)
                added, plain = base.copy(), base.copy()
                arrays.add_spread(added, values)
                plain += arrays.spread(values)
                assert added.tobytes() == plain.tobytes()
        # a term of a field held by passages too: only its postings at document records count
        terms = [("fsyl", t, 1.0) for t in titles[:10]]
        assert document_bm25(arrays, terms).tobytes() == bm25(arrays, terms)[arrays.doc_starts].tobytes()


def test_summed_scores_are_the_plain_sums(segmented: Path):
    """``bm25``'s sums (``np.add.at``) are the bytes of ``total[ids] += boost * scores``, term
    after term in the same order, for random terms of every scored field and random boosts."""
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        rng = random.Random(21)
        pool = [(f, t) for f in ("fsyl", "syl", "fpair", "word") for t in _index_terms(reader, f, 30, seed=len(f))]
        for _ in range(30):
            terms = [(f, t, rng.choice([1.0, 0.35, 1.7, 2.25])) for f, t in rng.sample(pool, rng.randint(1, 25))]
            plain = np.zeros(arrays.size, dtype=np.float32)
            for fieldname, text, boost in terms:
                ids, scores = term_scores(arrays, fieldname, text)
                plain[ids] += boost * scores
            assert bm25(arrays, terms).tobytes() == plain.tobytes()


def test_member_on_random_docnums():
    rng = np.random.default_rng(12)
    for _ in range(50):
        owners = np.sort(rng.integers(0, 500, size=rng.integers(0, 2000)))
        some = rng.integers(0, 600, size=rng.integers(0, 30))
        assert member(owners, some, 600).tolist() == np.isin(owners, some).tolist()


def _random_queries(reader, count: int, seed: int) -> list[str]:
    """Syllables of the index's passages, with and without diacritics, rare and common mixed,
    some quoted, some excluded."""
    rng = random.Random(seed)
    words = []
    for docnum in list(reader.passages())[:200]:
        words.extend(reader.passage(docnum).text.split())
    words = [w.strip(".,;:()\"'") for w in words if any(c.isalpha() for c in w)]
    queries = []
    for i in range(count):
        picked = rng.sample(words, rng.randint(1, 6))
        if i % 3 == 1:
            from analyzers import fold

            picked = [fold(w) for w in picked]
        query = " ".join(picked)
        if i % 5 == 2 and len(picked) > 2:
            query = f'"{picked[0]} {picked[1]}" ' + " ".join(picked[2:])
        if i % 7 == 3:
            query += " -" + rng.choice(words)
        queries.append(query)
    return queries


def _page(result) -> list:
    return [result.total, [(h.doc_id, h.passage_no, h.score) for h in result.hits]]


def test_a_warm_cache_answers_as_a_cold_one(segmented: Path):
    """Every query twice from a fresh open (nothing cached), then all again from the cache the
    first pass filled: the same totals, hits, order and scores."""
    import search.engine as engine

    with open_reader(segmented) as reader:
        queries = _random_queries(reader, 40, seed=4)
    asked = [(q, mode, offset) for q in queries for mode in ("documents", "passages") for offset in (0, 5)]
    cold = []
    for q, mode, offset in asked:
        engine._open_indexes.clear()  # a fresh reader and arrays: every term decoded again
        cold.append(_page(search(q, index=segmented, limit=5, offset=offset, mode=mode)))
    engine._open_indexes.clear()
    for q, mode, offset in asked:  # fills the cache
        search(q, index=segmented, limit=5, offset=offset, mode=mode)
    warm = [_page(search(q, index=segmented, limit=5, offset=offset, mode=mode)) for q, mode, offset in asked]
    assert warm == cold
    assert sum(1 for page in cold if page[1]) > len(cold) // 2  # most queries find something


def test_whole_document_features_looked_up_at_the_candidates(segmented: Path):
    """``doc_syl`` and ``doc_all`` are summed at the candidates alone: the same float32 sums, to
    the last bit, as arrays over every record summed term by term."""
    from search.features import FEATURES, features, query_terms

    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        for query in ["đảng viên mới ở xã", "Thái Nguyên mùa chè", "phòng chống thiên tai", "kinh tế hợp tác xã"]:
            plan = plan_for(parse(query), reader, QueryOptions())
            scores = record_scores(reader, arrays, plan.clauses)
            docs, _, out = features(arrays, scores, plan)
            assert len(docs) > 1, query
            for column, fieldname, texts in [
                (FEATURES.index("doc_syl"), "syl", query_terms(plan.clauses)["syl"]),
                (FEATURES.index("doc_all"), "fsyl", dict.fromkeys(s.folded for s in plan.content)),
            ]:
                total = np.zeros(arrays.size, dtype=np.float32)
                for text in texts:
                    ids, part = document_term_scores(arrays, fieldname, text)
                    total[ids] += part
                assert out[:, column].tolist() == total[docs].tolist(), (query, fieldname)
                assert total[docs].any(), (query, fieldname)


def test_terms_the_index_lacks_count_against_the_cache_bound(segmented: Path, monkeypatch):
    # Every term asked is cached, found or not (unknown words are everywhere in news); an empty
    # entry is not free, so a stream of them cannot grow the cache past its bound.
    import search.scorer as scorer

    monkeypatch.setattr(scorer, "CACHE_BYTES", 50 * ENTRY_BYTES)
    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        for i in range(1_000):
            ids, _ = term_scores(arrays, "fsyl", f"khongco{i}")
            assert not len(ids)
        assert len(arrays.cache) <= 50
        assert arrays.cached_bytes <= scorer.CACHE_BYTES


def test_best_passage_of_each_document_is_the_largest_of_its_run(segmented: Path):
    """The candidates' best passage per document (a scatter of the matching records' scores)
    is the maximum over each document's run of records, for real queries' scores."""
    from search.features import candidates, query_terms

    with open_reader(segmented) as reader:
        arrays = arrays_for(reader)
        runs = arrays.doc_starts.copy()
        runs[0] = 0
        for query in QUERIES:
            plan = plan_for(parse(query), reader, QueryOptions())
            scores = record_scores(reader, arrays, plan.clauses)
            best = np.maximum.reduceat(scores, runs)
            docs, _ = candidates(arrays, scores, query_terms(plan.clauses), plan.expanded)
            hit = np.flatnonzero(best > 0)
            assert len(docs) and set(arrays.doc_starts[hit].tolist()) >= set(docs.tolist()), query
            # with fewer documents than the pool, every document with a match is a candidate
            if len(hit) <= 50:
                assert docs.tolist() == arrays.doc_starts[hit].tolist(), query
