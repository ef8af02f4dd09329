"""What ``search()`` returns: plain dataclasses whose ``to_dict()`` is the JSON of the CLI and API.

The JSON says what it lists (``API_VERSION`` 2): in documents mode, ``documents`` with their
passages nested under each, ``total`` counting documents; in passages mode, ``hits`` (passages),
``total`` counting passages. Version 1 listed a document's passages one after another in
``hits`` while ``total`` counted documents, so a client paging by ``len(hits)`` went wrong.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

API_VERSION = 2


def json_safe(value):
    """``value`` with the floats JSON has no word for (NaN, infinities, which a JSONL line may
    hold: Python's ``json`` reads them) as null, so that every result can be served as JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


@dataclass
class Hit:
    doc_id: str
    path: str  # relative to the folder that was indexed (``corpus/000_….txt``)
    title: str
    date: str | None
    passage_no: int
    text: str
    score: float
    highlights: list[list[int]]  # [start, end) offsets into `text`
    snippet: str  # HTML, escaped, hits in <mark>
    source: str = ""  # the absolute path of the file (``path`` as it was indexed)
    metadata: dict = field(default_factory=dict)  # its source's metadata fields

    def to_dict(self) -> dict:
        return asdict(self)

    def passage_dict(self) -> dict:
        """The passage alone, as nested under its document."""
        return {"passage_no": self.passage_no, "text": self.text, "score": self.score,
                "highlights": self.highlights, "snippet": self.snippet}


@dataclass
class DocumentHits:
    """One document and its best passages, for results grouped by document."""

    doc_id: str
    path: str
    title: str
    date: str | None
    score: float
    passages: list[Hit]
    source: str = ""
    metadata: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "path": self.path, "source": self.source, "title": self.title,
                "date": self.date, "score": self.score, "metadata": self.metadata,
                "passages": [hit.passage_dict() for hit in self.passages]}


@dataclass
class SearchResult:
    query: str
    total: int  # documents (or passages, in passage mode) that match
    took_ms: float
    suggestion: str | None
    hits: list[Hit]  # ranked; grouped by document unless passage mode: a document's passages follow it
    notes: list[str] = field(default_factory=list)  # what was done to a malformed query
    mode: str = "documents"
    sort: str = "relevance"
    filters: list[dict] = field(default_factory=list)  # the filters applied (``filters.Filter.to_dict``)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> value -> matches
    # The query as searched when words typed as Telex/VNI keystrokes were decoded (also in notes).
    searched: str | None = None
    # Documents mode, by relevance: each document's score, the one it is ranked by (the document
    # model's, ``rank.top_documents``), by doc_id. Otherwise a document shows its best passage's.
    document_scores: dict[str, float] = field(default_factory=dict)

    def documents(self) -> list[DocumentHits]:
        """The hits as documents in rank order, each with its passages and the score it is
        ranked by (``document_scores``; sorted by date, its best passage's)."""
        docs: dict[str, DocumentHits] = {}
        for hit in self.hits:
            doc = docs.get(hit.doc_id)
            if doc is None:
                score = self.document_scores.get(hit.doc_id, hit.score)
                doc = docs[hit.doc_id] = DocumentHits(hit.doc_id, hit.path, hit.title, hit.date, score, [],
                                                      hit.source, hit.metadata)
            doc.passages.append(hit)
        return list(docs.values())

    def to_dict(self) -> dict:
        out = {
            "api_version": API_VERSION,
            "query": self.query,
            "mode": self.mode,
            "sort": self.sort,
            "total": self.total,
            "took_ms": self.took_ms,
            "suggestion": self.suggestion,
            "notes": self.notes,
            "filters": self.filters,
            "facets": self.facets,
            "searched": self.searched,
        }
        if self.mode == "passages":
            out["hits"] = [hit.to_dict() for hit in self.hits]
        else:
            out["documents"] = [doc.to_dict() for doc in self.documents()]
        return out
