"""Passage splitting: exact spans, size bounds, whole sentences, speed."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.passages import Passage, split_passages

from .conftest import corpus_text

PREFIXES = ["000", "001", "002", "003", "004"]


def _check_spans(text: str, passages: list[Passage], max_chars: int) -> None:
    previous_end = 0
    for i, p in enumerate(passages):
        assert p.no == i
        assert text[p.start : p.end] == p.text
        assert p.text and p.text == p.text.strip()
        assert len(p.text) <= max_chars
        assert p.start >= previous_end
        # nothing but whitespace is skipped between passages
        assert not text[previous_end : p.start].strip()
        previous_end = p.end
    assert not text[previous_end:].strip()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_corpus_spans_and_bounds(prefix):
    text = corpus_text(prefix)
    passages = split_passages(text)
    assert passages
    _check_spans(text, passages, 800)
    # small pieces are merged: only a few passages (headings, captions) fall under min_chars
    short = [p for p in passages if len(p.text) < 200]
    assert len(short) <= max(2, len(passages) // 4)


_SENTENCE_END = re.compile(r"[.!?…;:][\"'”’»)]*$")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_corpus_passages_end_at_paragraph_or_sentence(prefix):
    text = corpus_text(prefix)
    for p in split_passages(text):
        after = text[p.end : p.end + 2]
        at_paragraph_end = after == "" or after.startswith("\n")
        # a ';' end only happens when one sentence is longer than the bound
        assert at_paragraph_end or _SENTENCE_END.search(p.text), p.text[-60:]


def test_corpus_sentence_longer_than_bound_is_split_at_clause():
    text = corpus_text("003")
    passages = split_passages(text)
    mid_sentence = [p for p in passages if p.text.endswith(";")]
    assert mid_sentence  # 003 has a > 800-char sentence listing resolutions


def test_no_cut_inside_numbers_or_abbreviations():
    sentence = "Giá trị sản xuất đạt 15.555 tỷ đồng, tăng 4,18% so với cùng kỳ tại TP. Hồ Chí Minh và Q. Bình Thạnh. "
    text = sentence * 40
    passages = split_passages(text, max_chars=400, min_chars=100)
    _check_spans(text, passages, 400)
    for p in passages:
        assert p.text.startswith("Giá trị") and p.text.endswith("Bình Thạnh.")


def test_merges_small_paragraphs_up_to_bound():
    paragraphs = ["Đoạn số %d có nội dung ngắn gọn về hội nghị." % i for i in range(30)]
    text = "\n\n".join(paragraphs)
    passages = split_passages(text, max_chars=300, min_chars=150)
    _check_spans(text, passages, 300)
    assert all(len(p.text) >= 150 for p in passages[:-1])
    assert len(passages) < len(paragraphs)


def test_hard_wrapped_lines_are_not_cut_mid_sentence():
    sentence = "Ban Chấp hành Đảng bộ tỉnh tổ chức hội nghị lần thứ hai mươi hai để sơ kết tình hình thực hiện nhiệm vụ."
    words = (sentence + " ") * 12
    wrapped = re.sub(r"(.{1,70})(?: |$)", "\\1\n", words)
    passages = split_passages(wrapped, max_chars=500, min_chars=100)
    _check_spans(wrapped, passages, 500)
    for p in passages:
        assert p.text.endswith("nhiệm vụ.")


def test_single_sentence_longer_than_bound_split_at_space():
    text = " ".join(["chữ"] * 1000)
    passages = split_passages(text, max_chars=100, min_chars=10)
    _check_spans(text, passages, 100)
    assert all(re.fullmatch(r"chữ( chữ)*", p.text) for p in passages)


def test_no_whitespace_at_all():
    text = "x" * 1050
    passages = split_passages(text, max_chars=100, min_chars=10)
    _check_spans(text, passages, 100)
    assert "".join(p.text for p in passages) == text


def test_empty_and_blank():
    assert split_passages("") == []
    assert split_passages(" \n\n\t ") == []


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(list("aăbcdđêôơư ÁẢẠỆ.,!?…;\n\t0123456789 TPtp\"”") + ["TP. ", ". H", "\n\n", "15.555 "]),
        max_size=300,
    ).map("".join),
    max_chars=st.integers(min_value=1, max_value=120),
    min_chars=st.integers(min_value=0, max_value=150),
)
def test_span_invariants_property(text, max_chars, min_chars):
    passages = split_passages(text, max_chars=max_chars, min_chars=min_chars)
    _check_spans(text, passages, max_chars)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=1, max_value=200))
def test_span_invariants_any_unicode(text, max_chars):
    _check_spans(text, split_passages(text, max_chars=max_chars, min_chars=max_chars // 3), max_chars)


def test_20mb_single_line_is_fast():
    sentence = "Kinh tế tiếp tục duy trì tăng trưởng, giá trị xuất khẩu đạt 21 tỷ đô la Mỹ, tăng 7,3%. "
    text = sentence * (20_000_000 // len(sentence))
    start = time.process_time()  # this process's CPU: other jobs on the machine do not count
    passages = split_passages(text)
    elapsed = time.process_time() - start
    assert elapsed < 10, elapsed
    assert passages[0].text == text[passages[0].start : passages[0].end]
    assert all(len(p.text) <= 800 for p in passages)
    assert passages[-1].end == len(text.rstrip())


def test_20mb_without_sentence_ends_is_fast():
    text = "chữ " * 5_000_000
    start = time.process_time()
    passages = split_passages(text)
    assert time.process_time() - start < 10
    assert all(len(p.text) <= 800 for p in passages)
