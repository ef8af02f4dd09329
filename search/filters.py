"""Filters: ``date:2021``, ``category:"Sức khỏe"``, ``-type:pdf``, ``path:reports/2021``, typed
in the query or passed beside it, each a boolean mask over the records of an index.

A filter is found in two steps. ``find_filters`` picks out of the query text every
``field:value`` (or ``-field:value``, ``field:"value with spaces"``) outside quoted phrases,
without knowing the index; ``resolve`` then keeps those whose field the index has and whose
value reads for that field's kind, and gives the others back to the text with a note saying why
(a query is never refused: ``foo:bar`` on an index without ``foo`` searches the words). ``title:``
is not a filter here but a text clause of the query language (``syntax``).

Values by kind (``indexer.doc_fields``):

* dates (``date``, ``year``, and source fields holding ISO dates): ``2021``, ``2021-03`` or
  ``3/2021``, ``2021-03-04`` or ``4/3/2021`` (day first, as Vietnamese dates are written, and as
  the indexer reads them), a range ``A..B`` of any of these (either end may be left open), or
  ``>=A``, ``>A``, ``<=A``, ``<A``; a range includes whole years and months at both ends;
* numbers: ``5``, ``10..20``, ``>=100``;
* keywords (``type`` and text fields): the exact value, folded like text (``suc khoe`` finds
  ``Sức khỏe``), capitals and diacritics aside;
* ``path``: a folder (or file) prefix of the path relative to the indexed folder, whole names
  only (``reports/2021`` finds ``reports/2021/a.txt``, not ``reports/20210``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from analyzers import nfc
from indexer.doc_fields import DATE, FOLDER, NUMBER, TYPE_ALIASES
from indexer.metadata import find_date

from .docvalues import NO_DATE, Columns, fold_value

# A token: a quoted phrase (skipped: filters are not looked for inside phrases), or a filter at
# the start of a word, or any other run of characters.
_TOKEN = re.compile(
    r'(?P<quoted>"[^"]*(?:"|$))'
    r'|(?<!\S)(?P<filter>(?P<neg>-)?(?P<field>[^\W\d][\w.-]*):(?P<value>"[^"]*(?:"|$)|(?!//)[^\s"]+))'
    r'|[^\s"]+'
)
# A filter passed on its own: the whole rest is the value, spaces and all.
_PARAMETER = re.compile(r"(?P<neg>-)?(?P<field>[^\W\d][\w.-]*):(?P<value>.*)", re.S)
TEXT_FIELDS = frozenset({"title", "tieude"})  # syntax.py's; "tiêu đề:" has a space, never a field here
ALIASES = {"year": "date", "nam": "date", "năm": "date", "ngay": "date", "ngày": "date", "loai": "type"}
DATE_FORMS = "2021, 2021-03, 2021-03-04, 30/5/2019, 2020-01-01..2021-06-30, >=2020"


@dataclass(frozen=True)
class Candidate:
    """``field:value`` as typed, and where (``span`` in the query; None for a parameter)."""

    field: str
    value: str
    negated: bool
    text: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Filter:
    """One filter the index can apply. ``low``/``high``: an inclusive range (day numbers for
    dates), either None for an open end; ``values``: keyword value ids; ``prefix``: a folder."""

    field: str
    kind: str
    text: str  # as typed: ``date:2021``, ``-category:"Thể thao"``
    negated: bool = False
    low: float | None = None
    high: float | None = None
    values: tuple[int, ...] = ()
    prefix: str = ""
    span: tuple[int, int] | None = None  # where it was typed in the query; None for a parameter

    def to_dict(self) -> dict:
        return {"field": self.field, "text": self.text, "negated": self.negated,
                "from": "query" if self.span is not None else "parameter"}


def find_filters(query: str) -> list[Candidate]:
    """Every ``field:value`` of the query outside quoted phrases (``title:`` left to the syntax)."""
    found = []
    for m in _TOKEN.finditer(query):
        if m.group("filter") is None:
            continue
        name = m.group("field")
        if name.casefold() in TEXT_FIELDS:
            continue
        value = m.group("value")
        if value.startswith('"'):
            value = value[1:-1] if len(value) > 1 and value.endswith('"') else value[1:]
        found.append(Candidate(name, value.strip(), bool(m.group("neg")), m.group("filter"), m.span("filter")))
    return found


def parameter_filters(texts: Iterable[str]) -> tuple[list[Candidate], list[str]]:
    """Filters passed beside the query (``--filter``, ``?filter=``), each one ``field:value``."""
    found, notes = [], []
    for text in texts:
        m = _PARAMETER.fullmatch(text.strip())
        if m is None or m.group("field").casefold() in TEXT_FIELDS:
            notes.append(f"filter '{text}' is not field:value; ignored")
            continue
        value = m.group("value").strip()
        if len(value) > 1 and value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        found.append(Candidate(m.group("field"), value.strip(), bool(m.group("neg")), text.strip(), None))
    return found, notes


def resolve(candidates: list[Candidate], columns: Columns) -> tuple[list[Filter], list[Candidate], list[str]]:
    """The filters the index can apply, the candidates given back to the text, and the notes."""
    filters, rejected, notes = [], [], []
    for c in candidates:
        built, why = _build(c, columns)
        if built is not None:
            filters.append(built)
        else:
            rejected.append(c)
            notes.append(f"{why}: '{c.text}' searched as text" if c.span is not None else f"{why}: '{c.text}' ignored")
    return filters, rejected, notes


def mask(filters: list[Filter], columns: Columns) -> np.ndarray | None:
    """Records that every filter lets through (None: no filter)."""
    result = None
    for f in filters:
        m = _holds(f, columns)
        if f.negated:
            m = ~m
        result = m if result is None else result & m
    return result


def _within(values: np.ndarray, present: np.ndarray, low, high) -> np.ndarray:
    """Where a value is present and inside the inclusive bounds (None: open)."""
    m = present
    if low is not None:
        m &= values >= low
    if high is not None:
        m &= values <= high
    return m


def _holds(f: Filter, columns: Columns) -> np.ndarray:
    if f.kind == DATE:
        days = columns.days if f.field == "date" else columns.dates[f.field]
        return _within(days, days != NO_DATE, f.low, f.high)
    if f.kind == NUMBER:
        nums = columns.numbers[f.field]
        with np.errstate(invalid="ignore"):
            return _within(nums, ~np.isnan(nums), f.low, f.high)
    if f.kind == FOLDER:
        inside = np.array([_under(p, f.prefix) for p in columns.paths] + [False], dtype=bool)
        return inside[columns.rows]  # row -1 (no live document): the False at the end
    ids = columns.keywords[f.field].ids
    return np.isin(ids, np.array(f.values, dtype=np.int32)) if f.values else np.zeros(len(ids), dtype=bool)


def _under(path: str, prefix: str) -> bool:
    path = nfc(path).casefold().replace("\\", "/")
    return path == prefix or path.startswith(prefix + "/")


def _build(c: Candidate, columns: Columns) -> tuple[Filter | None, str]:
    name = ALIASES.get(c.field.casefold(), c.field)
    kind = columns.kinds.get(name) or columns.kinds.get(name.casefold())
    if kind is None:
        known = ", ".join(list(columns.kinds)[:10])
        return None, f"no field '{c.field}' in this index (its fields: {known})"
    name = name if name in columns.kinds else name.casefold()
    if not c.value:
        return None, f"'{c.field}:' needs a value"
    base = dict(field=name, kind=kind, text=c.text, negated=c.negated, span=c.span)
    if kind == DATE:
        if name == "date" and not columns.has_dates:
            return None, "no document of this index has a date"
        bounds = date_range(c.value)
        if bounds is None:
            return None, f"'{c.value}' is not a date or a range of dates ({DATE_FORMS})"
        return Filter(**base, low=bounds[0], high=bounds[1]), ""
    if kind == NUMBER:
        bounds = number_range(c.value)
        if bounds is None:
            return None, f"'{c.value}' is not a number or a range of numbers (5, 10..20, >=100)"
        return Filter(**base, low=bounds[0], high=bounds[1]), ""
    if kind == FOLDER:
        prefix = nfc(c.value).casefold().replace("\\", "/").strip("/")
        return Filter(**base, prefix=prefix), ""
    keywords = columns.keywords[name]
    value = TYPE_ALIASES.get(c.value.lower().lstrip("."), c.value.lstrip(".")) if name == "type" else c.value
    return Filter(**base, values=tuple(keywords.by_folded.get(fold_value(value), ()))), ""


# -- dates ------------------------------------------------------------------------------------

_YEAR = re.compile(r"(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{1,2})[/.-](\d{4})")
_COMPARE = re.compile(r"(>=|<=|>|<)(.+)")


def date_range(value: str) -> tuple[int | None, int | None] | None:
    """Inclusive (first, last) day numbers of a date value, None for an open end; None if the
    value is not a date (see the module docstring for the forms)."""
    return _bounds(value, _period, lambda day: day + 1, lambda day: day - 1)


def _bounds(value: str, point: Callable[[str], tuple | None], after: Callable, before: Callable) -> tuple | None:
    """Inclusive (low, high) of a comparison (``>=x``, ``>x``, ``<=x``, ``<x``), a range (``a..b``,
    either end open) or one value, None for an open end; None if it does not read. ``point``: the
    (first, last) a value covers (a year covers its days), or None; ``after``/``before``: the
    next value past a bound, for the strict comparisons. Dates and numbers read the same way."""
    value = value.strip()
    m = _COMPARE.fullmatch(value)
    if m:
        span = point(m.group(2))
        if span is None:
            return None
        op = m.group(1)
        return {">=": (span[0], None), ">": (after(span[1]), None), "<=": (None, span[1]),
                "<": (None, before(span[0]))}[op]
    if ".." in value:
        a, _, b = value.partition("..")
        low = point(a) if a.strip() else (None, None)
        high = point(b) if b.strip() else (None, None)
        if low is None or high is None or (low[0] is None and high[1] is None):
            return None
        if low[0] is not None and high[1] is not None and low[0] > high[1]:
            return None
        return low[0], high[1]
    return point(value)


def _period(text: str) -> tuple[int, int] | None:
    """First and last day of a year, a month or a day."""
    text = text.strip()
    try:
        if _YEAR.fullmatch(text):
            year = int(text)
            return dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
        m = _YEAR_MONTH.fullmatch(text)
        if m:
            year, month = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1).toordinal(), dt.date(year, month, last).toordinal()
    except ValueError:
        return None
    iso = find_date(text)
    if iso is None or len(text) > 40:
        return None
    day = dt.date.fromisoformat(iso).toordinal()
    return day, day


# -- numbers ----------------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def number_range(value: str) -> tuple[float | None, float | None] | None:
    # strict bounds on floats: the next representable value
    return _bounds(value, _number_point, lambda x: np.nextafter(x, math.inf), lambda x: np.nextafter(x, -math.inf))


def _number_point(text: str) -> tuple[float, float] | None:
    x = _number(text)
    return None if x is None else (x, x)

