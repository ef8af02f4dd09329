"""Shared helpers for the vnsearch benchmarks: data location and loading,
query text variants, relevance metrics, timing, memory and table printing.

Shared data lives beside the repository (``../shared``) and is read at run
time; set ``VNSEARCH_SHARED`` to point somewhere else.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import resource
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

EVAL_SETS = ("vinewsqa-dev", "alqac2022")


# --------------------------------------------------------------------------
# Data location and loading
# --------------------------------------------------------------------------

def shared_dir() -> Path:
    env = os.environ.get("VNSEARCH_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_eval_set(name: str) -> tuple[list[dict], list[dict]]:
    """Return (passages, queries) of an evaluation set under shared/eval/NAME."""
    base = shared_dir() / "eval" / name
    if not base.is_dir():
        raise FileNotFoundError(f"evaluation set not found: {base} (set VNSEARCH_SHARED?)")
    return _read_jsonl(base / "passages.jsonl"), _read_jsonl(base / "queries.jsonl")


def passages_as_docs(passages: list[dict]) -> list[tuple[str, str, str]]:
    """Passages -> (doc_id, title, text) documents."""
    return [(p["pid"], p.get("title") or "", p.get("text") or "") for p in passages]


def jsonl_line(doc_id: str, title: str, text: str) -> str:
    """One document as a line of the JSONL files ``vnsearch index`` reads."""
    return json.dumps({"id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n"


def write_jsonl_parts(docs, folder: Path, per_file: int = 1000) -> int:
    """``(doc_id, title, text)`` documents written as JSONL files of ``per_file`` lines each
    (``part-0000.jsonl``, ...) into ``folder``, as ``vnsearch index`` reads a folder; how many."""
    out, n = None, 0
    try:
        for doc_id, title, text in docs:
            if n % per_file == 0:
                if out:
                    out.close()
                out = open(folder / f"part-{n // per_file:04d}.jsonl", "w", encoding="utf-8")
            out.write(jsonl_line(doc_id, title, text))
            n += 1
    finally:
        if out:
            out.close()
    return n


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class TreePeak:
    """Peak summed RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.1):
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def run_vnsearch(args: list[str], checkout: Path | None = None, env: dict | None = None) -> tuple[dict, float, float]:
    """``python -m vnsearch ARGS --json`` as a subprocess, as a user runs it: its JSON, its wall
    seconds and the peak resident memory of its process tree (MB, ``TreePeak``). ``checkout``:
    another checkout's (with its own ``.venv``) rather than this one's."""
    import subprocess

    python = str(checkout / ".venv" / "bin" / "python") if checkout else sys.executable
    started = time.perf_counter()
    proc = subprocess.Popen([python, "-m", "vnsearch", *args, "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=checkout or Path(__file__).resolve().parents[1],
                            env=env)
    peak = TreePeak(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    peak_mb = peak.stop()
    if proc.returncode != 0:
        raise SystemExit(f"vnsearch {args[0]} failed ({proc.returncode}): {err[-2000:]}")
    return json.loads(out), wall, peak_mb


def vietnews_path() -> Path:
    return shared_dir() / "bench" / "vietnews-val.jsonl.gz"


def iter_vietnews(limit_docs: int | None = None, limit_bytes: int | None = None):
    """Yield (doc_id, title, text) from vietnews-val, streaming the gz file.

    text = title, abstract and body joined by blank lines. Stops after
    limit_docs articles or once limit_bytes of UTF-8 text have been yielded.
    Text is passed through as stored (about 5% of articles are NFD).
    """
    n = nbytes = 0
    with gzip.open(vietnews_path(), "rt", encoding="utf-8") as f:
        for line in f:
            if limit_docs is not None and n >= limit_docs:
                return
            if limit_bytes is not None and nbytes >= limit_bytes:
                return
            if not line.strip():
                continue
            d = json.loads(line)
            title = d.get("title") or ""
            text = "\n\n".join(x for x in (title, d.get("abstract"), d.get("body")) if x)
            n += 1
            nbytes += len(text.encode("utf-8"))
            yield d["id"], title, text


# --------------------------------------------------------------------------
# Query text variants
# --------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_VOWELS = set("aeiouy")
_WORD = re.compile(r"\w+")


def strip_diacritics(s: str) -> str:
    """Remove all Vietnamese diacritics: NFD, drop combining marks, đ/Đ -> d/D."""
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s.replace("đ", "d").replace("Đ", "D"))


def _split_tone(ch: str) -> tuple[str, str]:
    """Split one character into (character without tone mark, tone mark or '')."""
    d = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in d if c in _TONES)
    rest = "".join(c for c in d if c not in _TONES)
    return unicodedata.normalize("NFC", rest), tone


def _old_tone_word(word: str) -> str:
    chars = [_split_tone(c) for c in word]
    bare = "".join(b for b, _ in chars).lower()
    # Open syllable ending in plain oa / oe / uy, preceded only by consonants.
    if len(bare) < 2 or bare[-2:] not in ("oa", "oe", "uy"):
        return word
    prefix = strip_diacritics(bare[:-2])
    if any(c in _VOWELS or not c.isalpha() for c in prefix):  # not an initial consonant
        return word
    (b1, t1), (b2, t2) = chars[-2], chars[-1]
    if not t1 or t2:
        return word
    head = "".join(unicodedata.normalize("NFC", b + t) for b, t in chars[:-2])
    return head + b1 + unicodedata.normalize("NFC", b2 + t1)


def old_tone_style(s: str) -> str:
    """Rewrite tone placement to the old style: hòa->hoà, khỏe->khoẻ, thủy->thuỷ.

    Only open syllables whose vowel is oa, oe or uy are touched; closed
    syllables (hoàng, toán) and syllables already toned on the second vowel
    (quý) are left as they are. Output is NFC.
    """
    s = unicodedata.normalize("NFC", s)
    return _WORD.sub(lambda m: _old_tone_word(m.group(0)), s)


VARIANTS = {
    "as-written": lambda s: s,
    "stripped": strip_diacritics,
    "old-tone": old_tone_style,
}


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------

def recall_at(ranked_doc_ids, gold, k: int) -> float:
    """1.0 if any gold id is among the first k results, else 0.0 (success@k)."""
    gold = set(gold)
    return 1.0 if any(d in gold for d in ranked_doc_ids[:k]) else 0.0


def mrr_at(ranked, gold, k: int = 10) -> float:
    """Reciprocal rank of the first gold id within the first k results."""
    gold = set(gold)
    for i, d in enumerate(ranked[:k], 1):
        if d in gold:
            return 1.0 / i
    return 0.0


def percentile(values, p: float) -> float:
    """Nearest-rank-with-interpolation percentile (p in 0..100)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * p / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# --------------------------------------------------------------------------
# Timing, memory, output
# --------------------------------------------------------------------------

class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self):
        self._t0 = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        return False


@contextmanager
def timed(label: str, out=sys.stderr):
    """Context manager printing how long a block took (progress messages)."""
    t0 = time.perf_counter()
    yield
    print(f"[{label}: {time.perf_counter() - t0:.1f}s]", file=out, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1024 * 1024) if sys.platform == "darwin" else r / 1024


def dir_size(path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


_NUMERIC = re.compile(r"[-+]?[\d.,]+(e[-+]?\d+)?%?|nan|inf|-")


def print_table(headers, rows, title: str | None = None) -> None:
    """Print a plain aligned table; floats get 3 decimals unless pre-formatted."""
    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
              for i, h in enumerate(headers)]
    if title:
        print(f"\n{title}")
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(c.rjust(w) if _NUMERIC.fullmatch(c) else c.ljust(w) for c, w in zip(r, widths)))
