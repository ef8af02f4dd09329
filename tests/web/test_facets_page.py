"""The search page's facets, sort switch and filter chips in headless Chromium, with JavaScript
on and off, over an index of dated documents and a JSONL file with categories written here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.build import index_paths

from .conftest import running

expect = pytest.importorskip("playwright.sync_api").expect

ARTICLES = [  # (id, date, category): every one is about học phí
    ("a1", "2021-03-04", "Giáo dục"), ("a2", "2021-09-01", "Giáo dục"), ("a3", "2021-05-30", "Sức khỏe"),
    ("a4", "2020-02-10", "Giáo dục"), ("a5", "2020-12-24", "Sức khoẻ"), ("a6", "2019-06-01", "Thể thao"),
]


@pytest.fixture(scope="module")
def facet_url(tmp_path_factory):
    from search.web import create_app

    root = tmp_path_factory.mktemp("facets")
    (root / "tin").mkdir()
    lines = [json.dumps({"id": i, "title": f"Học phí {category.lower()} {date}", "date": date, "category": category,
                         "text": f"Bài {i} nói về học phí năm học mới, mục {category}."}, ensure_ascii=False)
             for i, date, category in ARTICLES]
    (root / "tin" / "bao.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "tin" / "khong-ngay.txt").write_text("Học phí không ngày\n\nMột bài về học phí không ghi ngày.",
                                                 encoding="utf-8")
    index_paths([root / "tin"], root / "ix", jobs=1)
    with running(create_app(root / "ix")) as url:
        yield url


def texts(locator) -> list[str]:
    return [" ".join(t.split()) for t in locator.all_inner_texts()]


def dates_shown(page) -> list[str]:
    return page.locator("ol.results li.result time").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_facets_add_filters_chips_remove_them_and_sort_switches(browser, facet_url, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(facet_url + "/")
        page.fill("#q", "hoc phi")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"[?&]q=hoc"))
        expect(page.locator("ol.results li.result")).to_have_count(7)
        years = page.locator("section.facet[data-facet=year] li")
        assert texts(years) == ["2021 3", "2020 2", "2019 1"]
        categories = texts(page.locator("section.facet[data-facet=category] li"))
        assert categories == ["Giáo dục 3", "Sức khỏe 2", "Thể thao 1"]  # Sức khoẻ counted with Sức khỏe

        page.click("section.facet[data-facet=year] a:text-is('2021')")
        page.wait_for_url(re.compile(r"filter=date%3A2021"))
        expect(page.locator(".chips li.chip")).to_have_text(["date:2021 ×"])
        assert sorted(dates_shown(page)) == ["2021-03-04", "2021-05-30", "2021-09-01"]

        page.click("section.facet[data-facet=category] a:text-is('Giáo dục')")
        expect(page.locator(".chips li.chip")).to_have_count(2)
        assert sorted(dates_shown(page)) == ["2021-03-04", "2021-09-01"]

        page.click(".sort a[data-sort=date_asc]")
        page.wait_for_url(re.compile(r"sort=date_asc"))
        expect(page.locator(".sort strong")).to_have_text("Cũ nhất")
        assert dates_shown(page) == ["2021-03-04", "2021-09-01"]

        # a new search from the box keeps the order and the filters
        page.fill("#q", "học phí năm học")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"q=h%E1%BB%8Dc"))
        expect(page.locator(".chips li.chip")).to_have_count(2)
        assert dates_shown(page) == ["2021-03-04", "2021-09-01"]

        page.click(".chips li.chip:has-text('date:2021') a.remove")
        expect(page.locator(".chips li.chip")).to_have_text(['category:"Giáo dục" ×'])
        assert dates_shown(page) == ["2020-02-10", "2021-03-04", "2021-09-01"]

        page.click(".sort a[data-sort=date]")
        page.wait_for_url(re.compile(r"sort=date(&|$)"))
        assert dates_shown(page) == ["2021-09-01", "2021-03-04", "2020-02-10"]
        page.click(".chips li.chip a.remove")
        expect(page.locator(".chips li.chip")).to_have_count(0)
        expect(page.locator("ol.results li.result")).to_have_count(7)
        assert dates_shown(page)[0] == "2021-09-01" and page.locator("ol.results li.result").last.locator("time").count() == 0
    finally:
        context.close()


def test_filters_typed_in_the_query_are_chips_too(browser, facet_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(facet_url + "/?q=h%E1%BB%8Dc+ph%C3%AD+date%3A2020..2021+chuyenmuc%3Ax")
        expect(page.locator(".chips li.chip")).to_have_text(["date:2020..2021 ×"])
        expect(page.locator("p.note")).to_contain_text("no field 'chuyenmuc'")
        page.click(".chips li.chip a.remove")
        expect(page.locator("#q")).to_have_value("học phí chuyenmuc:x")
        expect(page.locator(".chips li.chip")).to_have_count(0)
    finally:
        context.close()


def _suggested(url: str, **params) -> list[str]:
    import httpx

    response = httpx.get(url + "/api/suggest", params=params, timeout=30)
    assert response.status_code == 200
    return [t["title"] for t in response.json()["titles"]]


def test_suggest_api_takes_the_page_filters(facet_url):
    everything = _suggested(facet_url, q="hoc ph")
    assert len(everything) == 5  # SUGGEST_TITLES of the seven documents
    assert _suggested(facet_url, q="hoc ph", filter="date:2019") == ["Học phí thể thao 2019-06-01"]
    both = _suggested(facet_url, q="hoc ph", filter=["date:2021", 'category:"Giáo dục"'])
    assert sorted(both) == ["Học phí giáo dục 2021-03-04", "Học phí giáo dục 2021-09-01"]


def test_suggestions_on_a_filtered_page_are_of_what_it_would_find(browser, facet_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(facet_url + "/?q=hoc+phi&filter=date%3A2020")
        expect(page.locator("ol.results li.result")).to_have_count(2)
        page.fill("#q", "")
        with page.expect_response(lambda r: "/api/suggest" in r.url) as answered:
            page.locator("#q").press_sequentially("hoc ph", delay=15)
        assert "filter=date%3A2020" in answered.value.url
        titles = page.locator("#suggestions li.title a")
        expect(titles).to_have_count(2)
        assert sorted(texts(titles)) == ["Học phí giáo dục 2020-02-10", "Học phí sức khoẻ 2020-12-24"]
        page.keyboard.press("Enter")  # the form's own submit finds the same documents
        page.wait_for_url(re.compile(r"q=hoc\+ph(&|$)"))
        expect(page.locator("ol.results li.result")).to_have_count(2)
    finally:
        context.close()
