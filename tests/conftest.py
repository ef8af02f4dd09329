"""Shared test settings.

Some tests need things outside Python (Debian's Chromium, a TTF font with Vietnamese glyphs).
On a developer machine without them they skip, saying why; under ``.ci/run``
(``VNSEARCH_STRICT=1``) a missing dependency fails the run instead, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("VNSEARCH_STRICT") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip (or, under CI, fail) a test whose outside dependency is missing."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"missing test dependency under VNSEARCH_STRICT=1: {reason}")
    pytest.skip(reason)
