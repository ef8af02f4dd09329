"""How much of a query's passage scoring exact top-k pruning (MaxScore) could skip, measured
before building it (issue 12's item 2).

    python benchmarks/pruning_potential.py /path/to/index --queries 200

For each vinewsqa-dev question, ``search()`` runs as a caller runs it; its record scores are
then taken apart. MaxScore's bound on what a term can add to a record is the largest boosted
score among its postings (the title's: the largest document score it spreads). The document
ranking needs the ``features.POOL`` best documents by best passage exactly, so its threshold is
the POOL-th best document's best passage score (here the final one: a pruning run only knows a
lower bound on it as it goes, so these are upper limits on what it could skip). The terms with
the lowest bounds whose bounds (and any phrase bonus or required-clause point) sum below the
threshold are *non-essential*: a record holding none of the others cannot reach the pool. It
prints:

* the postings of the question's scored terms (the title counted as the records of the documents
  whose title matches, which its spread adds to), and the share in non-essential terms (the
  scatter into every record that pruning would skip);
* the records scoring above 0, and the share holding an essential term (the candidates, which
  the document ranking's max and partial sorts would then run over);
* for the non-essential terms' postings, the share of posting blocks (of 128 postings, a W3 or
  Lucene block, and of 4,096, a page of the bags file) holding at least one candidate: a block
  without one is what block-max skipping would not decode.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import load_eval_set  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args(argv)

    from search import engine, rank, search
    from search.features import POOL
    from search.plan import DOCUMENT_FIELDS, Bonus, Require, Scored
    from search.scorer import document_bm25, term_scores

    rows = []
    exhaustive = rank.record_scores

    def measured(reader, arrays, clauses):
        scores = exhaustive(reader, arrays, clauses)
        scored = [c for c in clauses if isinstance(c, Scored)]
        bounds = []  # (bound, postings, docnums; for the title, None)
        title_documents = None
        for fieldname, text, weight in rank._terms(c for c in scored if c.field not in DOCUMENT_FIELDS):
            ids, s = term_scores(arrays, fieldname, text)
            if len(ids):
                bounds.append((weight * float(s.max()), len(ids), ids))
        titles = rank._terms(c for c in scored if c.field in DOCUMENT_FIELDS)
        if titles:
            by_document = document_bm25(arrays, titles)
            hit = np.flatnonzero(by_document)
            if len(hit):
                title_documents = np.zeros(len(arrays.doc_starts), dtype=bool)
                title_documents[hit] = True
                bounds.append((float(by_document.max()), int(arrays.run_lengths[hit].sum()), None))
        slack = sum(c.weight for c in clauses if isinstance(c, Bonus))
        slack += 1.0 if any(isinstance(c, Require) for c in clauses) else 0.0
        best = np.zeros(len(arrays.doc_starts), dtype=np.float32)
        np.maximum.at(best, arrays.owner_index, scores)
        threshold = float(np.sort(best)[-POOL]) if len(best) >= POOL else 0.0
        bounds.sort(key=lambda b: b[0])
        k, reach = 0, slack
        while k < len(bounds) and reach + bounds[k][0] < threshold:
            reach += bounds[k][0]
            k += 1
        essential = [b[2] for b in bounds[k:] if b[2] is not None]
        candidates = np.zeros(arrays.size, dtype=bool)
        for ids in essential:
            candidates[ids] = True
        if any(b[2] is None for b in bounds[k:]):  # every record of the documents whose title matches
            candidates |= title_documents[arrays.owner_index]
        candidates &= scores > 0  # (records that score nothing are no candidates: deleted, excluded, documents')
        touched = {128: [0, 0], 4096: [0, 0]}
        for _, _, ids in bounds[:k]:
            if ids is None:
                continue
            inside = candidates[ids]
            for size, tally in touched.items():
                blocks = np.add.reduceat(inside, np.arange(0, len(ids), size)) > 0
                tally[0] += int(blocks.sum())
                tally[1] += len(blocks)
        rows.append((sum(b[1] for b in bounds), sum(b[1] for b in bounds[:k]), int(candidates.sum()),
                     int((scores > 0).sum()), len(bounds), k, *touched[128], *touched[4096]))
        return scores

    engine.record_scores = measured
    _, queries = load_eval_set("vinewsqa-dev")
    for q in queries[: args.queries]:
        search(q["question"], index=args.index, limit=10)
    if not rows:
        raise SystemExit("no question searched anything")
    a = np.array(rows, dtype=np.float64)
    print(f"{len(a)} questions, {args.index}")
    print(f"scored postings a question {a[:, 0].mean():,.0f}; in non-essential terms {a[:, 1].mean():,.0f} "
          f"({100 * a[:, 1].sum() / a[:, 0].sum():.0f}%)")
    print(f"records scoring above 0 {a[:, 3].mean():,.0f}; holding an essential term {a[:, 2].mean():,.0f} "
          f"({100 * a[:, 2].sum() / max(a[:, 3].sum(), 1):.0f}%)")
    print(f"terms a question {a[:, 4].mean():.1f}, non-essential {a[:, 5].mean():.1f}; "
          f"questions with none: {int((a[:, 5] == 0).sum())}")
    print(f"non-essential terms' blocks holding a candidate: {100 * a[:, 6].sum() / max(a[:, 7].sum(), 1):.0f}% "
          f"of 128-posting blocks, {100 * a[:, 8].sum() / max(a[:, 9].sum(), 1):.0f}% of 4,096-posting pages")


if __name__ == "__main__":
    main()
