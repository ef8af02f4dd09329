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
    and pairs. Question words, excluded words and ``title:`` filters are not marked."""
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
    return terms
