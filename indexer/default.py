"""The index a user gets without naming one: ``$VNSEARCH_INDEX``, or the shipped sample corpus.

The sample corpus index is built on first use into the per-user cache folder and brought up to
date whenever the corpus changes (the incremental indexer makes an unchanged corpus a few
``stat`` calls), so a new user's first ``vnsearch search ...`` just works.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from analyzers.version import ANALYSIS_VERSION

from .build import index_paths
from .stats import read_info
from .storage import exists, open_reader


def corpus_dir() -> Path:
    """The shipped sample corpus, from a source checkout or an installed package alike."""
    return Path(str(files("corpus")))


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vnsearch"


def default_index_dir() -> Path:
    named = os.environ.get("VNSEARCH_INDEX")
    return Path(named) if named else cache_dir() / "corpus-index"


def ensure_default_index() -> Path:
    """The default index folder, building or refreshing the sample corpus index if that is the one."""
    if os.environ.get("VNSEARCH_INDEX"):
        return Path(os.environ["VNSEARCH_INDEX"])
    index_dir = default_index_dir()
    corpus = corpus_dir()
    rebuild = _older_analysis(index_dir) or _other_corpus(index_dir, corpus)
    index_paths([corpus], index_dir, jobs=1, lock_wait=600, rebuild=rebuild)
    return index_dir


def _other_corpus(index_dir: Path, corpus: Path) -> bool:
    """Whether the sample index holds anything but this installation's corpus. The cache folder
    is per user, not per installation: a checkout, a ``pip install`` and an upgrade each ship
    the corpus at a path of their own, and indexing each into the same index listed every
    article once per installation. Switching between two installations rebuilds it (five
    articles: a second or two)."""
    if not exists(index_dir):
        return False
    paths = read_info(index_dir).get("paths", [])
    return any(os.path.abspath(p) != os.path.abspath(corpus) for p in paths)


def _older_analysis(index_dir: Path) -> bool:
    """Whether the sample index holds terms of an older analysis (it is then rebuilt whole)."""
    if not exists(index_dir):
        return False
    with open_reader(index_dir) as reader:
        version = reader.analysis_version()
    return version is not None and version < ANALYSIS_VERSION
