"""The field analyzers on the sample corpus: spans, words, numbers and codes, spelling variants."""

from __future__ import annotations

import unicodedata

import pytest

from analyzers import FIELD_ANALYZERS, fold, normalize_syllable, split_syllables

from ._helpers import FIELDS, corpus, texts, to_new_style, to_old_style, tokens

ARTICLES = sorted(corpus())


def test_the_four_fields():
    assert set(FIELD_ANALYZERS) == {"syl", "fsyl", "word", "fpair"}


def surface(field: str, span: str) -> str:
    """What a token of ``field`` must read, from the characters its span covers."""
    parts = split_syllables(span)
    assert parts, span
    syllables = [normalize_syllable(span[p.start : p.end]) for p in parts]
    if field in ("fsyl", "fpair"):
        syllables = [fold(s) for s in syllables]
    if field in ("syl", "fsyl"):
        # one syllable, covered exactly
        assert len(parts) == 1 and parts[0].start == 0 and parts[0].end == len(span), repr(span)
    else:
        assert len(parts) >= 2, repr(span)
        assert parts[0].start == 0 and parts[-1].end == len(span), repr(span)
        # a word or pair never reaches across punctuation or a line break
        assert all(p.gap == "" for p in parts[1:]), repr(span)
    return "_".join(syllables)


@pytest.mark.parametrize("name", ARTICLES)
@pytest.mark.parametrize("field", FIELDS)
def test_spans_slice_the_text_back_to_the_token(name, field):
    text = corpus()[name]
    toks = tokens(field, text)
    assert toks
    for tok_text, _pos, start, end in toks:
        assert 0 <= start < end <= len(text)
        assert surface(field, text[start:end]) == tok_text


@pytest.mark.parametrize("name", ARTICLES)
def test_positions_are_syllable_positions(name):
    text = corpus()[name]
    syl = tokens("syl", text)
    assert [t[1] for t in syl] == list(range(len(syl)))
    by_pos = {t[1]: t for t in syl}
    for field in ("word", "fpair"):
        for tok_text, pos, start, end in tokens(field, text):
            n = tok_text.count("_") + 1
            first, last = by_pos[pos], by_pos[pos + n - 1]
            assert (first[2], last[3]) == (start, end)
            joined = "_".join(by_pos[p][0] for p in range(pos, pos + n))
            assert (fold(joined) if field == "fpair" else joined) == tok_text


def all_texts(field: str) -> set[str]:
    return {t for text in corpus().values() for t in texts(field, text)}


@pytest.mark.parametrize(
    "field,expected",
    [
        ("syl", {"tỉnh", "uỷ", "thái", "nguyên", "đảng", "xây", "dựng", "người", "grdp"}),
        ("fsyl", {"tinh", "uy", "thai", "nguyen", "dang", "xay", "dung", "nguoi", "grdp"}),
        ("word", {"tỉnh_uỷ", "xây_dựng", "đảng_bộ", "chỉ_thị", "chính_trị", "kinh_tế", "hội_nghị"}),
        ("fpair", {"tinh_uy", "thai_nguyen", "xay_dung", "dang_bo", "chi_thi", "bo_chinh", "chinh_tri"}),
    ],
)
def test_known_terms_come_out(field, expected):
    assert expected <= all_texts(field)


def test_syllables_are_never_written_in_the_old_style():
    # The corpus spells ủy (old) far more often than uỷ (new); the index keeps only one form.
    assert "ủy" not in all_texts("syl")
    assert "tỉnh_ủy" not in all_texts("word")


def test_every_article_has_tinh_uy_as_a_word_whatever_its_spelling():
    for name, text in corpus().items():
        assert "tỉnh_uỷ" in texts("word", text), name


def test_mixed_tone_styles_in_one_article_give_one_term():
    # 001 writes both "Tỉnh uỷ" and "Tỉnh ủy"; every occurrence must be the same word.
    text = corpus()["001_867808e4786f0d5e.txt"]
    assert "Tỉnh uỷ" in text and "Tỉnh ủy" in text
    n = text.count("Tỉnh uỷ") + text.count("Tỉnh ủy")
    words = texts("word", text)
    assert words.count("tỉnh_uỷ") == n
    assert texts("fpair", text).count("tinh_uy") == n


def run_in(field_tokens: list[str], run: list[str]) -> bool:
    k = len(run)
    return any(field_tokens[i : i + k] == run for i in range(len(field_tokens) - k + 1))


@pytest.mark.parametrize(
    "typed,syllables",
    [
        ("4,18%", ["4", "18"]),
        ("15.555 tỷ", ["15", "555", "tỉ"]),  # i/y unified (analyzers.iy)
        ("30/5/2019", ["30", "5", "2019"]),
        ("35-CT/TW", ["35", "ct", "tw"]),
        ("Covid-19", ["covid", "19"]),
        ("GRDP", ["grdp"]),
        ("2020-12-23 16:14:00.0", ["2020", "12", "23", "16", "14", "00", "0"]),
    ],
)
def test_numbers_and_codes_in_the_corpus_come_out_as_typed(typed, syllables):
    text = corpus()["000_13f43d64bff1cfb9.txt"]
    assert typed in text
    assert run_in(texts("syl", text), syllables)
    assert run_in(texts("fsyl", text), [fold(s) for s in syllables])
    # the query for the code, analyzed the same way, is that same run of syllables
    assert texts("syl", typed) == syllables


def test_covid_upper_case_in_another_article():
    text = corpus()["004_f3c1ed268efcd059.txt"]
    assert "COVID-19" in text
    assert run_in(texts("syl", text), ["covid", "19"])


def test_number_parts_are_not_paired_across_their_punctuation():
    pairs = texts("fpair", "thu ngân sách 15.555 tỷ đồng, tăng 4,18%")
    assert "15_555" not in pairs and "4_18" not in pairs
    assert {"ngan_sach", "555_ti", "ti_dong", "tang_4"} <= set(pairs)  # tỷ is tỉ (analyzers.iy)
    assert "dong_tang" not in pairs  # the comma separates them


def test_words_never_include_numbers():
    for text in corpus().values():
        for w in texts("word", text):
            assert not any(ch.isdigit() for ch in w), w


def test_all_caps_heading_gives_the_words_of_its_lowercase():
    text = corpus()["003_fdfce449e735e8c1.txt"]
    heading = next(line for line in text.splitlines() if "BAN CHẤP HÀNH ĐẢNG BỘ TỈNH" in line)
    assert heading.isupper()
    for field in FIELDS:
        assert tokens(field, heading) == tokens(field, heading.lower()), field
    words = texts("word", heading)
    assert {"chấp_hành", "đảng_bộ"} <= set(words)


@pytest.mark.parametrize("name", ARTICLES)
def test_all_caps_article_gives_the_same_tokens(name):
    text = corpus()[name]
    for field in FIELDS:
        assert tokens(field, text.upper()) == tokens(field, text.lower()), field


@pytest.mark.parametrize("name", ARTICLES)
def test_old_and_new_tone_style_give_the_same_tokens(name):
    text = corpus()[name]
    old, new = to_old_style(text), to_new_style(text)
    assert old != new
    assert len(old) == len(new) == len(text)
    for field in FIELDS:
        assert tokens(field, old) == tokens(field, new) == tokens(field, text), field


@pytest.mark.parametrize("name", ARTICLES)
def test_nfd_text_gives_nfc_tokens_with_offsets_into_the_nfd_string(name):
    text = corpus()[name]
    nfd = unicodedata.normalize("NFD", text)
    assert len(nfd) > len(text)
    for field in FIELDS:
        composed, decomposed = tokens(field, text), tokens(field, nfd)
        assert [t[0] for t in decomposed] == [t[0] for t in composed], field
        assert [t[1] for t in decomposed] == [t[1] for t in composed], field
        for tok_text, _pos, start, end in decomposed:
            assert surface(field, nfd[start:end]) == tok_text
    # the span of a syllable covers all its combining marks
    for (_, _, s1, e1), (_, _, s2, e2) in zip(tokens("syl", text), tokens("syl", nfd)):
        assert unicodedata.normalize("NFC", nfd[s2:e2]) == text[s1:e1]


def test_highlight_offsets_on_a_sentence():
    text = "Bí thư Tỉnh ủy Thái Nguyên phát biểu."
    words = {t[0]: text[t[2] : t[3]] for t in tokens("word", text)}
    assert words["tỉnh_uỷ"] == "Tỉnh ủy"
    pairs = {t[0]: text[t[2] : t[3]] for t in tokens("fpair", text)}
    assert pairs["thai_nguyen"] == "Thái Nguyên"


def test_query_without_diacritics_meets_the_folded_fields():
    doc = "Tỉnh ủy Thái Nguyên xây dựng Đảng"
    query = "tinh uy thai nguyen xay dung dang"
    assert texts("fsyl", query) == texts("fsyl", doc)
    assert texts("fpair", query) == texts("fpair", doc)
