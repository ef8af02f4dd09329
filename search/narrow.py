"""From what was asked (a query with filters in it, filters beside it, facets, an order) to what
the engine applies: the filters the index can apply as one mask, the text left to search, and
the facet counts. The engine calls ``Asked.of`` before opening the index and ``narrow`` with it
open; everything here costs array operations over the index's columns (``docvalues``).
"""

from __future__ import annotations

from collections.abc import Callable

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from indexer.storage import IndexReader

from .docvalues import Columns, columns_for
from .facets import count_facets, facet_names
from .filters import Candidate, Filter, find_filters, mask, parameter_filters, resolve
from .scorer import IndexArrays
from .sorting import RELEVANCE
from .syntax import ParsedQuery, parse

MAX_FILTERS = 20  # per query (and as many facets), so that no query costs without bound


@dataclass(frozen=True)
class Asked:
    query: str
    typed: tuple[Candidate, ...]  # field:value found in the query
    given: tuple[Candidate, ...]  # filters passed beside it
    facets: tuple[str, ...]
    sort: str
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, query: str, filters: Sequence[str] | str, facets: Sequence[str] | str, sort: str) -> Asked:
        if isinstance(filters, str):
            filters = [filters]
        given, notes = parameter_filters(f for f in filters if f and f.strip())
        typed = find_filters(query)
        if len(typed) + len(given) > MAX_FILTERS:
            notes.append(f"only the first {MAX_FILTERS} filters are applied; the others are searched as text")
            typed = typed[: max(0, MAX_FILTERS - len(given))]
            given = given[:MAX_FILTERS]
        return cls(query, tuple(typed), tuple(given), facet_names(facets)[:MAX_FILTERS], sort, tuple(notes))

    def may_filter(self) -> bool:
        """Whether the query may be answered by filters alone (nothing typed to search for)."""
        return bool(self.typed or self.given)

    def needs_columns(self) -> bool:
        return bool(self.typed or self.given or self.facets or self.sort != RELEVANCE)


@dataclass
class Narrowed:
    parsed: ParsedQuery
    filters: list[Filter] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: Columns | None = None
    keep: np.ndarray | None = None  # records the filters let through (None: no filter)
    searched: str | None = None  # the text searched, when ``decode`` changed it (keystrokes)

    def apply(self, scores: np.ndarray) -> np.ndarray:
        """Scores with every record the filters leave out at zero (a miss)."""
        if self.keep is not None:
            scores[~self.keep] = 0.0
        return scores

    def everything(self, arrays: IndexArrays) -> np.ndarray:
        """A query of filters alone: every live passage they let through scores 1 (ties by docnum:
        documents in the order they were indexed, each by its first passages)."""
        scores = np.where(self.keep & arrays.live, 1.0, 0.0).astype(np.float32)
        scores[arrays.doc_starts] = 0.0
        return scores

    def facets(self, names: tuple[str, ...], scores: np.ndarray, arrays: IndexArrays, mode: str) -> tuple[dict, list[str]]:
        """Facet counts over every match: one per document, or per passage in passage mode."""
        matched = np.flatnonzero(scores > 0)
        if mode != "passages":
            seen = np.zeros(arrays.size, dtype=bool)
            seen[arrays.owner[matched]] = True
            matched = np.flatnonzero(seen)
        return count_facets(names, matched, self.columns)


def narrow(ask: Asked, reader: IndexReader, arrays: IndexArrays,
           decode: Callable[[str], str | None] | None = None) -> Narrowed:
    """The filters of ``ask`` the index can apply, and the query text without them (filters it
    cannot apply stay in the text, with a note). ``decode``: what the text means if it was typed
    another way (Telex/VNI keystrokes), or None; applied to the text without its filters, so a
    ``field:value`` is never read as keystrokes."""
    if not ask.needs_columns():
        text, searched = _decoded(ask.query, [], decode)
        parsed = parse(text)
        return Narrowed(parsed, notes=list(parsed.notes), searched=searched)
    columns = columns_for(reader, arrays)
    applied, _, notes = resolve([*ask.typed, *ask.given], columns)
    text, searched = _decoded(ask.query, applied, decode)
    parsed = parse(text)
    return Narrowed(parsed, applied, parsed.notes + notes, columns, mask(applied, columns), searched)


def _decoded(query: str, applied: list[Filter], decode: Callable[[str], str | None] | None) -> tuple[str, str | None]:
    """The text to search (the query without its filters, its keystrokes decoded) and, if
    keystrokes were decoded, the query as searched to show the user: the decoded words with the
    filters as typed where they were (the text to search has an ``OR`` in their place, so that no
    syllable pair forms across a filter, as across a ``title:`` one)."""
    spans = sorted(f.span for f in applied if f.span is not None)
    pieces, filters, last = [], [], 0
    for start, end in spans:
        pieces.append(query[last:start])
        filters.append(query[start:end])
        last = end
    pieces.append(query[last:])
    decoded = [decode(piece) if decode and piece.strip() else None for piece in pieces]
    words = [d or piece for d, piece in zip(decoded, pieces)]
    text = " OR ".join(words) if spans else words[0]
    if not any(decoded):
        return text, None
    shown = words[0] + "".join(f + w for f, w in zip(filters, words[1:]))
    return text, " ".join(shown.split())
