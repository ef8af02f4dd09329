"""The ``vnsearch`` program: a thin click layer over ``indexer`` and ``search``.

It sits above every package (analyzers <- indexer <- search <- this module), and nothing imports
it; the console script ``vnsearch`` and ``python -m vnsearch`` run ``main``.

It holds no search logic (Datasette's rule): it calls ``index_paths``/``search`` and prints what
they return, as text on a terminal or as the same JSON the web API serves. Errors a user can act
on are printed as one line and exit status 1, never as a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from indexer.build import Progress, default_jobs, index_paths
from indexer.default import default_index_dir, ensure_default_index
from indexer.errors import IndexerError
from indexer.stats import index_stats

from search.engine import SearchError, search as run_search


def _colour(ctx_color: bool | None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() if ctx_color is None else ctx_color


def _fail(message: str) -> None:
    click.echo(f"vnsearch: {message}", err=True)
    sys.exit(1)


def _dump(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnsearch")
def main() -> None:
    """Full-text search for Vietnamese documents."""


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder (default: $VNSEARCH_INDEX or the sample corpus index).")
@click.option("--rebuild", is_flag=True, help="Re-index everything from scratch (the old index stays searchable until done).")
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def index_cmd(paths: tuple[Path, ...], index_dir: Path | None, rebuild: bool, jobs: int | None, as_json: bool) -> None:
    """Index the documents under PATHS (files and folders)."""
    index_dir = index_dir or default_index_dir()
    show = sys.stderr.isatty() and not as_json
    try:
        summary = index_paths(paths, index_dir, rebuild=rebuild, jobs=jobs or default_jobs(),
                              progress=_progress_line if show else None)
    except KeyboardInterrupt:
        if show:
            click.echo("", err=True)
        _fail("interrupted: the index keeps its last committed state")
    except (IndexerError, OSError) as exc:
        _fail(str(exc))
    if show:
        click.echo("", err=True)
    data = summary.to_dict()
    if as_json:
        _dump({k: data[k] for k in ("added", "updated", "removed", "unchanged", "skipped", "documents", "passages")}
              | {"legacy": data["legacy"], "seconds": data["seconds"]})
        return
    click.echo(
        f"{summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged, {len(summary.skipped)} skipped "
        f"in {summary.seconds:.1f} s; the index at {index_dir} has "
        f"{summary.documents} documents, {summary.passages} passages."
    )
    for item in summary.legacy:
        click.echo(f"  converted from {item['encoding']}: {item['path']}")
    for item in summary.skipped:
        click.echo(f"  skipped {item['path']}: {item['reason']}")


def _progress_line(p: Progress) -> None:
    import time

    elapsed = max(time.monotonic() - p.started, 1e-6)
    click.echo(
        f"\r{p.files_done}/{p.files_total} files, {p.bytes_done / 1e6:.1f} MB, "
        f"{p.passages_done / elapsed:.0f} passages/s   ",
        err=True,
        nl=False,
    )


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder (default: $VNSEARCH_INDEX or the sample corpus).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0, 10_000), default=0, show_default=True)
@click.option("--passages", is_flag=True, help="Rank passages alone instead of grouping them by document.")
@click.option("--exact", is_flag=True, help="Match diacritics exactly.")
@click.option("--no-prefix", is_flag=True, help="Match the last word whole only (by default it also matches as the start of a longer syllable).")
@click.option("--synonyms", "synonyms_file", type=click.Path(path_type=Path), default=None,
              help="A file of synonym groups (one group a line, terms separated by commas) added to the shipped table.")
@click.option("--no-synonyms", is_flag=True, help="Do not expand abbreviations and synonyms.")
@click.option("--as-typed", is_flag=True, help="Search words typed as Telex/VNI keystrokes as they are.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--color/--no-color", "color", default=None, help="Colour the hits (default: on a terminal, unless NO_COLOR is set).")
def search_cmd(query, index_dir, limit, offset, passages, exact, no_prefix, synonyms_file, no_synonyms, as_typed,
               as_json, color) -> None:
    """Search for QUERY: words, "phrases", -excluded, title:word."""
    text = " ".join(query)
    synonyms = False if no_synonyms else (synonyms_file or True)
    try:
        result = run_search(text, index=index_dir, limit=limit, offset=offset,
                            mode="passages" if passages else "documents", exact=exact, prefix=not no_prefix,
                            synonyms=synonyms, as_typed=as_typed)
    except (SearchError, IndexerError, OSError) as exc:
        _fail(str(exc))
    if as_json:
        _dump(result.to_dict())
        return
    _print_result(result, _colour(color))


def _print_result(result, colour: bool) -> None:
    for note in result.notes:
        click.echo(f"note: {note}")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    if not result.hits:
        click.echo(f"No results for: {result.query}")
        return
    click.echo(f"{result.total} results ({result.took_ms:.0f} ms)\n")
    for n, doc in enumerate(result.documents(), start=1):
        title = click.style(doc.title, bold=True) if colour else doc.title
        date = f"  {doc.date}" if doc.date else ""
        click.echo(f"{n}. {title}{date}\n   {doc.path}")
        for hit in doc.passages:
            click.echo("   " + _terminal_snippet(hit, colour))
        click.echo("")


def _terminal_snippet(hit, colour: bool) -> str:
    """The hit's snippet window as plain text, hits in colour or between »«."""
    import html
    import re

    plain = html.unescape(re.sub(r"</?mark>", "\x00", hit.snippet))
    parts = plain.split("\x00")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(click.style(part, fg="yellow", bold=True) if colour else f"»{part}«")
        else:
            out.append(part)
    return " ".join("".join(out).split())


@main.command("stats")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Documents, passages, size on disk, when built and from which paths."""
    try:
        index_dir = index_dir or ensure_default_index()
        stats = index_stats(index_dir)
    except (IndexerError, OSError) as exc:
        _fail(str(exc))
    if as_json:
        _dump(stats)
        return
    for key, value in stats.items():
        click.echo(f"{key}: {value}")


@main.command("serve")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--synonyms", "synonyms_file", type=click.Path(path_type=Path), default=None,
              help="A file of synonym groups added to the shipped table.")
def serve_cmd(index_dir: Path | None, host: str, port: int, synonyms_file: Path | None) -> None:
    """Serve the search page and JSON API."""
    try:
        from search.web import serve
    except ImportError as exc:
        _fail(f"the web server could not start: {exc}")
    serve(index_dir, host=host, port=port, synonyms=synonyms_file or True)


if __name__ == "__main__":
    main()
