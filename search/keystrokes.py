"""Queries typed with the input method off (Telex ``tinhr uyr thais nguyeen``, VNI ``tinh3 uy3``):
the words that are keystrokes are searched as the syllables they spell.

When it applies: to each ASCII word of the query that ``analyzers.decode_keystrokes`` decodes to
a syllable the index holds (in ``syl``, with its diacritics), and that the index does not hold
as typed, or holds in at most ``1 / RATIO`` as many passages (``six`` → ``sĩ``: a few English
passages against thousands). Words that are syllables already, numbers, codes and foreign words
the index holds stay as typed; so a query may be decoded in part. The caller says so ("showing
results for …") and offers the query as typed.
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
    out = []
    pos = 0
    for m in _WORD.finditer(query):
        word = m.group()
        syllable = decode_keystrokes(word)
        if syllable is None:
            continue
        held = reader.doc_frequency("syl", syllable)
        if not held or reader.doc_frequency("fsyl", fold(word.lower())) * RATIO > held:
            continue
        out.append(query[pos : m.start()])
        out.append(syllable.capitalize() if word[:1].isupper() else syllable)
        pos = m.end()
    if not out:
        return None
    out.append(query[pos:])
    return "".join(out)
