"""Abbreviations and synonyms: groups of terms that mean the same (``UBND`` = ``Ủy ban nhân dân``,
``TP.HCM`` = ``TPHCM`` = ``Thành phố Hồ Chí Minh``), so that a query in one form finds the others.

The table vnsearch ships (``data/synonyms.txt``, with its sources) is always used; a file of the
same format given at search time (``search(synonyms=FILE)``, ``vnsearch search --synonyms FILE``,
``vnsearch serve --synonyms FILE``) adds groups. Terms are matched by their folded syllables
(``analyzers.analyze``), so any spelling of a term matches.

When a run of the query's free-text syllables is a term of a group, each other term of the group
becomes a phrase the hits may hold instead (``plan.Bonus`` on ``fsyl``), worth what the typed
form scores in a passage that holds it once: a passage holding ``Ủy ban nhân dân`` ranks as one
holding ``UBND`` would for the query ``UBND``, and the reverse. A term joined by punctuation to
the rest of a code (``35-CT/TW``) is part of the code and not expanded; a term of one or two
letters written in capitals in the table (``TW``, ``TP``) only where the query writes it as an
abbreviation: in capitals, or right before a capitalized name (``Tp Hà Nội``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzers import analyze

SHIPPED = Path(__file__).parent / "data" / "synonyms.txt"
MAX_TERM_SYLLABLES = 8
_CODE_JOINERS = frozenset("-/._&+")  # a gap holding one of these ties a term to its neighbour


class SynonymsError(ValueError):
    """A synonyms file that cannot be read; the message names it and says why."""


@dataclass(frozen=True)
class Term:
    folded: tuple[str, ...]
    short: bool  # one or two capitals: expanded only where written as an abbreviation


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[tuple[Term, ...], ...]
    by_folded: dict[tuple[str, ...], tuple[int, ...]]  # a term's syllables -> the groups holding it
    longest: int


@dataclass(frozen=True)
class Match:
    """Query syllables ``start``..``end`` (exclusive) are a term; ``alternatives`` are the folded
    syllables of the other terms of its groups."""

    start: int
    end: int
    alternatives: tuple[tuple[str, ...], ...]


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


def _build(groups: list[tuple[Term, ...]]) -> Synonyms:
    by_folded: dict[tuple[str, ...], list[int]] = {}
    for g, group in enumerate(groups):
        for term in group:
            by_folded.setdefault(term.folded, []).append(g)
    longest = max((len(k) for k in by_folded), default=0)
    return Synonyms(tuple(groups), {k: tuple(v) for k, v in by_folded.items()}, longest)


@lru_cache(maxsize=1)
def _shipped() -> tuple[tuple[Term, ...], ...]:
    return tuple(parse_groups(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name))


@lru_cache(maxsize=16)
def _with_file(path: str, mtime: float) -> Synonyms:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SynonymsError(f"synonyms file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise SynonymsError(f"cannot read synonyms file {path}: {exc.strerror or exc}") from None
    return _build([*_shipped(), *parse_groups(text, path)])


def load(path: str | os.PathLike | None = None) -> Synonyms:
    """The shipped table, plus the groups of the file at ``path`` if one is given (re-read when
    it changes)."""
    if path is None:
        return _shipped_synonyms()
    try:
        mtime = os.stat(path).st_mtime
    except OSError as exc:
        raise SynonymsError(f"cannot read synonyms file {path}: {exc.strerror or exc}") from None
    return _with_file(os.fspath(path), mtime)


@lru_cache(maxsize=1)
def _shipped_synonyms() -> Synonyms:
    return _build(list(_shipped()))


def find(text: str, synonyms: Synonyms, limit: int | None = None) -> list[Match]:
    """The terms of ``synonyms`` in the free text ``text`` (its first ``limit`` syllables), longest
    first, not overlapping."""
    syl = analyze(text)
    n = len(syl.folded) if limit is None else min(limit, len(syl.folded))
    folded, gaps = syl.folded[:n], syl.gaps[:n]
    typed = [text[s:e] for s, e in zip(syl.starts[:n], syl.ends[:n])]
    matches = []
    i = 0
    while i < n:
        found = None
        for length in range(min(synonyms.longest, n - i), 0, -1):
            key = tuple(folded[i : i + length])
            groups = synonyms.by_folded.get(key)
            if groups and _stands_alone(gaps, i, i + length) and _written_as_term(typed, key, groups, synonyms, i):
                found = (length, groups, key)
                break
        if found is None:
            i += 1
            continue
        length, groups, key = found
        alternatives = tuple(dict.fromkeys(t.folded for g in groups for t in synonyms.groups[g] if t.folded != key))
        matches.append(Match(i, i + length, alternatives))
        i += length
    return matches


def _stands_alone(gaps: list[str], start: int, end: int) -> bool:
    """Not tied by code punctuation to the syllable before or after (``35-CT/TW``)."""
    before = gaps[start] if start > 0 else ""
    after = gaps[end] if end < len(gaps) else ""
    return not (_CODE_JOINERS & set(before) or _CODE_JOINERS & set(after))


def _written_as_term(typed: list[str], key: tuple[str, ...], groups: tuple[int, ...], synonyms: Synonyms,
                     i: int) -> bool:
    """A short term counts only in capitals, or right before a capitalized name."""
    short = any(t.short for g in groups for t in synonyms.groups[g] if t.folded == key)
    if not short:
        return True
    word = typed[i]
    return word.isupper() or (i + 1 < len(typed) and typed[i + 1][:1].isupper())
