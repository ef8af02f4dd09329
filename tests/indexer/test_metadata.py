"""Titles, dates and hashes guessed from real corpus articles."""

from __future__ import annotations

import pytest

from indexer.metadata import content_hash, find_date, guess_title

from .conftest import corpus_text


@pytest.mark.parametrize(
    "prefix, title",
    [
        ("000", "Tỉnh ủy Thái Nguyên: Tổng kết công tác xây dựng Đảng năm 2020 và Chỉ thị 35-CT/TW "
                "của Bộ Chính trị về đại hội đảng bộ các cấp"),
        ("001", "Chi bộ cơ sở Ban Tuyên giáo Tỉnh uỷ triển khai Nghị quyết Đại hội Đại biểu Đảng bộ "
                "Khối các cơ quan Tỉnh nhiệm kỳ 2020 - 2025"),
        ("002", "Tổng kết công tác tổ chức xây dựng Đảng năm 2020"),
        ("003", "Thông báo kết quả Hội nghị lần thứ 22 Ban Chấp hành Đảng bộ tỉnh khóa X"),
    ],
)
def test_titles_skip_site_chrome(prefix, title):
    assert guess_title(corpus_text(prefix)) == title


def test_markdown_heading_wins():
    text = "Đăng nhập\n\nMột đoạn mở đầu khá dài nhưng không phải tiêu đề.\n\n## Kết quả Hội nghị lần thứ 22\n"
    assert guess_title(text) == "Kết quả Hội nghị lần thứ 22"


def test_title_fallbacks():
    assert guess_title("") == ""
    assert guess_title("\n\n  Đăng nhập \n") == "Đăng nhập"
    assert guess_title("Ngắn\nTin tức\n") == "Ngắn"
    long_line = "Đồng chí " + "rất " * 100 + "dài."
    title = guess_title(long_line)
    assert len(title) <= 201 and title.endswith("…")


@pytest.mark.parametrize(
    "prefix, date",
    [
        ("000", "2020-12-23"),  # "2020-12-23 16:14:00.0"
        ("001", "2020-09-25"),  # "Chiều ngày 25/9/2020"
        ("002", "2021-01-22"),  # "Thứ sáu,  22/01/2021"
        ("003", "2020-09-29"),  # "29/09/2020 - 20:56"
        ("004", "2021-07-28"),  # "ngày 28/7/2021"
    ],
)
def test_dates_in_corpus(prefix, date):
    assert find_date(corpus_text(prefix)) == date


@pytest.mark.parametrize(
    "text, date",
    [
        ("Cập nhật 2020-12-23 16:14:00.0", "2020-12-23"),
        ("29/09/2020 - 20:56", "2020-09-29"),
        ("Thứ sáu,  22/01/2021", "2021-01-22"),
        ("BDK - Ngày 29-9-2020, Ban Chấp hành", "2020-09-29"),
        ("Hà Nội, ngày 29 tháng 9 năm 2020", "2020-09-29"),
        ("NGÀY 5 THÁNG 10 NĂM 2021", "2021-10-05"),
        ("Ngày 31/02/2020 sai, ngày 01.03.2020 đúng", "2020-03-01"),
        ("giá trị 15.555 tỷ, tăng 4,18%, nhiệm kỳ 2020-2025", None),
        ("", None),
    ],
)
def test_date_formats(text, date):
    assert find_date(text) == date


def test_dateline_beyond_window_still_found():
    text = "Không có ngày ở đây. " * 200 + "Ban hành ngày 3/2/2019."
    assert len(text) > 2000
    assert find_date(text) == "2019-02-03"


def test_content_hash():
    data = corpus_text("002").encode("utf-8")
    assert content_hash(data) == content_hash(bytes(data))
    assert content_hash(data) != content_hash(data + b" ")
    assert len(content_hash(data)) == 40 and int(content_hash(data), 16) >= 0
