"""Search a vnsearch index: ``from search import search``.

``search(query, index=None, limit=10, offset=0)`` returns a ``SearchResult`` (dataclasses; its
``to_dict()`` is the JSON the CLI and the web API print). The program (``vnsearch``: the command
line) and the web app (``search.web``) hold no search logic of their own.
"""

from .engine import SearchError, search
from .results import DocumentHits, Hit, SearchResult

__all__ = ["DocumentHits", "Hit", "SearchError", "SearchResult", "search"]
