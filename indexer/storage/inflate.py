"""zlib's inflate, by ISA-L where it is installed (``isal``, a dependency): the same format
and the same bytes in half the time, and decompressing posting pages and blocks is most of
what a query spends on the terms it is the first to ask for. The index is still written by
zlib; only reading is faster."""

from __future__ import annotations

try:
    from isal.isal_zlib import decompress as inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib reads the same bytes
    from zlib import decompress as inflate

__all__ = ["inflate"]
