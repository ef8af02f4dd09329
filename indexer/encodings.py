"""Turn the raw bytes of a text file into clean, NFC-normalized Unicode text.

Vietnamese documents in the wild come in more shapes than "UTF-8":

* UTF-8 with or without a BOM, UTF-16 (Windows "Unicode" text files);
* Windows-1258, which spells tones as *combining* marks (``a`` + U+0301)
  instead of precomposed letters — unless we NFC-normalize, "á" from a
  cp1258 file and "á" from a UTF-8 file would be different index terms;
* the pre-Unicode *font* encodings TCVN3 (ABC) and VNI-Windows.  Those are
  not real charsets: the bytes are ordinary Latin-1/cp1252 codes and only a
  special font draws them as Vietnamese letters.  Read naively they give
  mojibake like ``B¶o Th¾ng`` (TCVN3) or ``Vieät Nam`` (VNI), which would
  pollute the index with garbage terms.  Such text even survives a
  conversion to UTF-8, so we look for it in already-decoded text as well.

Legacy detection compares the fraction of tokens that are well-formed
Vietnamese syllables before and after a candidate conversion: real legacy
text jumps from mostly-garbage to mostly-valid, while Unicode Vietnamese
(whose Latin-1 letters would be *broken* by a conversion) and English (which
no conversion changes) never improve, so they are left alone.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .errors import UnreadableFile

__all__ = [
    "Decoded",
    "LEGACY_CONVERTERS",
    "decode_bytes",
    "convert_legacy",
    "tcvn3_to_unicode",
    "vni_to_unicode",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "syllable_score",
    "is_vietnamese_syllable",
]


@dataclass(frozen=True)
class Decoded:
    """Result of :func:`decode_bytes`.

    ``encoding`` names how the bytes became characters (e.g. ``"utf-8"``,
    ``"utf-16-le"``, ``"cp1258"``); ``legacy`` is ``"TCVN3"`` or ``"VNI"``
    when the characters were additionally converted from a legacy Vietnamese
    font encoding, so the indexer summary can tell the user about it.
    """

    text: str
    encoding: str
    legacy: str | None = None


# ---------------------------------------------------------------------------
# Vietnamese syllable recognizer (used only to score candidate decodings)
# ---------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_TONE_MARKS = frozenset((_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT))

_RHYMES = """
a ai ao au ay ac ach am an ang anh ap at
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e eo ec em en eng ep et
ê êu êch êm ên ênh êp êt
i ia iu ich im in inh ip it iêc iêm iên iêng iêp iêt iêu
o oi oc om on ong op ot oong ooc
oa oai oay oac oach oam oan oang oanh oap oat oao
oăc oăm oăn oăng oăt oe oeo oen oet
ô ôi ôc ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua ui uc um un ung up ut uê uêch uênh uơ uân uâng uât uây
uôc uôi uôm uôn uông uôt uy uya uych uyên uyêt uynh uyt uyu
ư ưa ưi ưu ưc ưm ưn ưng ưt ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêt yêu
""".split()

_SYLLABLE_RE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?("
    + "|".join(sorted(_RHYMES, key=len, reverse=True))
    + r")"
)
_STOP_FINALS = ("c", "ch", "p", "t")


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(token: str) -> bool:
    """True if ``token`` is a well-formed Vietnamese syllable (any case).

    Checks onset + rhyme against the closed inventory of Vietnamese rhymes,
    at most one tone mark, and that syllables ending in c/ch/p/t carry only
    the sắc or nặng tone.  It is a plausibility test for scoring decodings,
    not a spell checker.
    """
    decomposed = unicodedata.normalize("NFD", token.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    match = _SYLLABLE_RE.fullmatch(bare)
    if match is None:
        return False
    if tones and match.group(2).endswith(_STOP_FINALS) and tones[0] not in (_ACUTE, _DOT):
        return False
    return True


# Tokens for scoring: split on whitespace, ASCII punctuation, digits and
# general punctuation, but NOT on Latin-1 symbols — in legacy text those
# (¶, «, ©, ...) are letters in disguise and must stay inside their word.
_SCORE_TOKEN_RE = re.compile(r"[^\s\x21-\x40\x5b-\x60\x7b-\x7e\u2010-\u206f]+")
_SCORE_SAMPLE = 20000


def syllable_score(text: str) -> tuple[int, int]:
    """Return ``(valid, total)`` syllable-token counts over a prefix of ``text``."""
    valid = total = 0
    for token in _SCORE_TOKEN_RE.findall(text[:_SCORE_SAMPLE]):
        total += 1
        if len(token) <= 8 and is_vietnamese_syllable(token):
            valid += 1
    return valid, total


def _ratio(score: tuple[int, int]) -> float:
    return score[0] / score[1] if score[1] else 0.0


# ---------------------------------------------------------------------------
# TCVN3 (ABC)
# ---------------------------------------------------------------------------

# TCVN 5712:1993 VN3 ("ABC") byte -> Unicode.  VN3 has all lowercase letters
# but only the seven *untoned* special capitals (Ă Â Ê Ô Ơ Ư Đ); toned
# capitals were typed with the same codes in an uppercase-only font
# (.VnTimeH), so they decode to lowercase and are recased heuristically
# below.  The few toned capitals that the full VN1 table places inside the
# 0xA0-0xFF range (Ằ Ẳ Ẵ Ắ Ầ Ẩ Ẫ Ấ Ề Ể Ễ Ế Ồ Ổ Ỗ Ố) are included because no
# VN3 letter uses those codes; 0xB0-0xB4 are the VN1 combining tone marks.
# 0x80-0x9F are left as cp1252 punctuation (smart quotes, dashes) as ABC
# documents produced on Windows use them that way.
_TCVN3_TABLE: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ", 0xA8: "ă",
    0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ", 0xB0: "\u0300",
    0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323", 0xB5: "à", 0xB6: "ả", 0xB7: "ã",
    0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xBF: "Ẵ",
    0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề", 0xC6: "ặ", 0xC7: "ầ",
    0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì",
    0xD8: "ỉ", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò",
    0xE0: "Ổ", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ",
    0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù",
    0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ",
    0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}
_TCVN3_TRANSLATE = {code: char for code, char in _TCVN3_TABLE.items()}
# Letters that, in ABC text, may really be capitals typed with a lowercase code.
_TCVN3_AMBIGUOUS = frozenset(c for c in _TCVN3_TABLE.values() if c.islower())

_UNICODE_TO_TCVN3: dict[str, str] = {}
for _code, _char in _TCVN3_TABLE.items():
    if _char.islower() or _char in "ĂÂÊÔƠƯĐ":
        _UNICODE_TO_TCVN3[_char] = chr(_code)
for _char in list(_UNICODE_TO_TCVN3):
    # ABC convention: a toned capital is written with its lowercase code.
    _UNICODE_TO_TCVN3.setdefault(_char.upper(), _UNICODE_TO_TCVN3[_char])

_WORD_RE = re.compile(r"\w+")  # \w+ is much faster than [^\W\d_]+; digits are harmless here
_SENTENCE_END_RE = re.compile(r"(?<![.…])[.!?]['\"”’)]*\s+$")


def _fix_tcvn3_case(text: str) -> str:
    """Restore capitals that ABC text could only write with lowercase codes.

    A word whose unambiguous letters are all capitals (``ĐảNG`` → ``ĐẢNG``) is
    uppercased when it has at least two such capitals, or one capital and an
    all-caps neighbour on the same line (``ĐẢNG Bộ`` → ``ĐẢNG BỘ``).  A word
    that starts a line or sentence with an ambiguous letter gets a capital
    first letter (``ủy ban`` → ``Ủy ban``).  Title-case words like ``Bộ`` in
    running text are left alone.  Only words containing an ambiguous letter
    are visited, which keeps this fast on large files.
    """
    # Only words with an ambiguous letter matter; all-lowercase words (the
    # vast majority) need just the sentence-start check.
    words: list[re.Match] = []
    kind: list[int] = []  # 0 = untouched, 1 = uppercase (certain), 2 = uppercase if neighbour is 1
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if word.islower():
            if word[0] in _TCVN3_AMBIGUOUS:
                words.append(m)
                kind.append(0)
            continue
        if not any(c in _TCVN3_AMBIGUOUS for c in word):
            continue
        others = [c for c in word if c not in _TCVN3_AMBIGUOUS and c.lower() != c.upper()]
        words.append(m)
        kind.append((1 if len(others) >= 2 else 2) if others and all(c.isupper() for c in others) else 0)
    if not words:
        return text
    n = len(words)

    def adjacent(a: int, b: int) -> bool:
        gap = words[b].start() - words[a].end()
        return gap <= 3 and "\n" not in text[words[a].end() : words[b].start()]

    out: list[str] = []
    pos = 0
    for i, m in enumerate(words):
        word = m.group()
        upper = kind[i] == 1 or (
            kind[i] == 2
            and ((i > 0 and kind[i - 1] == 1 and adjacent(i - 1, i)) or (i + 1 < n and kind[i + 1] == 1 and adjacent(i, i + 1)))
        )
        if upper:
            word = word.upper()
        elif word[0] in _TCVN3_AMBIGUOUS:
            window_start = max(0, m.start() - 12)
            before = text[window_start : m.start()]
            newline = before.rfind("\n")
            at_line_start = (newline >= 0 or window_start == 0) and not before[newline + 1 :].strip()
            if at_line_start or _SENTENCE_END_RE.search(before):
                word = word[0].upper() + word[1:]
        if word != m.group():
            out.append(text[pos : m.start()])
            out.append(word)
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def tcvn3_to_unicode(glyphs: str) -> str:
    """Convert TCVN3 (ABC) text, read as cp1252/Latin-1 characters, to NFC Unicode."""
    converted = unicodedata.normalize("NFC", glyphs.translate(_TCVN3_TRANSLATE))
    return _fix_tcvn3_case(converted)


def unicode_to_tcvn3(text: str) -> bytes:
    """Encode Unicode Vietnamese as TCVN3 (ABC) bytes, the way ABC software did.

    Toned capitals use their lowercase codes (ABC convention).  Exists so that
    tests can build genuine legacy files from real sentences.
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(_UNICODE_TO_TCVN3.get(c, c) for c in text).encode("cp1252")


# ---------------------------------------------------------------------------
# VNI-Windows
# ---------------------------------------------------------------------------

# VNI writes a base letter followed by one modifier byte that carries the
# tone (and the circumflex/breve when present).  ơ, ư, đ and the toned i / ỵ
# are single bytes.  Capital letters use the capital forms of the same
# Latin-1 bytes (ù -> Ù ...).
_VNI_TONE = {"": "", _ACUTE: "ù", _GRAVE: "ø", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_VNI_CIRCUMFLEX = {"": "â", _ACUTE: "á", _GRAVE: "à", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_VNI_BREVE = {"": "ê", _ACUTE: "é", _GRAVE: "è", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
_VNI_I = {"": "i", _ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}


def _build_vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {"đ": "ñ"}
    for tone in _VNI_TONE:
        def put(letter: str, vni: str) -> None:
            encode[unicodedata.normalize("NFC", letter + tone)] = vni

        for base in "aeouy":
            put(base, base + _VNI_TONE[tone])
        put("ơ", "ô" + _VNI_TONE[tone])
        put("ư", "ö" + _VNI_TONE[tone])
        for base in "aeo":
            put(base + "\u0302", base + _VNI_CIRCUMFLEX[tone])
        put("a\u0306", "a" + _VNI_BREVE[tone])
        put("i", _VNI_I[tone])
    encode["ỵ"] = "î"
    for letter, vni in list(encode.items()):
        encode[letter.upper()] = vni.upper()
    encode = {k: v for k, v in encode.items() if k != v}  # drop plain ASCII vowels

    decode: dict[str, str] = {}
    for letter, vni in encode.items():
        if len(vni) == 1:
            decode[vni] = letter
            continue
        # Accept either case on the modifier; the base letter decides the case.
        for modifier in {vni[1].lower(), vni[1].upper()}:
            decode[vni[0] + modifier] = letter
    for base in "yY":  # some VNI writers used y + dot modifier instead of î
        for modifier in "ïÏ":
            decode[base + modifier] = "ỵ" if base == "y" else "Ỵ"
    return encode, decode


_UNICODE_TO_VNI, _VNI_TO_UNICODE = _build_vni_tables()
# One character-class pattern (fast first-character scan) instead of a long
# alternation; pairs that are not real letters are passed through unchanged.
_VNI_BASES = "".join(sorted({k[0] for k in _VNI_TO_UNICODE if len(k) == 2}))
_VNI_MODIFIERS = "".join(sorted({k[1] for k in _VNI_TO_UNICODE if len(k) == 2}))
_VNI_SINGLES = "".join(sorted(k for k in _VNI_TO_UNICODE if len(k) == 1))
_VNI_RE = re.compile(f"[{_VNI_BASES}][{_VNI_MODIFIERS}]|[{_VNI_SINGLES}]")


def _vni_letter(match: re.Match) -> str:
    seq = match.group()
    found = _VNI_TO_UNICODE.get(seq)
    if found is not None:
        return found
    return _VNI_TO_UNICODE.get(seq[0], seq[0]) + seq[1:]


def vni_to_unicode(glyphs: str) -> str:
    """Convert VNI-Windows text, read as cp1252/Latin-1 characters, to NFC Unicode."""
    return unicodedata.normalize("NFC", _VNI_RE.sub(_vni_letter, glyphs))


def unicode_to_vni(text: str) -> bytes:
    """Encode Unicode Vietnamese as VNI-Windows bytes (for building test files)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(_UNICODE_TO_VNI.get(c, c) for c in text).encode("cp1252")


# ---------------------------------------------------------------------------
# Legacy detection on decoded text
# ---------------------------------------------------------------------------

_LATIN1_HIGH_RE = re.compile(r"[\u00a0-\u00ff]")
_VIETNAMESE_UNICODE_RE = re.compile(r"[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9\u0300-\u0323]")
_LEGACY_CONVERTERS = (("TCVN3", tcvn3_to_unicode), ("VNI", vni_to_unicode))
#: Legacy encoding name -> converter (glyph text -> NFC Unicode).
LEGACY_CONVERTERS = dict(_LEGACY_CONVERTERS)
_MIN_LEGACY_RATIO = 0.5
_MIN_LEGACY_GAIN = 0.2


def _best_legacy(text: str) -> tuple[str, float, float] | None:
    """Return (name, ratio_after, ratio_before) of the best helpful legacy conversion."""
    sample = text[:_SCORE_SAMPLE]
    high = len(_LATIN1_HIGH_RE.findall(sample))
    if not high:
        return None
    # Genuine Unicode Vietnamese: legacy glyph text cannot contain these.
    if len(_VIETNAMESE_UNICODE_RE.findall(sample)) >= max(1, high // 2):
        return None
    before = syllable_score(sample)
    best: tuple[str, float, float] | None = None
    for name, convert in _LEGACY_CONVERTERS:
        after = syllable_score(convert(sample))
        ratio, base = _ratio(after), _ratio(before)
        if (
            ratio >= _MIN_LEGACY_RATIO
            and ratio - base >= _MIN_LEGACY_GAIN
            and after[0] > before[0]
            and (best is None or ratio > best[1])
        ):
            best = (name, ratio, base)
    return best


def convert_legacy(text: str) -> tuple[str, str | None]:
    """Convert ``text`` from TCVN3/VNI if it looks like legacy glyph text.

    Returns ``(text, None)`` unchanged for ordinary Unicode or English text.
    """
    best = _best_legacy(text)
    if best is None:
        return text, None
    converter = LEGACY_CONVERTERS[best[0]]
    return converter(text), best[0]


# ---------------------------------------------------------------------------
# Byte decoding
# ---------------------------------------------------------------------------

def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    # cp1252/cp1258 leave a few bytes undefined; keep them as Latin-1 instead
    # of failing, since legacy font text may use any byte value.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("vnsearch-latin1", _latin1_fallback)

_SNIFF = 65536
_CONTROL_BYTES = frozenset(list(range(0x00, 0x09)) + list(range(0x0E, 0x1B)) + list(range(0x1C, 0x20)) + [0x7F])
_CONTROL_BYTES_DELETE = bytes(sorted(_CONTROL_BYTES))
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.05


def _reject_binary(data: bytes) -> None:
    sample = data[:_SNIFF]
    if b"\x00" in sample or b"\x00" in data:
        raise UnreadableFile("binary file (contains NUL bytes)")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES_DELETE))
    if controls > _MAX_CONTROL_RATIO * len(sample):
        raise UnreadableFile(f"binary file ({100 * controls // len(sample)}% control characters)")


def _reject_binary_text(text: str) -> None:
    if "\x00" in text:
        raise UnreadableFile("binary file (contains NUL characters)")
    sample = text[:_SNIFF]
    controls = len(_CONTROL_RE.findall(sample))
    if sample and controls > _MAX_CONTROL_RATIO * len(sample):
        raise UnreadableFile(f"binary file ({100 * controls // len(sample)}% control characters)")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if encoding == "utf-8-sig":
                return body.decode("utf-8", errors="replace"), encoding
            try:
                return body.decode(encoding), encoding
            except UnicodeDecodeError:
                if encoding.startswith("utf-32"):
                    continue  # FF FE 00 00 may be UTF-16 LE starting with NUL; try on
                return body.decode(encoding, errors="replace"), encoding
    return None


def _sniff_utf16(data: bytes) -> tuple[str, str] | None:
    """Recognize BOM-less UTF-16 by its zero high bytes (ASCII, spaces, Latin)."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SNIFF]
    half = len(sample) // 2
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    for encoding, high_zero, low_zero in (("utf-16-le", odd_zero, even_zero), ("utf-16-be", even_zero, odd_zero)):
        if high_zero >= 0.3 * half and low_zero <= 0.02 * half:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(_CONTROL_RE.findall(text[:_SNIFF])) <= _MAX_CONTROL_RATIO * min(len(text), _SNIFF):
                return text, encoding
    return None


_PLAUSIBLE_SAMPLE = 20000
_MIN_SPACE_SHARE = 0.04  # natural text has a space every few words; random bytes one in 224
_MIN_LETTER_SHARE = 0.5  # letters and digits, of the characters that are not spaces
_MIN_WORD_SHARE = 0.6  # of tokens: short runs of one script's letters, or numbers
_WORD_RE = re.compile(r"[^\W\d_]{1,25}")
_NUMBER_RE = re.compile(r"[\d.,:/%+-]*\d[\d.,:/%+-]*")


def _script(ch: str) -> str:
    """A letter's script, as the first word of its Unicode name (LATIN, CYRILLIC, GREEK...)."""
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0]


def is_plausible_text(text: str) -> bool:
    """Whether a guessed 8-bit decoding reads as text rather than as noise.

    Any byte string decodes under some 8-bit code page, so the guess of the last resort (after
    UTF-8, Windows-1258, TCVN3 and VNI) always "succeeds"; random or corrupt bytes then come out
    as long runs of symbols and accented letters from every corner of Latin-1. Text in a real
    language has spaces every few words, is mostly letters and digits, and its words are short
    runs of letters of one script, or numbers. French in Windows-1252, English in Latin-1 and a
    price list pass easily; random bytes fail all three tests."""
    sample = text[:_PLAUSIBLE_SAMPLE]
    if not sample.strip():
        return True
    spaces = sum(1 for c in sample if c.isspace())
    if spaces < _MIN_SPACE_SHARE * len(sample):
        return False
    visible = len(sample) - spaces
    letters = sum(1 for c in sample if c.isalnum())
    if letters < _MIN_LETTER_SHARE * visible:
        return False
    tokens = sample.split()
    return sum(map(_is_word, tokens)) >= _MIN_WORD_SHARE * len(tokens)


def _is_word(token: str) -> bool:
    if _NUMBER_RE.fullmatch(token):
        return True
    m = _WORD_RE.search(token)
    return m is not None and len(m.group()) >= 0.6 * len(token) and len({_script(c) for c in m.group()}) == 1


def _decode_8bit(data: bytes) -> tuple[str, str, str | None]:
    """Pick among cp1258, TCVN3 and VNI (and a generic guess) for non-UTF-8 bytes."""
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    multibyte = sum(1 for c in lossy[:_SNIFF] if "\u0080" <= c != "\ufffd")
    if bad <= 2 or bad * 20 <= multibyte:
        # Mostly UTF-8 with a few corrupt bytes (truncated download, bad edit).
        return lossy, "utf-8 (invalid bytes replaced)", None

    glyphs = data.decode("cp1252", errors="vnsearch-latin1")
    cp1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="vnsearch-latin1"))
    cp1258_ratio = _ratio(syllable_score(cp1258))
    legacy = _best_legacy(glyphs)
    if legacy is not None and legacy[1] > cp1258_ratio + 0.05:
        name = legacy[0]
        return LEGACY_CONVERTERS[name](glyphs), "cp1252", name
    if cp1258_ratio >= _MIN_LEGACY_RATIO and _VIETNAMESE_UNICODE_RE.search(cp1258[:_SCORE_SAMPLE]):
        return cp1258, "cp1258", None

    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional dependency
        best = None
    else:
        matches = list(from_bytes(data))
        best = matches[0] if matches else None
        # charset-normalizer often ranks another Latin code page first for
        # short Western text; Windows-1252 is the likelier origin when it is
        # about as plausible.
        for match in matches:
            if match.encoding == "cp1252" and best is not None and match.chaos <= best.chaos + 0.1:
                best = match
                break
    text, encoding = (str(best), best.encoding) if best is not None and best.encoding else (glyphs, "cp1252")
    if not is_plausible_text(text):
        raise UnreadableFile("not text in a supported encoding")
    return text, encoding, None


def _finish(text: str, nfc: bool = True) -> str:
    # One canonical form for the index: NFC letters, "\n" line ends, no BOM.
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text) if nfc else text


def decode_bytes(data: bytes, *, nfc: bool = True) -> Decoded:
    """Decode a text file's bytes to NFC Unicode, converting legacy encodings.

    Order: BOM (UTF-8/16/32) → BOM-less UTF-16 → binary rejection → strict
    UTF-8 → 8-bit candidates (cp1258, TCVN3, VNI, generic guess).  Decoded
    Unicode text is then checked for TCVN3/VNI glyph text too, because legacy
    documents are often "converted" to UTF-8 without fixing the letters.
    Line ends are normalized to ``\\n``.

    Raises :class:`UnreadableFile` for binary data, and for bytes that only a guessed code page
    would decode and that do not read as text (``is_plausible_text``).

    ``nfc=False`` leaves the letters as decoded, for JSON: composing its raw text would join an
    escape's letter to the combining mark after it (``\\n`` + U+0300 → ``\\ǹ``, invalid JSON), so
    JSONL is parsed first and its strings composed after.
    """
    if not data:
        return Decoded("", "utf-8", None)
    found = _decode_bom(data) or _sniff_utf16(data)
    if found is not None:
        text, encoding = found
        _reject_binary_text(text)
    else:
        _reject_binary(data)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding, legacy = _decode_8bit(data)
            return Decoded(_finish(text, nfc), encoding, legacy)
    text, legacy = convert_legacy(text)
    return Decoded(_finish(text, nfc), encoding, legacy)
