"""Every read of the index that planning, ranking, hits and the document page make, in one place.

(Opening and caching the searcher stays in ``engine``, decoding Whoosh's storage in ``postings``.)
Each function is a one-liner over today's Whoosh searcher, so that the storage layer can replace
the searcher behind them without the query code noticing: clauses hold field names and strings,
and only ``matching_docs`` turns them into a Whoosh query. The scorer's array reads (``arrays_for``,
``term_scores``, ``bm25``) are re-exported from here for the same reason.
"""

from __future__ import annotations

import numpy as np
from whoosh.query import Phrase, Term

from .scorer import IndexArrays, arrays_for, bm25, term_scores

__all__ = [
    "IndexArrays", "arrays_for", "bm25", "term_scores",
    "doc_count", "doc_frequency", "document_record", "matching_docs", "passage_numbers", "similar_terms",
    "stored_fields",
]


def doc_count(searcher) -> int:
    """Records in the index, deleted ones left out."""
    return searcher.doc_count()


def doc_frequency(searcher, field: str, term: str) -> int:
    """Records of a term-indexed field (``fsyl``, ``title``) that hold ``term``."""
    return searcher.reader().doc_frequency(field, term)


def similar_terms(searcher, field: str, term: str, maxdist: int) -> list[str]:
    """Indexed terms of ``field`` within ``maxdist`` edits of ``term`` (``term`` itself included)."""
    return list(searcher.reader().terms_within(field, term, maxdist))


def matching_docs(searcher, field: str, terms: tuple[str, ...]) -> np.ndarray:
    """Global docnums of the records holding ``terms`` in that order, as a phrase of a positional field."""
    query = Term(field, terms[0]) if len(terms) == 1 else Phrase(field, list(terms))
    return np.fromiter(searcher.docs_for_query(query), dtype=np.int64)


def stored_fields(searcher, docnum: int) -> dict:
    """What a record stores (passage span and number; a document's path, title, date, text)."""
    return searcher.stored_fields(docnum)


def passage_numbers(searcher, doc_id: str) -> list[int]:
    """Docnums of a document's passage records, in index order."""
    return list(searcher.document_numbers(kind="passage", doc_id=doc_id))


def document_record(searcher, doc_id: str) -> dict | None:
    """A document's own record (path, title, date, text), or None if it has none."""
    return searcher.document(kind="doc", doc_id=doc_id)
