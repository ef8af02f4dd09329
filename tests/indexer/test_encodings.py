"""Encoding detection and legacy Vietnamese conversion on real corpus text."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from indexer.encodings import (
    decode_bytes,
    convert_legacy,
    is_vietnamese_syllable,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)
from indexer.errors import UnreadableFile

from .conftest import corpus_paragraphs, corpus_text

# Every Vietnamese letter with a diacritic, lower and upper case (134).
_TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
LOWER = sorted(
    {unicodedata.normalize("NFC", v + t) for v in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"] for t in _TONES}
    - set("aeiouy")
    | {"đ"}
)
UPPER = [c.upper() for c in LOWER]

# A real sentence from corpus 001 with no toned capital letters.
SENTENCE = (
    "Chiều ngày 25/9/2020, Chi bộ cơ sở Ban Tuyên giáo Tỉnh ủy tổ chức triển khai Nghị quyết "
    "Đại hội Đại biểu Đảng bộ Khối các cơ quan Tỉnh lần thứ VIII, nhiệm kỳ 2020 - 2025 cho "
    "đảng viên và cán bộ, công chức cơ quan."
)


def _cp1258_bytes(text: str) -> bytes:
    """Encode as Windows-1258 does in practice: base letter + combining tone byte."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        nfd = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in nfd if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))
        out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def test_alphabet_is_complete():
    assert len(LOWER) == 67 and len(set(LOWER + UPPER)) == 134


def test_sentence_is_in_corpus():
    assert SENTENCE in corpus_text("001")


@pytest.mark.parametrize("letter", LOWER + UPPER)
def test_vni_table_round_trips_every_letter(letter):
    encoded = unicode_to_vni(letter)
    assert all(b >= 0x80 or chr(b).isascii() for b in encoded)
    assert vni_to_unicode(encoded.decode("cp1252")) == letter


@pytest.mark.parametrize("letter", LOWER)
def test_tcvn3_table_round_trips_every_lowercase_letter(letter):
    encoded = unicode_to_tcvn3(letter)
    assert len(encoded) == 1 and encoded[0] >= 0xA1
    assert tcvn3_to_unicode("x" + encoded.decode("cp1252")) == "x" + letter


def test_tcvn3_codes_are_distinct_and_capitals_share_lowercase_codes():
    codes = [unicode_to_tcvn3(c) for c in LOWER]
    assert len(set(codes)) == len(LOWER)
    # ABC convention: toned capitals reuse the lowercase code (.VnTimeH font).
    assert unicode_to_tcvn3("Ả") == unicode_to_tcvn3("ả")
    assert unicode_to_tcvn3("Đ") != unicode_to_tcvn3("đ")


def test_known_tcvn3_and_vni_strings():
    assert tcvn3_to_unicode("B¶o Th¾ng") == "Bảo Thắng"
    assert tcvn3_to_unicode("M\xadêng Kh\xad¬ng") == "Mường Khương"
    assert vni_to_unicode("Xin chaøo caùc baïn") == "Xin chào các bạn"
    assert vni_to_unicode("Vieät Nam") == "Việt Nam"


def test_utf8_plain_and_bom():
    text = corpus_text("002")
    assert decode_bytes(text.encode("utf-8")).text == text
    decoded = decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert decoded.text == text and decoded.encoding == "utf-8-sig" and decoded.legacy is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(encoding):
    text = corpus_text("002")
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    assert decoded.encoding.startswith("utf-16")
    assert decoded.legacy is None


def test_cp1258_decomposed_tones_come_back_nfc():
    text = "\n".join(corpus_paragraphs("003")[:3])
    data = _cp1258_bytes(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = decode_bytes(data)
    assert decoded.encoding == "cp1258"
    assert decoded.legacy is None
    assert decoded.text == text
    assert unicodedata.is_normalized("NFC", decoded.text)


def test_tcvn3_file_is_detected_and_converted():
    decoded = decode_bytes(unicode_to_tcvn3(SENTENCE))
    assert decoded.legacy == "TCVN3"
    assert decoded.text == SENTENCE


def test_vni_file_is_detected_and_converted():
    text = "\n\n".join(corpus_paragraphs("000")[:4])  # includes capitals like Ủy, Đảng
    decoded = decode_bytes(unicode_to_vni(text))
    assert decoded.legacy == "VNI"
    assert decoded.text == text


def test_tcvn3_all_caps_and_sentence_start_capitals_are_restored():
    text = "BAN CHẤP HÀNH ĐẢNG BỘ TỈNH KHÓA X\nỦy ban nhân dân tỉnh Bến Tre triển khai nhiệm vụ năm 2021."
    assert decode_bytes(unicode_to_tcvn3(text)).text == text


def test_legacy_text_inside_utf8_is_converted():
    glyphs = unicode_to_vni(SENTENCE).decode("cp1252")
    decoded = decode_bytes(glyphs.encode("utf-8"))
    assert decoded.encoding == "utf-8"
    assert decoded.legacy == "VNI"
    assert decoded.text == SENTENCE


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_unicode_vietnamese_is_not_taken_for_legacy(prefix):
    text = corpus_text(prefix)
    assert convert_legacy(text) == (text, None)
    decoded = decode_bytes(text.encode("utf-8"))
    assert decoded.legacy is None and decoded.text == text


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog. Search engines index text.",
        "Café crème, déjà vu, naïve résumé — où est la gare? À bientôt, garçon!",
        "Müller straße Größe über Ärger, Ökonomie.",
        "Một câu tiếng Việt bình thường: Đảng bộ tỉnh Thái Nguyên.",
        "Tôi là ai? Chào các bạn, tôi tên là Tâm.",  # only Latin-1 letters
    ],
)
def test_ordinary_text_is_not_detected_as_legacy(text):
    assert convert_legacy(text)[1] is None
    assert decode_bytes(text.encode("utf-8")).legacy is None


def test_latin1_european_text_is_not_legacy():
    text = "Café crème, déjà vu, naïve résumé — où est la gare? À bientôt, garçon! " * 5
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.legacy is None
    assert "Café crème" in decoded.text


def test_mostly_utf8_with_a_corrupt_byte_is_kept():
    text = corpus_text("002")
    data = text.encode("utf-8")
    data = data[:100] + b"\xff" + data[100:]
    decoded = decode_bytes(data)
    assert decoded.legacy is None
    assert decoded.text.replace("\ufffd", "") == text


def test_binary_with_nul_bytes_is_rejected():
    with pytest.raises(UnreadableFile) as info:
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert info.value.reason == "binary file (contains NUL bytes)"


def test_binary_control_characters_are_rejected():
    with pytest.raises(UnreadableFile) as info:
        decode_bytes(bytes([1, 2, 3, 4, 5, 6, 0x41, 0x42]) * 100)
    assert "binary file" in info.value.reason and "control characters" in info.value.reason


def test_crlf_is_normalized_and_empty_is_empty():
    assert decode_bytes("Dòng một\r\nDòng hai\r".encode("utf-8")).text == "Dòng một\nDòng hai\n"
    assert decode_bytes(b"").text == ""


def test_syllable_checker():
    for word in ["nghiêng", "giữa", "quốc", "Đảng", "khuỷu", "người", "thuở", "oanh", "xoong"]:
        assert is_vietnamese_syllable(word), word
    for word in ["B¶o", "Vieät", "strength", "and", "càp", "tãc", "tieáng"]:
        assert not is_vietnamese_syllable(word), word


FRENCH = ("Le conseil municipal s'est réuni jeudi soir à la mairie pour débattre du budget. "
          "Les élus ont voté à l'unanimité la rénovation de l'école élémentaire et du gymnase. ") * 20
ENGLISH = ("The provincial committee met on Thursday to review the year's work; members approved "
           "the plan for new schools, roads and clinics in the northern districts. ") * 20


@pytest.mark.parametrize("seed", range(6))
def test_random_bytes_are_not_text(seed: int):
    """Bytes no code page decodes cleanly (here random, without NULs or control characters, which
    are rejected as binary already) are refused, not indexed as mojibake."""
    import random

    rng = random.Random(seed)
    data = bytes(rng.choice(range(0x20, 0x100)) for _ in range(rng.choice([300, 5000, 40000])))
    with pytest.raises(UnreadableFile, match="not text in a supported encoding"):
        decode_bytes(data)


PRICES = "".join(f"Mã {i:04d}   {i * 1.5:>10,.2f} €   {i % 7 + 1} hộp   30/5/2019\n" for i in range(300))


@pytest.mark.parametrize("text, encoding", [(FRENCH, "cp1252"), (ENGLISH, "latin-1"), (FRENCH, "latin-1")])
def test_western_text_in_8bit_code_pages_is_still_read(text: str, encoding: str):
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text and decoded.legacy is None


def test_a_price_list_is_text_too():
    """Mostly digits and short words: read, not refused (which code page is guessed for its few
    other bytes is charset-normalizer's call: it takes the euro sign for a Baltic letter)."""
    plain = PRICES.replace("ộ", "o").replace("ã", "a")
    decoded = decode_bytes(plain.encode("cp1252"))
    assert decoded.text.replace("Ć", "€") == plain


def test_not_text_is_reported_and_the_rest_indexed(tmp_path):
    import random

    from indexer.build import index_paths
    from search import search

    rng = random.Random(9)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "noise.txt").write_bytes(bytes(rng.choice(range(0x20, 0x100)) for _ in range(8000)))
    (tmp_path / "docs" / "tin.txt").write_text("Tỉnh ủy Thái Nguyên\n\nHội nghị tổng kết công tác năm.", encoding="utf-8")
    (tmp_path / "docs" / "fr.txt").write_bytes(FRENCH.encode("cp1252"))
    summary = index_paths([tmp_path / "docs"], tmp_path / "ix", jobs=1)
    assert summary.skipped == [{"path": str(tmp_path / "docs" / "noise.txt"),
                                "reason": "not text in a supported encoding"}]
    assert summary.added == 2
    assert search("tinh uy thai nguyen", index=tmp_path / "ix").hits
    assert search("rénovation de l'école", index=tmp_path / "ix").hits
