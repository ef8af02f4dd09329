"""The version of the analysis: which terms ``analyze`` makes of a text.

An index holds the terms of the analysis that wrote it; a query analyzed by another version
can miss them (after version 2, ``Mỹ`` is searched as ``mĩ``, which a version-1 index does not
hold for text that wrote ``Mỹ``). The storage records this number in each segment, and search
says how to rebuild an index written with an older one. Raise it whenever a change to
``analyzers`` changes the terms of some text.

* 1: NFC, lowercase, canonical tone placement, folding (release 0.1 and before).
* 2: also ``i``/``y`` unified after an initial consonant (``iy``) and ``Ð``/``ð`` read as
  ``Đ``/``đ`` (``lookalike``).
"""

ANALYSIS_VERSION = 2
