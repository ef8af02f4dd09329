"""The synonyms file: one group of equivalent terms a line, separated by commas, ``#`` comments.

    # Ủy ban nhân dân
    UBND, Ủy ban nhân dân, Uỷ ban nhân dân
    TP.HCM, TPHCM, TP HCM, Thành phố Hồ Chí Minh

A format of the analysis, as Lucene's synonym filter is: a term is read by ``analyze``, so it is
kept as its folded syllables and matches any spelling. Here because both the indexer (which
checks a file given at index time and keeps a copy in the index) and the search layer (which
expands queries by it) read it, and the indexer cannot import the search layer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .analysis import analyze

MAX_TERM_SYLLABLES = 8


class SynonymsError(ValueError):
    """A synonyms file that cannot be read; the message names it and says why."""


@dataclass(frozen=True)
class Term:
    folded: tuple[str, ...]
    short: bool  # one or two capitals: expanded only where written as an abbreviation


def parse_groups(text: str, source: str) -> list[tuple[Term, ...]]:
    """The groups of a synonyms file's text (``source`` names it in errors)."""
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms = []
        for raw in (part.strip() for part in line.split(",")):
            syl = analyze(raw)
            if not syl.folded:
                continue
            if len(syl.folded) > MAX_TERM_SYLLABLES:
                raise SynonymsError(f"{source}, line {number}: a term has more than {MAX_TERM_SYLLABLES} syllables")
            short = len(syl.folded) == 1 and len(raw) <= 2 and raw.isupper()
            terms.append(Term(tuple(syl.folded), short))
        unique = tuple({t.folded: t for t in terms}.values())
        if len(unique) >= 2:
            groups.append(unique)
        elif terms:
            raise SynonymsError(f"{source}, line {number}: a group needs two terms separated by a comma")
    return groups


def read_synonyms(path: str | os.PathLike) -> tuple[str, list[tuple[Term, ...]]]:
    """A synonyms file's text and its groups: a ``SynonymsError`` saying what is wrong, if anything."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SynonymsError(f"synonyms file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise SynonymsError(f"cannot read synonyms file {path}: {exc.strerror or exc}") from None
    return text, parse_groups(text, str(path))
