"""Splitting text into syllables, numbers and codes, with spans in the text as given.

Spans are taken on the original string (NFD, capitals, odd spacing and all) so that a highlight
marks exactly the characters the reader sees; normalization happens per token afterwards.
Combining marks are part of a token, since NFD text carries its diacritics as separate
characters that ``\\w`` does not match.

Numbers and codes are split at their inner punctuation (``35-CT/TW`` -> ``35``, ``ct``, ``tw``;
``4,18%`` -> ``4``, ``18``): the same split applies to the query, where a code becomes a phrase
of its parts, so it is found as typed and also when written with other separators.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A token starts with a letter or digit: a combining mark with no base letter (after a space or
# punctuation) is not a syllable, and would fold to an empty term.
SYLLABLE_RE = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*")


class Span(NamedTuple):
    start: int
    end: int
    # What separates this token from the previous one, spaces left out: "" inside a run of
    # words, punctuation characters, or, at a line break (and before the first token), the
    # punctuation ending the previous line, one "\n", and the punctuation opening this line.
    # Words and syllable pairs never reach across a non-empty gap.
    gap: str


def _gap(between: str) -> str:
    if not between or between == " ":
        return ""
    if "\n" in between:
        head, tail = between[: between.index("\n")], between[between.rindex("\n") + 1 :]
        return "".join(head.split()) + "\n" + "".join(tail.split())
    return "".join(between.split())


def line_tail(text: str, end: int) -> str:
    """Punctuation after ``end`` up to the end of its line, spaces left out."""
    return "".join(text[end:].partition("\n")[0].split())


def split_arrays(text: str) -> tuple[list[int], list[int], list[str], list[str]]:
    """Starts, ends and gaps (as ``Span``'s) of the syllables, numbers and codes of ``text``,
    and the characters of each, as parallel lists: no object per syllable."""
    starts: list[int] = []
    ends: list[int] = []
    gaps: list[str] = []
    raw: list[str] = []
    prev_end = None
    for match in SYLLABLE_RE.finditer(text):
        start, end = match.span()
        if prev_end is None:
            gaps.append(_gap("\n" + text[:start]))
        else:
            between = text[prev_end:start]
            gaps.append("" if between == " " else _gap(between))  # one space: most tokens, no call
        starts.append(start)
        ends.append(end)
        raw.append(match.group())
        prev_end = end
    return starts, ends, gaps, raw


def split_syllables(text: str) -> list[Span]:
    """Spans of the syllables, numbers and codes of ``text``, in order."""
    starts, ends, gaps, _ = split_arrays(text)
    return list(map(Span, starts, ends, gaps))
