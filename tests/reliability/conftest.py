"""A small real index for the fuzzing and limit tests: the shipped corpus plus generated documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import index_paths

from ._helpers import CORPUS, write_documents


@pytest.fixture(scope="session")
def small_index(tmp_path_factory) -> Path:
    docs = tmp_path_factory.mktemp("reliability-docs")
    write_documents(docs, 40, seed=11)
    index = tmp_path_factory.mktemp("reliability-index")
    index_paths([CORPUS, docs], index, jobs=1)
    return index
