"""The JSON shapes of ``GET /api/search`` as pydantic models, so that the OpenAPI document
describes both (``mode`` tells which) and every response is checked against its description.
They mirror ``results.SearchResult.to_dict()``; ``tests/web`` compares the two."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class Passage(BaseModel):
    passage_no: int
    text: str = Field(description="The passage as read from the document (NFC)")
    score: float
    highlights: list[list[int]] = Field(description="[start, end) offsets of the hits in `text`")
    snippet: str = Field(description="HTML: the text escaped, the hits in <mark>")


class Document(BaseModel):
    doc_id: str
    path: str = Field(description="Relative to the folder that was indexed (corpus/000_….txt)")
    source: str = Field(description="The file's absolute path, as indexed")
    title: str
    date: str | None = Field(description="ISO date (YYYY-MM-DD) or null")
    score: float = Field(description="The score it is ranked by: by relevance, the document model's (its best "
                                     "passage's and whole-document scores combined, on their own scale, not its "
                                     "passages'); sorted by date, its best passage's")
    metadata: dict[str, Any] = Field(description="Its source's metadata fields (a JSONL line's other fields)")
    passages: list[Passage] = Field(description="Its best passages, best first")


class Hit(Passage):
    doc_id: str
    path: str
    source: str
    title: str
    date: str | None
    metadata: dict[str, Any]


class AppliedFilter(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    field: str
    text: str = Field(description="As typed: date:2021, -category:\"Thể thao\"")
    negated: bool
    from_: Literal["query", "parameter"] = Field(alias="from")


class _Result(BaseModel):
    api_version: Literal[2]
    query: str
    sort: Literal["relevance", "date", "date_asc"]
    total: int
    took_ms: float
    suggestion: str | None
    notes: list[str] = Field(description="What was done to the query: filters searched as text, and why")
    searched: str | None = Field(None, description="The query as searched when Telex/VNI keystrokes were decoded")
    filters: list[AppliedFilter]
    facets: dict[str, dict[str, int]] = Field(description="Per facet asked for: matches per value, over all matches")


class DocumentsResult(_Result):
    mode: Literal["documents"]
    total: int = Field(description="Documents that match")
    documents: list[Document]


class PassagesResult(_Result):
    mode: Literal["passages"]
    total: int = Field(description="Passages that match")
    hits: list[Hit]


SearchResponse = Annotated[Union[DocumentsResult, PassagesResult], Field(discriminator="mode")]
