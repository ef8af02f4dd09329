"""Hot terms: the index's most frequent syllables decoded before the first query, and kept.

A question's postings are mostly those of a few hundred syllables found in 2 to 20% of all
passages (``bệnh``, ``người``, ``tháng``), a hundred thousand postings or more each at 90,568
articles, and decoding a term costs about 25 ns a posting (zlib pages, byte planes, gaps summed).
The term cache's LRU keeps what recent questions asked for; a question whose syllables it had
not seen, or had dropped for the rare pairs of the questions since, decoded them itself: on the
index of 90,568 articles the slowest questions spent half their time so. The same syllables come
back from question to question, so ``preload`` decodes them once, when a server starts
(``engine.warm``), and pins them in the cache (``IndexArrays.pin``), where the LRU never drops
them: the folded syllables by descending document frequency, each with its accented spellings
that the index holds (``analyzers.accented_forms``: the index keeps accented syllables by hash
alone, so they cannot be listed), their passage scores and their whole-document BM25, until
``HOT_SHARE`` of the cache's bound is used. What is pinned is the same arrays a query decodes
and remembers, so no score changes.

Only what the shipped document model reads is pinned (``ltr.used``): the whole-document BM25 of
the folded syllables (``doc_fsyl``), and of the accented ones or of the syllables too common to
score passages by (``plan.COMMON``) only if the model weighs ``doc_syl`` or ``doc_all`` (it
weighs neither today, so those syllables are pinned by their passage scores alone, and the most
common not at all: a query reads them through their pairs). A term of fewer than
``MIN_POSTINGS`` postings is left to the LRU: it decodes in tens of microseconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from analyzers import accented_forms

from . import scorer
from .features import document_key, document_value
from .ltr import used
from .plan import common_above
from .scorer import IndexArrays, decode_term

HOT_SHARE = 0.6  # of the cache's bound: the rest is the LRU's, for the terms that come and go
MIN_POSTINGS = 4096  # one page of the bags file
FOLDED, ACCENTED = "fsyl", "syl"  # the fields a question's syllables are scored in


@dataclass
class Preloaded:
    """What ``preload`` pinned: folded syllables, terms (folded and accented), their postings,
    the cache bytes they take, and the seconds it took."""

    syllables: int = 0
    terms: int = 0
    postings: int = 0
    bytes: int = 0
    seconds: float = 0.0


def preload(arrays: IndexArrays, budget: int | None = None, wanted: frozenset[str] | None = None) -> Preloaded:
    """Decode and pin the most frequent syllables of an open index, up to ``budget`` bytes
    (``HOT_SHARE`` of ``scorer.CACHE_BYTES`` by default), with the whole-document values of
    the ``wanted`` features (the shipped model's, ``ltr.used``, by default)."""
    started = time.perf_counter()
    budget = int(HOT_SHARE * scorer.CACHE_BYTES) if budget is None else budget
    wanted = used() if wanted is None else wanted
    reader = arrays.reader
    scored_at_most = common_above(reader)
    frequent = sorted(((reader.doc_frequency(FOLDED, t), t) for t in reader.terms_with_prefix(FOLDED, "")), reverse=True)
    done = Preloaded()
    before = arrays.pinned_bytes
    for df, folded in frequent:
        if df < MIN_POSTINGS or arrays.pinned_bytes - before >= budget:
            break
        if df > scored_at_most:  # read through its pairs, and by ``doc_all`` if the model has it
            if "doc_all" in wanted:
                done.syllables += 1
                _pin(arrays, FOLDED, folded, df, done, passages=False, document=True)
            continue
        done.syllables += 1
        _pin(arrays, FOLDED, folded, df, done, passages=True, document="doc_fsyl" in wanted)
        for form in accented_forms(folded):
            if (form_df := reader.doc_frequency(ACCENTED, form)) >= MIN_POSTINGS:
                _pin(arrays, ACCENTED, form, form_df, done, passages=True, document="doc_syl" in wanted)
    done.bytes = arrays.pinned_bytes - before
    done.seconds = time.perf_counter() - started
    return done


def _pin(arrays: IndexArrays, fieldname: str, text: str, df: int, done: Preloaded, passages: bool,
         document: bool) -> None:
    """Pin a term of ``df`` postings: its passage scores and (``document``) its whole-document BM25."""
    if passages:
        arrays.pin((fieldname, text), decode_term(arrays, fieldname, text))
    if document:
        arrays.pin(document_key(fieldname, text), document_value(arrays, fieldname, text))
    done.terms += 1
    done.postings += df
