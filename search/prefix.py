"""The last syllable of a query as a prefix: what is still being typed (``bac ni`` → ``Bắc Ninh``,
``uy ban nhan d`` → ``Ủy ban nhân dân``).

When it applies: the query ends right after letters of a plain word (not after a space, a
punctuation mark, a quote, or inside a ``-word``/``title:`` filter), outside exact mode (the
accented field keeps no lexicon to expand against), and ``search(prefix=True)``, the default.

What it does: the folded last syllable is looked up as a prefix in the ``fsyl`` lexicon, through
the storage's prefix lookup (``IndexReader.terms_with_prefix``, a range walk of the sorted term
index, never a scan of the whole lexicon), and the ``MAX_CANDIDATES`` syllables in most passages
are kept (``candidates``; for a prefix of one or two letters, thousands of terms at 90k articles,
ranked once per open index and kept). Then:

* after another syllable, the ``MAX_EXPANSIONS`` of them that follow it most often are searched
  as that pair only (``bac_ninh``, by the pair's document frequency), at a fraction of a whole
  pair's weight. The pair holds both what was typed and its context; the syllable alone
  (``ninh``, or for one letter ``nam``, ``người``: posting lists of a third of all passages)
  added little to the ranking and was most of the cost: at 90k articles it made a one-letter
  last syllable cost several times the query without it (``benchmarks/variants.py --latency``).
  If the previous syllable is never followed by one of them, a prefix of two letters or more is
  searched as the syllables alone, one letter not at all;
* as the first syllable, a prefix of two letters or more is searched as the ``MAX_EXPANSIONS``
  syllables in most passages, at a fraction of a whole word's weight; one letter alone is not
  expanded (it says nothing yet, and would match most of the index).

So a passage holding the letters as a whole word ranks above one holding a longer syllable that
starts with them.
"""

from __future__ import annotations

import heapq
import re
import threading
import weakref
from dataclasses import dataclass

from indexer.storage import IndexReader

from .terms import QuerySyllable

MAX_EXPANSIONS = 12  # longer syllables searched for the one being typed
MAX_CANDIDATES = 256  # the most frequent syllables that start with it, looked at for them
KEPT_PREFIX = 2  # prefixes this short (the widest lookups) are ranked once per open index
FRACTION = 0.5  # of a whole word's weight, for a syllable that only starts with what was typed
ALONE = 2  # letters a prefix needs to be expanded to syllables alone, not through a pair

# The query's last clause, if it is a plain word ending in a letter or digit.
_LAST_WORD = re.compile(r'(?:^|\s)(?P<word>[^\s"\-][^\s"]*)$')

_ranked: weakref.WeakKeyDictionary[IndexReader, dict[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()
_ranked_lock = threading.Lock()


@dataclass(frozen=True)
class Expansion:
    """The syllables the last one typed may be the start of, and their pairs with the one before."""

    typed: str  # the folded prefix
    syllables: tuple[str, ...]
    pairs: tuple[str, ...]


def still_typing(query: str) -> bool:
    """Whether the query ends inside a plain word (the last clause is not a filter, a phrase
    or an exclusion, and no space or punctuation follows it)."""
    m = _LAST_WORD.search(query)
    if m is None:
        return False
    word = m.group("word")
    return ":" not in word and (word[-1].isalnum() or "\u0300" <= word[-1] <= "\u036f")


def candidates(reader: IndexReader, typed: str) -> tuple[str, ...]:
    """The ``MAX_CANDIDATES`` syllables of the index that start with ``typed`` (and are longer),
    in most passages first. A prefix of one or two letters stands for thousands of terms of a
    large lexicon: those are ranked the first time they are typed and kept with the open index
    (a new commit is a new reader, ranked afresh), so each keystroke after costs a dict lookup."""
    if len(typed) > KEPT_PREFIX:
        return _rank(reader, typed)
    with _ranked_lock:
        kept = _ranked.setdefault(reader, {})
        found = kept.get(typed)
    if found is None:
        found = _rank(reader, typed)  # outside the lock: two threads may both rank it, alike
        with _ranked_lock:
            kept[typed] = found
    return found


def _rank(reader: IndexReader, typed: str) -> tuple[str, ...]:
    terms = [t for t in reader.terms_with_prefix("fsyl", typed) if t != typed]
    counted = [(reader.doc_frequency("fsyl", t), t) for t in terms]
    best = heapq.nsmallest(MAX_CANDIDATES, counted, key=lambda c: (-c[0], c[1]))
    return tuple(t for _, t in best)


def expand(reader: IndexReader, free: list[QuerySyllable]) -> Expansion | None:
    """The expansion of the last syllable of the free text, or None if nothing longer starts
    with it (or it is one letter with no syllable before it to pair with)."""
    if not free:
        return None
    last = free[-1]
    previous = free[-2].folded if len(free) > 1 and not last.gap else None
    if previous is None and len(last.folded) < ALONE:
        return None
    found = candidates(reader, last.folded)
    if not found:
        return None
    if previous is not None:
        by_pair = {t: reader.doc_frequency("fpair", f"{previous}_{t}") for t in found}
        followed = [t for t in found if by_pair[t]]
        if followed:
            chosen = sorted(followed, key=lambda t: (-by_pair[t], t))[:MAX_EXPANSIONS]
            return Expansion(last.folded, (), tuple(f"{previous}_{t}" for t in chosen))
        if len(last.folded) < ALONE:
            return None
    chosen = found[:MAX_EXPANSIONS]  # ranked by passages already
    return Expansion(last.folded, chosen, ())
