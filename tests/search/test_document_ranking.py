"""Documents ranked as wholes (issue 16): whole-document BM25 beside the best passage, the
candidates and the model over their features, on a real index of Vietnamese documents."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from analyzers import analyze
from indexer.build import index_paths
from search import features as features_module
from search import ltr, rank, search
from search.engine import searching
from search.features import FEATURES, best_window, document_lengths, document_term_scores, features
from search.plan import plan_query
from search.rank import record_scores, top_documents
from search.synonyms import load as load_synonyms
from search.syntax import parse

# A regulation whose answer is spread over its passages, and short news items that each match
# one or two of the question's words in a single passage.
REGULATION = "\n\n".join([
    "Điều 12. Nghỉ hằng năm của người lao động",
    "Người lao động làm việc đủ 12 tháng cho một người sử dụng lao động thì được nghỉ hằng năm, "
    "hưởng nguyên lương theo hợp đồng lao động: 12 ngày làm việc đối với người làm công việc "
    "trong điều kiện bình thường; 14 ngày làm việc đối với người lao động chưa thành niên.",
    "Trường hợp do thôi việc, bị mất việc làm mà chưa nghỉ hằng năm hoặc chưa nghỉ hết số ngày "
    "nghỉ hằng năm thì được người sử dụng lao động thanh toán tiền lương cho những ngày chưa "
    "nghỉ. Người sử dụng lao động có trách nhiệm quy định lịch nghỉ hằng năm sau khi tham khảo "
    "ý kiến của người lao động và phải thông báo trước cho người lao động biết.",
    "Khi nghỉ hằng năm mà chưa đến kỳ trả lương, người lao động được tạm ứng tiền lương theo "
    "quy định. Người lao động có thể thoả thuận với người sử dụng lao động để nghỉ hằng năm "
    "thành nhiều lần hoặc nghỉ gộp tối đa 03 năm một lần, và được thanh toán tiền tàu xe.",
])
NEWS = {
    "tin-1.txt": "Giá xăng tăng\n\nGiá xăng trong nước tăng từ chiều nay, nhiều tài xế than phiền vì tiền lương không đủ trang trải chi phí đi lại hằng ngày.",
    "tin-2.txt": "Lịch nghỉ Tết\n\nHọc sinh được nghỉ Tết nguyên đán mười ngày, các trường thông báo lịch học bù cho phụ huynh biết.",
    "tin-3.txt": "Thanh toán không tiền mặt\n\nNgân hàng khuyến khích khách hàng thanh toán bằng mã QR, giảm phí chuyển khoản cho tài khoản mới mở trong năm nay.",
}
QUESTION = "Người lao động thôi việc mà chưa nghỉ hằng năm thì có được thanh toán tiền lương không?"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("document-ranking")
    docs = root / "docs"
    docs.mkdir()
    (docs / "quy-dinh.txt").write_text(REGULATION, encoding="utf-8")
    for name, text in NEWS.items():
        (docs / name).write_text(text, encoding="utf-8")
    for i in range(40):  # enough matching documents for the candidates to be a part of them
        (docs / f"thong-bao-{i:02d}.txt").write_text(
            f"Thông báo số {i}\n\nCông ty thông báo lịch nghỉ của bộ phận {i} cho người lao động trong tháng {i % 12 + 1}.",
            encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    return root / "ix"


def test_a_term_scores_over_the_whole_document_not_per_passage(index_dir):
    with searching(index_dir) as opened:
        reader, arrays = opened.reader, opened.arrays
        record = next(r for r in reader.documents() if r.path.endswith("quy-dinh.txt"))
        assert len(reader.passages_of(record)) >= 3  # the regulation is several passages
        ids, scores = document_term_scores(arrays, "fsyl", "nghi")
        docs_with_term = [r.docnum for r in reader.documents() if "nghi" in analyze(reader.document(r.docnum).text).folded]
        assert sorted(ids.tolist()) == sorted(docs_with_term)  # document records, each once
        lengths, mean = document_lengths(arrays, "fsyl")
        tf = Counter(analyze(reader.document(record.docnum).text).folded)["nghi"]
        assert tf >= 6  # spread over the passages
        k1, b = features_module.DOC_K1, features_module.DOC_B
        df, n = len(ids), len(arrays.doc_starts)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = k1 * ((1 - b) + b * lengths[record.docnum] / mean)
        expected = idf * tf * (k1 + 1) / (tf + norm)
        assert scores[ids.tolist().index(record.docnum)] == pytest.approx(expected, rel=1e-4)


def test_the_spread_out_answer_ranks_first_by_the_document_model(index_dir):
    result = search(QUESTION, index=index_dir, limit=5)
    assert result.hits[0].path.endswith("quy-dinh.txt")
    with searching(index_dir) as opened:
        plan = plan_query(parse(QUESTION), opened.reader, exact=False)
        scores = record_scores(opened.reader, opened.arrays, plan.clauses)
        docs, best, x = features(opened.arrays, scores, plan)
        regulation = next(r.docnum for r in opened.reader.documents() if r.path.endswith("quy-dinh.txt"))
        row = x[docs.tolist().index(regulation)]
        # its whole-document scores lead every other candidate's, and so does its model score
        for name in ("doc_fsyl", "doc_fpair"):
            column = x[:, FEATURES.index(name)]
            assert row[FEATURES.index(name)] == column.max() > np.sort(column)[-2]
        model = ltr.document_scores(x)
        assert model[docs.tolist().index(regulation)] == model.max()


def test_pages_continue_each_other_when_documents_fall_outside_the_candidates(index_dir, monkeypatch):
    monkeypatch.setattr(features_module, "POOL", 3)  # 44 matching documents, at most 6 candidates
    whole = search("người lao động nghỉ", index=index_dir, limit=28)
    assert whole.total > 30
    paged = [h for offset in range(0, 28, 7) for h in search("người lao động nghỉ", index=index_dir, limit=7, offset=offset).hits]
    assert [(h.doc_id, h.passage_no) for h in paged] == [(h.doc_id, h.passage_no) for h in whole.hits]


def test_without_a_plan_documents_are_ranked_by_their_best_passage(index_dir):
    with searching(index_dir) as opened:
        plan = plan_query(parse(QUESTION), opened.reader, exact=False)
        scores = record_scores(opened.reader, opened.arrays, plan.clauses)
        _, chosen, _ = top_documents(scores, opened.arrays, 10, 0, 1)
    best = [s for _, s in chosen]
    assert best == sorted(best, reverse=True)


def test_the_model_weighs_only_the_features_it_names(tmp_path, monkeypatch):
    model = tmp_path / "ranking.json"
    model.write_text(json.dumps({"features": ["doc_fpair", "passage"], "weights": [2.0, 1.0]}))
    monkeypatch.setattr(ltr, "MODEL", model)
    ltr.weights.cache_clear()
    ltr.used.cache_clear()
    try:
        assert ltr.used() == {"passage", "doc_fpair"}
        x = np.zeros((2, len(FEATURES)), dtype=np.float32)
        x[:, FEATURES.index("passage")] = [4.0, 2.0]
        x[:, FEATURES.index("doc_fpair")] = [1.0, 3.0]
        x[:, FEATURES.index("proximity")] = [1.0, 0.0]  # not in the model: no effect
        # each feature scaled by its largest value among the candidates: 1 + 2/3 and 0.5 + 2
        assert ltr.document_scores(x) == pytest.approx([1 + 2 / 3, 0.5 + 2.0])
    finally:
        ltr.weights.cache_clear()
        ltr.used.cache_clear()


def test_the_shipped_model_names_known_features():
    ltr.weights.cache_clear()
    named = json.loads(ltr.MODEL.read_text())["features"]
    assert set(named) <= set(FEATURES) and "passage" in named
    assert ltr.weights()[FEATURES.index("passage")] > 0


def test_best_window_counts_distinct_query_syllables_close_together():
    folded = analyze("Người lao động được nghỉ hằng năm; sau đó mới bàn tới tiền lương của người lao động.").folded
    idfs = {"nghi": 2.0, "nam": 1.0, "luong": 3.0}
    assert best_window(folded, idfs, 4) == pytest.approx(3.0)  # nghỉ hằng năm
    assert best_window(folded, idfs, 40) == pytest.approx(6.0)  # all three
    assert best_window(folded, {"xang": 1.0}, 8) == 0.0


# -- the score a document shows is the one it is ranked by ------------------------------------

def _candidate_scores(index_dir, query: str) -> dict[str, float]:
    """The document model's score of each candidate of ``query``, by doc_id, computed here from
    the features, independently of the ranking's code path (with the shipped synonyms, as
    ``search`` plans it)."""
    with searching(index_dir) as opened:
        plan = plan_query(parse(query), opened.reader, exact=False, synonyms=load_synonyms())
        scores = record_scores(opened.reader, opened.arrays, plan.clauses)
        docs, _, x = features(opened.arrays, scores, plan, ltr.used())
        model = ltr.document_scores(x)
        return {opened.reader.document(int(d)).doc_id: float(s) for d, s in zip(docs, model)}


@pytest.mark.parametrize("query", [QUESTION, "người lao động nghỉ", "thông báo lịch nghỉ", "lich nghi hang nam"])
def test_documents_fall_in_the_order_of_the_score_they_show(index_dir, monkeypatch, query):
    monkeypatch.setattr(features_module, "POOL", 3)  # documents beyond the candidates are on the page
    result = search(query, index=index_dir, limit=60, passages_per_doc=2)
    shown = [d["score"] for d in result.to_dict()["documents"]]
    assert len(shown) == result.total > 6
    assert shown == sorted(shown, reverse=True)
    model = _candidate_scores(index_dir, query)
    docs = result.to_dict()["documents"]
    candidates = [d for d in docs if d["doc_id"] in model]
    # the candidates come first, each showing its model score, not its best passage's
    assert [d["doc_id"] for d in docs[: len(candidates)]] == [d["doc_id"] for d in candidates]
    for d in candidates:
        assert d["score"] == pytest.approx(model[d["doc_id"]], abs=1e-4)
    assert any(d["score"] != d["passages"][0]["score"] for d in candidates)
    # the others below the last candidate, in the order of their best passages
    rest = docs[len(candidates):]
    assert rest and max(d["score"] for d in rest) <= candidates[-1]["score"]
    best = [d["passages"][0]["score"] for d in rest]
    assert best == sorted(best, reverse=True)
    assert all(d["score"] > 0 for d in rest)


def test_scores_keep_falling_from_page_to_page(index_dir, monkeypatch):
    monkeypatch.setattr(features_module, "POOL", 3)
    pages = [search("người lao động nghỉ", index=index_dir, limit=5, offset=o).to_dict()["documents"] for o in range(0, 30, 5)]
    whole = search("người lao động nghỉ", index=index_dir, limit=30).to_dict()["documents"]
    assert [(d["doc_id"], d["score"]) for page in pages for d in page] == [(d["doc_id"], d["score"]) for d in whole]


def test_sorted_by_date_a_document_shows_its_best_passage(index_dir):
    for doc in search("người lao động nghỉ", index=index_dir, limit=20, sort="date").documents():
        assert doc.score == doc.passages[0].score


def test_beyond_candidates_stays_below_the_lowest_whatever_its_sign():
    passage = np.array([5.0, 2.5, 0.5], dtype=np.float32)
    assert rank.beyond_candidates(0.8, passage, 10.0) == pytest.approx([0.4, 0.2, 0.04])
    below = rank.beyond_candidates(-0.3, passage, 10.0)  # a model with negative weights
    assert np.all(below <= -0.3) and np.all(np.diff(below) <= 0)


# -- synonym queries are ranked by the model, their expansions counted as the typed term ------

SYNONYM_DOCS = {
    "viet-tat.txt": "UBND tỉnh Bắc Ninh họp phiên thường kỳ\n\nSáng nay, UBND tỉnh Bắc Ninh đã họp phiên thường kỳ "
                    "tháng năm, bàn kế hoạch trồng rừng.",
    "day-du.txt": "Ủy ban nhân dân tỉnh Nam Định họp phiên thường kỳ\n\nSáng nay, Ủy ban nhân dân tỉnh Nam Định đã họp "
                  "phiên thường kỳ tháng năm, bàn kế hoạch trồng rừng.",
    "ca-hai.txt": "Ủy ban nhân dân tỉnh Thái Bình\n\nUBND tỉnh Thái Bình công bố kế hoạch trồng rừng năm nay.",
    "khac.txt": "Kế hoạch trồng rừng\n\nNgười dân tỉnh Hà Nam trồng rừng theo kế hoạch của huyện.",
}


@pytest.fixture(scope="module")
def synonym_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("synonym-ranking")
    docs = root / "docs"
    docs.mkdir()
    for name, text in SYNONYM_DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    return root / "ix"


def test_an_expansion_counts_in_the_whole_document_as_the_typed_term(synonym_index):
    phrase = ("uy", "ban", "nhan", "dan")
    with searching(synonym_index) as opened:
        reader, arrays = opened.reader, opened.arrays
        plan = plan_query(parse("UBND tỉnh"), reader, exact=False, synonyms=load_synonyms())
        assert phrase in plan.expanded[("fsyl", "ubnd")]
        scores = record_scores(reader, arrays, plan.clauses)
        docs, _, x = features(arrays, scores, plan)
        by_name = {reader.document(int(d)).path.rsplit("/", 1)[-1]: row for d, row in zip(docs, x)}
        doc_fsyl = FEATURES.index("doc_fsyl")
        # the full form alone scores for ubnd; each passage holding it counts as one ubnd (as
        # its bonus in the passage scores counts it once)
        record = next(r for r in reader.documents() if r.path.endswith("day-du.txt"))
        passages = reader.passages_of(reader.document(record.docnum))
        held = sum(" ".join(phrase) in " ".join(analyze(p.text).folded) for p in passages)
        assert held >= 1
        ids, ubnd = features_module.expanded_term_scores(arrays, "fsyl", "ubnd", plan.expanded[("fsyl", "ubnd")])
        assert sorted(reader.document(int(d)).path.rsplit("/", 1)[-1] for d in ids) == ["ca-hai.txt", "day-du.txt", "viet-tat.txt"]
        lengths, mean = document_lengths(arrays, "fsyl")
        k1, b = features_module.DOC_K1, features_module.DOC_B
        idf = np.log(1 + (len(arrays.doc_starts) - 3 + 0.5) / (3 + 0.5))
        expected = idf * held * (k1 + 1) / (held + k1 * ((1 - b) + b * lengths[record.docnum] / mean))
        assert ubnd[ids.tolist().index(record.docnum)] == pytest.approx(expected, rel=1e-4)
        tinh_ids, tinh = document_term_scores(arrays, "fsyl", "tinh")
        assert by_name["day-du.txt"][doc_fsyl] == pytest.approx(expected + tinh[tinh_ids.tolist().index(record.docnum)], rel=1e-4)
        # without the expansion the whole document would not see it: its typed-form score is 0
        plain_ids, _ = document_term_scores(arrays, "fsyl", "ubnd")
        assert record.docnum not in plain_ids.tolist()


@pytest.mark.parametrize("query", ["UBND", "UBND tỉnh", "ủy ban nhân dân tỉnh"])
def test_a_synonym_query_is_ranked_by_the_model(synonym_index, query):
    result = search(query, index=synonym_index, limit=10)
    docs = result.to_dict()["documents"]
    model = _candidate_scores(synonym_index, query)
    assert len(docs) == len(model) == result.total >= 3  # every match is a candidate: the model ranks them all
    for d in docs:
        assert d["score"] == pytest.approx(model[d["doc_id"]], abs=1e-4)
    shown = [d["score"] for d in docs]
    assert shown == sorted(shown, reverse=True)
    names = [d["path"].rsplit("/", 1)[-1] for d in docs]
    # either form of the name ranks above the document holding neither
    assert set(names[:3]) == {"viet-tat.txt", "day-du.txt", "ca-hai.txt"}



def test_documents_ranked_alike_when_the_first_document_is_deleted(tmp_path):
    """Whole-document arrays are indexed by document and a document's best passage is the
    largest score of its run of records: with the index's first document deleted (its records
    then lie before the first live document), every document's best passage is still the best of
    its own passages, and the deleted one is never found."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a-first.txt").write_text("Nghỉ hằng năm\n\n" + REGULATION, encoding="utf-8")
    (docs / "quy-dinh.txt").write_text(REGULATION, encoding="utf-8")
    for name, text in NEWS.items():
        (docs / name).write_text(text, encoding="utf-8")
    index_paths([docs], tmp_path / "ix", jobs=1)
    (docs / "a-first.txt").unlink()
    index_paths([docs], tmp_path / "ix", jobs=1)  # deletes its records, in the same segment
    with searching(tmp_path / "ix") as opened:
        arrays = opened.arrays
        assert not arrays.live[0] and int(arrays.doc_starts[0]) > 0  # the first records are deleted ones
        plan = plan_query(parse(QUESTION), opened.reader, False)
        scores = record_scores(opened.reader, arrays, plan.clauses)
        docs_found, best_passage, x = features(arrays, scores, plan)
        for doc, passage, value in zip(docs_found, best_passage, x[:, 0]):
            mine = np.flatnonzero(arrays.owner == doc)
            assert arrays.owner[passage] == doc and value == scores[mine].max() > 0
    result = search(QUESTION, index=tmp_path / "ix", limit=10)
    paths = [d.path for d in result.documents()]
    assert paths[0].endswith("quy-dinh.txt") and not any(p.endswith("a-first.txt") for p in paths)
    assert result.total == len(paths) >= 2
