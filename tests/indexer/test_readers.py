"""read_document on real files of every supported type, written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import require

from indexer.encodings import unicode_to_tcvn3, unicode_to_vni
from indexer.errors import UnreadableFile
from indexer.readers import SUPPORTED_SUFFIXES, RawDocument, read_document

from .conftest import corpus_paragraphs, corpus_text

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _norm(s: str) -> str:
    return " ".join(s.split())


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".jsonl"}


def test_txt_corpus_file(tmp_path):
    text = corpus_text("000")
    path = tmp_path / "bai.txt"
    path.write_text(text, encoding="utf-8")
    [doc] = read_document(path)
    assert isinstance(doc, RawDocument)
    assert doc.doc_id is None and doc.title is None and doc.legacy_encoding is None
    assert doc.text == text


def test_markdown_and_uppercase_suffix(tmp_path):
    path = tmp_path / "GHI_CHU.MD"
    path.write_text("# Tổng kết công tác xây dựng Đảng\n\nNội dung chính.\n", encoding="utf-8")
    [doc] = read_document(path)
    assert doc.text.startswith("# Tổng kết")


def test_vni_txt_reports_legacy(tmp_path):
    text = "\n\n".join(corpus_paragraphs("004")[:2])
    path = tmp_path / "vni.txt"
    path.write_bytes(unicode_to_vni(text))
    [doc] = read_document(path)
    assert doc.legacy_encoding == "VNI"
    assert doc.text == text


HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}">
<title>{title}</title>
<script>var tracking = "MÃ_THEO_DÕI_KHÔNG_ĐƯỢC_LẬP_CHỈ_MỤC";</script>
<style>.menu {{ color: red }}</style>
</head><body>
<header><div class="logo">Cổng thông tin điện tử tỉnh</div></header>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu MENUĐIỀUHƯỚNG</a></li>
<li><a href="/lien-he">Liên hệ</a></li></ul></nav>
<main><article><h1>{title}</h1>
{paragraphs}
</article></main>
<aside>Tin liên quan: BÀIKHÁCKHÔNGLIÊNQUAN</aside>
<footer><p>Bản quyền thuộc về CHÂNTRANGWEBSITE. Đang truy cập: 1. Tổng truy cập: 2248091</p></footer>
<script>document.write("KỊCHBẢNCUỐITRANG");</script>
</body></html>
"""


def test_html_drops_chrome_and_keeps_article(tmp_path):
    paragraphs = corpus_paragraphs("003")[:4]
    title = "Thông báo kết quả Hội nghị lần thứ 22 Ban Chấp hành Đảng bộ tỉnh khóa X"
    html = HTML_TEMPLATE.format(
        charset="utf-8", title=title, paragraphs="\n".join(f"<p>{p}</p>" for p in paragraphs)
    )
    path = tmp_path / "trang.html"
    path.write_text(html, encoding="utf-8")
    [doc] = read_document(path)
    assert doc.title == title
    body = _norm(doc.text)
    for p in paragraphs:
        assert _norm(p) in body
    for chrome in ["MÃ_THEO_DÕI", "MENUĐIỀUHƯỚNG", "CHÂNTRANGWEBSITE", "KỊCHBẢNCUỐITRANG", "color: red"]:
        assert chrome not in doc.text


def test_html_short_page_falls_back_to_visible_text(tmp_path):
    html = (
        "<html><head><title>Liên hệ</title><script>var x = 'ẨNĐI';</script></head>"
        "<body><p>Số điện thoại: 0208 3855 xxx</p></body></html>"
    )
    path = tmp_path / "ngan.htm"
    path.write_text(html, encoding="utf-8")
    [doc] = read_document(path)
    assert doc.title == "Liên hệ"
    assert "Số điện thoại" in doc.text
    assert "ẨNĐI" not in doc.text


def test_html_declared_windows_1258(tmp_path):
    paragraphs = corpus_paragraphs("002")[:3]
    html = HTML_TEMPLATE.format(
        charset="windows-1258",
        title="Tổng kết công tác tổ chức xây dựng Đảng năm 2020",
        paragraphs="\n".join(f"<p>{p}</p>" for p in paragraphs),
    )
    from .test_encodings import _cp1258_bytes

    path = tmp_path / "cp1258.html"
    path.write_bytes(_cp1258_bytes(html))
    [doc] = read_document(path)
    assert doc.title == "Tổng kết công tác tổ chức xây dựng Đảng năm 2020"
    assert _norm(paragraphs[0]) in _norm(doc.text)


def test_html_with_vni_font_text(tmp_path):
    paragraphs = corpus_paragraphs("001")[:3]
    html = HTML_TEMPLATE.format(
        charset="windows-1252",
        title="Chi bộ cơ sở Ban Tuyên giáo",
        paragraphs="\n".join(f'<p><font face="VNI-Times">{p}</font></p>' for p in paragraphs),
    )
    path = tmp_path / "vni.html"
    path.write_bytes(unicode_to_vni(html))
    [doc] = read_document(path)
    assert doc.legacy_encoding == "VNI"
    assert doc.title == "Chi bộ cơ sở Ban Tuyên giáo"
    assert _norm(paragraphs[0]) in _norm(doc.text)


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    import docx

    paragraphs = corpus_paragraphs("004")[:2]
    document = docx.Document()
    document.core_properties.title = "Hội nghị lần thứ 10 Ban Chấp hành Đảng bộ tỉnh"
    document.add_heading("Hội nghị lần thứ 10", level=1)
    document.add_paragraph(paragraphs[0])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Chỉ tiêu"
    table.cell(0, 1).text = "Kết quả"
    table.cell(1, 0).text = "Giá trị sản xuất công nghiệp"
    table.cell(1, 1).text = "610.000 tỷ đồng"
    document.add_paragraph(paragraphs[1])
    path = tmp_path / "bao_cao.docx"
    document.save(path)

    [doc] = read_document(path)
    assert doc.title == "Hội nghị lần thứ 10 Ban Chấp hành Đảng bộ tỉnh"
    pos = 0
    for piece in [
        "Hội nghị lần thứ 10",
        paragraphs[0],
        "Chỉ tiêu\n\nKết quả\n\nGiá trị sản xuất công nghiệp\n\n610.000 tỷ đồng",
        paragraphs[1],
    ]:
        pos = doc.text.index(piece, pos) + len(piece)  # raises if missing or out of order


def test_corrupt_docx(tmp_path):
    path = tmp_path / "hong.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    with pytest.raises(UnreadableFile, match="not a valid .docx"):
        read_document(path)


def _make_pdf(path: Path, text: str | None, title: str | None = None) -> None:
    fpdf = pytest.importorskip("fpdf")
    require(DEJAVU.exists(), "DejaVuSans.ttf not installed (apt-get install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.add_page()
    if title:
        pdf.set_title(title)
    if text is None:  # a "scanned" page: graphics only, no text layer
        pdf.set_fill_color(40, 40, 40)
        pdf.rect(20, 20, 150, 200, style="F")
    else:
        pdf.add_font("DejaVu", fname=str(DEJAVU))
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 7, text)
    pdf.output(str(path))


def test_pdf_text_layer(tmp_path):
    paragraph = corpus_paragraphs("002")[0]
    path = tmp_path / "van_ban.pdf"
    _make_pdf(path, paragraph, title="Tổng kết công tác tổ chức xây dựng Đảng")
    [doc] = read_document(path)
    assert doc.title == "Tổng kết công tác tổ chức xây dựng Đảng"
    assert _norm(doc.text) == _norm(paragraph)
    assert doc.meta["pages"] == 1


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    _make_pdf(path, None)
    with pytest.raises(UnreadableFile) as info:
        read_document(path)
    assert info.value.reason == "PDF has no text layer (scanned?)"


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is garbage, not a pdf\n")
    with pytest.raises(UnreadableFile):
        read_document(path)


def test_jsonl_records_and_bad_lines(tmp_path):
    p0, p1 = corpus_paragraphs("001")[:2]
    lines = [
        json.dumps({"id": "bai-1", "title": "Chi bộ cơ sở", "text": p0, "url": "https://x.vn/1", "tags": ["đảng"]},
                   ensure_ascii=False),
        "{ đây không phải JSON",
        json.dumps({"id": 2, "text": p1}, ensure_ascii=False),
        json.dumps(["không", "phải", "object"], ensure_ascii=False),
        json.dumps({"id": 3, "title": "thiếu text"}, ensure_ascii=False),
        "",
    ]
    path = tmp_path / "bai.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    docs = read_document(path)
    assert [d.doc_id for d in docs] == ["bai-1", "2"]
    assert docs[0].title == "Chi bộ cơ sở" and docs[1].title is None
    assert docs[0].text == p0
    assert docs[0].meta == {"url": "https://x.vn/1", "tags": ["đảng"]}
    assert docs.skipped == 3
    assert docs.problems[0].startswith("line 2: invalid JSON")


def test_jsonl_all_bad(tmp_path):
    path = tmp_path / "hong.jsonl"
    path.write_text("không phải json\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no valid JSON lines"):
        read_document(path)


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  ", "\ufeff".encode("utf-8"), "  \n".encode("utf-16")])
def test_empty_files(tmp_path, content):
    path = tmp_path / "rong.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as info:
        read_document(path)
    assert info.value.reason == "empty file"


def test_binary_txt(tmp_path):
    path = tmp_path / "anh.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    with pytest.raises(UnreadableFile) as info:
        read_document(path)
    assert info.value.reason == "binary file (contains NUL bytes)"


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableFile, match="unsupported file type '.xlsx'"):
        read_document(path)


def test_too_large(tmp_path):
    path = tmp_path / "lon.txt"
    path.write_text(corpus_text("000"), encoding="utf-8")
    with pytest.raises(UnreadableFile) as info:
        read_document(path, max_bytes=1024)
    assert "too large" in info.value.reason and "KB" in info.value.reason


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFile, match="cannot read file"):
        read_document(tmp_path / "khong_co.txt")
