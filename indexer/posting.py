"""The terms of a passage's text fields, computed from one split of the text into syllables.

Running each field's analyzer on its own split the text into syllables and normalized them four
times per passage. All four fields are made of the same normalized syllables (as they are,
folded, folded pairs, and pyvi's words over each line), so here they are computed from one split:
the same terms, frequencies and positions as the analyzers of ``analyzers.fields`` give (tested
against them on corpus and generated text), in about two thirds of the time. If those analyzers
change, this must change with them; the tests say so.

This runs in the indexing worker processes.
"""

from __future__ import annotations

from analyzers.fold import fold
from analyzers.normalize import normalize_syllable
from analyzers.segment import segment, segmenter_lines
from analyzers.syllables import line_tail, split_syllables


def analyze_passage(text: str) -> dict[str, dict]:
    """The terms of each text field of a passage: ``{term: [positions]}`` for ``fsyl`` (folded
    syllables, which phrases need), ``{term: frequency}`` for ``syl``, ``word`` and ``fpair``."""
    spans = split_syllables(text)
    accented = [normalize_syllable(text[start:end]) for start, end, _ in spans]
    folded = [fold(a) for a in accented]

    counts: dict[str, int] = {}
    for a in accented:
        counts[a] = counts.get(a, 0) + 1
    positions = _positions(folded)
    pairs: dict[str, int] = {}
    for i in range(1, len(spans)):
        if not spans[i].gap:
            pair = folded[i - 1] + "_" + folded[i]
            pairs[pair] = pairs.get(pair, 0) + 1
    words: dict[str, int] = {}
    for w in _words(text, spans, accented):
        words[w] = words.get(w, 0) + 1

    return {"syl": counts, "fsyl": positions, "word": words, "fpair": pairs}


def folded_positions(text: str) -> dict[str, list[int]]:
    """Folded syllables of ``text`` with their positions: the terms of a document's ``title``."""
    return _positions([fold(normalize_syllable(text[start:end])) for start, end, _ in split_syllables(text)])


def _positions(folded: list[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for i, f in enumerate(folded):
        found = positions.get(f)
        if found is None:
            positions[f] = [i]
        else:
            found.append(i)
    return positions


def _words(text: str, spans, accented: list[str]) -> list[str]:
    """pyvi's words of two or more syllables, line by line, as ``analyzers.fields.WordFilter``
    finds them (both through ``segmenter_lines``)."""
    if not spans:
        return []
    tail = line_tail(text, spans[-1].end)
    return [
        "_".join(line[i:j])
        for line, _ in segmenter_lines(zip(accented, (span.gap for span in spans)), tail)
        for i, j in segment(line)
    ]
