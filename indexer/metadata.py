"""Cheap metadata guesses from a document's plain text: title, date, hash.

Most files (plain text saved from web pages, JSONL without titles) carry no
explicit metadata, yet search results need a readable title and a date for
sorting/filtering.  These heuristics are tuned on Vietnamese news pages,
whose first lines are often site chrome ("Đăng nhập", "Truy cập nội dung
luôn") rather than the headline.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import unicodedata

__all__ = ["guess_title", "find_date", "content_hash"]

_MAX_TITLE = 200
_TITLE_SCAN_LINES = 40
_TITLE_SCAN_CHARS = 20000
_MIN_TITLE_WORDS = 4
_MIN_TITLE_CHARS = 15

# Site chrome seen at the top of Vietnamese news pages (compared lowercased,
# whitespace-collapsed).  A line equal to one of these is never a title.
_CHROME = frozenset(
    """
    truy cập nội dung luôn|đăng nhập|đăng ký|đăng xuất|xuất bản thông tin|chi tiết bài viết|
    chi tiết bài viết tin tức|tin tức|tin tức - sự kiện|trang chủ|giới thiệu|liên hệ|tìm kiếm|
    chia sẻ bài viết|chia sẻ|bình luận|thống kê truy cập|đang truy cập|tổng truy cập|menu|
    bản in|in bài viết|gửi bài viết|quay lại|về đầu trang|xem thêm|tin liên quan|tin khác|
    các tin khác|bài viết liên quan|skip to main content|skip to content|home|login|sign in|
    null|tiếng việt|english|sitemap|sơ đồ trang|rss|lượt xem|font size|cỡ chữ
    """.replace("\n", "").split("|")
)
_CHROME = frozenset(c.strip() for c in _CHROME if c.strip())
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_CMS_JUNK_PREFIX_RE = re.compile(r"^(?:null|undefined|none)\s+", re.IGNORECASE)
_MENU_SEPARATORS_RE = re.compile(r"[|»›>•]")
_URLISH_RE = re.compile(r"^(?:https?://|www\.)\S+$|^[\w.-]+\.(?:vn|com|net|org|gov\.vn|edu\.vn)\S*$", re.IGNORECASE)


def _normalize_line(line: str) -> str:
    return " ".join(unicodedata.normalize("NFC", line).split())


def _shorten(title: str) -> str:
    if len(title) <= _MAX_TITLE:
        return title
    cut = title.rfind(" ", 0, _MAX_TITLE)
    return title[: cut if cut > _MAX_TITLE // 2 else _MAX_TITLE].rstrip(" ,;:-") + "…"


def _is_chrome(line: str) -> bool:
    lowered = line.lower().strip(" :.-–—|")
    if lowered in _CHROME or _URLISH_RE.match(line):
        return True
    if len(_MENU_SEPARATORS_RE.findall(line)) >= 2:  # "Trang chủ | Tin tức | Liên hệ"
        return True
    if _date_line(line):
        return True
    return False


def _date_line(line: str) -> bool:
    """A dateline such as "Thứ sáu, 22/01/2021" or "29/09/2020 - 20:56"."""
    if len(line) > 60 or find_date(line) is None:
        return False
    rest = _ANY_DATE_RE.sub(" ", line)
    rest = re.sub(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?|thứ\s+\w+|chủ nhật|ngày|gmt|[+\d\W_]", " ", rest, flags=re.IGNORECASE)
    return len(rest.split()) <= 2


def guess_title(text: str) -> str:
    """Best-effort title: the first Markdown heading, else the first real line.

    Skips short chrome lines, menus, datelines and URLs near the top of scraped
    pages; strips CMS junk like a leading "null ".  Returns "" for empty text.
    Long lines are shortened at a word boundary.
    """
    lines = []
    for raw in text[:_TITLE_SCAN_CHARS].split("\n"):
        line = _normalize_line(raw)
        if line:
            lines.append(line)
        if len(lines) >= _TITLE_SCAN_LINES:
            break
    for line in lines:
        heading = _HEADING_RE.match(line)
        if heading and heading.group(1).strip():
            return _shorten(heading.group(1).strip())
    fallback = None
    for line in lines:
        line = _CMS_JUNK_PREFIX_RE.sub("", line).strip()
        if not line or _is_chrome(line):
            continue
        if fallback is None:
            fallback = line
        if len(line.split()) >= _MIN_TITLE_WORDS and len(line) >= _MIN_TITLE_CHARS:
            return _shorten(line)
    if fallback is not None:
        return _shorten(fallback)
    return _shorten(lines[0]) if lines else ""


# ---------------------------------------------------------------------------
# dates
# ---------------------------------------------------------------------------

_ISO_RE = r"(?<![\d.,/-])(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?![\d])"
_DMY_RE = r"(?<![\d.,/-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d])"
_WORDS_RE = r"(?P<wd>\d{1,2})\s+tháng\s+(?P<wm>\d{1,2})\s*(?:năm|,)\s*(?P<wy>\d{4})(?!\d)"
_ANY_DATE_RE = re.compile("|".join((_ISO_RE, _DMY_RE, _WORDS_RE)), re.IGNORECASE)
_DATELINE_WINDOW = 2000
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _valid(year: str, month: str, day: str) -> str | None:
    try:
        date = _dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    if not _MIN_YEAR <= date.year <= _MAX_YEAR:
        return None
    return date.isoformat()


def _first_date(text: str, start: int, end: int) -> str | None:
    for m in _ANY_DATE_RE.finditer(text, start, end):
        if m.group("iy"):
            found = _valid(m.group("iy"), m.group("im"), m.group("id"))
        elif m.group("y"):
            found = _valid(m.group("y"), m.group("m"), m.group("d"))
        else:
            found = _valid(m.group("wy"), m.group("wm"), m.group("wd"))
        if found:
            return found
    return None


def find_date(text: str) -> str | None:
    """Return the document's date as ISO ``YYYY-MM-DD``, or None.

    Recognizes ``2020-12-23`` (optionally with a time), day-first
    ``29/09/2020`` / ``29-9-2020`` / ``29.9.2020`` (so "Thứ sáu, 22/01/2021"
    and "Ngày 29-9-2020" work) and ``ngày 29 tháng 9 năm 2020``.  The first
    ~2000 characters (the dateline) are searched first; impossible dates
    such as 31/02/2020 are rejected and the search moves on.
    """
    window = min(len(text), _DATELINE_WINDOW)
    found = _first_date(text, 0, window)
    if found is None and window < len(text):
        # Start a little early so a date straddling the window edge is seen.
        found = _first_date(text, max(0, window - 40), len(text))
    return found


def content_hash(data: bytes) -> str:
    """Stable fingerprint of a file's bytes (BLAKE2b-160, hex).

    Lets the indexer skip unchanged files and spot duplicates cheaply.
    """
    return hashlib.blake2b(data, digest_size=20).hexdigest()
