"""The Whoosh analyzers of the index fields, composed from small pieces in Whoosh's manner.

Every field starts from the same tokenizer (syllables, numbers and codes with their spans in the
original text, normalized: NFC, lowercase, canonical tone placement) and adds one thing:

================  =================================================  ============================
field             analyzer                                           what it is for
================  =================================================  ============================
``syl``           ``SyllableTokenizer()``                            exact-diacritic matches rank
                                                                     above folded ones
``fsyl``          ``SyllableTokenizer() | FoldFilter()``             recall: the backbone, works
                                                                     for queries typed without
                                                                     diacritics; phrases
``word``          ``SyllableTokenizer() | WordFilter()``             precision: pyvi words of two
                                                                     or more syllables
                                                                     (``thái_nguyên``)
``fpair``         ``SyllableTokenizer() | FoldFilter()               proximity and precision for
                  | PairFilter()``                                   queries without diacritics,
                                                                     which pyvi cannot segment
================  =================================================  ============================

Recall never depends on segmentation: every syllable is in ``syl`` and ``fsyl``; ``word`` and
``fpair`` only add score. Pairs are adjacent syllables not separated by punctuation, so they also
stand in for words pyvi glued wrongly or missed, and make common syllables (``của``, ``các``)
cheap to drop from a query: their pairs carry the meaning at a fraction of the postings.

Index and query use the same analyzers, so a query spelled in any form meets the same terms.
This and ``indexer``'s schema are the only places that import Whoosh's analysis classes.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Filter, Token, Tokenizer

from .analysis import analyze
from .fold import fold
from .normalize import normalize_syllable
from .words import segment, segmenter_lines


class SyllableTokenizer(Tokenizer):
    """Normalized syllables with their positions and spans in the text as given (``analyze``)."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            syl = analyze(value)
            starts, ends, gaps, accented, tail = syl.starts, syl.ends, syl.gaps, syl.accented, syl.tail
        elif value:  # the whole value is one token
            starts, ends, gaps, accented, tail = [0], [len(value)], ["\n"], [normalize_syllable(value)], ""
        else:
            return
        last = len(accented) - 1
        for pos, (start, end, gap, text) in enumerate(zip(starts, ends, gaps, accented)):
            t.text = text
            t.gap = gap
            # Punctuation ending the text, which no later token's gap carries.
            t.tail = tail if pos == last else ""
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class FoldFilter(Filter):
    """Accent-free form of each token (``đảng`` -> ``dang``)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def _capture(t: Token) -> tuple[str, str, int, int, int]:
    """(text, gap, pos, startchar, endchar): Whoosh reuses one Token object for a stream."""
    return (t.text, t.gap, getattr(t, "pos", 0), getattr(t, "startchar", 0), getattr(t, "endchar", 0))


def _emit(template: Token, text: str, first: tuple, last: tuple) -> Token:
    template.text = text
    template.pos = first[2]
    template.startchar = first[3]
    template.endchar = last[4]
    template.boost = 1.0
    template.stopped = False
    return template


class WordFilter(Filter):
    """The multi-syllable words pyvi finds, joined by ``_``, spanning their syllables.

    The segmenter sees one line at a time with its punctuation (between syllables and at
    either end of the line) restored as tokens, which is how pyvi itself sees text.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        template = None
        tail = ""
        captured = []
        for t in tokens:
            template = t
            tail = getattr(t, "tail", "")
            captured.append(_capture(t))
        if template is None:
            return
        for line, index in segmenter_lines(((tok[0], tok[1]) for tok in captured), tail):
            for i, j in segment(line):
                yield _emit(template, "_".join(line[i:j]), captured[index[i]], captured[index[j - 1]])


class PairFilter(Filter):
    """Adjacent tokens joined by ``_`` (``thai_nguyen``), never across punctuation."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        prev = None
        for t in tokens:
            cur = _capture(t)
            if prev is not None and not t.gap:
                text = prev[0] + "_" + cur[0]
                yield _emit(t, text, prev, cur)
            prev = cur


def syllable_analyzer():
    return SyllableTokenizer()


def folded_analyzer():
    return SyllableTokenizer() | FoldFilter()


def word_analyzer():
    return SyllableTokenizer() | WordFilter()


def pair_analyzer():
    return SyllableTokenizer() | FoldFilter() | PairFilter()


#: The analyzer of each index field, by field name; used identically at index and query time.
FIELD_ANALYZERS = {
    "syl": syllable_analyzer,
    "fsyl": folded_analyzer,
    "word": word_analyzer,
    "fpair": pair_analyzer,
}
