"""The search page's facets, sort switch and filter chips, as plain links: each is the page's
own URL with one thing changed (a filter added or removed, another order), so that all of it
works without JavaScript and a result page can be bookmarked or shared.

Filters the page adds go in ``filter`` parameters (``?filter=date:2021``), beside the words in
the search box; filters typed in the query stay in it, and removing one takes it out of ``q``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlencode

from .results import SearchResult

PAGE_LIMIT = 10
SORT_LABELS = {"relevance": "Liên quan nhất", "date": "Mới nhất", "date_asc": "Cũ nhất"}
FACET_LABELS = {"year": "Năm", "type": "Loại tệp"}
MAX_PAGE_FACETS = 6  # keyword facets shown beside the results
MAX_FACET_VALUES = 50  # a field with more distinct values (ids, urls) is no facet
SKIPPED = frozenset({"encoding"})  # what a reader notes of a file, not what a person filters by


@dataclass(frozen=True)
class PageState:
    q: str
    exact: bool = False
    limit: int = PAGE_LIMIT
    sort: str = "relevance"
    filters: list[str] = field(default_factory=list)
    typed: bool = False  # Telex/VNI keystrokes searched as typed (``?typed=1``), kept from page to page

    def url(self, offset: int = 0, **changes) -> str:
        """This page's URL with ``changes`` (q, sort, filters), from its first result unless told."""
        s = replace(self, **changes) if changes else self
        return "/?" + urlencode(s.params(offset))

    def doc_url(self, doc_id: str, passage_no: int | None = None, offset: int = 0) -> str:
        """A document's page, reached from this results page: it carries the page's state, so
        its hits are marked as the results were found (``typed`` included) and its back link
        returns to the same page of the same results (filters, order and offset kept)."""
        url = "/doc/" + quote(doc_id, safe="")
        if self.q or self.filters:
            url += "?" + urlencode(self.params(offset))
        if passage_no is not None:
            url += f"#p{int(passage_no)}"
        return url

    def params(self, offset: int = 0) -> list[tuple[str, str]]:
        """The query-string parameters of this page, from result ``offset``."""
        params: list[tuple[str, str]] = [("q", self.q)]
        if self.exact:
            params.append(("exact", "1"))
        if self.limit != PAGE_LIMIT:
            params.append(("limit", str(self.limit)))
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        params.extend(("filter", f) for f in self.filters)
        if self.typed:
            params.append(("typed", "1"))
        if offset:
            params.append(("offset", str(offset)))
        return params


def page_facets(fields: dict[str, tuple[str, int]]) -> tuple[str, ...]:
    """The facets the page asks for: the year, then keyword fields with a few distinct values."""
    keywords = [name for name, (kind, distinct) in fields.items()
                if kind == "keyword" and 1 <= distinct <= MAX_FACET_VALUES and name not in SKIPPED]
    return ("year", *keywords[:MAX_PAGE_FACETS])


def sort_links(state: PageState) -> list[dict]:
    return [{"label": label, "url": state.url(sort=name), "current": name == state.sort, "name": name}
            for name, label in SORT_LABELS.items()]


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) or not value else value


def filter_text(name: str, value: str) -> str:
    """The filter a facet value adds: ``date:2021``, ``category:"Sức khỏe"``."""
    return f"date:{value}" if name == "year" else f"{name}:{_quoted(value)}"


def filter_chips(state: PageState, applied: list[dict]) -> list[dict]:
    """Each active filter, and the page without it."""
    chips = []
    for f in applied:
        if f["from"] == "parameter":
            rest = list(state.filters)
            if f["text"] in rest:
                rest.remove(f["text"])
            url = state.url(filters=rest)
        else:
            url = state.url(q=" ".join(state.q.replace(f["text"], " ", 1).split()))
        chips.append({"text": f["text"], "url": url, "negated": f["negated"]})
    return chips


def facet_links(state: PageState, result: SearchResult) -> list[dict]:
    """Per facet: its label and each value with its count and the page with its filter added
    (None for a value whose filter is on already)."""
    active = {f["text"] for f in result.filters}
    groups = []
    for name, counts in result.facets.items():
        if not counts:
            continue
        values = []
        for value, n in counts.items():
            text = filter_text(name, value)
            values.append({"value": value, "count": n,
                           "url": None if text in active else state.url(filters=[*state.filters, text])})
        groups.append({"name": name, "label": FACET_LABELS.get(name, name), "entries": values})
    return groups
