"""The documents' values as numpy columns over every record of an open index, for filters,
sorting and facets.

Built once per open index from the storage's per-document values (``IndexReader.
document_values``) and kept beside it (weakly, so a replaced reader takes its columns along):
dates as day numbers, each keyword field as value ids, numbers as floats, every column indexed
by *record* docnum (a passage has its document's values). A filter is then one comparison over
an array, a facet one ``bincount``, a date sort one key per document: microseconds beside the
scoring, whatever the number of matches.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from analyzers import analyze, nfc
from indexer.doc_fields import DATE, KEYWORD, NUMBER, RESERVED, field_kinds, file_type, relative_path
from indexer.stats import read_info
from indexer.storage import IndexReader

from .scorer import IndexArrays

NO_DATE = -1


def fold_value(value: str) -> str:
    """A keyword value as it is matched: its syllables folded (``Sức khỏe`` -> ``suc khoe``), or
    the value itself, NFC and lowercased, when it has none."""
    folded = analyze(value).folded
    return " ".join(folded) if folded else " ".join(nfc(value).casefold().split())


def day_number(iso: str | None) -> int:
    """Days since year 1 of an ISO date (``2021-03-04``, with or without a time), or ``NO_DATE``."""
    if not iso:
        return NO_DATE
    try:
        return dt.date.fromisoformat(iso.strip()[:10]).toordinal()
    except ValueError:
        return NO_DATE


def year_of(days: np.ndarray) -> np.ndarray:
    """The year of each day number (0 where there is none)."""
    out = np.zeros(len(days), dtype=np.int32)
    have = days != NO_DATE
    if have.any():
        years = {d: dt.date.fromordinal(int(d)).year for d in np.unique(days[have]).tolist()}
        out[have] = np.vectorize(years.__getitem__, otypes=[np.int32])(days[have])
    return out


@dataclass
class Keywords:
    """A keyword field: each record's value id (-1: none), the values as first seen, and the ids
    of each folded value. Facets count values that fold alike as one (``groups``: each id's
    group, ``labels``: each group's first value as written)."""

    ids: np.ndarray
    values: list[str]
    by_folded: dict[str, list[int]]
    groups: np.ndarray
    labels: list[str]


@dataclass
class Columns:
    """Per-record columns of one open index (see the module docstring)."""

    kinds: dict[str, str]  # every field and its kind (``indexer.doc_fields``)
    doc_rows: np.ndarray  # global docnums of the live document records
    rows: np.ndarray  # for each record, its document's row in ``doc_rows`` (-1: none live)
    days: np.ndarray  # int32 day number of each record's document, NO_DATE if none
    years: np.ndarray  # int32 year of each record's document, 0 if none
    keywords: dict[str, Keywords] = field(default_factory=dict)  # "type" and the keyword fields
    numbers: dict[str, np.ndarray] = field(default_factory=dict)  # float64, NaN if none
    dates: dict[str, np.ndarray] = field(default_factory=dict)  # source date fields as day numbers
    paths: list[str] = field(default_factory=list)  # relative path of each live document, by row
    roots: list[str] = field(default_factory=list)  # the folders and files that were indexed
    has_dates: bool = False

    def per_record(self, per_doc: np.ndarray, missing) -> np.ndarray:
        """A column of document values spread over the records (``missing`` where no live document)."""
        return np.append(per_doc, np.array([missing], dtype=per_doc.dtype))[self.rows]


_built: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def columns_for(reader: IndexReader, arrays: IndexArrays) -> Columns:
    """The columns of an open index, built on first use (under the index's lock, ``engine.searching``)."""
    with _lock:
        found = _built.get(reader)
    if found is None:
        found = build_columns(reader, arrays)
        with _lock:
            _built[reader] = found
    return found


def build_columns(reader: IndexReader, arrays: IndexArrays) -> Columns:
    values = reader.document_values()
    roots = roots_for(reader)
    kinds = field_kinds(v.fields for v in values)
    n = len(values)
    doc_rows = np.array([v.docnum for v in values], dtype=np.int64)
    row_of = np.full(arrays.size, -1, dtype=np.int64)
    row_of[doc_rows] = np.arange(n)
    doc_days = np.array([day_number(v.date) for v in values], dtype=np.int32)
    cols = Columns(kinds=kinds, doc_rows=doc_rows, rows=row_of[arrays.owner] if arrays.size else row_of,
                   days=np.zeros(0, np.int32), years=np.zeros(0, np.int32),
                   paths=[relative_path(v.path, roots) for v in values], roots=roots,
                   has_dates=bool((doc_days != NO_DATE).any()))
    cols.days = cols.per_record(doc_days, NO_DATE)
    cols.years = cols.per_record(year_of(doc_days), 0)
    per_field = {"type": [file_type(v.path) or None for v in values]}
    for name, kind in kinds.items():
        if name not in RESERVED:
            per_field[name] = [v.fields.get(name) for v in values]
    for name, raw in per_field.items():
        kind = kinds[name]
        if kind == KEYWORD:
            ids, vocab, folded = _keyword_ids(raw)
            groups = np.zeros(len(vocab), dtype=np.int32)
            labels = []
            for g, members in enumerate(folded.values()):
                groups[members] = g
                labels.append(vocab[members[0]])
            cols.keywords[name] = Keywords(cols.per_record(ids, -1), vocab, folded, groups, labels)
        elif kind == NUMBER:
            nums = np.array([np.nan if x is None else float(x) for x in raw], dtype=np.float64)
            cols.numbers[name] = cols.per_record(nums, np.nan)
        elif kind == DATE:
            days = np.array([day_number(x) for x in raw], dtype=np.int32)
            cols.dates[name] = cols.per_record(days, NO_DATE)
    return cols


def _keyword_ids(raw: list) -> tuple[np.ndarray, list[str], dict[str, list[int]]]:
    """Value ids of a keyword column: one id per distinct value as written (NFC, spaces
    collapsed); values that fold alike (``Sức khỏe``, ``sức khoẻ``) keep their own ids, and all
    of them are found by their folded form."""
    ids = np.full(len(raw), -1, dtype=np.int32)
    vocab: list[str] = []
    index: dict[str, int] = {}
    for i, value in enumerate(raw):
        if value is None:
            continue
        text = " ".join(nfc(str(value).lower() if isinstance(value, bool) else str(value)).split())
        if not text:
            continue
        found = index.get(text)
        if found is None:
            found = index[text] = len(vocab)
            vocab.append(text)
        ids[i] = found
    folded: dict[str, list[int]] = {}
    for i, text in enumerate(vocab):
        folded.setdefault(fold_value(text), []).append(i)
    return ids, vocab, folded


_roots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def roots_for(reader: IndexReader) -> list[str]:
    """The folders and files that were indexed into this commit (hits' paths are relative to them)."""
    with _lock:
        found = _roots.get(reader)
    if found is None:
        found = list(read_info(reader.index_dir).get("paths", []))
        with _lock:
            _roots[reader] = found
    return found
