"""Shared helpers for the analyzer tests: the sample corpus, token capture, tone-style converters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from analyzers import FIELD_ANALYZERS

CORPUS_DIR = Path(__file__).resolve().parents[2] / "corpus"
FIELDS = tuple(FIELD_ANALYZERS)
TONES = "\u0300\u0301\u0303\u0309\u0323"
# Texts where the analysis has edge cases: nothing, only spaces, codes and dates, NFD, line breaks
# and punctuation, repeats, stray combining marks, other scripts.
ODD_TEXTS = [
    "",
    "   \n\n  ",
    "Tỉnh uỷ Thái Nguyên, tỉnh ủy THÁI NGUYÊN; Chỉ thị 35-CT/TW (ngày 30/5/2019).",
    unicodedata.normalize("NFD", "Đảng bộ xã Quỳnh Lưu: hoà, hòa, HOÀ — “kết nạp” đảng viên!"),
    "GRDP tăng 4,18% ... 15.555 tỷ đồng\n- dòng hai\n\n«trích dẫn» [ghi chú] COVID-19 ø ß ǅ",
    "a a a a a b a b a b\n" * 30 + "cuối",
    "\u0301 dấu rời ở đầu, x\u0301y\u0300z",
    "日本語 và tiếng Việt; ٣٤ số; emoji 🙂 giữa chữ",
]


@lru_cache(maxsize=None)
def corpus() -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))}
    assert len(texts) == 5, texts.keys()
    return texts


@lru_cache(maxsize=None)
def analyzer(field: str):
    return FIELD_ANALYZERS[field]()


def tokens(field: str, text: str) -> list[tuple[str, int, int, int]]:
    """(text, pos, startchar, endchar) of every token, copied: Whoosh reuses one Token object."""
    return [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(field)(text, positions=True, chars=True)]


def texts(field: str, text: str) -> list[str]:
    return [t.text for t in analyzer(field)(text)]


# Tone-style converters, written independently of analyzers.normalize. The two styles differ
# only in open syllables whose vowel cluster is exactly oa, oe or uy (not after q, where the u
# belongs to the initial): the old style puts the tone on the first vowel (hòa, khỏe, thủy), the
# new style on the second (hoà, khoẻ, thuỷ). Done on NFD text, where a tone is one combining
# character and ă/ê/... are a base vowel plus a mark.
_T = f"[{TONES}]"
_START = r"(?<![aeiouyqAEIOUYQ\u0300-\u036f])"  # nothing vowel-like (or q) before the pair
_END = r"(?![\w\u0300-\u036f])"  # nothing after the pair: an open syllable
_PAIRS = {"oa", "oe", "uy"}
_OLD = re.compile(rf"{_START}([ouOU])({_T})([aeyAEY]){_END}")  # hòa
_NEW = re.compile(rf"{_START}([ouOU])([aeyAEY])({_T}){_END}")  # hoà


def _swap(match: re.Match) -> str:
    first, mid, last = match.groups()
    vowels = (first + (last if mid in TONES else mid)).lower()
    if vowels not in _PAIRS:
        return match.group(0)
    return first + last + mid


def to_new_style(text: str) -> str:
    """hòa -> hoà, thủy -> thuỷ, khỏe -> khoẻ (NFC out)."""
    return unicodedata.normalize("NFC", _OLD.sub(_swap, unicodedata.normalize("NFD", text)))


def to_old_style(text: str) -> str:
    """hoà -> hòa, thuỷ -> thủy, khoẻ -> khỏe (NFC out)."""
    return unicodedata.normalize("NFC", _NEW.sub(_swap, unicodedata.normalize("NFD", text)))
