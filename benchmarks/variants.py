"""Questions as people really type them: MRR@10 of four transformed question sets against the
same questions as written, on the same index (issue 14).

    python benchmarks/variants.py --set all
    python benchmarks/variants.py --set vinewsqa-dev --limit-queries 300
    python benchmarks/variants.py --latency 90000 --keep /tmp/vn90k   # prefix lookups at scale

Each eval set's passages are indexed once; every question is asked as written and changed four
ways, each transform written here (not taken from vnsearch):

* ``iy``: every syllable with a final i/y after an initial consonant written the other way
  (``kỹ`` -> ``kĩ``, ``lí`` -> ``lý``); only questions holding such a syllable;
* ``abbrev``: administrative phrases abbreviated (``Ủy ban nhân dân`` -> ``UBND``, below);
  only questions holding one;
* ``telex``: the whole question as Telex keystrokes (``đường`` -> ``dduwowngf``), questions
  with at least one word with diacritics;
* ``prefix``: a query made of a gold passage's title, cut in the middle of its last syllable
  (``... Bắc Ninh`` -> ``... Bắc Ni``), against the whole title as written; titles whose last
  syllable has three letters or more.

For each: the number of questions, MRR@10 as written and changed (over the same questions), and
the ratio. Targets (issue 14): iy >= 0.97x, abbrev >= 0.95x, telex >= 0.90x, prefix >= 0.90x.

``--latency N``: instead, index vinewsqa-dev's passages and N vietnews-val articles and time
as-you-type queries (titles with their last syllable cut to 1, 2 and 3 letters; one letter is
the widest prefix lookup) with prefix matching, against the same queries with ``prefix=False``
beside each, in turn first (same run, p50 / p95 ms). ``--keep DIR`` builds the index there once and
reuses it (``--keep /work/bench-data/vnsearch-90568``: the latency benchmark's 90k index).
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata

from common import EVAL_SETS, iter_vietnews, load_eval_set, mrr_at, passages_as_docs, percentile, print_table
from vnsearch_system import VnsearchSystem

K = 10
TARGETS = {"iy": 0.97, "abbrev": 0.95, "telex": 0.90, "prefix": 0.90}

# -- i/y -------------------------------------------------------------------------------------
_INITIALS = "b c ch d đ g gh h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
_SWAP = {"i": "y", "y": "i"}
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_SYLLABLE = re.compile(r"\w+")


def _swap_iy(word: str) -> str:
    d = unicodedata.normalize("NFD", word)
    tone = "".join(c for c in d if c in _TONE_MARKS)
    bare = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_MARKS))
    head, last = bare[:-1], bare[-1:]
    if last.lower() not in _SWAP or head.lower() not in _INITIALS:
        return word
    swapped = _SWAP[last.lower()]
    swapped = swapped.upper() if last.isupper() else swapped
    return unicodedata.normalize("NFC", head + swapped + tone)


def swap_iy(question: str) -> str:
    return _SYLLABLE.sub(lambda m: _swap_iy(m.group()), unicodedata.normalize("NFC", question))


# -- abbreviations ---------------------------------------------------------------------------
# Written for this benchmark from administrative usage (the abbreviations of bodies and terms
# that documents and newspapers use); longest first.
ABBREVIATIONS = [
    ("Thành phố Hồ Chí Minh", "TP.HCM"), ("Ủy ban nhân dân", "UBND"), ("Uỷ ban nhân dân", "UBND"),
    ("Hội đồng nhân dân", "HĐND"), ("Tòa án nhân dân", "TAND"), ("Toà án nhân dân", "TAND"),
    ("Viện kiểm sát nhân dân", "VKSND"), ("bảo hiểm xã hội", "BHXH"), ("bảo hiểm y tế", "BHYT"),
    ("bảo hiểm thất nghiệp", "BHTN"), ("trung học phổ thông", "THPT"), ("trung học cơ sở", "THCS"),
    ("cảnh sát giao thông", "CSGT"), ("hợp tác xã", "HTX"), ("xã hội chủ nghĩa", "XHCN"),
    ("trách nhiệm hữu hạn", "TNHH"), ("Giáo dục và Đào tạo", "GD&ĐT"), ("Ban chấp hành", "BCH"),
    ("Trung ương", "TW"), ("công nghệ thông tin", "CNTT"), ("an toàn giao thông", "ATGT"),
    ("phòng cháy chữa cháy", "PCCC"), ("Mặt trận Tổ quốc", "MTTQ"), ("đại biểu Quốc hội", "ĐBQH"),
    ("khu công nghiệp", "KCN"), ("Công an nhân dân", "CAND"), ("Quân đội nhân dân", "QĐND"),
]
_ABBREV = [(re.compile(r"(?<!\w)" + re.escape(full) + r"(?!\w)", re.I), short) for full, short in ABBREVIATIONS]


def abbreviate(question: str) -> str:
    q = unicodedata.normalize("NFC", question)
    for pattern, short in _ABBREV:
        q = pattern.sub(short, q)
    return q


# -- Telex -----------------------------------------------------------------------------------
_TONE_KEYS = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_SHAPE_KEYS = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}


def _telex_word(word: str) -> str:
    d = unicodedata.normalize("NFD", word)
    tone = next((_TONE_KEYS[c] for c in d if c in _TONE_KEYS), "")
    bare = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_KEYS))
    out = []
    for ch in bare:
        key = _SHAPE_KEYS.get(ch.lower())
        out.append(ch if key is None else (key.capitalize() if ch.isupper() else key))
    return "".join(out) + tone


def telex(question: str) -> str:
    return _SYLLABLE.sub(lambda m: _telex_word(m.group()), unicodedata.normalize("NFC", question))


# -- prefixes --------------------------------------------------------------------------------
def cut_last_syllable(title: str) -> str | None:
    """The title cut in the middle of its last syllable (None if it is shorter than 3 letters)."""
    words = list(_SYLLABLE.finditer(title))
    if not words:
        return None
    last = words[-1]
    if len(last.group()) < 3 or not last.group().isalpha():
        return None
    keep = (len(last.group()) + 1) // 2
    return title[: last.start() + keep]


# -- the run ---------------------------------------------------------------------------------
def variant_sets(passages, queries):
    """{variant: [(as written, changed, gold)]}."""
    sets = {"iy": [], "abbrev": [], "telex": [], "prefix": []}
    for q in queries:
        text, gold = q["question"], q["gold"]
        for name, fn in (("iy", swap_iy), ("abbrev", abbreviate), ("telex", telex)):
            changed = fn(text)
            if changed != unicodedata.normalize("NFC", text):
                sets[name].append((text, changed, gold))
    by_title: dict[str, list[str]] = {}
    for p in passages:
        if p.get("title"):
            by_title.setdefault(p["title"], []).append(p["pid"])
    for title, pids in by_title.items():
        cut = cut_last_syllable(title)
        if cut:
            sets["prefix"].append((title, cut, pids))
    return sets


def mrr(system, pairs, which: int) -> float:
    if not pairs:
        return float("nan")
    return sum(mrr_at(system.query(p[which], K), p[2], K) for p in pairs) / len(pairs)


LETTERS = (1, 2, 3)  # of the last syllable, typed so far


def typed_so_far(title: str, letters: int) -> str | None:
    """The title with its last syllable cut to its first ``letters`` letters (None unless it is
    a word of letters longer than that)."""
    words = list(_SYLLABLE.finditer(title))
    if not words or not words[-1].group().isalpha() or len(words[-1].group()) <= letters:
        return None
    return title[: words[-1].start() + letters]


def prefix_latency(articles: int, keep: str | None, limit: int) -> None:
    """As-you-type queries with a 1-, 2- and 3-letter last syllable, each with prefix matching
    and with ``prefix=False`` beside it (same run, same load; which goes first alternates), p50/p95
    ms; and what ranking a 1- or 2-letter prefix's syllables costs the first time it is typed."""
    import time
    from pathlib import Path

    from search import search

    passages, _ = load_eval_set("vinewsqa-dev")
    system = VnsearchSystem(index_dir=keep)
    if keep is None or not any(Path(keep).glob("*.toc")):
        system.build(passages_as_docs(passages) + list(iter_vietnews(limit_docs=articles)))
    titles = [t for t in dict.fromkeys(p["title"] for p in passages if p.get("title"))
              if typed_so_far(t, max(LETTERS))][:limit]
    search("khởi động", index=system.index_dir)  # open the index outside the timings
    first_time = []
    for letters in LETTERS:
        for q in titles:  # the first time each prefix is typed (ranking 1-2 letter prefixes once)
            t0 = time.perf_counter()
            search(typed_so_far(q, letters), index=system.index_dir, limit=10)
            first_time.append((time.perf_counter() - t0) * 1000)
            if len(first_time) >= 20 * letters:
                break
    rows = []
    for letters in LETTERS:
        queries = [typed_so_far(t, letters) for t in titles]
        times = {True: [], False: []}
        for i, q in enumerate(queries):
            # in turn first: the first run of a query decodes its terms, the second finds them cached
            for prefix in ((True, False) if i % 2 == 0 else (False, True)):
                t0 = time.perf_counter()
                search(q, index=system.index_dir, limit=10, prefix=prefix)
                times[prefix].append((time.perf_counter() - t0) * 1000)
        for prefix in (True, False):
            ms = times[prefix]
            rows.append((f"{letters} letter{'s' if letters > 1 else ''}", "prefix" if prefix else "prefix=False (same run)",
                         len(ms), f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}"))
        ratio = percentile(times[True], 50) / max(percentile(times[False], 50), 1e-9)
        rows.append(("", "ratio of p50", "", f"{ratio:.2f}x", ""))
    print_table(["last syllable", "search", "n", "p50 ms", "p95 ms"], rows,
                title=f"== as-you-type latency: {system.index_dir} ==")
    print(f"warm-up queries (first time their prefixes are typed): {len(first_time)}, "
          f"max {max(first_time):.1f} ms, p50 {percentile(first_time, 50):.1f} ms")
    if keep is None:
        system.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="all", choices=[*EVAL_SETS, "all"])
    ap.add_argument("--limit-queries", type=int, default=None, metavar="N", help="the first N of each variant")
    ap.add_argument("--latency", type=int, default=None, metavar="N",
                    help="time prefix lookups on vinewsqa-dev + N vietnews articles instead")
    ap.add_argument("--keep", default=None, metavar="DIR", help="with --latency: build the index in DIR once")
    args = ap.parse_args(argv)
    if args.latency is not None:
        prefix_latency(args.latency, args.keep, args.limit_queries or 300)
        return
    sets = EVAL_SETS if args.set == "all" else (args.set,)
    rows = []
    for set_name in sets:
        passages, queries = load_eval_set(set_name)
        system = VnsearchSystem()
        system.build(passages_as_docs(passages))
        try:
            for name, pairs in variant_sets(passages, queries).items():
                pairs = pairs[: args.limit_queries]
                written, changed = mrr(system, pairs, 0), mrr(system, pairs, 1)
                ratio = changed / written if written else float("nan")
                ok = "PASS" if ratio >= TARGETS[name] else "FAIL"
                rows.append((set_name, name, len(pairs), f"{written:.3f}", f"{changed:.3f}", f"{ratio:.2f}x",
                             f">= {TARGETS[name]:.2f}x", ok if pairs else "-"))
                print(f"[{set_name}] {name}: {len(pairs)} questions", file=sys.stderr, flush=True)
        finally:
            system.close()
    print_table(["set", "variant", "questions", "MRR@10 as written", "MRR@10 changed", "ratio", "target", ""],
                rows, title="== questions as typed vs as written (same index) ==")


if __name__ == "__main__":
    main()
