"""What two indexes (or one index in two states) must agree on to the byte, as a caller sees it."""

from __future__ import annotations

from pathlib import Path

from search import search


def every_answer(index: Path, queries, limit: int) -> list:
    """For each query in both modes: the total, and each hit's document, passage, score,
    highlights and snippet."""
    out = []
    for query in queries:
        for mode in ("documents", "passages"):
            result = search(query, index=index, limit=limit, mode=mode)
            out.append((query, mode, result.total,
                        [(h.doc_id, h.passage_no, h.score, h.highlights, h.snippet) for h in result.hits]))
    return out
