"""Shared helpers for the indexer tests: real corpus text, no mocks."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def corpus_file(prefix: str) -> Path:
    matches = sorted(CORPUS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"corpus file {prefix}_* not present")
    return matches[0]


def corpus_text(prefix: str) -> str:
    return unicodedata.normalize("NFC", corpus_file(prefix).read_text(encoding="utf-8"))


def corpus_paragraphs(prefix: str, min_len: int = 150) -> list[str]:
    return [p.strip() for p in corpus_text(prefix).split("\n") if len(p.strip()) >= min_len]


@pytest.fixture(scope="session")
def article_000() -> str:
    return corpus_text("000")
