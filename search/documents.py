"""Whole documents by id, and the terms a query highlights: what the web document page needs.

Kept beside ``engine`` (it reuses the engine's cached searcher, and the query plan whose marks
``search()`` uses) so that the web layer never touches the index itself. A document is reached
by its id only, never by a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.schema import document_fields, passage_text

from .engine import resolve_index, searching
from .marks import QueryTerms, highlight_terms
from .plan import plan_query
from .reads import document_record, passage_numbers, stored_fields
from .syntax import parse


@dataclass
class Passage:
    passage_no: int
    text: str


@dataclass
class Document:
    doc_id: str
    path: str
    title: str
    date: str | None
    passages: list[Passage] = field(default_factory=list)


def get_document(doc_id: str, index: str | Path | None = None) -> Document | None:
    """The document ``doc_id`` with all its passages in order, or None if the index has no such id."""
    with searching(resolve_index(index)) as searcher:
        docnums = passage_numbers(searcher, doc_id)
        if not docnums:
            return None
        stored = [stored_fields(searcher, n) for n in docnums]
        record = document_record(searcher, doc_id) or {}  # path, title, date
    stored.sort(key=lambda s: s.get("passage_no", 0))
    first = stored[0]
    path, title, date = document_fields(first, record)
    return Document(
        doc_id=first["doc_id"],
        path=path,
        title=title,
        date=date,
        passages=[Passage(s.get("passage_no", i), passage_text(s, record)) for i, s in enumerate(stored)],
    )


def query_terms(query: str, index: str | Path | None = None, *, exact: bool = False) -> QueryTerms:
    """The terms ``search(query, exact=exact)`` highlights (with its typo corrections applied)."""
    parsed = parse(query)
    if parsed.is_empty():
        return QueryTerms()
    with searching(resolve_index(index)) as searcher:
        plan = plan_query(parsed, searcher, exact)  # the very plan search() marks its passages by
    return highlight_terms(plan)
