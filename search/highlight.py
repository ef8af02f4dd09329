"""Marking hits on the passage exactly as written, and cutting snippets around them.

The passage is re-tokenized with the analyzers' own syllable analysis (``analyzers.analyze``),
whose spans point into the original characters; a token is a hit when its normalized (or
folded) form is one of the query's terms, or its folded pair with a neighbour is. So a match
that came through folding, tone style, capitals or NFD is marked on exactly the characters the
reader sees. Adjacent hits separated only by spaces merge into one mark (``Thái Nguyên``, not
``Thái`` and ``Nguyên``).
"""

from __future__ import annotations

import html

from analyzers import analyze


def match_spans(
    text: str,
    folded: set[str] = frozenset(),
    pairs: set[str] = frozenset(),
    accented: set[str] = frozenset(),
) -> list[list[int]]:
    """``[start, end)`` spans of the hits in ``text``.

    ``accented``: normalized syllables that are hits when written with those diacritics (what
    the user typed with diacritics); ``folded``: folded syllables that are hits whatever their
    diacritics (what the user typed without); ``pairs``: folded adjacent pairs
    (``thai_nguyen``) whose two syllables are hits together, which is how a phrase's syllables
    get marked.
    """
    syl = analyze(text)
    hits = _hits(syl, folded, pairs, accented)
    out: list[list[int]] = []
    starts, ends = syl.starts, syl.ends
    for i in sorted(hits):
        start, end = starts[i], ends[i]
        if out and out[-1][1] <= start and (i - 1) in hits and _joinable(text[out[-1][1] : start]):
            out[-1][1] = end
        else:
            out.append([start, end])
    return out


def _hits(syl, folded: set[str], pairs: set[str], accented: set[str]) -> set[int]:
    """Indexes of the hit syllables. Only the few forms a passage shares with the query are
    looked for (set intersections, then ``list.index`` scans, in C), not every syllable in turn."""
    hits: set[int] = set()
    forms = syl.folded
    present = set(forms)
    for form in present.intersection(folded) if folded else ():
        hits.update(_where(forms, form))
    if accented:
        for form in accented.intersection(syl.accented):
            hits.update(_where(syl.accented, form))
    if pairs:
        gaps = syl.gaps
        for pair in pairs:
            first, _, second = pair.partition("_")
            if second in present and first in present:
                for i in _where(forms, second):
                    if i and not gaps[i] and forms[i - 1] == first:
                        hits.update((i - 1, i))
    return hits


def _where(items: list[str], item: str) -> list[int]:
    """Every index of ``item`` in ``items``."""
    found = []
    i = -1
    try:
        while True:
            i = items.index(item, i + 1)
            found.append(i)
    except ValueError:
        return found


def _joinable(between: str) -> bool:
    return between.isspace() and "\n" not in between and len(between) <= 3


def mark(text: str, spans: list[list[int]]) -> str:
    """HTML of ``text`` with the spans in ``<mark>``; everything escaped."""
    parts = []
    pos = 0
    for start, end in spans:
        parts.append(html.escape(text[pos:start]))
        parts.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


def snippet(text: str, spans: list[list[int]], width: int = 240, windows: int = 2) -> str:
    """HTML of the best window(s) of about ``width`` characters around the hits."""
    if len(text) <= width * windows or not spans:
        cut = text if len(text) <= width * windows else text[: width * windows]
        tail = "" if cut is text else " …"
        return mark(cut, [s for s in spans if s[1] <= len(cut)]) + tail
    chosen = _best_windows(text, spans, width, windows)
    pieces = []
    for start, end in chosen:
        inner = [[max(s, start) - start, min(e, end) - start] for s, e in spans if s < end and e > start]
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(text) else ""
        pieces.append(prefix + mark(text[start:end], inner) + suffix)
    return " ".join(pieces)


def _best_windows(text: str, spans: list[list[int]], width: int, windows: int) -> list[tuple[int, int]]:
    """Windows covering the most distinct hits, snapped to word boundaries, in text order."""
    candidates = []
    for s, _ in spans:
        start = max(0, s - width // 4)
        end = min(len(text), start + width)
        score = sum(1 for a, b in spans if a >= start and b <= end)
        candidates.append((score, -start, start, end))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in candidates:
        if all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
        if len(chosen) == windows:
            break
    return sorted(_snap(text, a, b) for a, b in chosen)


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    return start, end
