"""Property tests: no query breaks ``search()``, no request gets a 5xx from the web API.

Modest example counts here (CI time); ``benchmarks/stress.py`` runs thousands.
"""

from __future__ import annotations

import os

from search.web import create_app

from .fuzz import fuzz_api, fuzz_search

EXAMPLES = int(os.environ.get("VNSEARCH_FUZZ_EXAMPLES", "150"))


def test_random_queries_never_break_search(small_index):
    figures = fuzz_search(small_index, EXAMPLES, seed=1)
    assert figures.examples >= EXAMPLES * 0.9


def test_the_api_never_answers_5xx(small_index):
    figures = fuzz_api(create_app(small_index), EXAMPLES, seed=1)
    assert figures.examples >= EXAMPLES * 0.5
