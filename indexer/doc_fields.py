"""What can be filtered, sorted and counted in an index: its fields and their kinds, and the
paths a person can read.

Every index has three fields of its own: ``date`` (the document's date, from its text or its
source's ``date`` field), ``path`` (the folder it came from, relative to the folder that was
indexed) and ``type`` (the file type). The scalar fields of a source's metadata (a JSONL line's
other fields) are added under their own names, each with a kind inferred from its values in the
index: ``number`` when every value is a number, ``date`` when every value is an ISO date
(``2021-03-04``, optionally with a time), else ``keyword`` (an exact value, folded for matching).
A source field named like a built-in one (``date``, ``path``, ``type``) is read through the
built-in, never as a second field. The kinds are inferred once per open index, so a field that
starts holding text where it held numbers becomes a keyword field at the next commit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

KEYWORD = "keyword"
NUMBER = "number"
DATE = "date"
FOLDER = "folder"

#: The fields every index has, and their kinds.
BUILT_IN = {"date": DATE, "path": FOLDER, "type": KEYWORD}
#: Names the query language keeps for itself (``title:`` is a text filter; ``year`` is a facet
#: and an alias of ``date``).
RESERVED = frozenset({*BUILT_IN, "year", "title", "tieude"})

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
TYPE_ALIASES = {"htm": "html", "markdown": "md"}


def kind_of(values: Iterable) -> str:
    """The kind of a source field from all its values in the index (None values left out)."""
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add(KEYWORD)
        elif isinstance(v, (int, float)):
            kinds.add(NUMBER)
        elif isinstance(v, str) and ISO_DATE.fullmatch(v.strip()):
            kinds.add(DATE)
        else:
            kinds.add(KEYWORD)
        if len(kinds) > 1:
            return KEYWORD
    return kinds.pop() if kinds else KEYWORD


def field_kinds(documents: Iterable[dict]) -> dict[str, str]:
    """Every field of an index and its kind: the built-in ones, then the source fields by name."""
    seen: dict[str, list] = {}
    for fields in documents:
        for name, value in fields.items():
            if name not in RESERVED:
                seen.setdefault(name, []).append(value)
    return {**BUILT_IN, **{name: kind_of(seen[name]) for name in sorted(seen)}}


def file_type(path: str) -> str:
    """``pdf``, ``txt``, ``jsonl``...: a file's suffix, lowercased (``htm`` is ``html``)."""
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    return TYPE_ALIASES.get(suffix, suffix)


def relative_path(path: str, roots: Iterable[str]) -> str:
    """``path`` relative to the folder above the indexed root it lies in (``corpus/000_….txt``
    for the shipped corpus, wherever it is installed); a file indexed by itself is its name.
    A path under none of the roots (documents indexed from Python) is returned as it is."""
    best = ""
    for root in roots:
        root = root.rstrip(os.sep) or os.sep
        if (path == root or path.startswith(root + os.sep)) and len(root) > len(best):
            best = root
    if not best:
        return path
    return os.path.relpath(path, os.path.dirname(best))
