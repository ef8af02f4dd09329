"""Abbreviations and synonyms: groups of terms that mean the same (``UBND`` = ``Ủy ban nhân dân``,
``TP.HCM`` = ``TPHCM`` = ``Thành phố Hồ Chí Minh``), so that a query in one form finds the others.

The table vnsearch ships (``data/synonyms.txt``, with its sources) is always used; the groups
of a file given at index time (``vnsearch index --synonyms FILE``, kept in the index:
``indexer.synonyms``) are added for every search of that index, and those of a file given at
search time (``search(synonyms=FILE)``, ``vnsearch search --synonyms FILE``, ``vnsearch serve
--synonyms FILE``) are added to both. ``synonyms=False`` (``--no-synonyms``) turns all of them
off. The file format is ``analyzers.synonym_file``'s; terms are matched by their folded
syllables (``analyzers.analyze``), so any spelling of a term matches.

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

from analyzers import SynonymsError, Term, analyze, parse_groups, read_synonyms

__all__ = ["SHIPPED", "Match", "Synonyms", "SynonymsError", "find", "load", "parse_groups"]

SHIPPED = Path(__file__).parent / "data" / "synonyms.txt"
_CODE_JOINERS = frozenset("-/._&+")  # a gap holding one of these ties a term to its neighbour


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


@lru_cache(maxsize=32)
def _with_files(files: tuple[tuple[str, float], ...]) -> Synonyms:
    """The shipped table and the groups of each (path, mtime), in that order (the mtime only
    keys the cache: a changed file is read again)."""
    groups = list(_shipped())
    for path, _ in files:
        groups.extend(read_synonyms(path)[1])
    return _build(groups)


def load(path: str | os.PathLike | None = None, recorded: str | os.PathLike | None = None) -> Synonyms:
    """The shipped table, plus the groups an index records (``recorded``, the copy ``vnsearch
    index --synonyms`` keeps in it), plus those of the file at ``path`` given at search time;
    each file re-read when it changes."""
    files = tuple(stamp for stamp in (_stamp(recorded, missing_ok=True), _stamp(path)) if stamp is not None)
    return _with_files(files) if files else _shipped_synonyms()


def _stamp(path: str | os.PathLike | None, missing_ok: bool = False) -> tuple[str, float] | None:
    """The file and its mtime (None for no file). The index's copy may vanish between being found
    and being read (``vnsearch index`` with a file of no groups removes it): that is no groups,
    not an error."""
    if path is None:
        return None
    try:
        return os.fspath(path), os.stat(path).st_mtime_ns
    except FileNotFoundError:
        if missing_ok:
            return None
        raise SynonymsError(f"cannot read synonyms file {path}: No such file or directory") from None
    except OSError as exc:
        raise SynonymsError(f"cannot read synonyms file {path}: {exc.strerror or exc}") from None


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
