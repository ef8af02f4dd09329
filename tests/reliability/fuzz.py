"""Random queries for ``search()`` and random requests for the web API (hypothesis, schemathesis).

Shared by ``test_fuzz`` and ``benchmarks/stress.py``, which runs many more examples.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._helpers import check_result, corpus_sentences

_WORDS = sorted({w for s in corpus_sentences()[:200] for w in s.split()})[:400]
OPERATORS = ["-", '"', "OR", "or", "title:", "tieude:", "tiêu đề:", "-title:", "--", '-"', ":", "*", "(", ")",
             "\\", "AND", "NOT", "+", "~", "^2", "?"]

token = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(OPERATORS),
    st.text(min_size=1, max_size=12),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2),  # lone surrogates
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=3),  # NUL and control characters
    st.text(st.characters(categories=["Mn", "Zs", "Cc", "Cf", "Po", "So"]), min_size=1, max_size=6),
    st.from_regex(r"[a-zđ]{1,8}\d{0,3}", fullmatch=True),
)
separator = st.sampled_from([" ", "", "  ", "\t", "\n", "\u00a0", "\u3000"])
structured = st.lists(st.tuples(token, separator), max_size=40).map(lambda ts: "".join(a + b for a, b in ts))
long_query = st.tuples(st.sampled_from(_WORDS + OPERATORS + ['"', "a", "đ"]), st.integers(1000, 10_000),
                       separator).map(lambda t: (t[0] + t[2]) * (t[1] // (len(t[0]) + len(t[2])) + 1))
queries = st.one_of(structured, st.text(max_size=300), long_query.map(lambda q: q[:10_000]))


@dataclass
class FuzzFigures:
    examples: int = 0
    errors: int = 0
    max_ms: float = 0.0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def fuzz_search(index_dir: Path, examples: int, seed: int | None = None) -> FuzzFigures:
    """Run ``examples`` random queries with random options through ``search()``; raise on the
    first failure (hypothesis shrinks it to a minimal query first)."""
    from search.engine import search

    figures = FuzzFigures()
    started = time.monotonic()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
              suppress_health_check=list(HealthCheck))
    @given(q=queries, mode=st.sampled_from(["documents", "passages"]), exact=st.booleans(),
           limit=st.one_of(st.integers(-5, 50), st.just(1_000_000)), offset=st.one_of(st.integers(-5, 30), st.just(10**12)))
    def one(q, mode, exact, limit, offset):
        figures.examples += 1
        t = time.perf_counter()
        result = search(q, index_dir, limit=limit, offset=offset, mode=mode, exact=exact)
        figures.max_ms = max(figures.max_ms, (time.perf_counter() - t) * 1000)
        check_result(result)
        assert len(result.documents()) <= max(0, min(limit, 1000))
        assert result.query == q or "not valid Unicode" in " ".join(result.notes)
        result.to_dict()
        json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")  # what the CLI prints

    one()
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


def fuzz_api(app, examples: int, seed: int | None = None, limit_ms: float | None = None) -> FuzzFigures:
    """Schemathesis over the app's own OpenAPI description (in-process ASGI): valid and invalid
    requests to every operation, none answered with a 5xx, and each within ``limit_ms`` if given.
    Raises on the first failure."""
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    figures = FuzzFigures()
    started = time.monotonic()
    strategy = st.one_of(schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE))

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def one(case):
        figures.examples += 1
        t = time.perf_counter()
        response = case.call()
        ms = (time.perf_counter() - t) * 1000
        figures.max_ms = max(figures.max_ms, ms)
        assert response.status_code < 500, (case.method, case.path, case.query, response.status_code, response.text[:300])
        assert limit_ms is None or ms <= limit_ms, (case.method, case.path, str(case.query)[:200], f"{ms:.0f} ms")

    one()
    figures.seconds = round(time.monotonic() - started, 1)
    return figures
