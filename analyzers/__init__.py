"""Vietnamese text analysis: text -> normalized, folded, segmented tokens with exact spans.

Pieces, one job each: ``normalize`` (one syllable's canonical form, through the small steps
``lookalike`` (``Ð`` read as ``Đ``) and ``iy`` (``kỹ``/``kĩ`` one syllable)), ``fold`` (accent-free form) and
``spellings`` (its inverse: the accented spellings of a folded syllable),
``syllables`` (spans in the original text), ``analysis`` (the one function that turns text into
syllables with their spans, accented and folded forms and pairs, which indexing, queries,
highlighting and suggestions all call), ``words`` (pyvi word segmentation), and ``fields``, which composes
them into the Whoosh analyzer of each index field. ``telex`` decodes Telex/VNI keystrokes (for
queries), ``synonym_file`` reads the synonyms file format (for the indexer, which keeps the
user's groups in the index, and for queries), and ``version`` numbers the analysis, which each
index segment records.
"""

from .analysis import Syllables, analyze, folded_pairs
from .fields import FIELD_ANALYZERS, FoldFilter, PairFilter, SyllableTokenizer, WordFilter
from .fold import fold
from .iy import unify_iy
from .normalize import canonical_tone, nfc, normalize_spelling, normalize_syllable
from .spellings import accented_forms
from .synonym_file import SynonymsError, Term, parse_groups, read_synonyms
from .telex import decode_keystrokes
from .version import ANALYSIS_VERSION
from .syllables import Span, split_syllables

__all__ = [
    "ANALYSIS_VERSION",
    "FIELD_ANALYZERS",
    "FoldFilter",
    "PairFilter",
    "Span",
    "Syllables",
    "SynonymsError",
    "SyllableTokenizer",
    "Term",
    "WordFilter",
    "accented_forms",
    "analyze",
    "canonical_tone",
    "decode_keystrokes",
    "fold",
    "folded_pairs",
    "nfc",
    "normalize_spelling",
    "normalize_syllable",
    "parse_groups",
    "read_synonyms",
    "split_syllables",
    "unify_iy",
]
