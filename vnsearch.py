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
import signal
import sys
import time
from concurrent.futures import BrokenExecutor
from pathlib import Path

import click

from indexer.build import Progress, default_jobs, index_paths
from indexer.default import default_index_dir, ensure_default_index
from indexer.errors import IndexerError
from indexer.stats import index_stats

from search.engine import SearchError, search as run_search
from search.sorting import SORTS


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
@click.option("--memory-mb", type=click.IntRange(64, 1 << 20), default=512, show_default=True,
              help="Memory for the postings the workers' segment writers buffer before spilling sorted runs to disk, "
                   "shared between them (each of the --jobs workers gets its share); not a limit on "
                   "the whole process tree.")
@click.option("--synonyms", "synonyms_file", type=click.Path(path_type=Path), default=None,
              help="A file of synonym groups (one group a line, terms separated by commas) kept in the index: "
                   "every search of it uses them, beside the shipped table. Replaces the groups it kept before.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def index_cmd(paths: tuple[Path, ...], index_dir: Path | None, rebuild: bool, jobs: int | None, memory_mb: int,
              synonyms_file: Path | None, as_json: bool) -> None:
    """Index the documents under PATHS (files and folders)."""
    index_dir = index_dir or default_index_dir()
    display = None if as_json else _ProgressDisplay(
        sys.stderr.isatty(), every=float(os.environ.get("VNSEARCH_PROGRESS_SECONDS") or 10))
    try:
        with _noting_interrupts() as interrupted:
            try:
                summary = index_paths(paths, index_dir, rebuild=rebuild, jobs=jobs or default_jobs(),
                                      progress=display, memory_mb=memory_mb, synonyms=synonyms_file)
            except BrokenExecutor:
                _broken_pool(interrupted, display)
    except KeyboardInterrupt:
        _close(display)
        _fail("interrupted: the index keeps its last committed state")
    except IndexerError as exc:
        _close(display)
        _fail(str(exc))
    except OSError as exc:
        from indexer.faults import explain_write_failure

        _close(display)
        _fail(explain_write_failure(exc, index_dir))
    _close(display)
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


class _noting_interrupts:
    """Ctrl-C raises ``KeyboardInterrupt`` as usual, and is remembered (``interrupted[0]``)."""

    def __enter__(self) -> list[bool]:
        self.interrupted = [False]

        def on_interrupt(signum, frame):
            self.interrupted[0] = True
            raise KeyboardInterrupt

        try:
            self.previous = signal.signal(signal.SIGINT, on_interrupt)
        except ValueError:  # not the main thread (a caller's own): its interrupts stay its own
            self.previous = None
        return self.interrupted

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _broken_pool(interrupted: list[bool], display) -> None:
    """A worker process died before the build could finish. Ctrl-C reaches the workers too, and
    one that leaves first breaks the pool before the interrupt reaches this process (CI saw a
    traceback so): wait a moment for it, then say which it was. Either way the build has removed
    what it wrote for the commit that never came."""
    if not interrupted[0]:
        try:
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    if interrupted[0]:
        raise KeyboardInterrupt
    _close(display)
    _fail("a worker process died before the build could finish (killed by the system, perhaps for memory): "
          "the index keeps its last committed state; run the same command again, with fewer --jobs or a "
          "lower --memory-mb if it happens again")


class _ProgressDisplay:
    """A build's progress on stderr: a tqdm bar on a terminal (documents and MB done out of the
    total, the rate, the time left), else a plain line every ``every`` seconds
    (``VNSEARCH_PROGRESS_SECONDS``; a log keeps them). tqdm does the terminal's part (width,
    redraws, rates) as users know it from pip."""

    def __init__(self, terminal: bool, every: float = 10.0):
        self.terminal = terminal
        self.every = every
        self.bar = None
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        if self.terminal:
            self._draw(p)
        elif p.seconds - self.last >= self.every or p.bytes_done >= p.bytes_total:
            self.last = p.seconds
            click.echo(f"vnsearch: {_progress_text(p)}", err=True)

    def _draw(self, p: Progress) -> None:
        from tqdm import tqdm

        if self.bar is None:
            try:
                sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
            except OSError:
                sized = False
            # A terminal that reports no width (a bare pty) would get no bar at all from tqdm.
            self.bar = tqdm(total=max(p.bytes_total, 1), unit="B", unit_scale=True, unit_divisor=1000,
                            file=sys.stderr, dynamic_ncols=sized, ncols=None if sized else 100,
                            nrows=None if sized else 24, leave=False, desc=self._documents(p),
                            bar_format="indexing {percentage:3.0f}%|{bar}| {desc}, {n_fmt}B/{total_fmt}B "
                                       "[{elapsed}<{remaining}, {rate_fmt}]")
        self.bar.set_description_str(self._documents(p), refresh=False)
        self.bar.update(p.bytes_done - self.bar.n)
        if p.bytes_done >= p.bytes_total:
            self.bar.refresh()  # the last step, even within tqdm's minimum interval

    @staticmethod
    def _documents(p: Progress) -> str:
        return f"{p.documents_done:,}/{p.documents_total:,} documents"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _close(display: _ProgressDisplay | None) -> None:
    if display is not None:
        display.close()


def _progress_text(p: Progress) -> str:
    """``1,234/5,000 documents, 4.1/16.0 MB, 0.31 MB/s, 38 s left``."""
    rate = p.bytes_done / 1e6 / max(p.seconds, 1e-6)
    left = p.seconds_left
    if p.bytes_done >= p.bytes_total:
        end = f", all read in {p.seconds:.0f} s; writing the index"
    else:
        end = f", {left:.0f} s left" if left is not None else ""
    return (f"{p.documents_done:,}/{p.documents_total:,} documents, {p.bytes_done / 1e6:.1f}/"
            f"{p.bytes_total / 1e6:.1f} MB, {rate:.2f} MB/s{end}")


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder (default: $VNSEARCH_INDEX or the sample corpus).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0, 10_000), default=0, show_default=True)
@click.option("--passages", is_flag=True, help="Rank passages alone instead of grouping them by document.")
@click.option("--exact", is_flag=True, help="Match diacritics exactly.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Order: relevance, date (newest first) or date_asc; undated documents last.")
@click.option("--facets", default="", metavar="NAMES", help="Count matches by these fields, e.g. year,category.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD:VALUE",
              help="A filter, as in a query (date:2021, category:Sức khỏe); repeat for more.")
@click.option("--no-prefix", is_flag=True, help="Match the last word whole only (by default it also matches as the start of a longer syllable).")
@click.option("--synonyms", "synonyms_file", type=click.Path(path_type=Path), default=None,
              help="A file of synonym groups (one group a line, terms separated by commas) added to the shipped "
                   "table and to those the index keeps.")
@click.option("--no-synonyms", is_flag=True, help="Do not expand abbreviations and synonyms (none of them).")
@click.option("--as-typed", is_flag=True, help="Search words typed as Telex/VNI keystrokes as they are.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--color/--no-color", "color", default=None, help="Colour the hits (default: on a terminal, unless NO_COLOR is set).")
def search_cmd(query, index_dir, limit, offset, passages, exact, sort, facets, filters, no_prefix, synonyms_file,
               no_synonyms, as_typed, as_json, color) -> None:
    """Search for QUERY: words, "phrases", -excluded, title:word, and filters
    (date:2021, date:2020-01..2021-06, category:"Sức khỏe", -type:pdf, path:reports/2021)."""
    text = " ".join(query)
    synonyms = False if no_synonyms else (synonyms_file or True)
    try:
        result = run_search(text, index=index_dir, limit=limit, offset=offset,
                            mode="passages" if passages else "documents", exact=exact, sort=sort,
                            facets=facets, filters=filters, prefix=not no_prefix, synonyms=synonyms,
                            as_typed=as_typed)
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
    for f in result.filters:
        click.echo(f"filter: {f['text']}")
    if not result.hits:
        click.echo(f"No results for: {result.query}")
        return
    unit = "passages" if result.mode == "passages" else "documents"
    order = "" if result.sort == "relevance" else f", by {result.sort.replace('_asc', ', oldest first')}"
    click.echo(f"{result.total} {unit} ({result.took_ms:.0f} ms{order})\n")
    for name, counts in result.facets.items():
        click.echo(f"{name}: " + ", ".join(f"{value} ({n})" for value, n in counts.items()))
    if result.facets:
        click.echo("")
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
        if key == "fields":
            value = ", ".join(f"{name} ({kind})" for name, kind in value.items())
        click.echo(f"{key}: {value}")


@main.command("optimize")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder (default: $VNSEARCH_INDEX or the sample corpus index).")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def optimize_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Merge the index's segments into one: faster searches of an index built once and searched
    often (a build on several cores leaves a segment per worker per round). The index stays
    searchable meanwhile, and an interrupted merge leaves it as it was."""
    from indexer.optimize import optimize_index

    index_dir = index_dir or default_index_dir()
    try:
        with _noting_interrupts():
            done = optimize_index(index_dir)
    except KeyboardInterrupt:
        _fail("interrupted: the index keeps its last committed state")
    except IndexerError as exc:
        _fail(str(exc))
    except OSError as exc:
        from indexer.faults import explain_write_failure

        _fail(explain_write_failure(exc, index_dir))
    if as_json:
        _dump(done.to_dict())
    elif not done.merged and done.segments_before == 0:
        click.echo(f"the index at {index_dir} is empty: nothing to merge")
    elif not done.merged:
        click.echo(f"the index at {index_dir} is one segment already, without deleted records: nothing to merge")
    else:
        click.echo(f"merged {done.segments_before} segments ({done.deleted_before:,} deleted records) into "
                   f"{done.segments_after} in {done.seconds:.1f} s; the index at {index_dir} has "
                   f"{done.documents} documents, {done.passages} passages.")


@main.command("check")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder (default: $VNSEARCH_INDEX or the sample corpus index).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--repair", is_flag=True, help="Drop the damaged segments and list the documents to re-index.")
def check_cmd(index_dir: Path | None, as_json: bool, repair: bool) -> None:
    """Verify every file and record of the index; exit status 1 if it is damaged."""
    from indexer.check import check_index, repair_index

    index_dir = index_dir or default_index_dir()
    try:
        report = check_index(index_dir)
        fixed = repair_index(index_dir, report) if repair and not report.ok else None
    except (IndexerError, OSError) as exc:
        _fail(str(exc))
    if as_json:
        _dump(report.to_dict() | ({"repair": fixed.to_dict()} if fixed else {}))
    else:
        _print_check(report)
        if fixed:
            _print_repair(fixed, index_dir)
    if not report.ok and not (fixed and fixed.repaired):
        sys.exit(1)


def _print_check(report) -> None:
    sums = {"ok": "ok, every file verified in full", "failed": "FAILED", "none": "none (written by an older version)",
            "partial": "ok where present (some segments were written by an older version)"}[report.checksums]
    click.echo(f"index {report.index}: commit {report.generation}, {len(report.segments)} segments, "
               f"{report.documents:,} documents, {report.passages:,} passages")
    click.echo(f"checksums: {sums}")
    for seg in report.segments:
        state = "ok" if not seg.damaged else "DAMAGED"
        click.echo(f"  segment {seg.id}: {seg.records:,} records ({seg.deleted:,} deleted), {seg.documents:,} "
                   f"documents, checksums {seg.checksums}: {state}")
        for problem in seg.problems:
            click.echo(f"    {problem}")
    for problem in report.problems:
        click.echo(f"  {problem}")
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.ok:
        click.echo(f"no problems found ({report.seconds:.1f} s)")
    else:
        n = len(report.problems) + sum(len(s.problems) for s in report.segments)
        click.echo(f"DAMAGED: {n} problems ({report.seconds:.1f} s); `vnsearch check --index {report.index} --repair` "
                   "drops the damaged segments")


def _print_repair(fixed, index_dir: Path) -> None:
    if not fixed.repaired:
        click.echo(f"not repaired: {fixed.reason}")
        return
    if fixed.dropped:
        click.echo(f"repaired: dropped {len(fixed.dropped)} segments ({', '.join(fixed.dropped)}) with "
                   f"{fixed.documents_dropped:,} documents")
    else:
        click.echo("repaired: wrote a new manifest; the segments it could not vouch for have no checksums until merged")
    for path in fixed.to_reindex:
        click.echo(f"  to re-index: {path}")
    if fixed.unreadable:
        click.echo(f"  and {fixed.unreadable} documents whose path could not be read")
    paths = " ".join(fixed.paths) or "PATH"
    click.echo(f"re-add them with: vnsearch index {paths} --index {index_dir}")


@main.command("serve")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes, sharing the index through the page cache (default: one per core).")
@click.option("--synonyms", "synonyms_file", type=click.Path(path_type=Path), default=None,
              help="A file of synonym groups added to the shipped table and the index's own.")
@click.option("--no-synonyms", is_flag=True, help="Do not expand abbreviations and synonyms.")
@click.option("--cache-mb", type=click.IntRange(0, 1 << 20), default=None,
              help="Decoded postings each worker keeps, the index's most frequent syllables among them "
                   "(default: $VNSEARCH_CACHE_MB, else 1024 or a quarter of memory over the workers, "
                   "whichever is less).")
def serve_cmd(index_dir: Path | None, host: str, port: int, workers: int | None, synonyms_file: Path | None,
              no_synonyms: bool, cache_mb: int | None) -> None:
    """Serve the search page and JSON API."""
    try:
        from search.web import default_workers, serve
    except ImportError as exc:
        _fail(f"the web server could not start: {exc}")
    serve(index_dir, host=host, port=port, workers=workers or default_workers(),
          synonyms=False if no_synonyms else (synonyms_file or True), cache_mb=cache_mb)


if __name__ == "__main__":
    main()
