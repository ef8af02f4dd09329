"""Vietnamese as people really type it (issue 14), on a real index of the shipped corpus and
documents written here: i/y spellings and the look-alike Ð, abbreviations and synonyms, Telex/VNI
keystrokes, and the last syllable as a prefix; and the cases that must stay apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzers import ANALYSIS_VERSION
from indexer.build import index_paths
from indexer.storage import open_reader
from search import search
from search.documents import query_terms
from search.engine import SearchError

from .conftest import CORPUS

DOCS = {
    "my-i.txt": "Quan hệ Việt – Mĩ\n\nHọc sinh tìm hiểu lịch sử quan hệ Việt – Mĩ và kĩ thuật in ấn, với hi vọng "
                "trở thành kĩ sư.",
    "my-y.txt": "Kinh tế Mỹ năm nay\n\nNền kinh tế Mỹ tăng trưởng nhờ kỹ thuật mới; nhiều kỹ sư hy vọng vào lý "
                "thuyết của các nhà khoa học.",
    "tuy.txt": "Tuy vậy\n\nTuy trời mưa to, học sinh vẫn đến trường đúng giờ.",
    "tay.txt": "Đôi tay khéo léo\n\nEm bé giơ tay lên vẫy chào mọi người.",
    "eth.txt": "\u00d0ảm bảo an toàn điện\n\nCông ty \u00d0iện lực cam kết \u00d0ảm bảo an toàn điện trong mùa mưa bão.",
    "ubnd-full.txt": "Ủy ban nhân dân tỉnh Bắc Ninh họp phiên thường kỳ\n\nSáng nay, Ủy ban nhân dân tỉnh Bắc Ninh "
                     "đã họp phiên thường kỳ tháng năm.",
    "ubnd-short.txt": "UBND tỉnh Lạng Sơn ban hành kế hoạch\n\nUBND tỉnh Lạng Sơn vừa ban hành kế hoạch trồng rừng "
                      "năm 2021.",
    "tphcm.txt": "Giá nhà ở TP.HCM tăng\n\nGiá căn hộ tại TP.HCM tiếp tục tăng trong quý đầu năm.",
    "tp-full.txt": "Thành phố Hồ Chí Minh mở rộng tuyến xe buýt\n\nThành phố Hồ Chí Minh sẽ mở thêm ba tuyến xe "
                   "buýt điện.",
    "trung-uong.txt": "Hội nghị lần thứ ba\n\nBan Chấp hành Trung ương Đảng họp Hội nghị lần thứ ba bàn về công tác "
                      "cán bộ.",
    "tu.txt": "Ngày thứ tư\n\nVào ngày thứ tư hằng tuần, thư viện mở cửa muộn.",
    "ni.txt": "Ni cô ở chùa làng\n\nMột ni cô tụng kinh ở chùa làng mỗi sáng.",
    "cong-ty.txt": "Công ty may mặc\n\nCông ty may mặc tuyển thêm công nhân cho xưởng mới.",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("typed")
    docs = root / "docs"
    shutil.copytree(CORPUS, docs)
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    return root / "ix", docs


def _names(result) -> list[str]:
    return [Path(h.path).name for h in result.hits]


def _marked(result, name: str) -> list[str]:
    return [h.text[a:b] for h in result.hits if Path(h.path).name == name for a, b in h.highlights]


# -- 1. i/y and Ð ----------------------------------------------------------------------------

@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("query", ["Mỹ", "Mĩ", "kỹ thuật", "kĩ thuật", "hy vọng", "hi vọng"])
def test_either_spelling_finds_both(built, query, exact):
    index, _ = built
    result = search(query, index=index, exact=exact)
    assert {"my-i.txt", "my-y.txt"} <= set(_names(result))


def test_highlights_mark_both_spellings(built):
    index, _ = built
    result = search("Mỹ", index=index, exact=True)
    assert "Mĩ" in _marked(result, "my-i.txt") and "Mỹ" in _marked(result, "my-y.txt")


def test_code_with_the_other_spelling(built):
    index, _ = built
    assert "000_13f43d64bff1cfb9.txt" in _names(search("15.555 tỉ", index=index, exact=True))  # corpus: tỷ


@pytest.mark.parametrize("query,found,not_found", [
    ("tuy", "tuy.txt", "tay.txt"),
    ("tay", "tay.txt", "tuy.txt"),
    ("thứ tư", "tu.txt", "my-y.txt"),
])
def test_different_syllables_stay_apart(built, query, found, not_found):
    index, _ = built
    names = _names(search(query, index=index, exact=True, limit=50))
    assert found in names and not_found not in names


def test_the_lookalike_eth_is_found_in_exact_mode(built):
    index, _ = built
    result = search("đảm bảo an toàn điện", index=index, exact=True)
    assert _names(result)[0] == "eth.txt"
    assert "\u00d0ảm bảo an toàn điện" in _marked(result, "eth.txt")


def test_did_you_mean_keeps_the_corpus_spelling(built):
    index, _ = built
    # both spellings are one term; the suggestion takes the one written around the query's words
    assert search("ki thuat moi", index=index).suggestion == "kỹ thuật mới"
    assert search("va ki thuat in", index=index).suggestion == "và kĩ thuật in"


# -- 2. abbreviations and synonyms -----------------------------------------------------------

@pytest.mark.parametrize("query", ["UBND tỉnh", "ubnd tinh", "Ủy ban nhân dân tỉnh", "uy ban nhan dan tinh"])
def test_either_form_finds_both(built, query):
    index, _ = built
    names = _names(search(query, index=index, limit=20))
    assert {"ubnd-full.txt", "ubnd-short.txt"} <= set(names)


def test_an_expansion_ranks_as_a_match_of_the_phrase(built):
    index, _ = built
    names = _names(search("UBND", index=index, limit=20, passages_per_doc=1))
    # the passages holding the phrase come right after (or among) those holding the abbreviation
    assert set(names[:4]) >= {"ubnd-full.txt", "ubnd-short.txt"}


@pytest.mark.parametrize("query", ["TP.HCM", "TPHCM", "TP HCM", "thành phố Hồ Chí Minh"])
def test_tp_hcm_in_every_spelling(built, query):
    index, _ = built
    assert {"tphcm.txt", "tp-full.txt"} <= set(_names(search(query, index=index, limit=20)))


def test_highlights_mark_what_matched(built):
    index, _ = built
    result = search("UBND", index=index, limit=20)
    assert "Ủy ban nhân dân" in _marked(result, "ubnd-full.txt")
    assert "UBND" in _marked(result, "ubnd-short.txt")
    terms = query_terms("UBND", index=index)
    assert "uy_ban" in terms.pairs and "ubnd" in terms.folded


def test_ambiguous_abbreviations_expand_only_as_abbreviations(built):
    index, _ = built
    assert "trung-uong.txt" in _names(search("BCH TW", index=index, limit=20))
    # lowercase "tw" is not an abbreviation here (and is Telex for "tư")
    assert "trung-uong.txt" not in _names(search("tw", index=index, limit=50))
    # TW inside a code is part of the code
    assert "trung-uong.txt" not in _names(search("35-CT/TW", index=index, limit=50))


def test_synonyms_off_and_from_a_file(built, tmp_path):
    index, _ = built
    assert "ubnd-full.txt" not in _names(search("UBND", index=index, synonyms=False, limit=50))
    mine = tmp_path / "mine.txt"
    mine.write_text("# nhà cô\nchùa làng, ngôi chùa của làng\nthư viện, phòng đọc sách\n", encoding="utf-8")
    assert "tu.txt" not in _names(search("phòng đọc sách", index=index, synonyms=False))
    assert "tu.txt" in _names(search("phòng đọc sách", index=index, synonyms=mine))


@pytest.mark.parametrize("content,message", [
    ("chỉ một từ\n", "line 1: a group needs two terms"),
    (b"\xff\xfe bad", "is not UTF-8 text"),
])
def test_a_bad_synonyms_file_is_one_clear_error(built, tmp_path, content, message):
    index, _ = built
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(SearchError, match=message):
        search("UBND", index=index, synonyms=bad)
    with pytest.raises(SearchError, match="cannot read synonyms file"):
        search("UBND", index=index, synonyms=tmp_path / "missing.txt")


LIBRARY = {  # none of them writes the other form of a group below
    "thu-vien.txt": "Thư viện tỉnh mở cửa buổi tối\n\nThư viện tỉnh mở cửa đến chín giờ tối cho học sinh ôn thi.",
    "phong-doc.txt": "Phòng đọc sách của xã\n\nPhòng đọc sách của xã vừa nhận thêm năm trăm cuốn truyện.",
    "sieu-thi.txt": "Siêu thị mini ở phường\n\nMột siêu thị mini mới mở ở đầu phường.",
    "ubnd.txt": "Ủy ban nhân dân xã họp dân\n\nỦy ban nhân dân xã họp dân bàn việc làm đường.",
}


def _library(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    for name, text in LIBRARY.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


def test_synonyms_given_at_index_time_are_kept_in_the_index(tmp_path):
    docs = _library(tmp_path)
    mine = tmp_path / "mine.txt"
    mine.write_text("# của thư viện\nthư viện, phòng đọc sách\n", encoding="utf-8")
    index = tmp_path / "ix"
    index_paths([docs], index, jobs=1, synonyms=mine)
    mine.unlink()  # the index keeps a copy: the original may go
    assert "phong-doc.txt" in _names(search("thư viện", index=index))
    assert "thu-vien.txt" in _names(search("phong doc sach", index=index))
    marked = _marked(search("thư viện", index=index), "phong-doc.txt")
    assert "Phòng đọc sách" in marked  # highlights mark what the index's group matched
    assert "phong_doc" in query_terms("thư viện", index=index).pairs
    # the shipped table still applies beside it, and --no-synonyms turns both off
    assert "ubnd.txt" in _names(search("UBND", index=index))
    off = search("thư viện", index=index, synonyms=False)
    assert "phong-doc.txt" not in _names(off) and "ubnd.txt" not in _names(search("UBND", index=index, synonyms=False))
    # a file given at search time adds to the index's groups
    more = tmp_path / "more.txt"
    more.write_text("siêu thị, chợ\n", encoding="utf-8")
    both = search("chợ", index=index, synonyms=more)
    assert "sieu-thi.txt" in _names(both)
    assert "phong-doc.txt" in _names(search("thư viện", index=index, synonyms=more))
    assert "sieu-thi.txt" not in _names(search("chợ", index=index))


def test_a_later_build_keeps_or_replaces_the_index_synonyms(tmp_path):
    docs = _library(tmp_path)
    mine = tmp_path / "mine.txt"
    mine.write_text("thư viện, phòng đọc sách\n", encoding="utf-8")
    index = tmp_path / "ix"
    index_paths([docs], index, jobs=1, synonyms=mine)
    (docs / "cho.txt").write_text("Chợ phiên vùng cao\n\nChợ phiên họp vào sáng chủ nhật.", encoding="utf-8")
    assert index_paths([docs], index, jobs=1).added == 1  # given no file: the index keeps its groups
    assert "phong-doc.txt" in _names(search("thư viện", index=index))
    other = tmp_path / "other.txt"
    other.write_text("siêu thị, chợ\n", encoding="utf-8")
    index_paths([docs], index, jobs=1, synonyms=other)  # given another: it replaces them
    assert "sieu-thi.txt" in _names(search("chợ", index=index))
    assert "phong-doc.txt" not in _names(search("thư viện", index=index))
    empty = tmp_path / "empty.txt"
    empty.write_text("# none\n", encoding="utf-8")
    index_paths([docs], index, jobs=1, synonyms=empty)  # a file with no group: none kept
    assert "sieu-thi.txt" not in _names(search("chợ", index=index))


@pytest.mark.parametrize("content,message", [
    ("thư viện\n", "line 1: a group needs two terms"),
    (b"\xff\xfe bad", "is not UTF-8 text"),
])
def test_a_bad_synonyms_file_at_index_time_changes_nothing(tmp_path, content, message):
    from indexer.errors import IndexerError

    docs = _library(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text("thư viện, phòng đọc sách\n", encoding="utf-8")
    index = tmp_path / "ix"
    index_paths([docs], index, jobs=1, synonyms=good)
    (docs / "cho.txt").write_text("Chợ phiên vùng cao\n\nChợ phiên họp vào sáng chủ nhật.", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(IndexerError, match=message):
        index_paths([docs], index, jobs=1, synonyms=bad)
    with pytest.raises(IndexerError, match="cannot read synonyms file"):
        index_paths([docs], tmp_path / "new-ix", jobs=1, synonyms=tmp_path / "missing.txt")
    assert not (tmp_path / "new-ix").exists()
    assert "cho.txt" not in _names(search("chợ phiên", index=index))  # nothing was indexed
    assert "phong-doc.txt" in _names(search("thư viện", index=index))  # and the groups kept are the old ones


# -- 3. Telex and VNI ------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["tinhr uyr thais nguyeen", "tinh3 uy3 tha1i nguye6n", "tinhr uỷ Thái nguyeen"])
def test_keystrokes_are_searched_as_the_syllables(built, typed):
    index, _ = built
    result = search(typed, index=index)
    written = search("tỉnh ủy thái nguyên", index=index)
    assert result.searched is not None and f"showing results for {result.searched}" in result.notes
    assert [(h.doc_id, h.passage_no) for h in result.hits] == [(h.doc_id, h.passage_no) for h in written.hits]
    assert result.to_dict()["searched"] == result.searched


def test_as_typed_keeps_the_keystrokes(built):
    index, _ = built
    result = search("tinhr uyr thais nguyeen", index=index, as_typed=True)
    assert result.searched is None and not any(n.startswith("showing results for") for n in result.notes)


@pytest.mark.parametrize("query", ["thai nguyen", "Covid-19", "35-CT/TW", "email", "ban chap hanh"])
def test_words_the_index_holds_or_not_keystrokes_stay(built, query):
    index, _ = built
    assert search(query, index=index).searched is None


def test_mixed_query_decodes_only_the_keystrokes(built):
    index, _ = built
    result = search("Ban chaaps hanhf Trung uowng", index=index)
    assert result.searched == "Ban chấp hành Trung ương"
    assert _names(result)[0] == "trung-uong.txt"


# -- 4. the last syllable as a prefix --------------------------------------------------------

@pytest.mark.parametrize("query,name,completed", [
    ("bac ni", "ubnd-full.txt", "Bắc Ninh"), ("Bắc Ni", "ubnd-full.txt", "Bắc Ninh"),
    ("uy ban nhan d", "ubnd-full.txt", "Ủy ban nhân dân"), ("lang so", "ubnd-short.txt", "Lạng Sơn"),
    ("tuyen xe bu", "tp-full.txt", "tuyến xe buýt"),
])
def test_the_last_syllable_matches_as_a_prefix(built, query, name, completed):
    index, _ = built
    result = search(query, index=index)
    assert _names(result)[0] == name and completed in _marked(result, name)
    assert completed not in _marked(search(query, index=index, prefix=False), name)


def test_whole_words_rank_above_prefix_matches(built):
    index, _ = built
    names = _names(search("ni", index=index, limit=20, passages_per_doc=1))
    assert names[0] == "ni.txt" and "ubnd-full.txt" in names


def test_a_finished_word_is_not_a_prefix(built):
    index, _ = built
    # a space, a punctuation mark, a closing quote or a filter after it: the word is complete
    for query in ("bac ni ", "bac ni?", '"bac ni"', "bac -ni", "bac title:ni"):
        with_prefix = search(query, index=index, limit=50)
        assert with_prefix.to_dict()["documents"] == search(query, index=index, limit=50, prefix=False).to_dict()["documents"]
        assert "Bắc Ninh" not in _marked(with_prefix, "ubnd-full.txt"), query


def test_prefix_highlights_the_completed_syllable(built):
    index, _ = built
    result = search("bac ni", index=index)
    assert "Bắc Ninh" in _marked(result, "ubnd-full.txt")


@pytest.mark.parametrize("query,name,completed", [
    ("tinh bac n", "ubnd-full.txt", "Bắc Ninh"), ("uy ban nhan d", "ubnd-full.txt", "Ủy ban nhân dân"),
    ("tinh lang s", "ubnd-short.txt", "Lạng Sơn"),
])
def test_one_letter_after_a_syllable_completes_by_its_pairs(built, query, name, completed):
    index, _ = built
    result = search(query, index=index)
    assert _names(result)[0] == name and any(completed in m for m in _marked(result, name))


def test_after_a_syllable_the_prefix_is_searched_by_its_pairs_and_one_letter_alone_not_at_all(built):
    from search.engine import QueryOptions, plan_for, searching
    from search.plan import Scored
    from search.syntax import parse

    index, _ = built
    with searching(index) as opened:
        plan = plan_for(parse("bac ni"), opened.reader, QueryOptions(prefix=True))
        fsyl = {t for c in plan.clauses if isinstance(c, Scored) and c.field == "fsyl" for t in c.terms}
        fpair = {t for c in plan.clauses if isinstance(c, Scored) and c.field == "fpair" for t in c.terms}
        assert "ninh" not in fsyl and "bac_ninh" in fpair  # the pair alone: what was typed and its context
        alone = plan_for(parse("ni"), opened.reader, QueryOptions(prefix=True))
        assert "ninh" in {t for c in alone.clauses if isinstance(c, Scored) for t in c.terms}
        assert plan_for(parse("n"), opened.reader, QueryOptions(prefix=True)).expansion is None
    assert search("n", index=index).to_dict()["documents"] == search("n", index=index, prefix=False).to_dict()["documents"]


def test_short_prefixes_are_ranked_by_passages_once_per_open_index(built, tmp_path, monkeypatch):
    from search import prefix
    from search.engine import searching

    index, _ = built
    with searching(index) as opened:
        reader = opened.reader
        found = prefix.candidates(reader, "t")
        assert found and "t" not in found and all(t.startswith("t") for t in found)
        frequency = [reader.doc_frequency("fsyl", t) for t in found]
        assert frequency == sorted(frequency, reverse=True)  # most passages first
        assert prefix.candidates(reader, "t") is found  # kept with the open index
        every = [t for t in reader.terms_with_prefix("fsyl", "t") if t != "t"]
        assert set(found) == set(every) or len(found) == prefix.MAX_CANDIDATES
    monkeypatch.setattr(prefix, "MAX_CANDIDATES", 3)
    copy = tmp_path / "ix"
    shutil.copytree(index, copy)
    with searching(copy) as opened:
        top = prefix.candidates(opened.reader, "n")
        ranked = sorted((t for t in opened.reader.terms_with_prefix("fsyl", "n") if t != "n"),
                        key=lambda t: (-opened.reader.doc_frequency("fsyl", t), t))
        assert list(top) == ranked[:3]
        assert "xoong" not in prefix.candidates(opened.reader, "xo")
    monkeypatch.undo()
    # a new commit is a new reader: what it adds is ranked too
    more = tmp_path / "more"
    more.mkdir()
    (more / "xoong.txt").write_text("Nồi xoong nhôm\n\nBà mua nồi xoong nhôm ở chợ xoong xoong.", encoding="utf-8")
    index_paths([more], copy, jobs=1)
    with searching(copy) as opened:
        assert "xoong" in prefix.candidates(opened.reader, "xo")
    assert any("Nồi xoong" in m for m in _marked(search("noi x", index=copy), "xoong.txt"))


# -- the analysis version --------------------------------------------------------------------

# Release 0.1's index (analysis version 1: its segments do not record one).
RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1-index"


def _stale(result) -> list[str]:
    return [n for n in result.notes if "older analysis" in n]


def test_an_index_records_its_analysis_and_an_older_one_says_how_to_rebuild(built, tmp_path):
    index, docs = built
    with open_reader(index) as reader:
        assert reader.analysis_version() == ANALYSIS_VERSION
        assert {seg.info.analysis for seg, _ in reader.segments} == {ANALYSIS_VERSION}
    assert not _stale(search("Mỹ", index=index))
    old = tmp_path / "old"
    shutil.copytree(RELEASE / "index", old)
    with open_reader(old) as reader:
        assert reader.analysis_version() == 1
    notes = _stale(search("Mỹ", index=old))
    assert len(notes) == 1 and notes[0].endswith("--rebuild --index " + str(old) + "`")
    index_paths([docs], old, rebuild=True, jobs=1)
    assert not _stale(search("Mỹ", index=old))
    assert {"my-i.txt", "my-y.txt"} <= set(_names(search("Mỹ", index=old)))


def test_the_default_index_rebuilds_itself(tmp_path, monkeypatch):
    from indexer.default import default_index_dir, ensure_default_index

    monkeypatch.delenv("VNSEARCH_INDEX", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    index = default_index_dir()
    index.parent.mkdir(parents=True)
    shutil.copytree(RELEASE / "index", index)  # as if an older vnsearch had built it
    assert ensure_default_index() == index
    with open_reader(index) as reader:
        assert reader.analysis_version() == ANALYSIS_VERSION
        assert reader.counts()[0] == len(list(CORPUS.glob("*.txt")))


def test_keystrokes_beside_a_filter_show_the_filter_as_typed(built):
    index, _ = built
    for query, searched in (("tinhr uyr thais nguyeen date:2020", "tỉnh uỷ thái nguyên date:2020"),
                            ("date:2020 tinhr uyr", "date:2020 tỉnh uỷ")):
        result = search(query, index=index)
        assert result.searched == searched and f"showing results for {searched}" in result.notes
        assert " OR " not in result.searched


def test_an_index_copy_of_synonyms_that_vanishes_is_no_groups(tmp_path):
    # ``vnsearch index --synonyms`` with a file of no groups removes the index's copy; a search
    # that found it a moment before reads no groups from it, and fails on nothing.
    from search.synonyms import SynonymsError, load

    gone = tmp_path / "vnsearch-synonyms.txt"
    table = load(None, recorded=gone)
    assert table == load()
    with pytest.raises(SynonymsError, match="cannot read synonyms file"):
        load(gone)  # a file given at search time must exist
