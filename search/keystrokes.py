"""Queries typed with the input method off (Telex ``tinhr uyr thais nguyeen``, VNI ``tinh3 uy3``):
the words that are keystrokes are searched as the syllables they spell.

When it applies: to each ASCII word of the query that ``analyzers.decode_keystrokes`` decodes to
a syllable the index holds (in ``syl``, with its diacritics), and that the index does not hold
as typed. A word the index holds as typed (a foreign name, ``Norris``, ``CAR-T``, ``sex``) stays,
unless another word of the same query is decoded (the query is typed in keystrokes) and the
index holds the decoded syllable in ``RATIO`` times as many passages (``bacs six``: ``six`` in a
few English passages, ``sĩ`` in thousands). Words that are syllables already, numbers and codes
stay as typed; so a query may be decoded in part. The caller says so ("showing results for …")
and offers the query as typed.
"""

from __future__ import annotations

import re

from analyzers import decode_keystrokes, fold
from indexer.storage import IndexReader

RATIO = 20  # the decoded syllable must be this many times as frequent as the word as typed

# An ASCII word, not part of a longer word with other letters (nor of a field name: title:).
_WORD = re.compile(r"(?<![\w])[A-Za-z][A-Za-z0-9]*(?![\w:])")


def decode_query(query: str, reader: IndexReader) -> str | None:
    """``query`` with its keystroke words replaced by the syllables they spell, or None if none
    is."""
    found = []  # (match, syllable, how often the index holds the word as typed, and decoded)
    for m in _WORD.finditer(query):
        syllable = decode_keystrokes(m.group())
        if syllable is None:
            continue
        held = reader.doc_frequency("syl", syllable)
        if held:
            found.append((m, syllable, reader.doc_frequency("fsyl", fold(m.group().lower())), held))
    if not any(typed == 0 for _, _, typed, _ in found):
        return None  # every candidate is a word the index holds as typed: not a keystroke query
    out = []
    pos = 0
    for m, syllable, typed, held in found:
        if typed and typed * RATIO > held:
            continue
        word = m.group()
        out.append(query[pos : m.start()])
        out.append(syllable.capitalize() if word[:1].isupper() else syllable)
        pos = m.end()
    out.append(query[pos:])
    return "".join(out)
