"""Whole documents by id, and the terms a query highlights: what the web document page needs.

Kept beside ``engine`` (it reuses the engine's open index, and the query plan whose marks
``search()`` uses) so that the web layer never touches the index itself. A document is reached
by its id only, never by a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.doc_fields import relative_path

from . import narrow
from .docvalues import columns_for, roots_for
from .engine import QueryOptions, plan_for, synonym_table, resolve_index, searching
from .keystrokes import decode_query
from .marks import QueryTerms, highlight_terms
from .prefix import still_typing
from .syntax import parse


@dataclass
class DocumentPassage:
    """One passage of a document page (``indexer.passages.Passage`` is the indexer's, with spans)."""

    passage_no: int
    text: str


@dataclass
class Document:
    doc_id: str
    path: str  # relative to the folder that was indexed, as hits show it
    title: str
    date: str | None
    passages: list[DocumentPassage] = field(default_factory=list)
    source: str = ""  # the file's absolute path


def get_document(doc_id: str, index: str | Path | None = None) -> Document | None:
    """The document ``doc_id`` with all its passages in order, or None if the index has no such id."""
    with searching(resolve_index(index)) as opened:
        record = opened.reader.find_document(doc_id)
        passages = opened.reader.passages_of(record) if record is not None else []
        roots = roots_for(opened.reader)
    if not passages:
        return None
    first = passages[0]
    return Document(
        doc_id=first.doc_id,
        path=relative_path(first.path, roots),
        title=first.title,
        date=first.date,
        passages=[DocumentPassage(p.passage_no, p.text) for p in passages],
        source=first.path,
    )


def index_fields(index: str | Path | None = None) -> dict[str, tuple[str, int]]:
    """Every field of the index with its kind and, for keyword fields, its number of distinct
    values (what the search page offers as facets)."""
    with searching(resolve_index(index)) as opened:
        columns = columns_for(opened.reader, opened.arrays)
    return {name: (kind, len(columns.keywords[name].labels) if name in columns.keywords else 0)
            for name, kind in columns.kinds.items()}


def query_terms(query: str, index: str | Path | None = None, *, exact: bool = False, prefix: bool = True,
                synonyms: bool | str | Path = True, as_typed: bool = False) -> QueryTerms:
    """The terms ``search(query, ...)`` highlights with the same options (typo corrections,
    decoded keystrokes, synonyms and the last syllable's expansion applied)."""
    if parse(query).is_empty():
        return QueryTerms()
    index_dir = resolve_index(index)
    options = QueryOptions(exact, prefix and still_typing(query), synonym_table(synonyms, index_dir), as_typed)
    with searching(index_dir) as opened:
        reader = opened.reader
        decode = None if as_typed else (lambda text: decode_query(text, reader))
        # As search() does: filters taken out (a ``date:2021`` marks no "2021"), keystrokes decoded.
        narrowed = narrow.narrow(narrow.Asked.of(query, (), (), "relevance"), reader, opened.arrays, decode)
        plan = plan_for(narrowed.parsed, reader, options)  # the plan search() marks by
    return highlight_terms(plan)
