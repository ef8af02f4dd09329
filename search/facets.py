"""Facets: how the matches of a query spread over years and over the values of keyword fields,
counted over every match (not the page), as ``total`` counts them (documents, or passages in
passage mode). One ``bincount`` per facet over the matches' column values."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from indexer.doc_fields import KEYWORD

from .docvalues import Columns

MAX_VALUES = 20  # most frequent values listed per keyword facet
YEAR = "year"


def facet_names(asked: Iterable[str] | str | None) -> tuple[str, ...]:
    """``("year", "category")`` from a sequence or a comma-separated string."""
    if not asked:
        return ()
    if isinstance(asked, str):
        asked = asked.split(",")
    return tuple(dict.fromkeys(n.strip() for n in asked if n and n.strip()))


def count_facets(names: tuple[str, ...], counted: np.ndarray, columns: Columns) -> tuple[dict, list[str]]:
    """``{"year": {"2021": 12, ...}, "category": {"Sức khỏe": 5, ...}}`` over the records
    ``counted`` (one per document in documents mode), and notes for names that are no facet."""
    facets: dict[str, dict[str, int]] = {}
    notes = []
    for name in names:
        if name.casefold() in (YEAR, "date", "nam", "năm"):
            facets[name] = year_counts(columns.years[counted])
        elif name in columns.keywords:
            facets[name] = keyword_counts(columns, name, counted)
        elif name in columns.kinds:
            notes.append(f"no facet for '{name}': only year and keyword fields are counted "
                         f"('{name}' is a {columns.kinds[name]} field)")
        else:
            keywords = [n for n, k in columns.kinds.items() if k == KEYWORD]
            notes.append(f"no facet for '{name}': this index has no such field (facets: year, {', '.join(keywords)})")
    return facets, notes


def year_counts(years: np.ndarray) -> dict[str, int]:
    """Matches per year, newest first (undated matches are not counted)."""
    years = years[years > 0]
    if not len(years):
        return {}
    low = int(years.min())
    counts = np.bincount(years - low)
    return {str(low + i): int(counts[i]) for i in np.flatnonzero(counts)[::-1]}


def keyword_counts(columns: Columns, name: str, counted: np.ndarray) -> dict[str, int]:
    """Matches per value (values that fold alike counted together), most frequent first, then
    by value; at most ``MAX_VALUES``."""
    kw = columns.keywords[name]
    ids = kw.ids[counted]
    ids = ids[ids >= 0]
    if not len(ids) or not kw.labels:
        return {}
    counts = np.bincount(kw.groups[ids], minlength=len(kw.labels))
    present = np.flatnonzero(counts)
    order = sorted(present.tolist(), key=lambda g: (-counts[g], kw.labels[g]))[:MAX_VALUES]
    return {kw.labels[g]: int(counts[g]) for g in order}
