"""Vietnamese text analysis: text -> normalized, folded, segmented tokens with exact spans.

Pieces, one job each: ``normalize`` (one syllable's canonical form), ``fold`` (accent-free form),
``syllables`` (spans in the original text), ``segment`` (pyvi words), and ``fields``, which
composes them into the Whoosh analyzer of each index field.
"""

from .fields import FIELD_ANALYZERS, FoldFilter, PairFilter, SyllableTokenizer, WordFilter
from .fold import fold
from .normalize import canonical_tone, nfc, normalize_syllable
from .syllables import Span, split_syllables

__all__ = [
    "FIELD_ANALYZERS",
    "FoldFilter",
    "PairFilter",
    "Span",
    "SyllableTokenizer",
    "WordFilter",
    "canonical_tone",
    "fold",
    "nfc",
    "normalize_syllable",
    "split_syllables",
]
