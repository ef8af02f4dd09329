"""Whole documents by id, and the terms a query highlights: what the web document page needs.

Kept beside ``engine`` (it reuses the engine's cached searcher and query plan) so that the web
layer never touches the index itself. A document is reached by its id only, never by a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.schema import document_fields, passage_text

from .engine import plan_query, resolve_index, searching
from .highlight import match_spans
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


@dataclass
class QueryTerms:
    """What ``highlight.match_spans`` needs to mark a query's hits on any text."""

    folded: set[str] = field(default_factory=set)  # hits whatever their diacritics
    pairs: set[str] = field(default_factory=set)  # folded adjacent pairs, hits together
    accented: set[str] = field(default_factory=set)  # hits only with these diacritics

    def spans(self, text: str) -> list[list[int]]:
        """The hits on ``text``, exactly as ``search()`` marks them on its passages."""
        if not (self.folded or self.pairs or self.accented):
            return []
        return match_spans(text, self.folded, self.pairs, self.accented)


def get_document(doc_id: str, index: str | Path | None = None) -> Document | None:
    """The document ``doc_id`` with all its passages in order, or None if the index has no such id."""
    with searching(resolve_index(index)) as searcher:
        docnums = list(searcher.document_numbers(kind="passage", doc_id=doc_id))
        if not docnums:
            return None
        stored = [searcher.stored_fields(n) for n in docnums]
        record = searcher.document(kind="doc", doc_id=doc_id) or {}  # path, title, date
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
        plan = plan_query(parsed, searcher, exact)  # the very plan search() marks its passages with
    return QueryTerms(set(plan.folded), set(plan.pairs), set(plan.accented))
