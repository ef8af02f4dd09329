"""Word segmentation with pyvi's own model, about three times faster than calling pyvi.

pyvi (``ViTokenizer.tokenize``) builds a Python dict of features per syllable and hands it to a
CRF. We keep its trained CRF and its syllable dictionaries and build the same features as lists
of attribute strings, which python-crfsuite takes directly. Features with weight zero (pyvi's
``False`` flags) contribute nothing to a CRF score, so leaving them out gives the same labels —
``tests/analyzers/test_segment.py`` checks the output against ``ViTokenizer.tokenize`` itself.

Callers feed lowercase, normalized syllables: pyvi does not segment ALL-CAPS text and its
dictionary lookups are case- and tone-style-sensitive, so every spelling of a sentence must reach
it in one form for all of them to give the same words.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Sequence

import pycrfsuite
from pyvi.ViTokenizer import ViTokenizer as _Pyvi

_TAGGER = _Pyvi.model.tagger_
_BIGRAMS: set[str] = _Pyvi.bi_grams
_TRIGRAMS: set[str] = _Pyvi.tri_grams
_PUNCT = frozenset(string.punctuation)


def _features(sent: Sequence[str]) -> list[list[str]]:
    """pyvi's ``sent2features`` for lowercase input, as attribute lists."""
    n = len(sent)
    out = []
    for i, w in enumerate(sent):
        f = ["bias", "word.lower():" + w]
        if w.isdigit():
            f.append("word.isdigit()")
        if i > 0:
            p = sent[i - 1]
            f.append("-1:word.lower():" + p)
            if p + " " + w in _BIGRAMS:
                f.append("-1:word.bi_gram()")
            if i > 1 and sent[i - 2] + " " + p + " " + w in _TRIGRAMS:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            q = sent[i + 1]
            f.append("+1:word.lower():" + q)
            if w + " " + q in _BIGRAMS:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and w + " " + q + " " + sent[i + 2] in _TRIGRAMS:
                f.append("+2:word.tri_gram()")
        out.append(f)
    return out


def _label(sent: Sequence[str]) -> list[str]:
    return _TAGGER.tag(pycrfsuite.ItemSequence(_features(sent)))


def segment(sent: Sequence[str]) -> list[tuple[int, int]]:
    """Spans ``[i, j)`` of the multi-syllable words in a sentence of lowercase tokens.

    ``sent`` may contain punctuation tokens (single characters) exactly as pyvi's own
    syllabizer would produce them; words never include punctuation or numbers, the rule pyvi
    applies after tagging, except that pyvi only knows ASCII punctuation: a symbol such as
    ``❤`` or ``“`` tagged ``I_W`` would otherwise be glued to a word.
    """
    if len(sent) < 2:
        return []
    labels = _label(sent)
    words = []
    start = 0
    for i in range(1, len(sent) + 1):
        joins = (
            i < len(sent)
            and labels[i] == "I_W"
            and sent[i] not in _PUNCT
            and sent[i - 1] not in _PUNCT
            and sent[i][0].isalpha()
            and sent[i - 1][0].isalpha()
        )
        if not joins:
            if i - start > 1:
                words.append((start, i))
            start = i
    return words


def segmenter_lines(
    syllables: Iterable[tuple[str, str]], tail: str = ""
) -> Iterator[tuple[list[str], list[int | None]]]:
    """Lines of text as ``segment`` must see them, from ``(syllable, gap)`` pairs (the gap as in
    ``syllables.Span``) and the punctuation ``tail`` after the last syllable.

    pyvi segments a line at a time, with its punctuation (between syllables and at either end of
    the line) as tokens of its own. Yields each line's tokens, and for each token the position of
    its syllable among ``syllables`` (``None`` for punctuation). The index analyzer and the
    indexing workers both build their words from this, so the two cannot drift apart.
    """
    line: list[str] = []
    index: list[int | None] = []
    n = -1
    for n, (syllable, gap) in enumerate(syllables):
        if "\n" in gap:
            head, _, opening = gap.partition("\n")
            line.extend(head)
            index.extend([None] * len(head))
            yield line, index
            line, index = list(opening), [None] * len(opening)
        elif gap:
            line.extend(gap)
            index.extend([None] * len(gap))
        line.append(syllable)
        index.append(n)
    if n >= 0:
        line.extend(tail)
        index.extend([None] * len(tail))
        yield line, index
