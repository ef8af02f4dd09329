"""search() on a real index of the shipped corpus plus documents written by the tests."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import fold, normalize_syllable
from search import search
from tests.search.conftest import NFD_TEXT


def marked(hit) -> list[str]:
    return [hit.text[s:e] for s, e in hit.highlights]


def signature(result) -> list[tuple]:
    return [(h.doc_id, h.passage_no, h.score) for h in result.hits]


def test_query_without_diacritics_finds_and_marks_the_accented_text(index_dir):
    result = search("tinh uy thai nguyen", index=index_dir)
    top = result.hits[0]
    assert top.path.endswith("000_13f43d64bff1cfb9.txt")
    assert "Tỉnh ủy Thái Nguyên" in marked(top)
    assert result.suggestion == "tỉnh ủy thái nguyên"


@pytest.mark.parametrize(
    "variant",
    ["Tỉnh uỷ Thái Nguyên", "Tỉnh ủy Thái Nguyên", "TỈNH ỦY THÁI NGUYÊN", unicodedata.normalize("NFD", "Tỉnh uỷ Thái Nguyên")],
)
def test_tone_style_unicode_form_and_capitals_never_change_results(index_dir, variant):
    reference = search("tỉnh ủy thái nguyên", index=index_dir, limit=5)
    assert signature(search(variant, index=index_dir, limit=5)) == signature(reference)


def test_exact_diacritics_rank_first_but_folded_forms_still_match(index_dir):
    accented = search("đảng", index=index_dir, mode="passages", limit=100)
    titles = [h.title for h in accented.hits]
    assert "Đang làm việc ở xưởng" in titles and "Dáng người của cô ấy" in titles  # folding keeps recall
    first_folded = min(titles.index("Đang làm việc ở xưởng"), titles.index("Dáng người của cô ấy"))
    assert all("đảng" in h.text.lower() for h in accented.hits[:first_folded])
    assert first_folded > 0
    plain = search("dang", index=index_dir, limit=100)
    assert {"Đảng viên mới ở xã", "Đang làm việc ở xưởng", "Dáng người của cô ấy"} <= {h.title for h in plain.hits}


def test_exact_mode_matches_diacritics_only(index_dir):
    result = search("đang", index=index_dir, exact=True, limit=100)
    assert result.hits and all("đang" in h.text.lower() for h in result.hits)
    assert "Dáng người của cô ấy" not in {h.title for h in result.hits}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("35-CT/TW", "35-CT/TW"),
        ("4,18%", "4,18"),
        ("GRDP", "GRDP"),
        ("Covid-19", "Covid-19"),
        ("66.024", "66.024"),
    ],
)
def test_numbers_and_codes_are_found_as_typed(index_dir, query, expected):
    hit = search(query, index=index_dir).hits[0]
    assert expected.lower() in hit.text.lower()
    assert any(m.lower() in expected.lower() for m in marked(hit))


def test_quoted_phrase_must_match_in_order(index_dir):
    result = search('"kết nạp đảng viên"', index=index_dir, mode="passages", limit=50)
    assert result.hits
    for hit in result.hits:
        norm = " ".join(fold(normalize_syllable(w)) for w in hit.text.replace(",", " ").split())
        assert "ket nap dang vien" in norm


def test_excluded_words_remove_passages(index_dir):
    with_word = search("đảng viên", index=index_dir, mode="passages", limit=200)
    without = search("đảng viên -xã", index=index_dir, mode="passages", limit=200)
    assert 0 < without.total < with_word.total
    assert all(" xã" not in h.text.lower() for h in without.hits)


def test_title_filter(index_dir):
    result = search('title:"dáng người" cao', index=index_dir)
    assert {h.title for h in result.hits} == {"Dáng người của cô ấy"}


def test_documents_are_grouped_with_their_passages(index_dir):
    result = search("đại hội đảng bộ", index=index_dir, limit=3, passages_per_doc=2)
    docs = result.documents()
    assert len(docs) == 3 and result.total >= 3
    seen = [h.doc_id for h in result.hits]
    assert seen == sorted(seen, key=[d.doc_id for d in docs].index)  # each document's passages together
    assert all(1 <= len(d.passages) <= 2 for d in docs)
    # Documents are ordered by the document model (rank.ranked_documents), and show its score;
    # each document's passages by theirs.
    assert all([h.score for h in d.passages] == sorted((h.score for h in d.passages), reverse=True) for d in docs)
    assert [d.score for d in docs] == sorted((d.score for d in docs), reverse=True)
    assert [d.score for d in docs] == [result.document_scores[d.doc_id] for d in docs]


def test_pages_do_not_overlap(index_dir):
    first = search("đảng", index=index_dir, limit=2)
    second = search("đảng", index=index_dir, limit=2, offset=2)
    assert {h.doc_id for h in first.hits}.isdisjoint({h.doc_id for h in second.hits})
    assert first.total == second.total


def test_nfd_file_is_found_and_marked(index_dir):
    # Readers hand the analyzers NFC text; the analyzers' own NFD offsets are tested in tests/analyzers.
    hit = search("khoa hoc phong chong thien tai", index=index_dir).hits[0]
    assert hit.text == unicodedata.normalize("NFC", NFD_TEXT)
    words = marked(hit)
    assert "Khoá học" in words and "phòng chống thiên tai" in words


def test_snippet_escapes_document_markup(index_dir):
    hit = search("the in dam hop tac xa", index=index_dir).hits[0]
    assert "<b>" in hit.text
    assert "&lt;b&gt;" in hit.snippet and "<b>" not in hit.snippet
    assert "<mark>" in hit.snippet


def test_one_typo_in_a_long_syllable_still_finds_the_word(index_dir):
    result = search("tinh uy thai nguyem", index=index_dir)
    assert result.hits[0].path.endswith("000_13f43d64bff1cfb9.txt")
    assert result.suggestion and "nguyên" in result.suggestion


@pytest.mark.parametrize(
    "query", ['"xây dựng Đảng', "-", "!!! ??? ...", '" "', "OR", "-đảng", "title:", "x" * 10_000, "đảng " * 3000]
)
def test_malformed_queries_search_or_say_why(index_dir, query):
    result = search(query, index=index_dir)
    assert result.hits or result.notes
    for hit in result.hits:
        assert all(0 <= s < e <= len(hit.text) for s, e in hit.highlights)


def test_unbalanced_quote_still_searches_the_phrase(index_dir):
    result = search('"xây dựng Đảng', index=index_dir)
    assert result.hits and any("unbalanced" in n for n in result.notes)


def test_json_shape(index_dir):
    data = search("hợp tác xã", index=index_dir, limit=1).to_dict()
    assert data["api_version"] == 2 and data["mode"] == "documents" and "hits" not in data
    assert {"query", "total", "took_ms", "suggestion", "documents", "notes", "sort", "filters", "facets"} <= set(data)
    doc = data["documents"][0]
    assert set(doc) == {"doc_id", "path", "source", "title", "date", "score", "metadata", "passages"}
    assert doc["path"].startswith("docs/") and doc["source"].endswith(doc["path"]) and doc["source"].startswith("/")
    passage = doc["passages"][0]
    assert set(passage) == {"passage_no", "text", "score", "highlights", "snippet"}
    assert all(isinstance(s, int) and isinstance(e, int) for s, e in passage["highlights"])
    passages = search("hợp tác xã", index=index_dir, limit=1, mode="passages").to_dict()
    assert "documents" not in passages and len(passages["hits"]) == 1
    assert set(passages["hits"][0]) == {"doc_id", "path", "source", "title", "date", "passage_no", "text", "score",
                                        "highlights", "snippet", "metadata"}


def test_dates_come_from_the_text(index_dir):
    hit = search("Tổng kết công tác tổ chức xây dựng Đảng năm 2020 Lạng Sơn", index=index_dir).hits[0]
    assert hit.date == "2021-01-22"


@pytest.mark.parametrize(
    ("query", "joined", "apart"),
    [
        ('tỉnh ủy "thái nguyên"', {"uy_thai", "thai_nguyen"}, set()),  # typed next to each other
        ('"thái nguyên" tỉnh ủy', {"nguyen_tinh", "tinh_uy"}, {"uy_thai"}),  # in the order typed
        ("đảng -viên ủy", set(), {"dang_uy", "dang_vien"}),  # an excluded word keeps them apart
        ("đảng OR ủy", set(), {"dang_uy"}),
        ("đảng title:xã ủy", set(), {"dang_uy"}),
    ],
)
def test_pairs_follow_the_query_as_typed(index_dir, query, joined, apart):
    from search.documents import query_terms

    pairs = query_terms(query, index_dir).pairs
    assert joined <= pairs
    assert not apart & pairs
