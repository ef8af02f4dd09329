"""Shared helpers for the storage tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.build import index_paths
from tests.indexer.conftest import CORPUS


@pytest.fixture
def commit_events(monkeypatch) -> Callable[[Path], list[tuple[str, str]]]:
    """Index the shipped corpus into a folder and return, in order, every ``fsync`` (of the path
    the descriptor names) and ``rename`` (of the destination) the build made: what commit
    durability is checked against."""

    def build(index_dir: Path) -> list[tuple[str, str]]:
        events: list[tuple[str, str]] = []
        real_fsync, real_rename = os.fsync, os.rename

        def fsync(fd: int) -> None:
            events.append(("sync", os.readlink(f"/proc/self/fd/{fd}")))
            real_fsync(fd)

        def rename(src, dst, *args, **kwargs) -> None:
            real_rename(src, dst, *args, **kwargs)
            events.append(("rename", os.path.abspath(dst)))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "rename", rename)
        try:
            index_paths([CORPUS], index_dir, jobs=1)
        finally:
            monkeypatch.undo()
        return events

    return build
