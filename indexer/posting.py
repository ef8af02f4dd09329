"""The postings of a passage's text fields, computed from one split of the text into syllables.

``field.index(text)`` runs each field's analyzer on its own, so the text was split into syllables
and normalized four times per passage. All four fields are made of the same normalized syllables
(as they are, folded, folded pairs, and pyvi's words over each line), so here they are computed
from one ``analyzers.analyze`` of the text: the same terms, frequencies, weights and positions as
the analyzers of ``analyzers.fields`` give (tested against them on corpus and generated text), in
about two thirds of the time. If those analyzers change, this must change with them; the tests say so.

This runs in the indexing worker processes.
"""

from __future__ import annotations

from analyzers.analysis import Syllables, analyze
from analyzers.words import segment, segmenter_lines

from .schema import BAG_FIELDS, POSTED_FIELDS, SCHEMA, TEXT_FIELDS, Posted


def _weight(freq: int, boost: float) -> float:
    """The weight Whoosh gives a term (frequency times field boost); an int, compact to pickle,
    when the boost is 1."""
    return freq if boost == 1.0 else freq * boost


def analyze_passage(text: str, packed: bool = True) -> tuple[dict[str, Posted], dict[str, dict[str, int]]]:
    """The postings of a passage's positional fields (``schema.POSTED_FIELDS``), and the term
    counts of its bag fields (``schema.BAG_FIELDS``), which ``bags`` keeps as arrays.

    ``packed``: positions as the one int the writer stores (``VarintPositions.pack_value``),
    computed here in the workers rather than in the writer; else as Whoosh's own writer takes
    them (bytes)."""
    syl = analyze(text)
    accented, folded = syl.accented, syl.folded

    counts: dict[str, int] = {}
    for a in accented:
        counts[a] = counts.get(a, 0) + 1
    positions: dict[str, list[int]] = {}
    for i, f in enumerate(folded):
        found = positions.get(f)
        if found is None:
            positions[f] = [i]
        else:
            found.append(i)
    pairs: dict[str, int] = {}
    for pair in syl.pairs():
        if pair is not None:
            pairs[pair] = pairs.get(pair, 0) + 1
    words: dict[str, int] = {}
    for w in _words(syl):
        words[w] = words.get(w, 0) + 1

    fsyl_format = SCHEMA["fsyl"].format
    fsyl_boost = fsyl_format.field_boost
    encode = fsyl_format.encode
    if packed:
        pack = fsyl_format.pack_value
        posted = {"fsyl": Posted([(t.encode("utf-8"), len(p), _weight(len(p), fsyl_boost), pack(encode(p)))
                                  for t, p in positions.items()])}
    else:
        posted = {"fsyl": Posted([(t.encode("utf-8"), len(p), _weight(len(p), fsyl_boost), encode(p))
                                  for t, p in positions.items()])}
    bags = {"syl": counts, "word": words, "fpair": pairs}
    return {name: posted[name] for name in POSTED_FIELDS}, {name: bags[name] for name in BAG_FIELDS}


def post_fields(text: str) -> dict[str, Posted]:
    """The postings of each text field (``schema.TEXT_FIELDS``) for one passage, as Whoosh's own
    writer takes them (``analyze_passage`` with the bag fields' counts as postings)."""
    posted, bags = analyze_passage(text, packed=False)
    for name, counts in bags.items():
        boost = SCHEMA[name].format.field_boost
        posted[name] = Posted([(t.encode("utf-8"), n, _weight(n, boost), b"") for t, n in counts.items()])
    return {name: posted[name] for name in TEXT_FIELDS}


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
