"""A query plan: a short list of clauses, each plain data saying what to look up and what it does.

A parsed query becomes clauses of five kinds, each built by one function below:

* ``Scored``: optional terms of one field, BM25 summed and weighted (``syllable_terms``,
  ``pair_terms``, ``word_terms``, ``title_terms``). Folded syllables (``fsyl``) give recall for
  any spelling; accented ones (``syl``), when the query has diacritics, rank the exact spelling
  first (``đảng`` before ``đang``); folded pairs (``fpair``) and pyvi words (``word``) add
  adjacency and word-level precision; the document title's folded syllables (``title``) are
  scored on document records and passed on to their passages.
* ``Bonus``: a score added to records holding a phrase (``run_bonuses``: codes typed with
  punctuation, ``35-CT/TW``).
* ``Require`` / ``Exclude``: phrases every hit holds or none does (``required_phrases``,
  ``title_filters``, ``exclusions``).
* ``AnyOf``: every hit holds one of the terms (``exact_gate``: exact mode).

Two builders add clauses of those kinds for queries as people type them: ``synonym_bonuses``
(the other terms of an abbreviation's or synonym's group, ``synonyms``, as phrase bonuses worth
the typed term's score) and ``prefix_terms`` (the longer syllables the last one, still being
typed, may be the start of, ``prefix``, at a fraction of a whole word's weight).

``plan_query`` only decides which syllables are asked for: question words (see ``questions``)
are left out; syllables in more than ``COMMON`` of all passages (``của``, ``và``) are used only
through their pairs when the query has rarer ones (``tác_dụng`` carries what they mean at a
fraction of the postings); an unknown syllable is replaced by its most frequent neighbour one
edit away (a typo). Queries are capped at ``MAX_SYLLABLES`` syllables and ``MAX_CORRECTIONS``
typo lookups (and a prefix to ``prefix.MAX_EXPANSIONS`` pairs or syllables), so no query costs
without bound. What a hit is marked by is derived from the plan
afterwards (``marks``), and what the clauses do to scores is ``rank``'s business: a new operator
is a new clause kind, its builder here and its effect there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from indexer.storage import IndexReader

from . import prefix as prefixes
from . import synonyms as synonym_groups
from .questions import is_question_word, question_positions
from .scorer import idf_of
from .syntax import ParsedQuery
from .terms import QuerySyllable, pairs, query_syllables, query_words, runs

COMMON = 0.2  # fraction of passages above which a syllable is only used inside pairs
MAX_SYLLABLES = 64  # of free text; a longer query searches its first 64 syllables
MAX_CORRECTIONS = 3  # typo corrections per query (each unknown syllable costs one deletion-index lookup)
TYPO_FIELD = "fsyl"  # whose lexicon typos are corrected against

# Field weights, tuned on ../shared/eval (benchmarks/relevance.py); never per question.
W_FOLDED = 1.0
W_ACCENTED = 0.6
W_PAIR = 1.2
W_WORD = 0.6
W_TITLE = 0.25
W_RUN = 2.0

#: Fields indexed on document records, not passages: scored and matched there, passed on to passages.
DOCUMENT_FIELDS = frozenset({"title"})


@dataclass(frozen=True)
class Scored:
    """Optional terms: each record scores ``weight`` × BM25 of each term, summed in this order."""

    field: str
    terms: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Bonus:
    """Records holding ``terms`` as a phrase score ``weight`` more."""

    field: str
    terms: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Require:
    """Every hit holds ``terms`` as a phrase of ``field`` and, in exact mode, the ``accented``
    syllables in ``syl`` (which has no positions, so they are checked as terms)."""

    field: str
    terms: tuple[str, ...]
    accented: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exclude:
    """No hit holds ``terms`` as a phrase of ``field`` (with the ``accented`` syllables, in exact mode)."""

    field: str
    terms: tuple[str, ...]
    accented: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """Every hit holds at least one of ``terms``."""

    field: str
    terms: tuple[str, ...]


Clause = Scored | Bonus | Require | Exclude | AnyOf


@dataclass
class Plan:
    clauses: list[Clause]
    syllables: list[QuerySyllable]  # the free text as searched (at most MAX_SYLLABLES)
    content: list[QuerySyllable]  # those asked for: question words and repeats left out
    phrases: list[list[QuerySyllable]]  # the quoted phrases every hit holds
    corrections: dict[str, str]  # folded typo -> the indexed syllable searched instead
    exact: bool
    notes: list[str] = field(default_factory=list)  # what was cut, for the user
    synonyms: list[tuple[str, ...]] = field(default_factory=list)  # folded terms searched for synonyms
    expansion: prefixes.Expansion | None = None  # what the last syllable, still being typed, may be
    # (field, term) of the query -> the phrases (folded syllables) that count as a match of it:
    # the other terms of the synonym groups it is part of (``synonym_terms``).
    expanded: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    def finds_anything(self) -> bool:
        """Whether any clause can make a record a hit (bonuses, gates and exclusions only narrow)."""
        return any(isinstance(c, (Scored, Require)) for c in self.clauses)


def plan_query(parsed: ParsedQuery, reader: IndexReader, exact: bool, *,
               synonyms: synonym_groups.Synonyms | None = None, prefix: bool = False) -> Plan:
    """The clauses of a parsed query; ``exact`` matches diacritics exactly; ``synonyms`` adds the
    other terms of the groups the free text holds a term of; ``prefix`` lets the last syllable of
    the free text match as a prefix (it is still being typed; not in exact mode)."""
    notes = []
    free = query_syllables(parsed.free_text)
    if len(free) > MAX_SYLLABLES:
        free = free[:MAX_SYLLABLES]
        notes.append(f"only the first {MAX_SYLLABLES} syllables of the query are searched")
    asked = question_positions(free)
    seen: set[str] = set()
    content = [s for i, s in enumerate(free) if i not in asked and s.folded not in seen and not seen.add(s.folded)]
    most = common_above(reader)
    rare = [s for s in content if reader.doc_frequency("fsyl", s.folded) <= most]
    kept = rare if rare else content
    expansion = prefixes.expand(reader, free) if prefix and not exact else None
    typing = free[-1].folded if expansion is not None else None
    corrections = _corrections(reader, [s for s in content if s.folded != typing])
    marked = any(s.has_marks for s in free)
    matches = synonym_groups.find(parsed.free_text, synonyms, MAX_SYLLABLES) if synonyms is not None else []
    phrases = _analyzed(parsed.phrases)
    clauses = [
        *syllable_terms(kept, corrections, exact, marked),
        *pair_terms(free, corrections, asked),
        *(word_terms(parsed.free_text) if marked else []),
        *([] if exact else title_terms(kept, corrections)),
        *run_bonuses(free),
        *(exact_gate(kept) if exact else []),
        *required_phrases(phrases, exact),
        *title_filters(_analyzed(parsed.title)),
        *exclusions(_analyzed(parsed.excluded), exact),
        *synonym_bonuses(reader, free, matches, marked),
        *prefix_terms(expansion),
    ]
    alternatives = [alt for m in matches for alt in m.alternatives]
    return Plan(clauses, free, content, phrases, corrections, exact, notes, alternatives, expansion,
                synonym_terms(free, matches, corrections, marked))


def common_above(reader: IndexReader) -> float:
    """The document frequency above which a folded syllable is too common to score passages by
    (``COMMON`` of the live records): a query reads it through its pairs, unless all its
    syllables are."""
    return COMMON * max(1, reader.live_count())


def syllable_terms(kept: list[QuerySyllable], corrections: dict[str, str], exact: bool, marked: bool) -> list[Scored]:
    """Each syllable folded (as corrected) and, in a query with diacritics, accented as well; in
    exact mode accented alone, with both weights. A syllable's terms stay together, in query
    order: the scores are float32 sums, which that order fixes to the last bit."""
    terms: list[tuple[str, str, float]] = []
    for s in kept:
        if exact:
            terms.append(("syl", s.accented, W_FOLDED + W_ACCENTED))
            continue
        terms.append(("fsyl", corrections.get(s.folded, s.folded), W_FOLDED))
        if marked:
            terms.append(("syl", s.accented, W_ACCENTED))
    return [Scored(f, tuple(t for _, t, _ in run), w) for (f, w), run in groupby(terms, key=lambda t: (t[0], t[2]))]


def pair_terms(free: list[QuerySyllable], corrections: dict[str, str], asked: set[int]) -> list[Scored]:
    """Folded adjacent pairs of the free text as corrected, leaving out those of question words."""
    fixed = [QuerySyllable(s.accented, corrections.get(s.folded, s.folded), s.gap) for s in free]
    found = tuple(dict.fromkeys(pairs(fixed, skip=asked)))
    return [Scored("fpair", found, W_PAIR)] if found else []


def word_terms(text: str) -> list[Scored]:
    """pyvi's words of the free text, question words left out (only for a query with diacritics,
    which pyvi needs to segment)."""
    found = tuple(w for w in dict.fromkeys(query_words(text)) if not is_question_word(w))
    return [Scored("word", found, W_WORD)] if found else []


def title_terms(kept: list[QuerySyllable], corrections: dict[str, str]) -> list[Scored]:
    """The folded syllables (as corrected) in the document title."""
    found = tuple(corrections.get(s.folded, s.folded) for s in kept)
    return [Scored("title", found, W_TITLE)] if found else []


def run_bonuses(free: list[QuerySyllable]) -> list[Bonus]:
    """A bonus for each run of syllables joined by punctuation (``35-CT/TW``) found as typed."""
    return [Bonus("fsyl", tuple(s.folded for s in run), W_RUN) for run in runs(free)]


def exact_gate(kept: list[QuerySyllable]) -> list[AnyOf]:
    """Exact mode: a hit holds one searched syllable with its diacritics, so that folded pairs
    and titles only add to passages with an exact match."""
    return [AnyOf("syl", tuple(s.accented for s in kept))] if kept else []


def required_phrases(phrases: list[list[QuerySyllable]], exact: bool) -> list[Require]:
    """Each quoted phrase, in folded syllables (and in exact mode with its diacritics)."""
    return [Require("fsyl", *_phrase(sylls, exact)) for sylls in phrases]


def title_filters(titles: list[list[QuerySyllable]]) -> list[Require]:
    """Each ``title:`` word or phrase, in the document's folded title."""
    return [Require("title", *_phrase(sylls, False)) for sylls in titles]


def exclusions(excluded: list[list[QuerySyllable]], exact: bool) -> list[Exclude]:
    """Each ``-`` word or phrase, in folded syllables (and in exact mode with its diacritics)."""
    return [Exclude("fsyl", *_phrase(sylls, exact)) for sylls in excluded]


def synonym_bonuses(reader: IndexReader, free: list[QuerySyllable], matches: list[synonym_groups.Match],
                    marked: bool) -> list[Bonus]:
    """Each other term of a synonym group the free text holds a term of, as a phrase worth what
    the typed term scores in a passage that holds it once (its syllables, its pairs and, typed
    with diacritics, its accented syllables, each at tf 1 on an average length): a passage
    holding ``Ủy ban nhân dân`` ranks as one holding ``UBND`` does for the query ``UBND``."""
    bonuses = []
    total = max(1, reader.size)
    for m in matches:
        typed = free[m.start : m.end]
        weight = sum(W_FOLDED * idf_of(reader.doc_frequency("fsyl", s.folded), total) for s in typed)
        weight += sum(W_PAIR * idf_of(reader.doc_frequency("fpair", p), total) for p in pairs(typed))
        if marked:
            weight += sum(W_ACCENTED * idf_of(reader.doc_frequency("syl", s.accented), total)
                          for s in typed if s.has_marks)
        bonuses.extend(Bonus("fsyl", alt, round(weight, 4)) for alt in m.alternatives)
    return bonuses


def synonym_terms(free: list[QuerySyllable], matches: list[synonym_groups.Match], corrections: dict[str, str],
                  marked: bool) -> dict[tuple[str, str], tuple[tuple[str, ...], ...]]:
    """For each term a synonym's bonus stands for (``synonym_bonuses``: the typed form's folded
    syllables, pairs and, typed with diacritics, accented syllables), the other forms that count
    as a match of it: whatever scores a term outside the passage scores (the document ranking's
    whole-document features) counts them too."""
    out: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {}
    for m in matches:
        typed = free[m.start : m.end]
        keys = [("fsyl", corrections.get(s.folded, s.folded)) for s in typed]
        keys += [("fpair", p) for p in pairs(typed)]
        if marked:
            keys += [("syl", s.accented) for s in typed if s.has_marks]
        for key in keys:
            out[key] = tuple(dict.fromkeys(out.get(key, ()) + m.alternatives))
    return out


def prefix_terms(expansion: prefixes.Expansion | None) -> list[Scored]:
    """What the last syllable may be the start of, at a fraction of a whole word's weights
    (``prefix``): its pairs with the syllable before it, or, as the first syllable, the longer
    syllables themselves."""
    if expansion is None:
        return []
    out = [Scored("fsyl", expansion.syllables, W_FOLDED * prefixes.FRACTION)] if expansion.syllables else []
    if expansion.pairs:
        out.append(Scored("fpair", expansion.pairs, W_PAIR * prefixes.FRACTION))
    return out


def _phrase(sylls: list[QuerySyllable], exact: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    accented = tuple(dict.fromkeys(s.accented for s in sylls)) if exact else ()
    return tuple(s.folded for s in sylls), accented


def _analyzed(texts: list[str]) -> list[list[QuerySyllable]]:
    return [sylls for sylls in map(query_syllables, texts) if sylls]


def _corrections(reader: IndexReader, content: list[QuerySyllable]) -> dict[str, str]:
    """Unknown syllables of four letters or more, each to its correction, for the first few."""
    corrections: dict[str, str] = {}
    for s in content:
        if len(corrections) == MAX_CORRECTIONS:
            break
        if len(s.folded) >= 4 and reader.doc_frequency(TYPO_FIELD, s.folded) == 0:
            fixed = _correct(reader, s.folded)
            if fixed:
                corrections[s.folded] = fixed
    return corrections


def _correct(reader: IndexReader, key: str) -> str | None:
    """The most frequent indexed syllable one edit away from an unknown one (a typo)."""
    candidates = [t for t in reader.terms_within(TYPO_FIELD, key, 1) if t != key]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (reader.doc_frequency(TYPO_FIELD, t), t))
