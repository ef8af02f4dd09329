"""Split a document's text into passages for passage-level retrieval.

Search hits are shown (and can be ranked) per passage, so a passage should
be a readable, self-contained piece: whole paragraphs where possible, whole
sentences always (unless one sentence alone exceeds the hard size bound).
Passages are *spans* of the original text (``text[start:end]``) so that
highlights and "open at position" map back to the document exactly.

Everything here is a single left-to-right pass with bounded look-back, so
the cost is linear in the text length: indexing feeds it very large files
(including 100+ MB single-line dumps) on the hot path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

__all__ = ["Passage", "split_passages"]


@dataclass(frozen=True)
class Passage:
    """One passage: ``text == document_text[start:end]``; ``no`` counts from 0."""

    no: int
    start: int
    end: int
    text: str


# A stripped non-blank line: from its first to its last non-space character.
_LINE_RE = re.compile(r"\S(?:[^\n]*\S)?")

_UPPER = "".join(
    c for c in map(chr, list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)))
    if c.isupper()
)
# Sentence end: terminal punctuation, optional closing quotes/brackets,
# whitespace, then (optional opening quote and) a capital letter.  Dots
# inside numbers ("15.555") never match because a space must follow.
# The look-behind makes a match start only at the first character of a
# punctuation run, and the possessive quantifiers forbid re-scanning, so
# long runs of dots ("Chương 1 ........ 5") stay linear.
_BOUNDARY_RE = re.compile(
    r"(?<![.!?…])(?:[.!?]++|…)[\"'”’»)\]]*+(\s++)(?=[\"'“‘«(\[]*+[" + _UPPER + r"])"
)
_ABBREVIATIONS = frozenset(
    "tp tx tt ths ts pgs gs bs ks cn ncs th mr mrs ms dr st jr co inc ltd vs no nxb".split()
)
_WORD_BEFORE_RE = re.compile(r"([^\W\d_]+)$")
_NUMBER_START_RE = re.compile(r"\d{1,3}$")
_SENTENCE_FINAL = ".!?…:;"
_CLOSERS = "\"'”’»)]"


def _is_abbreviation(text: str, dot: int, floor: int) -> bool:
    """True if the '.' at ``dot`` ends an abbreviation like "TP." or an initial."""
    window_start = max(floor, dot - 6)
    window = text[window_start:dot]
    m = _WORD_BEFORE_RE.search(window)
    if m is None:
        # "1. Giới thiệu" at the very start of a paragraph is a list number.
        return window_start == floor and _NUMBER_START_RE.fullmatch(window.lstrip()) is not None
    if m.start() == 0 and window_start > floor and text[window_start - 1].isalpha():
        return False  # the word is longer than the window: not an abbreviation
    word = m.group(1)
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _sentence_breaks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield ``(sentence_end, next_sentence_start)`` inside ``text[start:end]``."""
    for m in _BOUNDARY_RE.finditer(text, start, end):
        if m.group(0).startswith(".") and not m.group(0).startswith(".."):
            if _is_abbreviation(text, m.start(), start):
                continue
        yield m.start(1), m.end(1)


def _hard_cut(text: str, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """Cut a too-long sentence within the bound, as gracefully as possible.

    Prefers the last clause break ("; " then ", ") in the second half of the
    window, else the last whitespace; falls back to a cut at exactly
    ``max_chars`` when there is no whitespace at all.  Returns
    ``(chunk_end, next_start)``.
    """
    limit = start + max_chars
    cut = -1
    for mark in ("; ", ", "):
        pos = text.rfind(mark, start + max_chars // 2, limit)
        if pos > start:
            cut = pos + 1
            break
    if cut < 0:
        cut = max(text.rfind(" ", start + 1, limit + 1), text.rfind("\n", start + 1, limit + 1),
                  text.rfind("\t", start + 1, limit + 1), text.rfind("\u00a0", start + 1, limit + 1))
    if cut <= start:
        return limit, limit
    chunk_end = cut
    while chunk_end > start and text[chunk_end - 1].isspace():
        chunk_end -= 1
    nxt = cut
    while nxt < end and text[nxt].isspace():
        nxt += 1
    return chunk_end, nxt


def _split_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split one over-long paragraph into chunks of whole sentences."""
    cur = start
    best: tuple[int, int] | None = None  # furthest sentence break that still fits
    for s_end, s_next in _sentence_breaks(text, start, end):
        while s_end - cur > max_chars:
            if best is not None:
                yield cur, best[0]
                cur, best = best[1], None
            else:  # a single sentence longer than the bound
                chunk_start = cur
                chunk_end, cur = _hard_cut(text, cur, end, max_chars)
                if chunk_end > chunk_start:
                    yield chunk_start, chunk_end
        if s_end > cur:
            best = (s_end, s_next)
    while end - cur > max_chars:
        if best is not None and best[0] > cur:
            yield cur, best[0]
            cur, best = best[1], None
        else:
            chunk_start = cur
            chunk_end, cur = _hard_cut(text, cur, end, max_chars)
            if chunk_end > chunk_start:
                yield chunk_start, chunk_end
    if end > cur:
        yield cur, end


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield stripped paragraph spans.

    A blank line always ends a paragraph; a single newline does too when the
    line before ends a sentence (news text puts one paragraph per line), but
    not inside hard-wrapped prose, whose lines are joined so that later
    splitting never cuts a sentence at a wrap.
    """
    para_start = para_end = -1
    for m in _LINE_RE.finditer(text):
        s, e = m.span()
        if para_start < 0:
            para_start, para_end = s, e
            continue
        gap_newlines = text.count("\n", para_end, s)
        last = text[para_end - 1]
        if last in _CLOSERS and para_end - 2 >= para_start:
            last = text[para_end - 2]
        if gap_newlines >= 2 or last in _SENTENCE_FINAL:
            yield para_start, para_end
            para_start = s
        para_end = e
    if para_start >= 0:
        yield para_start, para_end


def split_passages(text: str, max_chars: int = 800, min_chars: int = 200) -> list[Passage]:
    """Split ``text`` into passages of at most ``max_chars`` characters.

    Paragraphs shorter than ``min_chars`` are merged with following ones while
    the result fits; paragraphs longer than ``max_chars`` are split at
    sentence ends (". ! ? …" + space + capital, ignoring number separators
    and abbreviations such as "TP."), and a single sentence longer than the
    bound is cut at a space.  Spans never start or end with whitespace.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    min_chars = max(0, min(min_chars, max_chars))

    spans: list[tuple[int, int]] = []
    cur_start = cur_end = -1
    for p_start, p_end in _paragraphs(text):
        pieces = [(p_start, p_end)] if p_end - p_start <= max_chars else _split_long(text, p_start, p_end, max_chars)
        for s, e in pieces:
            if cur_start < 0:
                cur_start, cur_end = s, e
            elif cur_end - cur_start < min_chars and e - cur_start <= max_chars:
                cur_end = e
            else:
                spans.append((cur_start, cur_end))
                cur_start, cur_end = s, e
    if cur_start >= 0:
        # A short tail (signature, source line) joins the previous passage if it fits.
        if spans and cur_end - cur_start < min_chars and cur_end - spans[-1][0] <= max_chars:
            cur_start = spans.pop()[0]
        spans.append((cur_start, cur_end))
    stripped = [_strip(text, s, e) for s, e in spans]
    return [Passage(no, s, e, text[s:e]) for no, (s, e) in enumerate(x for x in stripped if x[1] > x[0])]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without whitespace at either end (hard cuts can leave some, e.g. a lone ``\r``)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
