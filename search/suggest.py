""""Did you mean": the accented spelling of a query, read off the passages it found.

For each syllable of the query, the suggestion takes the accented form that the best-matching
passages actually use at that place, counting a form more when the neighbouring syllables of the
query match around it too. So ``tinh uy thai nguyen`` becomes ``tỉnh ủy thái nguyên`` because the
corpus writes it that way, and ``dang`` next to ``cong san`` becomes ``đảng``, not ``đang``. Spellings are compared as written,
i/y included (``normalize_spelling``): the index holds ``kĩ`` and ``kỹ`` as one syllable, and the
suggestion offers the one the corpus uses most.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from analyzers import analyze, nfc, normalize_spelling


def suggest(query: str, passages: list[str], corrections: dict[str, str] | None = None) -> str | None:
    """The query with each syllable replaced by its most likely written form, or None if unchanged."""
    corrections = corrections or {}
    q = analyze(query)
    if not q.folded:
        return None
    qkeys = [corrections.get(k, k) for k in q.folded]
    where: dict[str, list[int]] = defaultdict(list)
    for j, key in enumerate(qkeys):
        where[key].append(j)
    votes: list[Counter] = [Counter() for _ in qkeys]
    for text in passages:
        syl = analyze(text)
        keys = syl.folded
        for i, key in enumerate(keys):
            for j in where.get(key, ()):
                if i and j and keys[i - 1] == qkeys[j - 1]:
                    continue  # counted as part of the run that starts earlier
                run = 0
                while i + run < len(keys) and j + run < len(qkeys) and keys[i + run] == qkeys[j + run]:
                    run += 1
                for m in range(run):
                    votes[j + m][nfc(text[syl.starts[i + m] : syl.ends[i + m]]).lower()] += run
    out = []
    pos = 0
    changed = False
    for s, e, accented, folded, counter, key in zip(q.starts, q.ends, q.accented, q.folded, votes, qkeys):
        typed = query[s:e]
        best = counter.most_common(1)[0][0] if counter else None
        if best is None and key != folded:
            best = key  # a corrected typo with no accented evidence
        out.append(query[pos:s])
        if best is not None and normalize_spelling(best) != normalize_spelling(typed):
            out.append(best)
            changed = True
        else:
            out.append(typed)
        pos = e
    out.append(query[pos:])
    return "".join(out) if changed else None
