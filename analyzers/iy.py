"""One syllable, two spellings: final ``i`` or ``y`` after an initial consonant (``kĩ``/``kỹ``,
``lí``/``lý``, ``tỉ``/``tỷ``, ``Mĩ``/``Mỹ``, ``quí``/``quý``, ``kì``/``kỳ``, ``sĩ``/``sỹ``,
``hi``/``hy``), written ``i`` here.

When it applies: the syllable is an initial consonant followed by ``i`` or ``y`` alone, with any
tone, and nothing after it (an open syllable). Quyết định 240/QĐ (Bộ Giáo dục, 1984) writes ``i``
in these syllables after ``h``, ``k``, ``l``, ``m``, ``s``, ``t``; Điều 9 of Quyết định
1989/QĐ-BGDĐT (2018) writes ``i`` for "âm i đứng ngay sau phụ âm đầu" (``hi vọng``, ``kỉ niệm``,
``lí luận``, ``mĩ thuật``, ``bác sĩ``, ``tỉ lệ``); newspapers mostly keep ``y``. ``quí``/``quý``
and ``vĩ``/``vỹ`` vary the same way in practice (the 2018 rule keeps ``y`` after the glide of
``quy``, but the syllable is the same). Any initial counts, since a ``y`` after ``th`` or ``n``
(names such as ``Thy``, ``Vy``) is the same syllable as ``i`` too.

What stays apart, because the two letters there are different sounds or the rule does not
reach: ``uy``/``ui`` (``tuy``/``tui``, ``thủy``), ``ay``/``ai`` (``tay``/``tai``), ``ây``,
``uây``, ``yê`` (``yêu``, ``khuyên``), a bare ``y`` (``y tế``, ``ý kiến``), and any syllable
with a final consonant (``quýt``, ``kịch``).
"""

from __future__ import annotations

#: Vietnamese initial consonants (``gi`` needs no entry: ``gy`` is not written).
INITIALS = frozenset(
    "b c ch d đ g gh h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
)
# y with each tone (NFC), to i with the same tone.
_Y_TO_I = {"y": "i", "ý": "í", "ỳ": "ì", "ỷ": "ỉ", "ỹ": "ĩ", "ỵ": "ị"}


def unify_iy(syllable: str) -> str:
    """``syllable`` (NFC, lowercase) with a final ``y`` after an initial consonant written
    ``i``; any other syllable unchanged."""
    i = _Y_TO_I.get(syllable[-1:])
    if i is None or syllable[:-1] not in INITIALS:
        return syllable
    return syllable[:-1] + i
