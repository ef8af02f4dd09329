"""What a query's hits are marked by, derived from its plan once the plan is made.

Search results and the web document page mark the same terms, so both take them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .highlight import match_spans
from .plan import Plan, Scored
from .terms import QuerySyllable, pairs


@dataclass
class QueryTerms:
    """What ``highlight.match_spans`` needs to mark a query's hits on any text."""

    folded: set[str] = field(default_factory=set)  # hits whatever their diacritics
    pairs: set[str] = field(default_factory=set)  # folded adjacent pairs, hits together
    accented: set[str] = field(default_factory=set)  # hits only with these diacritics

    def spans(self, text: str) -> list[list[int]]:
        """The hits on ``text``, exactly as ``search()`` marks them on its passages."""
        if not (self.folded or self.pairs or self.accented):
            return []
        return match_spans(text, self.folded, self.pairs, self.accented)

    def add(self, s: QuerySyllable, key: str, exact: bool) -> None:
        """Mark a query syllable by its exact spelling if typed with diacritics (or in exact
        mode), else by its folded form, or by ``key``, its correction, if it was a typo."""
        if key != s.folded or not (s.has_marks or exact):
            self.folded.add(key)
        else:
            self.accented.add(s.accented)


def highlight_terms(plan: Plan) -> QueryTerms:
    """The terms a plan's hits are marked by: every syllable asked for (common ones too, which
    are scored only through their pairs), the scored pairs, and the quoted phrases' syllables
    and pairs, the other terms of synonym groups, and the longer syllables the last one typed
    was expanded to. Question words, excluded words and ``title:`` filters are not marked."""
    terms = QueryTerms()
    for s in plan.content:
        terms.add(s, plan.corrections.get(s.folded, s.folded), plan.exact)
    for clause in plan.clauses:
        if isinstance(clause, Scored) and clause.field == "fpair":
            terms.pairs.update(clause.terms)
    for sylls in plan.phrases:
        for s in sylls:
            terms.add(s, s.folded, plan.exact)
        terms.pairs.update(pairs(sylls))
    for alt in plan.synonyms:  # a synonym: one syllable marked as such, a phrase by its pairs
        _mark_phrase(terms, alt)
    if plan.expansion is not None:  # the syllable being typed, by its pairs if it has a neighbour
        if plan.expansion.pairs:
            terms.pairs.update(plan.expansion.pairs)
        else:
            terms.folded.update(plan.expansion.syllables)
    return terms


def _mark_phrase(terms: QueryTerms, folded: tuple[str, ...]) -> None:
    if len(folded) == 1:
        terms.folded.add(folded[0])
    else:
        terms.pairs.update(a + "_" + b for a, b in zip(folded, folded[1:]))
