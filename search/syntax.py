"""The query language: plain words, "quoted phrases", -excluded words, OR, and title: filters.

Parsing never fails: unbalanced quotes close at the end of the query, a lone ``-`` or a stray
operator is ignored, and anything unexpected is read as plain words, with a note saying what
was done. Words are not split further here: the analyzer does that, because Whoosh's own
parser would split on spaces and lose pyvi's multi-syllable words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000

# A clause: optional "-", optional "title:", then a quoted phrase or a run of non-space characters.
_CLAUSE = re.compile(r'(?P<neg>-)?(?:(?P<field>title|tieude|tiêu đề):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))', re.I)


_FIELD_ONLY = re.compile(r"-?(?:title|tieude|tiêu đề):", re.I)


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)  # free text, scored
    phrases: list[str] = field(default_factory=list)  # must match as phrases
    excluded: list[str] = field(default_factory=list)  # must not match (words or phrases)
    title: list[str] = field(default_factory=list)  # must match in the title
    # Words and phrases in the order typed, in runs that an excluded clause, a title: filter or
    # OR interrupts: syllable pairs are formed within a run only, never across what the user
    # kept apart.
    runs: list[list[str]] = field(default_factory=lambda: [[]])
    notes: list[str] = field(default_factory=list)  # what the parser had to do, for the user

    @property
    def free_text(self) -> str:
        """Words and phrases as typed, runs separated by ``|`` (which no pair crosses)."""
        return " | ".join(" ".join(run) for run in self.runs if run)

    def break_run(self) -> None:
        if self.runs[-1]:
            self.runs.append([])

    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.title)


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes of a command-line argument, for one)
    replaced by U+FFFD: they cannot be encoded, and break the word segmenter."""
    return _SURROGATE.sub("\ufffd", text)


def parse(query: str) -> ParsedQuery:
    parsed = ParsedQuery()
    if _SURROGATE.search(query):
        query = valid_unicode(query)
        parsed.notes.append("characters that are not valid Unicode were replaced")
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        parsed.notes.append(f"query shortened to its first {MAX_QUERY_CHARS} characters")
    if query.count('"') % 2:
        parsed.notes.append("unbalanced quote: the phrase runs to the end of the query")
    for m in _CLAUSE.finditer(query):
        neg, fld, phrase, word = m.group("neg"), m.group("field"), m.group("phrase"), m.group("word")
        text = (phrase if phrase is not None else word or "").strip()
        if not text or (word is not None and word.upper() == "OR" and not neg and not fld):
            parsed.break_run()  # OR between words is the default; a lone operator means nothing
            continue
        if word is not None and not fld and _FIELD_ONLY.fullmatch(word):
            parsed.notes.append(f"'{word}' needs a word or \"phrase\" after it; ignored")
            continue
        if neg:
            parsed.excluded.append(text)
            parsed.break_run()
        elif fld:
            parsed.title.append(text)
            parsed.break_run()
        elif phrase is not None:
            parsed.phrases.append(text)
            parsed.runs[-1].append(text)
        else:
            parsed.words.append(text)
            parsed.runs[-1].append(text)
    return parsed
