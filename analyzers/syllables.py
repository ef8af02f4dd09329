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
from itertools import accumulate
from typing import NamedTuple

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A token starts with a letter or digit: a combining mark with no base letter (after a space or
# punctuation) is not a syllable, and would fold to an empty term.
# Written as runs of letters between runs of marks: the same tokens as ``[^\W_](?:[^\W_]|marks)*``,
# a fifth faster (fewer turns of the repetition).
SYLLABLE_RE = re.compile(rf"[^\W_]+(?:[{_MARKS}]+[^\W_]*)*")
_SPLIT_RE = re.compile(f"({SYLLABLE_RE.pattern})")  # the same tokens, kept between the separators


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


_BETWEEN: dict[str, str] = {}  # separator -> its gap: texts repeat the same few separators


def _between(separators: list[str]) -> list[str]:
    """``_gap`` of each separator between two tokens (most often one space), remembered."""
    out = list(map(_BETWEEN.get, separators))
    if None in out:
        if len(_BETWEEN) > 4096:
            _BETWEEN.clear()
        for i, separator in enumerate(separators):
            if out[i] is None:
                out[i] = _BETWEEN[separator] = "" if separator == " " else _gap(separator)
    return out


def line_tail(text: str, end: int) -> str:
    """Punctuation after ``end`` up to the end of its line, spaces left out."""
    return "".join(text[end:].partition("\n")[0].split())


def split_arrays(text: str) -> tuple[list[int], list[int], list[str], list[str]]:
    """Starts, ends and gaps (as ``Span``'s) of the syllables, numbers and codes of ``text``,
    and the characters of each, as parallel lists: no object per syllable.

    One ``re.split`` gives the separators and tokens in turn, and the spans are running sums of
    their lengths: C code throughout, where a ``finditer`` loop made a match object and a few
    Python calls per token (highlighting re-analyzes every passage it shows)."""
    parts = _SPLIT_RE.split(text)  # [separator, token, separator, token, ..., separator]
    raw = parts[1::2]
    if not raw:
        return [], [], [], []
    bounds = list(accumulate(map(len, parts)))
    separators = parts[0:-1:2]
    gaps = [_gap("\n" + separators[0])]
    gaps.extend(_between(separators[1:]))
    return bounds[0:-1:2], bounds[1::2], gaps, raw


def split_syllables(text: str) -> list[Span]:
    """Spans of the syllables, numbers and codes of ``text``, in order."""
    starts, ends, gaps, _ = split_arrays(text)
    return list(map(Span, starts, ends, gaps))
