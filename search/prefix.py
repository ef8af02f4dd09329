"""The last syllable of a query as a prefix: what is still being typed (``bac ni`` → ``Bắc Ninh``,
``uy ban nhan d`` → ``Ủy ban nhân dân``).

When it applies: the query ends right after letters of a plain word (not after a space, a
punctuation mark, a quote, or inside a ``-word``/``title:`` filter), outside exact mode (the
accented field keeps no lexicon to expand against), and ``search(prefix=True)``, the default.

What it does: the folded last syllable is looked up as a prefix in the ``fsyl`` lexicon, through
the storage's prefix lookup (``IndexReader.terms_with_prefix``, a range walk of the sorted term
index: the terms that start with it, never a scan of the whole lexicon). Of those, the
``MAX_EXPANSIONS`` that occur most often after the previous syllable (by the document frequency
of the pair), or in most passages when it is the first, are scored with a fraction of the weight
of a whole word, so a passage holding the letters as a whole word ranks above one holding a
longer syllable that starts with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.storage import IndexReader

from .terms import QuerySyllable

MAX_EXPANSIONS = 12  # longer syllables searched for the one being typed
MAX_CANDIDATES = 2000  # terms looked at for them (a one-letter prefix of a large lexicon has more)
FRACTION = 0.5  # of a whole word's weight, for a syllable that only starts with what was typed

# The query's last clause, if it is a plain word ending in a letter or digit.
_LAST_WORD = re.compile(r'(?:^|\s)(?P<word>[^\s"\-][^\s"]*)$')


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


def expand(reader: IndexReader, free: list[QuerySyllable]) -> Expansion | None:
    """The expansion of the last syllable of the free text, or None if nothing longer starts
    with it."""
    if not free:
        return None
    last = free[-1]
    previous = free[-2].folded if len(free) > 1 and not last.gap else None
    candidates = [t for t in reader.terms_with_prefix("fsyl", last.folded)[:MAX_CANDIDATES] if t != last.folded]
    if not candidates:
        return None
    if previous is not None:
        by_pair = {t: reader.doc_frequency("fpair", f"{previous}_{t}") for t in candidates}
        followed = [t for t in candidates if by_pair[t]]
        if followed:
            chosen = sorted(followed, key=lambda t: (-by_pair[t], t))[:MAX_EXPANSIONS]
            return Expansion(last.folded, tuple(chosen), tuple(f"{previous}_{t}" for t in chosen))
    chosen = sorted(candidates, key=lambda t: (-reader.doc_frequency("fsyl", t), t))[:MAX_EXPANSIONS]
    pairs = tuple(f"{previous}_{t}" for t in chosen) if previous is not None else ()
    return Expansion(last.folded, tuple(chosen), pairs)
