"""Filters, date sorting and facets on an index of documents the tests write: dates in every
format the indexer reads, a JSONL file with metadata, folders, several file types."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from indexer.build import index_paths
from indexer.stats import index_stats
from search import search

# (relative path, text): each plain-text document's date is in its text, in one of the formats
# the indexer reads (indexer.metadata.find_date).
FILES = {
    "bao/2021/hoc-phi-iso.txt": "Học phí đại học tăng\n\n2021-03-04 16:14:00.0\n\nCác trường đại học công bố học phí mới.",
    "bao/2021/hoc-phi-thu.txt": "Học phí mầm non\n\nThứ sáu, 22/01/2021\n\nHọc phí mầm non ở Hà Nội được giữ nguyên.",
    "bao/2020/hoc-phi-gach.txt": "Miễn học phí cho học sinh\n\nNgày 29-9-2020, tỉnh quyết định miễn học phí.",
    "bao/2020/hoc-phi-cham.md": "# Hỗ trợ học phí vùng lũ\n\nNgày 5.11.2020, học sinh vùng lũ được hỗ trợ học phí.",
    "bao/2019/hoc-phi-chu.html": "<html><head><title>Học phí năm học 2019</title></head><body><p>Hà Nội, ngày 30 tháng 5 năm 2019,"
                                 " thành phố công bố khung học phí năm học mới cho các trường công lập.</p></body></html>",
    "bao/khong-ngay.txt": "Học phí và chất lượng\n\nBài bình luận về học phí và chất lượng giáo dục, không ghi ngày.",
    "bao/20210/khac.txt": "Học phí ở thư mục khác\n\nNgày 1/1/2021, một bài về học phí ở một thư mục tên gần giống.",
}
JSONL = [
    {"id": "j1", "title": "Học phí y khoa", "text": "Học phí trường y tăng mạnh.", "date": "2021-06-30",
     "category": "Sức khỏe", "views": 1200, "published": "2021-07-01"},
    {"id": "j2", "title": "Bảo hiểm y tế học sinh", "text": "Học sinh đóng bảo hiểm y tế cùng học phí.",
     "date": "30/5/2019", "category": "Sức khoẻ", "views": 50, "published": "2019-06-01"},
    {"id": "j3", "title": "Học phí đại học tư", "text": "Học phí đại học tư thục năm nay.", "date": "ngày 1 tháng 1 năm 2020",
     "category": "Giáo dục", "views": 800, "published": "2020-01-02"},
    {"id": "j4", "title": "Học phí và thể thao", "text": "Trường thể thao giảm học phí.", "category": "Thể thao",
     "views": 5, "published": "2018-12-31", "size": "lớn", "tags": ["a", float("nan")]},
]
DATES = {  # the document date of each, by hand
    "hoc-phi-iso.txt": "2021-03-04", "hoc-phi-thu.txt": "2021-01-22", "hoc-phi-gach.txt": "2020-09-29",
    "hoc-phi-cham.md": "2020-11-05", "hoc-phi-chu.html": "2019-05-30", "khong-ngay.txt": None,
    "khac.txt": "2021-01-01", "j1": "2021-06-30", "j2": "2019-05-30", "j3": "2020-01-01", "j4": None,
}
ALL = len(DATES)


@pytest.fixture(scope="module")
def ix(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("filters")
    docs = root / "docs"
    for rel, text in FILES.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    (docs / "jsonl").mkdir()
    (docs / "jsonl" / "tin.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in JSONL) + "\n",  # NaN too
                                               encoding="utf-8")
    summary = index_paths([docs], root / "ix", jobs=1)
    assert summary.documents == ALL and not summary.skipped
    return root / "ix"


def key(doc) -> str:
    return doc.doc_id if doc.doc_id.startswith("j") else Path(doc.path).name


def found(ix: Path, query: str = "học phí", **kwargs) -> list[str]:
    return [key(d) for d in search(query, index=ix, limit=50, **kwargs).documents()]


def with_dates(pred) -> set[str]:
    return {k for k, d in DATES.items() if d is not None and pred(d)}


def test_every_date_format_is_the_documents_date(ix):
    result = search("học phí", index=ix, limit=50)
    assert result.total == ALL
    assert {key(d): d.date for d in result.documents()} == DATES


@pytest.mark.parametrize(("value", "expected"), [
    ("2021", lambda d: d.startswith("2021")),
    ("2021-03", lambda d: d.startswith("2021-03")),
    ("3/2021", lambda d: d.startswith("2021-03")),
    ("2020-01-01..2021-06-30", lambda d: "2020-01-01" <= d <= "2021-06-30"),  # both ends included
    ("2020..2021-01", lambda d: "2020-01-01" <= d <= "2021-01-31"),
    ("2021-01-23..", lambda d: d >= "2021-01-23"),
    ("..2019", lambda d: d <= "2019-12-31"),
    (">=2020", lambda d: d >= "2020"),
    (">2020", lambda d: d >= "2021"),
    ("<2020-09-29", lambda d: d < "2020-09-29"),
    ("<=2020-09-29", lambda d: d <= "2020-09-29"),
    ("30/5/2019", lambda d: d == "2019-05-30"),
    ("2019-05-30", lambda d: d == "2019-05-30"),
    ("2021-06-30..2021-06-30", lambda d: d == "2021-06-30"),
])
def test_date_filters(ix, value, expected):
    result = search(f"học phí date:{value}", index=ix, limit=50)
    assert set(found(ix, f"học phí date:{value}")) == with_dates(expected)
    assert result.filters == [{"field": "date", "text": f"date:{value}", "negated": False, "from": "query"}]
    assert not result.notes


def test_excluded_dates_keep_undated_documents(ix):
    assert set(found(ix, "học phí -date:2021")) == set(DATES) - with_dates(lambda d: d.startswith("2021"))


def test_keyword_filters_fold_like_text(ix):
    # "Sức khỏe" and "Sức khoẻ" (two tone placements) are one value once folded, as any spelling is
    for typed in ('category:"Sức khỏe"', 'category:"suc khoe"', 'category:"SỨC KHOẺ"'):
        assert set(found(ix, f"học phí {typed}")) == {"j1", "j2"}, typed
    assert set(found(ix, "hoc phi category:\"giao duc\"")) == {"j3"}
    assert set(found(ix, 'học phí -category:"sức khỏe"')) == set(DATES) - {"j1", "j2"}
    assert found(ix, 'học phí category:"Sức"') == []  # a keyword is matched whole
    assert set(found(ix, "học phí", filters=['category:Sức khỏe'])) == {"j1", "j2"}  # a parameter: no quotes needed


def test_number_and_date_fields_of_jsonl(ix):
    assert set(found(ix, "học phí views:>=800")) == {"j1", "j3"}
    assert set(found(ix, "học phí views:50..800")) == {"j2", "j3"}
    assert set(found(ix, "học phí views:5")) == {"j4"}
    assert set(found(ix, "học phí published:2021")) == {"j1"}
    assert set(found(ix, "học phí published:<2019-06-02")) == {"j2", "j4"}
    # a JSONL field named like the indexer's own keys is the source's, not the file's size
    j4 = search("thể thao size:lớn", index=ix).documents()[0]
    assert j4.metadata["size"] == "lớn" and j4.metadata["tags"] == ["a", None]  # NaN is no JSON: null
    json.dumps(search("thể thao", index=ix).to_dict(), allow_nan=False)


def test_folder_and_type_filters(ix):
    assert set(found(ix, "học phí path:docs/bao/2021")) == {"hoc-phi-iso.txt", "hoc-phi-thu.txt"}
    assert set(found(ix, "học phí path:docs/bao/2021/")) == {"hoc-phi-iso.txt", "hoc-phi-thu.txt"}  # not bao/20210
    assert set(found(ix, "học phí path:docs/bao/20210")) == {"khac.txt"}
    assert len(found(ix, "học phí path:docs/bao")) == len(FILES)
    assert set(found(ix, "học phí type:md")) == {"hoc-phi-cham.md"}
    assert set(found(ix, "học phí type:htm")) == {"hoc-phi-chu.html"}  # htm is html
    assert set(found(ix, "học phí type:jsonl -views:<100")) == {"j1", "j3"}
    assert len(found(ix, "học phí -type:txt")) == ALL - 5


def test_filters_combine_with_phrases_and_exclusions(ix):
    assert set(found(ix, '"đại học" date:2021')) == {"hoc-phi-iso.txt"}
    assert set(found(ix, "học phí -mầm date:2021")) == {"hoc-phi-iso.txt", "khac.txt", "j1"}
    assert set(found(ix, "học phí date:2020..2021 type:txt path:docs/bao/2020")) == {"hoc-phi-gach.txt"}


def test_a_query_of_filters_alone_lists_what_they_let_through(ix):
    result = search("date:2021", index=ix, limit=50, sort="date")
    assert [key(d) for d in result.documents()] == ["j1", "hoc-phi-iso.txt", "hoc-phi-thu.txt", "khac.txt"]
    assert result.total == 4 and not result.notes
    assert {key(d) for d in search("date:2021 -mầm -khác", index=ix, limit=50).documents()} == {"j1", "hoc-phi-iso.txt"}
    assert {key(d) for d in search("", index=ix, filters=["type:md"]).documents()} == {"hoc-phi-cham.md"}


@pytest.mark.parametrize(("query", "why"), [
    ("học phí date:2021-13", "not a date"),
    ("học phí date:abc", "not a date"),
    ("học phí date:2022..2020", "not a date"),
    ("học phí views:many", "not a number"),
    ("học phí chuyenmuc:thethao", "no field 'chuyenmuc'"),
])
def test_malformed_or_unknown_filters_are_searched_as_text_with_a_note(ix, query, why):
    result = search(query, index=ix, limit=50)
    assert result.filters == [] and result.total > 0
    assert any(why in n and "searched as text" in n for n in result.notes), result.notes


def test_filters_are_bounded(ix):
    result = search("học phí " + " ".join(f"nope{i}:x" for i in range(200)), index=ix)
    assert result.total > 0 and "only the first 20" in result.notes[0]
    assert sum("no field" in n for n in result.notes) == 20


def test_filters_never_read_inside_phrases_or_urls(ix):
    assert search('"date:2021"', index=ix).filters == []
    result = search("học phí http://example.com/a", index=ix)
    assert result.filters == [] and not any("http" in n for n in result.notes)
    assert search("học phí title:mầm", index=ix).filters == []  # title: is the query language's own


@pytest.mark.parametrize("sort", ["date", "date_asc"])
@pytest.mark.parametrize("mode", ["documents", "passages"])
def test_date_order_undated_last_and_stable_paging(ix, sort, mode):
    result = search("học phí", index=ix, limit=100, sort=sort, mode=mode)
    items = result.documents() if mode == "documents" else result.hits
    dates = [h.date for h in items]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=sort == "date")
    assert dates[len(dated):] == [None] * (len(dates) - len(dated))  # undated last
    # ties (two documents of 2019-05-30) are ranked by score, then docnum: every page continues the last
    full = [(h.doc_id, getattr(h, "passage_no", 0)) for h in items]
    pages = []
    for offset in range(0, len(full), 3):
        page = search("học phí", index=ix, limit=3, offset=offset, sort=sort, mode=mode)
        pages += [(h.doc_id, getattr(h, "passage_no", 0)) for h in (page.documents() if mode == "documents" else page.hits)]
    assert pages == full
    same_day = [d for d in result.documents() if d.date == "2019-05-30"]
    assert len(same_day) == 2 and same_day[0].score >= same_day[1].score


def test_facets_count_every_match_not_the_page(ix):
    result = search("học phí", index=ix, limit=2, facets=("year", "category", "type"))
    by_hand = Counter(d[:4] for d in DATES.values() if d)
    assert result.facets["year"] == {y: by_hand[y] for y in sorted(by_hand, reverse=True)}
    assert result.facets["category"] == {"Sức khỏe": 2, "Giáo dục": 1, "Thể thao": 1}
    assert list(result.facets["type"].items()) == [("txt", 5), ("jsonl", 4), ("html", 1), ("md", 1)]
    assert sum(result.facets["type"].values()) == result.total == ALL and len(result.documents()) == 2
    # under a filter, the facets count what the filter lets through
    narrowed = search("học phí date:2021", index=ix, facets="year,category")
    assert narrowed.facets == {"year": {"2021": 4}, "category": {"Sức khỏe": 1}}
    # passage mode counts passages, as its total does
    passages = search("học phí", index=ix, mode="passages", limit=1, facets=["type"])
    assert sum(passages.facets["type"].values()) == passages.total


def test_facets_that_are_no_facets_get_a_note(ix):
    result = search("học phí", index=ix, facets="views,nothing")
    assert result.facets == {} and len(result.notes) == 2
    assert "number field" in result.notes[0] and "no such field" in result.notes[1]


def test_stats_list_the_fields_and_their_kinds(ix):
    assert index_stats(ix)["fields"] == {"date": "date", "path": "folder", "type": "keyword",
                                         "category": "keyword", "encoding": "keyword", "published": "date",
                                         "size": "keyword", "views": "number"}


def test_paths_are_relative_to_the_indexed_folder(ix):
    doc = search("học phí mầm non", index=ix).documents()[0]
    assert doc.path == "docs/bao/2021/hoc-phi-thu.txt"
    assert doc.source.endswith("/docs/bao/2021/hoc-phi-thu.txt") and Path(doc.source).is_absolute()


def test_nested_json_pages_by_documents(ix):
    data = search("học phí", index=ix, limit=4).to_dict()
    assert data["total"] == ALL and len(data["documents"]) == 4
    assert all(len(d["passages"]) >= 1 and set(d["passages"][0]) == {"passage_no", "text", "score", "highlights",
                                                                       "snippet"} for d in data["documents"])
    seen = [d["doc_id"] for offset in range(0, ALL, 4)
            for d in search("học phí", index=ix, limit=4, offset=offset).to_dict()["documents"]]
    assert len(seen) == len(set(seen)) == ALL
    j1 = next(d for d in search("học phí y khoa", index=ix).to_dict()["documents"] if d["doc_id"] == "j1")
    assert j1["metadata"] == {"date": "2021-06-30", "category": "Sức khỏe", "views": 1200, "published": "2021-07-01"}
    passages = search("học phí", index=ix, mode="passages", limit=100).to_dict()
    assert passages["total"] == len(passages["hits"]) and "documents" not in passages
