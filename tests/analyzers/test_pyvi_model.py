"""pyvi's model read without scikit-learn is pyvi's model: same CRF bytes, same dictionaries,
and no scikit-learn or SciPy imported by vnsearch's analysis, index or search."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analyzers import pyvi_model
from analyzers.words import segment

REPO = Path(__file__).resolve().parents[2]


def test_the_model_read_directly_is_pyvis_own():
    from pyvi.ViTokenizer import ViTokenizer

    mine = pyvi_model.load()
    with open(ViTokenizer.model.modelfile.name, "rb") as fh:
        assert mine.model == fh.read()
    assert mine.bi_grams == frozenset(ViTokenizer.bi_grams) and len(mine.bi_grams) > 10_000
    assert mine.tri_grams == frozenset(ViTokenizer.tri_grams) and len(mine.tri_grams) > 1_000
    sentence = "tỉnh ủy thái nguyên tổ chức hội nghị tổng kết công tác xây dựng đảng".split()
    assert mine.tagger().tag([[f"word.lower():{w}"] for w in sentence]) == \
        ViTokenizer.model.tagger_.tag([[f"word.lower():{w}"] for w in sentence])


def test_vnsearch_starts_without_scikit_learn():
    code = ("import sys, indexer.build, search, analyzers.words as w; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'sklearn_crfsuite', 'pyvi.ViTokenizer') if m in sys.modules)); "
            "print(w.segment('tỉnh ủy thái nguyên tổ chức hội nghị'.split()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    loaded, words = out.splitlines()
    assert loaded == "[]"
    assert words == str(segment("tỉnh ủy thái nguyên tổ chức hội nghị".split()))
    assert "(0, 2)" in words  # tỉnh ủy, one word


def test_a_pickle_of_another_shape_falls_back_to_pyvis_own_loading(tmp_path, monkeypatch):
    import shutil

    import pytest

    real = pyvi_model._read(pyvi_model._folder())
    folder = tmp_path / "pyvi"
    shutil.copytree(pyvi_model._folder(), folder)
    (folder / "models" / "pyvi3.pkl").write_bytes(b"not a pickle of pyvi's model")
    with pytest.raises(Exception):
        pyvi_model._read(str(folder))
    monkeypatch.setattr(pyvi_model, "_folder", lambda: str(folder))  # pyvi's package, its model damaged
    fallback = pyvi_model.load()  # through pyvi.ViTokenizer itself, from the real package
    assert fallback == real
