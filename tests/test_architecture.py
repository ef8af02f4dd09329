"""The layers of vnsearch, as the import-linter contracts in pyproject.toml write them down:
analyzers <- indexer <- search <- the program, the storage package at the bottom of indexer,
and Whoosh only inside the storage package (and the analyzers, which are Whoosh analyzers)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("analyzers", "indexer", "search")
LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())",
        "--no-cache"]


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(LINT, cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_contracts_hold():
    done = _lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_the_contracts_catch_a_crossing(tmp_path: Path):
    """A copy of the code where the search layer imports Whoosh, and the storage package imports
    the indexer's builder above it: both contracts break."""
    for name in PACKAGES:
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    terms = tmp_path / "search" / "terms.py"
    terms.write_text("from whoosh.query import Term  # crossing on purpose\n" + terms.read_text(encoding="utf-8"),
                     encoding="utf-8")
    layout = tmp_path / "indexer" / "storage" / "layout.py"
    layout.write_text(layout.read_text(encoding="utf-8") + "\nfrom indexer import build  # crossing on purpose\n",
                      encoding="utf-8")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "2 kept, 2 broken" in done.stdout, done.stdout
    assert "search.terms -> whoosh" in done.stdout and "indexer.storage.layout -> indexer.build" in done.stdout


# Private attributes of Whoosh objects that vnsearch reads; only the storage package may.
WHOOSH_PRIVATE = {"_perdoc", "_dbfile", "_basepos", "_count", "_postfile", "_tindex", "_blocklimit", "_compression",
                  "_segment", "_storage", "_data", "_blocklength", "_lastblock", "_byteids", "_cached_reader",
                  "_fieldid", "_inlined", "_df", "_weight", "_maxweight", "_minid", "_maxid", "_minlength",
                  "_maxlength", "_offset", "_length", "_vnsearch_bags", "_vnsearch_arrays"}


def test_no_whoosh_private_attributes_outside_storage():
    offenders = []
    for name in PACKAGES:
        for path in sorted((REPO / name).rglob("*.py")):
            if (REPO / "indexer" / "storage") in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in WHOOSH_PRIVATE:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.attr}")
    assert not offenders
    # The check sees them where they belong.
    storage = (REPO / "indexer" / "storage" / "reader.py").read_text(encoding="utf-8")
    assert any(isinstance(n, ast.Attribute) and n.attr in WHOOSH_PRIVATE for n in ast.walk(ast.parse(storage)))


def test_nothing_imports_the_program():
    """``vnsearch.py`` (the command line) sits above every package; import-linter takes packages
    only, so this one edge is checked here."""
    importers = []
    for name in PACKAGES:
        for path in sorted((REPO / name).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                if any(n == "vnsearch" or n.startswith("vnsearch.") for n in names):
                    importers.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not importers
    program = ast.parse((REPO / "vnsearch.py").read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.ImportFrom) and n.module == "search.engine" for n in ast.walk(program))


def test_every_data_file_of_the_packages_is_installed():
    """A non-editable install (the README's first command) ships only what package-data names:
    the synonym table was left out once, and `vnsearch search` failed on a fresh machine."""
    import fnmatch
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config.get("package-data", {})
    missing = []
    for package in config["packages"]:
        folder = REPO / package.replace(".", "/")
        for path in folder.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            owner = next((p for p in sorted(config["packages"], key=len, reverse=True)
                          if path.relative_to(REPO).as_posix().startswith(p.replace(".", "/") + "/")), package)
            if owner != package:
                continue
            relative = path.relative_to(folder).as_posix()
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in patterns.get(package, [])):
                missing.append(f"{package}: {relative}")
    assert missing == []
