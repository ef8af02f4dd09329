"""What ``search()`` returns: plain dataclasses whose ``to_dict()`` is the JSON of the CLI and API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Hit:
    doc_id: str
    path: str
    title: str
    date: str | None
    passage_no: int
    text: str
    score: float
    highlights: list[list[int]]  # [start, end) offsets into `text`
    snippet: str  # HTML, escaped, hits in <mark>

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class DocumentHits:
    """One document and its best passages, for results grouped by document."""

    doc_id: str
    path: str
    title: str
    date: str | None
    score: float
    passages: list[Hit]


@dataclass
class SearchResult:
    query: str
    total: int  # documents (or passages, in passage mode) that match
    took_ms: float
    suggestion: str | None
    hits: list[Hit]  # ranked; grouped by document unless passage mode: a document's passages follow it
    notes: list[str] = field(default_factory=list)  # what was done to a malformed query
    mode: str = "documents"
    # The query as searched when words typed as Telex/VNI keystrokes were decoded (also in notes).
    searched: str | None = None

    def documents(self) -> list[DocumentHits]:
        """The hits as documents in rank order, each with its passages."""
        docs: dict[str, DocumentHits] = {}
        for hit in self.hits:
            doc = docs.get(hit.doc_id)
            if doc is None:
                doc = docs[hit.doc_id] = DocumentHits(hit.doc_id, hit.path, hit.title, hit.date, hit.score, [])
            doc.passages.append(hit)
        return list(docs.values())

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": self.took_ms,
            "suggestion": self.suggestion,
            "hits": [hit.to_dict() for hit in self.hits],
            "notes": self.notes,
            "mode": self.mode,
            "searched": self.searched,
        }
