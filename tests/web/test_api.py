"""The JSON API and the server-rendered pages, over HTTP against the real server."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import sys
from dataclasses import fields

import httpx
import pytest

from search import search

from .conftest import CORPUS, REPO, XSS_IMG, XSS_SCRIPT, running


def test_api_search_is_search_result_to_dict(client, index_dir):
    r = client.get("/api/search", params={"q": "tinh uy thai nguyen", "limit": 3})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    expected = search("tinh uy thai nguyen", index_dir, limit=3).to_dict()
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected and data["api_version"] == 2 and "hits" not in data
    assert data["documents"] and all(d["passages"] for d in data["documents"])
    assert data["documents"][0]["path"] == "corpus/000_13f43d64bff1cfb9.txt"
    assert data["documents"][0]["source"] == str(CORPUS / "000_13f43d64bff1cfb9.txt")
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in data["documents"][0]["passages"][0]["snippet"]
    passages = client.get("/api/search", params={"q": "tinh uy thai nguyen", "limit": 3, "mode": "passages"}).json()
    expected = search("tinh uy thai nguyen", index_dir, limit=3, mode="passages").to_dict()
    passages.pop("took_ms"), expected.pop("took_ms")
    assert passages == expected and len(passages["hits"]) == 3 and "documents" not in passages


def test_api_search_modes_exact_and_paging(client):
    passages = client.get("/api/search", params={"q": "thái nguyên", "mode": "passages", "limit": 5}).json()
    assert passages["mode"] == "passages" and len(passages["hits"]) == 5
    page2 = client.get("/api/search", params={"q": "thái nguyên", "mode": "passages", "limit": 5, "offset": 5}).json()
    assert {(h["doc_id"], h["passage_no"]) for h in page2["hits"]}.isdisjoint(
        {(h["doc_id"], h["passage_no"]) for h in passages["hits"]})
    exact = client.get("/api/search", params={"q": "Thái Nguyên", "exact": "true"}).json()
    assert exact["documents"]
    empty = client.get("/api/search", params={"q": ""}).json()
    assert empty["total"] == 0 and empty["documents"] == []


@pytest.mark.parametrize("params", [
    {"q": "a" * 1001},
    {"q": "thái", "limit": 0},
    {"q": "thái", "limit": 101},
    {"q": "thái", "limit": "many"},
    {"q": "thái", "offset": -1},
    {"q": "thái", "offset": 10_001},
    {"q": "thái", "mode": "everything"},
])
def test_api_search_limits(client, params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] and body["detail"]
    name = next(k for k in ("limit", "offset", "mode", "q") if k in params and (k != "q" or len(params) == 1))
    assert name in body["error"]


def test_api_search_limits_at_the_edges(client):
    assert client.get("/api/search", params={"q": "a" * 1000, "limit": 100, "offset": 10_000}).status_code == 200
    assert client.get("/api/search", params={"q": "thái", "limit": 1, "offset": 0}).status_code == 200


def test_api_suggest(client):
    data = client.get("/api/suggest", params={"q": "tinh uy thai nguyen"}).json()
    assert data["suggestion"] == "tỉnh ủy thái nguyên"
    assert data["titles"] and all({"doc_id", "title", "url"} <= set(t) for t in data["titles"])
    assert data["titles"][0]["url"].startswith("/doc/")
    assert client.get("/api/suggest", params={"q": ""}).json() == {"query": "", "suggestion": None, "titles": []}
    assert client.get("/api/suggest", params={"q": "x" * 1001}).status_code == 422


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/suggest"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {"q", "limit", "offset", "exact", "mode", "sort", "facets", "filter", "prefix", "typed"}
    # Both shapes of the result are described, told apart by their mode.
    response = spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["discriminator"]["propertyName"] == "mode"
    schemas = spec["components"]["schemas"]
    assert {"documents", "total", "api_version", "facets", "filters"} <= set(schemas["DocumentsResult"]["properties"])
    assert "hits" in schemas["PassagesResult"]["properties"] and "hits" not in schemas["DocumentsResult"]["properties"]
    assert {"passage_no", "text", "score", "highlights", "snippet"} <= set(schemas["Passage"]["properties"])
    assert {"doc_id", "path", "source", "metadata", "passages"} <= set(schemas["Document"]["properties"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_security_headers(client):
    for path in ("/", "/?q=thai", "/api/search?q=thai", "/doc/nope"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "default-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_unknown_document_is_404(client):
    for path in ("/doc/nope", "/doc/..%2F..%2F..%2Fetc%2Fpasswd", "/doc/%2Fetc%2Fpasswd", "/doc/../pyproject.toml"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "root:" not in r.text and "[build-system]" not in r.text
    r = client.get("/doc/nope")
    assert "text/html" in r.headers["content-type"] and "Không tìm thấy" in r.text
    assert client.get("/api/nothing-here").json()["error"]


def test_search_page_server_rendered(client):
    r = client.get("/", params={"q": "tinh uy thai nguyen"})
    assert r.status_code == 200
    html = r.text
    assert "kết quả" in html and "Có phải bạn muốn tìm" in html and "Tìm kiếm" in html
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in html
    assert 'href="/doc/' in html and "#p" in html
    r = client.get("/", params={"q": "thái nguyên", "limit": 1})
    assert "Trang sau" in r.text and "offset=1" in r.text
    r = client.get("/", params={"q": "thái nguyên", "limit": 1, "offset": 1})
    assert "Trang trước" in r.text


@pytest.mark.parametrize("params", [{"q": "x" * 1001}, {"q": "thái", "limit": "abc"}, {"q": "thái", "offset": "99999"}])
def test_search_page_bad_parameters_are_friendly(client, params):
    r = client.get("/", params=params)
    assert r.status_code == 400
    assert "text/html" in r.headers["content-type"] and 'class="error"' in r.text


def test_hostile_document_is_escaped(client):
    data = client.get("/api/search", params={"q": "kiem tra bao mat", "mode": "passages"}).json()
    hit = next(h for h in data["hits"] if XSS_SCRIPT in h["text"])
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    page = client.get("/", params={"q": "kiem tra bao mat"}).text
    doc = client.get(f"/doc/{hit['doc_id']}", params={"q": "bao mat"}).text
    for html in (page, doc):
        assert XSS_SCRIPT not in html and XSS_IMG not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in doc
    # a hostile query is echoed escaped too, even where its words are marked in the document
    doc = client.get(f"/doc/{hit['doc_id']}", params={"q": "<script>alert(2)</script>"}).text
    assert "<script>alert(2)" not in doc and "&lt;script&gt;alert(2)" in doc
    assert "<mark>alert</mark>" in doc and "<script>" not in doc.replace('<script src="/static/suggest.js"', "")
    echoed = client.get("/", params={"q": '"><script>alert(3)</script>'}).text
    assert "<script>alert(3)" not in echoed


def test_document_page_marks_the_query(client):
    hit = client.get("/api/search", params={"q": "tinh uy thai nguyen", "limit": 1, "mode": "passages"}).json()["hits"][0]
    html = client.get(f"/doc/{hit['doc_id']}", params={"q": "tinh uy thai nguyen"}).text
    assert f'id="p{hit["passage_no"]}"' in html
    assert "<mark>Tỉnh ủy Thái Nguyên</mark>" in html


def test_app_without_an_index(tmp_path):
    from search.web import create_app

    with running(create_app(tmp_path / "missing")) as url, httpx.Client(base_url=url) as client:
        r = client.get("/", params={"q": "thái"})
        assert r.status_code == 503 and "Chưa có chỉ mục" in r.text and "Traceback" not in r.text
        r = client.get("/api/search", params={"q": "thái"})
        assert r.status_code == 503 and "no vnsearch index" in r.json()["error"]
        assert client.get("/").status_code == 200  # the empty search page needs no index


def test_serve_without_an_index_is_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "vnsearch", "serve", "--index", str(tmp_path / "missing"), "--port", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert "no vnsearch index" in proc.stderr and "Traceback" not in proc.stderr


def test_parallel_requests_answer_like_one_at_a_time(client, base_url):
    """The server answers requests on a thread pool; the shared searcher must not mix them up."""
    from concurrent.futures import ThreadPoolExecutor

    queries = ["tinh uy thai nguyen", "đảng viên", "phát triển kinh tế", "hội nghị", "cán bộ", "chi bộ"] * 4

    def ask(q: str) -> list:
        with httpx.Client(base_url=base_url, timeout=30) as c:
            data = c.get("/api/search", params={"q": q, "mode": "passages", "limit": 20}).json()
        return [(h["doc_id"], h["passage_no"], h["score"], h["highlights"]) for h in data["hits"]]

    alone = {q: ask(q) for q in dict.fromkeys(queries)}
    assert all(alone.values())
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(ask, queries))
    assert together == [alone[q] for q in queries]


def _links(page_html: str) -> list[str]:
    """The documents' links of a results page, in order."""
    return [html_lib.unescape(u) for u in re.findall(r'<h2><a href="(/doc/[^"]+)"', page_html)]


def test_a_document_reached_from_results_leads_back_to_the_same_results(client):
    params = {"q": "thái nguyên", "limit": 2, "offset": 2, "sort": "date_asc", "filter": "type:txt"}
    results = client.get("/", params=params)
    assert results.status_code == 200
    links = _links(results.text)
    assert len(links) == 2
    for expected in ("limit=2", "offset=2", "sort=date_asc", "filter=type%3Atxt"):
        assert expected in links[0]
    doc = client.get(links[0].split("#")[0])
    assert doc.status_code == 200 and "<mark>" in doc.text
    back = html_lib.unescape(re.search(r'<p class="back"><a href="([^"]+)"', doc.text).group(1))
    assert back.startswith("/?") and "offset=2" in back
    again = client.get(back)
    assert _links(again.text) == links  # the same page of the same results, in the same order


def test_a_document_page_marks_keystrokes_as_the_results_searched_them(client):
    # Telex for "đường": decoded by default; as typed (``typed=1``, the results page's "search
    # as typed" link) it matches nothing, and the document page must not mark it either.
    hit = client.get("/api/search", params={"q": "đường", "limit": 1, "mode": "passages"}).json()["hits"][0]
    decoded = client.get(f"/doc/{hit['doc_id']}", params={"q": "dduwowngf"}).text
    assert "<mark>đường</mark>" in decoded
    as_typed = client.get(f"/doc/{hit['doc_id']}", params={"q": "dduwowngf", "typed": "1"}).text
    assert "<mark>" not in as_typed and "Không có chỗ nào khớp" in as_typed
