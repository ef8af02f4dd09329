"""Vietnamese text analysis: text -> normalized, folded, segmented tokens with exact spans.

Pieces, one job each: ``normalize`` (one syllable's canonical form), ``fold`` (accent-free form),
``syllables`` (spans in the original text), ``analysis`` (the one function that turns text into
syllables with their spans, accented and folded forms and pairs, which indexing, queries,
highlighting and suggestions all call), ``words`` (pyvi word segmentation), and ``fields``, which composes
them into the Whoosh analyzer of each index field.
"""

from .analysis import Syllables, analyze, folded_pairs
from .fields import FIELD_ANALYZERS, FoldFilter, PairFilter, SyllableTokenizer, WordFilter
from .fold import fold
from .normalize import canonical_tone, nfc, normalize_syllable
from .syllables import Span, split_syllables

__all__ = [
    "FIELD_ANALYZERS",
    "FoldFilter",
    "PairFilter",
    "Span",
    "Syllables",
    "SyllableTokenizer",
    "WordFilter",
    "analyze",
    "canonical_tone",
    "fold",
    "folded_pairs",
    "nfc",
    "normalize_syllable",
    "split_syllables",
]
