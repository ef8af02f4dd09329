"""Oversized requests: a 10,000-character query, ``limit=1000000``, a huge ``offset``.

The Python API clamps them and answers in bounded time (saying what it did); the command line and
the web API refuse out-of-range numbers with a clear message (exit status 2 / HTTP 4xx) and answer
an over-long query shortened, or refuse it (the web API) with 422.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
import httpx

from vnsearch import main
from search.engine import MAX_LIMIT, search
from search.web import create_app

from tests.web.conftest import running

from ._helpers import check_result

LONG = ("tỉnh ủy hội nghị \"xây dựng\" -đảng title:văn OR " * 250)[:10_000]
BOUND = 5.0  # seconds: generous for a loaded CI machine; these take milliseconds


def timed(fn, *args, **kwargs):
    started = time.monotonic()
    out = fn(*args, **kwargs)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND, f"took {elapsed:.1f} s"
    return out


@pytest.mark.parametrize("mode", ["documents", "passages"])
def test_python_api_clamps(small_index, mode):
    assert len(LONG) == 10_000
    r = timed(search, LONG, small_index, mode=mode)
    assert any("shortened" in n for n in r.notes)
    check_result(r)
    assert r.total > 0

    everything = timed(search, "năm", small_index, limit=1_000_000, mode=mode)
    check_result(everything)
    assert 0 < len(everything.documents() if mode == "documents" else everything.hits) <= MAX_LIMIT
    assert len(everything.hits) >= min(everything.total, 10)

    far = timed(search, "năm", small_index, offset=10**12, limit=10**12, mode=mode)
    assert far.hits == [] and far.total == everything.total  # the offset is clamped to MAX_OFFSET

    negative = timed(search, "năm", small_index, offset=-10**9, limit=-3, mode=mode)
    assert negative.hits == [] and negative.total == everything.total


def test_cli_refuses_out_of_range_numbers(small_index):
    runner = CliRunner()
    for args, word in ((["--limit", "1000000"], "--limit"), (["--offset", str(10**12)], "--offset"),
                       (["--limit", "0"], "--limit"), (["--offset", "-1"], "--offset")):
        out = timed(runner.invoke, main, ["search", "--index", str(small_index), *args, "năm"])
        assert out.exit_code == 2, out.output
        assert "Invalid value" in out.output and word in out.output
        assert "Traceback" not in out.output


def test_cli_answers_a_long_query_saying_it_was_shortened(small_index):
    out = timed(CliRunner().invoke, main, ["search", "--index", str(small_index), "--limit", "1000", LONG])
    assert out.exit_code == 0, out.output
    assert "note: query shortened to its first 1000 characters" in out.output


@pytest.fixture(scope="module")
def client(small_index):
    """A real uvicorn server over the app (as ``vnsearch serve`` runs it)."""
    with running(create_app(small_index)) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


@pytest.mark.parametrize("params, field", [
    ({"q": LONG}, "q"),
    ({"q": "năm", "limit": "1000000"}, "limit"),
    ({"q": "năm", "offset": str(10**12)}, "offset"),
    ({"q": "năm", "offset": "99999999999999999999999999999"}, "offset"),
    ({"q": "năm", "limit": "-1"}, "limit"),
    ({"q": "năm", "limit": "nhiều"}, "limit"),
])
def test_web_api_refuses_with_422(client, params, field):
    for path in ("/api/search", "/api/suggest"):
        if path == "/api/suggest" and field != "q":
            continue
        r = timed(client.get, path, params=params)
        assert r.status_code == 422, r.text[:300]
        body = r.json()
        assert field in body["error"], body


@pytest.mark.parametrize("params", [{"q": LONG}, {"q": "năm", "limit": "1000000"}, {"q": "năm", "offset": str(10**12)}])
def test_web_page_refuses_with_400_and_a_message(client, params):
    r = timed(client.get, "/", params=params)
    assert r.status_code == 400
    assert "tối đa" in r.text or "trong khoảng" in r.text


def test_web_document_page_with_a_long_query(client, small_index):
    doc_id = search("năm", small_index).hits[0].doc_id
    r = timed(client.get, f"/doc/{doc_id}", params={"q": LONG})
    assert r.status_code == 200


def test_web_api_answers_the_largest_allowed_page(client):
    r = timed(client.get, "/api/search", params={"q": "năm", "limit": 100, "offset": 10_000})
    assert r.status_code == 200 and r.json()["documents"] == []
    r = timed(client.get, "/api/search", params={"q": "năm", "limit": 100, "mode": "passages"})
    assert r.status_code == 200 and 0 < len(r.json()["hits"]) <= 100
