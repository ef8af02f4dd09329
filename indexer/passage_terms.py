"""The terms of a passage's text fields, computed from one analysis of the text into syllables.

Running each field's analyzer on its own split the text into syllables and normalized them four
times per passage. All four fields are made of the same normalized syllables (as they are,
folded, folded pairs, and pyvi's words over each line), so here they are computed from one
``analyzers.analyze`` of the text: the same terms, frequencies and positions as the analyzers of
``analyzers.fields`` give (tested against them on corpus and generated text), in about two thirds
of the time. If those analyzers change, this must change with them; the tests say so.

This runs in the indexing worker processes; the storage encodes the terms (``storage.encode``).
"""

from __future__ import annotations

from analyzers.analysis import Syllables, analyze
from analyzers.words import segment, segmenter_lines


def analyze_passage(text: str) -> dict[str, dict]:
    """The terms of each text field of a passage: ``{term: [positions]}`` for ``fsyl`` (folded
    syllables, which phrases need), ``{term: frequency}`` for ``syl``, ``word`` and ``fpair``."""
    syl = analyze(text)
    counts: dict[str, int] = {}
    for a in syl.accented:
        counts[a] = counts.get(a, 0) + 1
    pairs: dict[str, int] = {}
    for pair in syl.pairs():
        if pair is not None:
            pairs[pair] = pairs.get(pair, 0) + 1
    words: dict[str, int] = {}
    for w in _words(syl):
        words[w] = words.get(w, 0) + 1
    return {"syl": counts, "fsyl": _positions(syl.folded), "word": words, "fpair": pairs}


def folded_positions(text: str) -> dict[str, list[int]]:
    """Folded syllables of ``text`` with their positions: the terms of a document's ``title``."""
    return _positions(analyze(text).folded)


def _positions(folded: list[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for i, f in enumerate(folded):
        found = positions.get(f)
        if found is None:
            positions[f] = [i]
        else:
            found.append(i)
    return positions


def _words(syl: Syllables) -> list[str]:
    """pyvi's words of two or more syllables, line by line, as ``analyzers.fields.WordFilter``
    finds them (both through ``segmenter_lines``)."""
    if not syl.accented:
        return []
    return [
        "_".join(line[i:j])
        for line, _ in segmenter_lines(zip(syl.accented, syl.gaps), syl.tail)
        for i, j in segment(line)
    ]
