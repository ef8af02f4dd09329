"""The page and the API with queries as people type them (issue 14): Telex keystrokes shown as
decoded with a link to search them as typed, and as-you-type suggestions for a syllable still
being typed, against the real server and in real Chromium."""

from __future__ import annotations

import html
import re

from playwright.sync_api import expect


def test_page_says_what_keystrokes_were_searched_as_and_links_to_them_as_typed(client):
    page = client.get("/", params={"q": "tinhr uyr thais nguyeen"})
    assert page.status_code == 200
    body = page.text
    assert "Hiển thị kết quả cho <strong>tỉnh uỷ thái nguyên</strong>" in body
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in body
    link = html.unescape(re.search(r'<a class="as-typed" href="([^"]+)"', body).group(1))
    assert "typed=1" in link and "tinhr" in link
    typed = client.get(link)
    assert typed.status_code == 200 and "Hiển thị kết quả cho" not in typed.text


def test_api_search_reports_the_decoded_query_and_takes_the_switches(client):
    data = client.get("/api/search", params={"q": "tinhr uyr thais nguyeen"}).json()
    assert data["searched"] == "tỉnh uỷ thái nguyên" and "showing results for tỉnh uỷ thái nguyên" in data["notes"]
    typed = client.get("/api/search", params={"q": "tinhr uyr thais nguyeen", "typed": "true"}).json()
    assert typed["searched"] is None
    prefixed = client.get("/api/search", params={"q": "tinh uy thai ngu"}).json()
    whole = client.get("/api/search", params={"q": "tinh uy thai ngu", "prefix": "false"}).json()
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in prefixed["documents"][0]["passages"][0]["snippet"]
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" not in whole["documents"][0]["passages"][0]["snippet"]


def test_suggest_api_completes_the_last_syllable(client):
    data = client.get("/api/suggest", params={"q": "tinh uy thai ngu"}).json()
    assert data["titles"] and data["titles"][0]["title"].startswith("Tỉnh ủy Thái Nguyên")


def test_suggestions_for_a_syllable_still_being_typed(page, base_url):
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("tinh uy thai ngu", delay=15)
    titles = page.locator("#suggestions li.title a")
    expect(titles.first).to_contain_text("Tỉnh ủy Thái Nguyên")


def test_suggest_api_searches_keystrokes_as_typed_when_told(client):
    decoded = client.get("/api/suggest", params={"q": "dduwowngf"}).json()  # đường
    assert len(decoded["titles"]) >= 3
    assert client.get("/api/suggest", params={"q": "dduwowngf", "typed": "true"}).json()["titles"] == []


def test_a_page_searched_as_typed_suggests_and_searches_as_typed(page, base_url):
    page.goto(base_url + "/?q=tinhr+uyr&typed=1")
    expect(page.locator("p.decoded")).to_have_count(0)
    page.fill("#q", "")
    with page.expect_response(lambda r: "/api/suggest" in r.url and "dduwowngf" in r.url) as answered:
        page.locator("#q").press_sequentially("dduwowngf", delay=15)
    assert "typed=1" in answered.value.url and answered.value.json()["titles"] == []
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=dduwowngf.*typed=1"))
    expect(page.locator("p.decoded")).to_have_count(0)  # the box keeps the page's as-typed switch
    expect(page.locator("ol.results li.result")).to_have_count(0)
