"""pyvi's trained CRF and syllable dictionaries, read from its package without importing it.

``pyvi.ViTokenizer`` unpickles its model as a ``sklearn_crfsuite.CRF``, and so imports
scikit-learn and SciPy: 1.1 of the 1.7 s every ``vnsearch`` command took to start (``index`` on
one line, ``search`` of one word). The model is the crfsuite file's bytes kept in that pickle;
here the pickle is read with the two scikit-learn classes it names standing in as plain holders
of their state, and python-crfsuite opens the bytes in memory. The dictionaries are pyvi's
``words.txt``, read as ``ViTokenizer`` reads it. ``tests/analyzers/test_pyvi_model.py`` checks
both against ``ViTokenizer``'s own. Should a pyvi release keep its model otherwise, we fall back
to importing it.
"""

from __future__ import annotations

import codecs
import os
import pickle
from dataclasses import dataclass
from importlib.util import find_spec

import pycrfsuite


@dataclass(frozen=True)
class PyviModel:
    model: bytes  # the crfsuite model file's bytes
    bi_grams: frozenset[str]  # "w1 w2", as pyvi's dictionary writes them
    tri_grams: frozenset[str]  # "w1 w2 w3"

    def tagger(self) -> pycrfsuite.Tagger:
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(self.model)
        return tagger


class _State:
    """A scikit-learn object of pyvi's pickle, as the dict of its attributes."""

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module.split(".")[0] in ("sklearn_crfsuite", "sklearn"):
            return _State
        return super().find_class(module, name)


def _folder() -> str:
    spec = find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyvi is not installed")
    return list(spec.submodule_search_locations)[0]


def _read(folder: str) -> PyviModel:
    bi_grams, tri_grams = set(), set()
    with codecs.open(os.path.join(folder, "models", "words.txt"), "r", encoding="utf-8") as fin:
        for token in fin.read().split("\n"):
            parts = token.split(" ")
            if len(parts) == 2:
                bi_grams.add(token)
            elif len(parts) == 3:
                tri_grams.add(token)
    with open(os.path.join(folder, "models", "pyvi3.pkl"), "rb") as fh:
        crf = _Unpickler(fh).load()
    model = crf.modelfile.__dict__["__FILE_RESOURCE_DATA__"]
    if not isinstance(model, bytes) or not model.startswith(b"lCRF"):
        raise ValueError("pyvi's pickle holds no crfsuite model")
    return PyviModel(model, frozenset(bi_grams), frozenset(tri_grams))


def load() -> PyviModel:
    """pyvi's model: read directly, or through ``pyvi.ViTokenizer`` if that fails."""
    try:
        return _read(_folder())
    except Exception:  # any other shape of pickle (or none): pyvi's own loading
        from pyvi.ViTokenizer import ViTokenizer

        with open(ViTokenizer.model.modelfile.name, "rb") as fh:
            return PyviModel(fh.read(), frozenset(ViTokenizer.bi_grams), frozenset(ViTokenizer.tri_grams))
