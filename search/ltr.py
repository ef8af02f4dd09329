"""The document ranking: a small model over the candidates' features (``features``).

The model is a weight per feature, kept in ``ranking.json`` beside this module and written by
``benchmarks/train_ranking.py``: weights fitted on the two evaluation sets are shipped only if they
beat the untuned prior (best passage and whole document, equal weights) on the set they were not
fitted on. So far they have not, and the prior is what ships (figures and folds in ``benchmarks/``). A linear model over features scaled per query generalizes
from two sets better than trees would: every feature is divided by its largest value among the
query's candidates, so that a weight means the same for a three-word query and a forty-word
question, on a collection of short passages or of long articles.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from .features import FEATURES

MODEL = Path(__file__).with_name("ranking.json")


def normalize(x: np.ndarray) -> np.ndarray:
    """Each column divided by its largest value over the rows (a query's candidates)."""
    top = x.max(axis=0) if len(x) else np.zeros(x.shape[1], dtype=x.dtype)
    return x / np.where(top > 0, top, 1.0)


@lru_cache(maxsize=1)
def weights() -> np.ndarray:
    """The shipped model's weights, in ``FEATURES`` order (a feature it does not name weighs 0)."""
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    named = dict(zip(model["features"], model["weights"]))
    return np.array([float(named.get(name, 0.0)) for name in FEATURES], dtype=np.float32)


@lru_cache(maxsize=1)
def used() -> frozenset[str]:
    """The features the model weighs (the others need not be computed)."""
    return frozenset(name for name, w in zip(FEATURES, weights()) if w != 0)


def document_scores(x: np.ndarray) -> np.ndarray:
    """Scores of a query's candidates from their features."""
    return normalize(x) @ weights()
