"""Whether an index was written with an older analysis than the one that analyzes queries, and
the one line that says how to rebuild it.

Such an index still answers (its layout is read as ever), but its terms were made by the older
analysis: after version 2 a query for ``Mỹ`` asks for ``mĩ``, which an index of version 1 does
not hold for text that wrote ``Mỹ``. So every result from it carries a note naming the command
that rebuilds it, with the paths it was built from when the index remembers them.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from analyzers.version import ANALYSIS_VERSION
from indexer.stats import read_info
from indexer.storage import IndexReader


def rebuild_command(index_dir: Path) -> str:
    """The command that rebuilds ``index_dir`` from the paths it was built from."""
    paths = read_info(Path(index_dir)).get("paths") or ["PATH"]
    return " ".join(["vnsearch", "index", *map(shlex.quote, paths), "--rebuild", "--index", shlex.quote(str(index_dir))])


def analysis_note(reader: IndexReader, index_dir: Path) -> str | None:
    """One line saying how to rebuild an index written with an older analysis, else None."""
    version = reader.analysis_version()
    if version is None or version >= ANALYSIS_VERSION:
        return None
    return (f"this index was written with an older analysis (version {version}, this vnsearch "
            f"uses {ANALYSIS_VERSION}; i/y spellings such as kĩ/kỹ are not unified in it): "
            f"rebuild it with `{rebuild_command(index_dir)}`")
