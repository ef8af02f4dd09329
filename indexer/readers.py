"""Read one file from disk into plain-text documents for the index.

Each supported format is reduced to the same shape, :class:`RawDocument`,
so the index writer never needs to know about HTML, Word or PDF.  Every
failure a user can cause (wrong file type, empty file, scanned PDF, binary
junk, huge file) becomes :class:`~indexer.errors.UnreadableFile` with a
human-readable reason, so one bad file is reported and skipped instead of
aborting a whole indexing run.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .encodings import LEGACY_CONVERTERS, convert_legacy, decode_bytes
from .errors import UnreadableFile

__all__ = [
    "RawDocument",
    "DocumentBatch",
    "SUPPORTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "read_document",
    "pdf_page_texts",
    "read_pdf_in_parts",
]

DEFAULT_MAX_BYTES = 100 * 1024 * 1024


@dataclass
class RawDocument:
    """Text extracted from a file, before analysis and indexing.

    ``doc_id`` is None when the file itself carries no identifier (the
    indexer derives one from the path); only JSONL records bring their own.
    ``title`` is the title the *format* declares (HTML ``<title>``, .docx/PDF
    metadata, JSONL ``title``) or None — callers may fall back to
    :func:`indexer.metadata.guess_title`.  ``legacy_encoding`` is "TCVN3" or
    "VNI" when the text was converted from a legacy Vietnamese font encoding.
    """

    doc_id: str | None
    title: str | None
    text: str
    meta: dict = field(default_factory=dict)
    legacy_encoding: str | None = None


class DocumentBatch(list):
    """The documents read from one file (a plain list of RawDocument).

    Carries how many records were skipped as malformed (JSONL lines), with a
    few example reasons, so the indexing summary can report them without
    making a single bad line fatal.
    """

    def __init__(self, docs: list[RawDocument] | None = None, skipped: int = 0, problems: list[str] | None = None):
        super().__init__(docs or [])
        self.skipped = skipped
        self.problems = problems or []
        self.linenos: list[int] = []  # JSONL: the line number of each document


def _clean(text: str) -> str:
    """NFC + unified line ends: the same letters must give the same index terms."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _with_legacy(text: str, legacy: str | None) -> tuple[str, str | None]:
    """Convert TCVN3/VNI glyph text that survived inside a Unicode container."""
    if legacy is not None:
        return text, legacy
    return convert_legacy(text)


def _require_text(text: str, reason: str = "empty file") -> None:
    if not text.strip():
        raise UnreadableFile(reason)


# ---------------------------------------------------------------------------
# plain text / markdown
# ---------------------------------------------------------------------------

def _read_plain(path: Path, data: bytes) -> DocumentBatch:
    decoded = decode_bytes(data)
    _require_text(decoded.text)
    return DocumentBatch([RawDocument(None, None, decoded.text, {"encoding": decoded.encoding}, decoded.legacy)])


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article blockquote pre dd dt dl hr "
    "figure figcaption main td th caption".split()
)
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "head", "object")
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "menu")


def _decode_html(data: bytes) -> tuple[str, str, str | None]:
    """Decode HTML bytes, honouring a declared ``<meta charset>`` when UTF-8 fails."""
    try:
        return _clean(data.decode("utf-8-sig")), "utf-8", None
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET_RE.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        if name not in ("utf-8", "utf8"):
            try:
                text = _clean(data.decode(name))
            except (LookupError, UnicodeDecodeError):
                pass
            else:
                converted, legacy = convert_legacy(text)
                return converted, name, legacy
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding, decoded.legacy


def _visible_text(root, drop_chrome: bool) -> str:
    """Text a browser would show, one block element per line."""
    from lxml import etree

    doomed = list(root.iter(*_INVISIBLE_TAGS, *(_CHROME_TAGS if drop_chrome else ())))
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    etree.strip_elements(root, etree.Comment, with_tail=False)
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    body = root.find(".//body")
    walk(body if body is not None else root)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _html_title(root) -> str | None:
    title = root.find(".//title")
    if title is None or not title.text_content().strip():
        return None
    return " ".join(title.text_content().split())


def _read_html(path: Path, data: bytes) -> DocumentBatch:
    import copy

    import lxml.html
    import trafilatura

    html, encoding, legacy = _decode_html(data)
    _require_text(html)
    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises ParserError/ValueError on junk
        raise UnreadableFile(f"cannot parse HTML ({exc})") from exc
    title = _html_title(root)

    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, deduplicate=False, output_format="txt"
    ) or ""
    if not text.strip():
        text = _visible_text(copy.deepcopy(root), drop_chrome=True)
    if not text.strip():
        text = _visible_text(copy.deepcopy(root), drop_chrome=False)
    _require_text(text, "no text found in HTML")
    text = _clean(text)
    if legacy is None:
        text, legacy = convert_legacy(text)
        if legacy is not None and title:
            title = LEGACY_CONVERTERS[legacy](title)
    return DocumentBatch([RawDocument(None, title and _clean(title), text, {"encoding": encoding}, legacy)])


# ---------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------

def _read_docx(path: Path, data: bytes) -> DocumentBatch:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"not a valid .docx file ({exc.__class__.__name__})") from exc

    blocks: list[str] = []

    def add_table(table: Table) -> None:
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat the same cell
                    continue
                seen.add(id(cell._tc))
                for inner in cell._tc.iterchildren():
                    add_block(inner, cell)

    def add_block(element, parent) -> None:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(element, parent).text
            if text.strip():
                blocks.append(text)
        elif tag == "tbl":
            add_table(Table(element, parent))

    for element in document.element.body.iterchildren():
        add_block(element, document)

    text = _clean("\n\n".join(blocks))
    _require_text(text)
    text, legacy = _with_legacy(text, None)
    title = (document.core_properties.title or "").strip() or None
    meta = {}
    if document.core_properties.author:
        meta["author"] = document.core_properties.author
    return DocumentBatch([RawDocument(None, title and _clean(title), text, meta, legacy)])


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

@contextmanager
def _pdf_errors() -> Iterator[None]:
    """pypdf's many error types on a damaged file, as one ``UnreadableFile``."""
    from pypdf.errors import PdfReadError

    try:
        yield
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFile(f"not a valid PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        if exc.__class__.__module__.startswith("pypdf"):
            raise UnreadableFile(f"not a valid PDF ({exc})") from exc
        raise


def _open_pdf(path: Path):
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFile("encrypted PDF (password required)")
    return reader


def pdf_page_texts(path: str | Path, start: int, end: int) -> list[str]:
    """The text of pages ``start`` to ``end`` (excluded) of a PDF: a worker's share of a big
    PDF, whose text extraction (pypdf, pure Python) costs several times its analysis."""
    with _pdf_errors():
        reader = _open_pdf(Path(path))
        return [reader.pages[i].extract_text() or "" for i in range(start, min(end, len(reader.pages)))]


def read_pdf_in_parts(path: Path, extract: Callable[[list[tuple[int, int]]], Iterable[list[str]]],
                      parts: int) -> DocumentBatch:
    """A PDF read as ``read_document`` reads it, its pages extracted in ``parts`` consecutive
    ranges by ``extract`` (all workers at once: ``pdf_page_texts`` of each range, in order)."""
    with _pdf_errors():
        reader = _open_pdf(path)
        count = len(reader.pages)
        cuts = [count * i // parts for i in range(parts + 1)]
        ranges = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
        pages = [text for texts in extract(ranges) for text in texts]
    return _pdf_batch(reader, pages)


def _read_pdf(path: Path, data: bytes) -> DocumentBatch:
    with _pdf_errors():
        reader = _open_pdf(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    return _pdf_batch(reader, pages)


def _pdf_batch(reader, pages: list[str]) -> DocumentBatch:
    text = _clean("\n\n".join(page.strip() for page in pages if page.strip()))
    _require_text(text, "PDF has no text layer (scanned?)")
    text, legacy = _with_legacy(text, None)
    title = None
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # broken metadata must not lose the text
        title = None
    title = title.strip() if isinstance(title, str) and title.strip() else None
    return DocumentBatch([RawDocument(None, title and _clean(title), text, {"pages": len(reader.pages)}, legacy)])


# ---------------------------------------------------------------------------
# JSONL
# ---------------------------------------------------------------------------

_MAX_PROBLEMS = 10


def _read_jsonl(path: Path, data: bytes) -> DocumentBatch:
    decoded = decode_bytes(data, nfc=False)
    _require_text(decoded.text)
    lines = [(lineno, line) for lineno, line in enumerate(decoded.text.split("\n"), start=1) if line.strip()]
    batch = jsonl_documents(lines, decoded.legacy)
    if not batch:
        raise UnreadableFile(f"no valid JSON lines ({batch.skipped} malformed)")
    return batch


def jsonl_documents(lines: list[tuple[int, str]], legacy: str | None = None) -> DocumentBatch:
    """Documents of JSONL ``(line number, line)`` pairs; a malformed line is counted and a few are
    explained (``line 7: invalid JSON``), never fatal; ``linenos`` holds each document's line
    number. Used for a whole file and for the groups of lines workers analyze."""
    docs: list[RawDocument] = []
    linenos: list[int] = []
    skipped = 0
    problems: list[str] = []
    for lineno, line in lines:
        doc = _jsonl_document(line, legacy)
        if isinstance(doc, str):
            skipped += 1
            if len(problems) < _MAX_PROBLEMS:
                problems.append(f"line {lineno}: {doc}")
            continue
        docs.append(doc)
        linenos.append(lineno)
    batch = DocumentBatch(docs, skipped, problems)
    batch.linenos = linenos
    return batch


def _jsonl_document(line: str, legacy: str | None) -> RawDocument | str:
    """One JSONL line as a document, or why it is not one."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON ({exc.msg})"
    if not isinstance(record, dict):
        return "not a JSON object"
    text = record.pop("text", None)
    if not isinstance(text, str) or not text.strip():
        return "missing or empty 'text'"
    record = {_clean(key): _clean(value) if isinstance(value, str) else value for key, value in record.items()}
    raw_id = record.pop("id", None)
    title = record.pop("title", None)
    doc_id = None if raw_id is None or isinstance(raw_id, (dict, list)) else str(raw_id)
    title = title.strip() or None if isinstance(title, str) else None
    text, found_legacy = _with_legacy(_clean(text), legacy)
    return RawDocument(doc_id, title and _clean(title), text, record, found_legacy)


def decode_jsonl_lines(data: list[bytes]) -> tuple[list[str], str | None]:
    """Lines of a JSONL file, read separately, decoded as the whole file would be (its encoding
    and legacy font guessed once for the group, which is big enough to guess from)."""
    decoded = decode_bytes(b"\n".join(data), nfc=False)
    texts = decoded.text.split("\n")
    if len(texts) != len(data):  # a decoder that changed line ends: decode one by one
        texts = [decode_bytes(line, nfc=False).text.replace("\n", " ") for line in data]
    return texts, decoded.legacy


# ---------------------------------------------------------------------------
# dispatch
# ---------------------------------------------------------------------------

_READERS: dict[str, Callable[[Path, bytes], DocumentBatch]] = {
    ".txt": _read_plain,
    ".md": _read_plain,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".jsonl": _read_jsonl,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_READERS)


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def too_large(size: int, max_bytes: int) -> str:
    """The reason a file over the size limit is skipped."""
    return f"file too large ({_human_size(size)}, limit {_human_size(max_bytes)})"


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[RawDocument]:
    """Read ``path`` into one or more documents (several only for JSONL).

    Dispatches on the (case-insensitive) suffix.  Returns a
    :class:`DocumentBatch` (a list) whose ``skipped``/``problems`` tell about
    malformed JSONL lines.  Raises :class:`UnreadableFile` for unsupported
    types, files over ``max_bytes``, empty files, binary data, PDFs without a
    text layer and corrupt files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise UnreadableFile(f"unsupported file type '{suffix or path.name}'")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise UnreadableFile("empty file")
    return reader(path, data)
