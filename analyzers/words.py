"""Word segmentation with pyvi's own model, several times faster than calling pyvi.

pyvi (``ViTokenizer.tokenize``) builds a Python dict of features per syllable and hands it to a
CRF through python-crfsuite. We keep its trained CRF and its syllable dictionaries, and decode
the CRF ourselves (``_label``): the model has two labels and some six thousand weighted
attributes, read once from pyvi's model file, so each token's score is a few dictionary lookups
and additions, with no attribute strings built and looked up in C. Features with weight zero
(pyvi's ``False`` flags) contribute nothing to a CRF score, so leaving them out gives the same
labels. ``tests/analyzers/test_words.py`` checks our labels against python-crfsuite's and our
words against ``ViTokenizer.tokenize`` itself. Should pyvi ship a model this cannot read,
python-crfsuite tags as before.

Callers feed lowercase, normalized syllables: pyvi does not segment ALL-CAPS text and its
dictionary lookups are case- and tone-style-sensitive, so every spelling of a sentence must reach
it in one form for all of them to give the same words.
"""

from __future__ import annotations

import os
import string
import struct
import tempfile
from collections.abc import Iterable, Iterator, Sequence

import pycrfsuite

from .iy import unify_iy
from . import pyvi_model

_PYVI = pyvi_model.load()  # pyvi's CRF and dictionaries, without importing scikit-learn
_TAGGER = _PYVI.tagger()
_PUNCT = frozenset(string.punctuation)
# pyvi looks up "w1 w2" and "w1 w2 w3" strings; tokens never contain a space, so the same
# lookups as tuples spare building a string for each.
_BIGRAMS = frozenset(tuple(b.split(" ")) for b in _PYVI.bi_grams if b.count(" ") == 1)
_TRIGRAMS = frozenset(tuple(t.split(" ")) for t in _PYVI.tri_grams if t.count(" ") == 2)


def _pyvi_spellings() -> dict[str, str]:
    """The spelling pyvi's dictionary knows best for each syllable whose i/y is unified in the
    index (``kĩ`` -> ``kỹ`` where its n-grams write ``kỹ`` at least as often): pyvi was trained on
    text that writes both, and its features are spelling-sensitive, so it sees the spelling it
    knows best, and ``kĩ thuật`` and ``kỹ thuật`` are segmented alike."""
    counts: dict[str, int] = {}
    for gram in (*_BIGRAMS, *_TRIGRAMS):
        for syllable in gram:
            counts[syllable] = counts.get(syllable, 0) + 1
    spellings = {}
    for syllable, n in counts.items():
        unified = unify_iy(syllable)
        if unified != syllable and n >= counts.get(unified, 0):
            spellings[unified] = syllable
    return spellings


_PYVI_SPELLING = _pyvi_spellings()


def _features(sent: Sequence[str]) -> list[list[str]]:
    """pyvi's ``sent2features`` for lowercase input, as attribute lists (for python-crfsuite)."""
    n = len(sent)
    out = []
    for i, w in enumerate(sent):
        f = ["bias", "word.lower():" + w]
        if w.isdigit():
            f.append("word.isdigit()")
        if i > 0:
            p = sent[i - 1]
            f.append("-1:word.lower():" + p)
            if (p, w) in _BIGRAMS:
                f.append("-1:word.bi_gram()")
            if i > 1 and (sent[i - 2], p, w) in _TRIGRAMS:
                f.append("-2:word.tri_gram()")
        if i < n - 1:
            q = sent[i + 1]
            f.append("+1:word.lower():" + q)
            if (w, q) in _BIGRAMS:
                f.append("+1:word.bi_gram()")
            if i < n - 2 and (w, q, sent[i + 2]) in _TRIGRAMS:
                f.append("+2:word.tri_gram()")
        out.append(f)
    return out


def _crfsuite_label(sent: Sequence[str]) -> list[str]:
    """Labels from python-crfsuite itself (what ``_label`` must equal; used by the tests)."""
    return _TAGGER.tag(pycrfsuite.ItemSequence(_features(sent)))


class _Weights:
    """pyvi's CRF (two labels, B_W and I_W) as Python floats, read from its crfsuite model file.

    Most of a sentence's tagging time in python-crfsuite went into building attribute strings and
    looking them up; the model has only some six thousand attributes with weights, so they are
    looked up here by token, and Viterbi over two labels is a few additions per token. The sums
    are made in the very order crfsuite makes them (attribute by attribute, in the order of
    ``_features``), so the scores, and the labels, are the same to the last bit."""

    def __init__(self, model: bytes, names: list[str]):
        (magic, _, kind, _, _, labels, _, off_features) = struct.unpack_from("<4sI4sIIIII", model, 0)
        if magic != b"lCRF" or kind != b"FOMC" or labels != 2:
            raise ValueError("not the two-label crfsuite model pyvi ships")
        chunk, _, count = struct.unpack_from("<4sII", model, off_features)
        if chunk != b"FEAT":
            raise ValueError("crfsuite model without its feature chunk")
        state: dict[str, list[float]] = {}
        self.trans = [[0.0, 0.0], [0.0, 0.0]]
        for k in range(count):
            ftype, src, dst, weight = struct.unpack_from("<IIId", model, off_features + 12 + 20 * k)
            if ftype == 0:
                state.setdefault(names[src], [0.0, 0.0])[dst] = weight
            else:
                self.trans[src][dst] = weight
        self.state = {name: tuple(w) for name, w in state.items()}
        self.tokens: dict[str, tuple] = {}

    def token(self, w: str) -> tuple:
        """A token's weights as itself, as the previous and as the next token (None if none),
        and whether it is a number."""
        found = self.tokens.get(w)
        if found is None:
            if len(self.tokens) >= 200_000:
                self.tokens.clear()
            state = self.state
            name = w.partition("\x00")[0]  # crfsuite reads attribute names as C strings
            found = self.tokens[w] = (state.get("word.lower():" + name), state.get("-1:word.lower():" + name),
                                      state.get("+1:word.lower():" + name), w.isdigit())
        return found


def _load_weights() -> _Weights | None:
    try:
        model = _PYVI.model
        with tempfile.TemporaryDirectory() as tmp:
            dump = os.path.join(tmp, "model.txt")
            _TAGGER.dump(dump)
            with open(dump, encoding="utf-8", errors="surrogateescape") as fh:
                names = _attribute_names(fh)
        return _Weights(model, names)
    except (AttributeError, OSError, ValueError, struct.error, IndexError):
        return None  # another pyvi model: python-crfsuite tags


def _attribute_names(lines) -> list[str]:
    """Attribute names by id, from the ``ATTRIBUTES`` section of a crfsuite model dump (a name
    may hold a line break: its next line is then not ``<next id>: ``)."""
    names: list[str] = []
    inside = False
    for line in lines:
        line = line.rstrip("\n")
        if not inside:
            inside = line.startswith("ATTRIBUTES")
            continue
        if line == "}":
            break
        number, sep, name = line.lstrip(" ").partition(": ")
        if sep and number.isdigit() and int(number) == len(names):
            names.append(name)
        elif names:
            names[-1] += "\n" + line
        else:
            raise ValueError("unexpected line in a crfsuite dump")
    return names


_WEIGHTS = _load_weights()
_LABELS = ("B_W", "I_W")


def _label(sent: Sequence[str]) -> list[str]:
    """The labels python-crfsuite gives ``_features(sent)`` (Viterbi, as crfsuite's
    ``crf1dc_viterbi``: ties go to the first label)."""
    weights = _WEIGHTS
    if weights is None:
        return _crfsuite_label(sent)
    state = weights.state
    bias = state["bias"]
    digit = state.get("word.isdigit()")
    bi_prev, tri_prev = state.get("-1:word.bi_gram()"), state.get("-2:word.tri_gram()")
    bi_next, tri_next = state.get("+1:word.bi_gram()"), state.get("+2:word.tri_gram()")
    toks = [weights.token(w) for w in sent]
    n = len(sent)
    (t00, t01), (t10, t11) = weights.trans
    back: list[tuple[int, int]] = []
    a0 = a1 = 0.0
    for i in range(n):
        w = sent[i]
        tok = toks[i]
        s0, s1 = 0.0 + bias[0], 0.0 + bias[1]
        own = tok[0]
        if own is not None:
            s0 += own[0]
            s1 += own[1]
        if tok[3] and digit is not None:
            s0 += digit[0]
            s1 += digit[1]
        if i > 0:
            p = sent[i - 1]
            prev = toks[i - 1][1]
            if prev is not None:
                s0 += prev[0]
                s1 += prev[1]
            if bi_prev is not None and (p, w) in _BIGRAMS:
                s0 += bi_prev[0]
                s1 += bi_prev[1]
            if i > 1 and tri_prev is not None and (sent[i - 2], p, w) in _TRIGRAMS:
                s0 += tri_prev[0]
                s1 += tri_prev[1]
        if i < n - 1:
            q = sent[i + 1]
            nxt = toks[i + 1][2]
            if nxt is not None:
                s0 += nxt[0]
                s1 += nxt[1]
            if bi_next is not None and (w, q) in _BIGRAMS:
                s0 += bi_next[0]
                s1 += bi_next[1]
            if i < n - 2 and tri_next is not None and (w, q, sent[i + 2]) in _TRIGRAMS:
                s0 += tri_next[0]
                s1 += tri_next[1]
        if i == 0:
            a0, a1 = s0, s1
            continue
        # To label 0: from 0 unless 1 scores strictly higher; the same to label 1.
        x, y = a0 + t00, a1 + t10
        b0 = 1 if y > x else 0
        m0 = y if b0 else x
        x, y = a0 + t01, a1 + t11
        b1 = 1 if y > x else 0
        m1 = y if b1 else x
        back.append((b0, b1))
        a0, a1 = m0 + s0, m1 + s1
    last = 1 if a1 > a0 else 0
    labels = [last]
    for b in reversed(back):
        last = b[last]
        labels.append(last)
    labels.reverse()
    return [_LABELS[k] for k in labels]


def segment(sent: Sequence[str]) -> list[tuple[int, int]]:
    """Spans ``[i, j)`` of the multi-syllable words in a sentence of lowercase tokens.

    ``sent`` may contain punctuation tokens (single characters) exactly as pyvi's own
    syllabizer would produce them; words never include punctuation or numbers, the rule pyvi
    applies after tagging, except that pyvi only knows ASCII punctuation: a symbol such as
    ``❤`` or ``“`` tagged ``I_W`` would otherwise be glued to a word.
    """
    if len(sent) < 2:
        return []
    labels = _label([_PYVI_SPELLING.get(w, w) for w in sent])
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
