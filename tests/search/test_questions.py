"""Question words (gì, nào, bao nhiêu, tại sao) ask for the answer; they are not searched for."""

from __future__ import annotations

import pytest

from indexer.build import index_paths
from search import search
from search.questions import question_positions
from search.terms import query_syllables

DOCS = {
    "nho.txt": "Vỏ nho và huyết áp\n\nVỏ nho chứa resveratrol, có tác dụng chống oxy hóa và hạ huyết áp.",
    "hoi.txt": "Hỏi gì thì đáp nấy\n\nBạn muốn hỏi gì? Hỏi gì cũng được, hỏi bao nhiêu câu cũng được, tại sao lại không.",
    "sao.txt": "Ngôi sao sáng nhất\n\nNgôi sao sáng nhất bầu trời đêm là sao Thiên Lang.",
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("questions")
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    index_paths([root], root / "ix", jobs=1)
    return root / "ix"


def asked(query: str) -> list[str]:
    sylls = query_syllables(query)
    return [sylls[i].accented for i in sorted(question_positions(sylls))]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Chất bổ trong vỏ nho có tác dụng gì?", ["gì"]),
        ("Tại sao bị phạt tù bao nhiêu năm?", ["tại", "sao", "bao", "nhiêu"]),
        ("Thuốc nào tốt?", ["nào"]),
        ("chat bo co tac dung gi", ["gi"]),
        ("ngôi sao bao bì", []),  # sao (star) and bao (bag) alone are words
        ("nao dau may", []),  # folded, these are não, đau, máy
        ("gì", []),  # nothing else to search for
    ],
)
def test_question_words_are_recognized(query, expected):
    assert asked(query) == expected


@pytest.mark.parametrize("query", ["Vỏ nho có tác dụng gì?", "vo nho co tac dung gi", "Vỏ nho có tác dụng gì, bao nhiêu?"])
def test_a_passage_matching_only_the_question_words_is_not_a_hit(index_dir, query):
    result = search(query, index=index_dir)
    assert [h.title for h in result.hits] == ["Vỏ nho và huyết áp"]
    assert result.total == 1
    assert "gì" not in {h.text[s:e].lower() for h in result.hits for s, e in h.highlights}


def test_a_query_of_question_words_alone_still_searches_them(index_dir):
    result = search("gì", index=index_dir)
    assert [h.title for h in result.hits] == ["Hỏi gì thì đáp nấy"]


def test_sao_alone_is_a_word(index_dir):
    result = search("ngôi sao nào sáng nhất", index=index_dir)
    first = result.hits[0]
    assert first.title == "Ngôi sao sáng nhất"
    assert "sao" in {first.text[s:e].lower() for s, e in first.highlights} | {
        w for s, e in first.highlights for w in first.text[s:e].lower().split()
    }
