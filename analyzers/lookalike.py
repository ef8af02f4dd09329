"""Look-alike letters written for Vietnamese ones: ``Ð``/``ð`` (U+00D0/U+00F0, Icelandic eth)
for ``Đ``/``đ`` (U+0110/U+0111).

When it applies: legacy encodings and badly converted text (``Ðảm bảo``) carry the eth, which
looks the same on screen. ``fold`` already maps both to ``d``; here they become ``đ`` before
anything else, so the accented field and exact mode see one letter too (as charabia's
``vietnamese.rs`` normalizer does).
"""

from __future__ import annotations

_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})


def replace_lookalikes(text: str) -> str:
    """``text`` with each look-alike letter replaced by the Vietnamese letter it stands for."""
    return text.translate(_LOOKALIKES)
