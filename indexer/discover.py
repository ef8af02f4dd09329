"""Finding the files to index under the paths a user gives."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def discover(paths: Iterable[Path], suffixes: frozenset[str]) -> Iterator[Path | tuple[Path, str]]:
    """Each indexable file once, as an absolute path; or ``(path, reason)`` for a path it cannot use.

    Folders are walked recursively without following symlinked folders, so a symlink loop
    cannot trap the walk; a file reached twice (two overlapping paths, a symlink to a file
    already seen) is indexed once.
    """
    seen: set[str] = set()

    def once(path: Path) -> bool:
        try:
            real = os.path.realpath(path)
        except OSError:
            real = str(path)
        if real in seen:
            return False
        seen.add(real)
        return True

    for given in paths:
        path = Path(os.path.abspath(given))
        if path.is_dir():
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() in suffixes and once(child):
                        yield child
        elif path.is_file():
            if once(path):
                yield path
        elif path.is_symlink():
            yield (path, "broken symbolic link")
        else:
            yield (path, "no such file or folder")
