"""``vnsearch serve``: the search page and the JSON API, a thin FastAPI layer over ``search()``.

* ``GET /`` the search page (server-rendered, a plain GET form: works without JavaScript);
* ``GET /doc/{doc_id}`` a whole document, the query's hits marked, ``#p<n>`` per passage;
* ``GET /api/search`` exactly ``SearchResult.to_dict()``; ``GET /api/suggest`` as-you-type;
* ``/openapi.json`` and ``/docs`` from FastAPI.

``serve`` runs it in one process or in several (``--workers``), each over the same memory-mapped
index.

Safety: queries and documents are untrusted. Templates autoescape; the only HTML marked safe is
what ``search.highlight`` produced (it escapes the text itself and adds ``<mark>`` only).
Documents are looked up by id in the index, never by a path from the request. Every page carries
a Content-Security-Policy without inline script.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import IndexerError

from . import scorer
from .api_models import SearchResponse
from .documents import get_document, index_fields, query_terms
from .engine import MAX_OFFSET, SearchError, check_synonyms, search, warm
from .highlight import mark
from .page_facets import PAGE_LIMIT, PageState, facet_links, filter_chips, page_facets, sort_links
from .sorting import SORTS
from .syntax import MAX_QUERY_CHARS

HERE = Path(__file__).parent
MAX_QUERY = MAX_QUERY_CHARS  # the parser's own bound
MAX_LIMIT = 100  # a page; the engine allows more for programs
MAX_FILTERS = 20  # filters passed beside a query
SUGGEST_TITLES = 5

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# FastAPI's Swagger UI page is an inline script loading its assets from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def create_app(index_dir: Path | None = None, synonyms: bool | Path = True) -> FastAPI:
    """The web app over the index at ``index_dir`` (``None``: the default index); ``synonyms``
    as ``search()`` takes it (a file adds groups to the shipped table)."""
    app = FastAPI(
        title="vnsearch",
        summary="Tìm kiếm toàn văn tiếng Việt: Vietnamese full-text search",
        version=_version(),
    )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,  # every {{ }} is escaped; only Markup from search.highlight is not
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("q", "")
        context.setdefault("exact", False)
        context.setdefault("sort", "relevance")
        context.setdefault("filter_params", [])
        context.setdefault("typed", False)
        return templates.TemplateResponse(request, name, context, status_code=status)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        return _secure(request, response)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = jsonable_encoder(exc.errors(), exclude={"input", "ctx", "url"})
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in errors)
        return JSONResponse({"error": message, "detail": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            return JSONResponse({"error": str(exc.detail), "detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render(request, "error.html", 404, title="Không tìm thấy",
                      message="Không có trang này.")

    def unavailable(request: Request, exc: Exception, title: str, message: str):
        """503: JSON with the one-line message for the API, the error page for people."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=503)
        return render(request, "error.html", 503, title=title, message=message, detail=str(exc))

    @app.exception_handler(SearchError)
    async def no_index(request: Request, exc: SearchError):
        return unavailable(request, exc, "Chưa có chỉ mục", "Chưa có chỉ mục để tìm kiếm (no index to search).")

    @app.exception_handler(IndexerError)
    async def unreadable_index(request: Request, exc: IndexerError):
        # A damaged index (IndexCorrupt names the file): one line, never an answer from bad bytes.
        return unavailable(request, exc, "Chỉ mục bị hỏng", "Không đọc được chỉ mục (the index cannot be read).")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # Starlette still logs the traceback on the server; the reader gets one line.
        # (it answers outside the middleware, hence _secure here)
        if request.url.path.startswith("/api/"):
            return _secure(request, JSONResponse({"error": "internal error"}, status_code=500))
        return _secure(request, render(request, "error.html", 500, title="Lỗi máy chủ",
                                       message="Đã có lỗi khi xử lý yêu cầu này (internal error)."))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, q: str = "", limit: str = "", offset: str = "", exact: str = "",
             sort: str = "", filter: list[str] = Query([]), typed: str = ""):
        """The search page; bad parameters give a friendly message, not a JSON error. Facets,
        the sort switch and the filter chips are plain links (``page_facets``)."""
        state, n_offset, errors = _page_state(q, limit, offset, exact, sort, filter, typed)
        n_limit, want_exact, filters = state.limit, state.exact, state.filters
        base = dict(q=state.q, exact=want_exact, limit=n_limit, offset=n_offset, sort=state.sort,
                    filter_params=filters, state=state, typed=state.typed)
        if errors:
            return render(request, "search.html", 400, errors=errors, result=None, **base)
        if not q.strip() and not filters:
            return render(request, "search.html", result=None, **base)
        facets = page_facets(index_fields(index_dir))
        result = search(q, index_dir, limit=n_limit, offset=n_offset, exact=want_exact, sort=state.sort,
                        facets=facets, filters=filters, synonyms=synonyms, as_typed=state.typed)
        docs = result.documents()
        for doc in docs:
            for hit in doc.passages:
                hit.snippet_html = Markup(hit.snippet)  # escaped by search.highlight.snippet
        nav = {}
        if n_offset > 0:
            nav["prev"] = state.url(offset=max(0, n_offset - n_limit))
        if n_offset + n_limit < result.total and n_offset + n_limit <= MAX_OFFSET:
            nav["next"] = state.url(offset=n_offset + n_limit)
        suggestion_url = state.url(q=result.suggestion) if result.suggestion else None
        as_typed_url = state.url(typed=True) if result.searched else None
        return render(request, "search.html", result=result, docs=docs, nav=nav,
                      suggestion_url=suggestion_url, as_typed_url=as_typed_url, first=n_offset + 1,
                      sorts=sort_links(state), chips=filter_chips(state, result.filters),
                      facet_groups=facet_links(state, result), **base)

    @app.get("/doc/{doc_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def document(request: Request, doc_id: str, q: str = "", limit: str = "", offset: str = "", exact: str = "",
                 sort: str = "", filter: list[str] = Query([]), typed: str = ""):
        """A whole document, its passages in order, the query's hits marked as the results page
        it was reached from found them; its back link returns to that page (the page's
        parameters, which ``PageState.doc_url`` passes on; bad ones fall back to defaults)."""
        state, n_offset, _ = _page_state(q, limit, offset, exact, sort, filter, typed)
        q, want_exact = state.q, state.exact
        doc = get_document(doc_id, index_dir)
        if doc is None:
            return render(request, "error.html", 404, title="Không tìm thấy tài liệu",
                          message="Không có tài liệu nào với mã này.", q=q, exact=want_exact)
        terms = (query_terms(q, index_dir, exact=want_exact, synonyms=synonyms, as_typed=state.typed)
                 if q.strip() else None)
        passages = []
        first_hit = None
        for p in doc.passages:
            spans = terms.spans(p.text) if terms else []
            if spans and first_hit is None:
                first_hit = p.passage_no
            passages.append({"no": p.passage_no, "html": Markup(mark(p.text, spans)), "hit": bool(spans)})
        back = state.url(offset=n_offset) if q.strip() or state.filters else "/"
        return render(request, "document.html", doc=doc, passages=passages, first_hit=first_hit,
                      back=back, q=q, exact=want_exact)

    @app.get("/api/search", tags=["api"], summary="Search: exactly SearchResult.to_dict()",
             response_model=SearchResponse)
    def api_search(
        q: str = Query("", max_length=MAX_QUERY,
                       description="The query: words, \"phrases\", -excluded, title:word, and filters "
                                   "(date:2021, date:2020-01-01..2021-06-30, category:\"Sức khỏe\", -type:pdf)"),
        limit: int = Query(10, ge=1, le=MAX_LIMIT, description="Documents (or passages) per page"),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="How many to skip"),
        exact: bool = Query(False, description="Match diacritics exactly"),
        mode: Literal["documents", "passages"] = Query("documents", description="Group by document or rank passages"),
        sort: Literal["relevance", "date", "date_asc"] = Query("relevance", description="date: newest first; undated last"),
        facets: str = Query("", max_length=MAX_QUERY, description="Fields to count matches by: year,category"),
        filter: list[str] = Query([], max_length=MAX_FILTERS,
                                  description="More filters, each field:value as in a query (repeat the parameter)"),
        prefix: bool = Query(True, description="The last word, still being typed, also matches longer syllables"),
        typed: bool = Query(False, description="Search Telex/VNI keystrokes as typed, not as the syllables they spell"),
    ) -> dict:
        result = search(q, index_dir, limit=limit, offset=offset, mode=mode, exact=exact, sort=sort,
                        facets=facets, filters=[f[:MAX_QUERY] for f in filter], prefix=prefix,
                        synonyms=synonyms, as_typed=typed)
        return result.to_dict()

    @app.get("/api/suggest", tags=["api"], summary="As-you-type: top document titles and the did-you-mean")
    def api_suggest(
        q: str = Query("", max_length=MAX_QUERY),
        exact: bool = Query(False),
        filter: list[str] = Query([], max_length=MAX_FILTERS,
                                  description="The page's filters, field:value: titles only of documents they let through"),
        typed: bool = Query(False, description="Telex/VNI keystrokes as typed, as on the page"),
    ) -> dict:
        """What pressing Enter would find, as far as it is typed: the page's filters and its
        as-typed switch apply, as they do to the results the form submits to."""
        if not q.strip():
            return {"query": q, "suggestion": None, "titles": []}
        # The last word matches as a prefix (search's default): what is being typed is incomplete.
        filters = _kept_filters(filter)
        result = search(q, index_dir, limit=SUGGEST_TITLES, exact=exact, passages_per_doc=1,
                        filters=filters, synonyms=synonyms, as_typed=typed)
        state = PageState(q, exact, filters=filters, typed=typed)  # the page's: its links lead back to it
        titles = [
            {"doc_id": d.doc_id, "title": d.title or d.path, "url": state.doc_url(d.doc_id, d.passages[0].passage_no)}
            for d in result.documents()
        ]
        return {"query": q, "suggestion": result.suggestion, "titles": titles}

    return app


def _secure(request: Request, response):
    docs = request.url.path in ("/docs", "/redoc", "/docs/oauth2-redirect")
    response.headers["Content-Security-Policy"] = DOCS_CSP if docs else CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _int_param(raw: str, default: int, lo: int, hi: int, label: str, errors: list[str]) -> int:
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{label} phải là một số nguyên.")
        return default
    if not lo <= value <= hi:
        errors.append(f"{label} phải trong khoảng {lo}–{hi}.")
        return default
    return value


def _page_state(q: str, limit: str, offset: str, exact: str, sort: str, filters: list[str],
                typed: str) -> tuple[PageState, int, list[str]]:
    """The results page a request asks for, its offset, and what was wrong with its parameters
    (each replaced by its default)."""
    errors = []
    if len(q) > MAX_QUERY:
        errors.append(f"Câu tìm kiếm quá dài: tối đa {MAX_QUERY} ký tự.")
    n_limit = _int_param(limit, PAGE_LIMIT, 1, MAX_LIMIT, "Số kết quả mỗi trang", errors)
    n_offset = _int_param(offset, 0, 0, MAX_OFFSET, "Vị trí bắt đầu", errors)
    if sort and sort not in SORTS:
        errors.append("Cách sắp xếp không hợp lệ.")
    state = PageState(q[:MAX_QUERY], _yes(exact), n_limit, sort if sort in SORTS else "relevance",
                      _kept_filters(filters), _yes(typed))
    return state, n_offset, errors


def _kept_filters(filters: list[str]) -> list[str]:
    """The page's filter parameters as searched: blank ones dropped, each and their number capped."""
    return [f[:MAX_QUERY] for f in filters if f.strip()][:MAX_FILTERS]


def _yes(flag: str) -> bool:
    return flag.lower() in ("1", "true", "on", "yes")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("vnsearch")
    except Exception:
        return "0"


SERVE_INDEX_ENV = "VNSEARCH_SERVE_INDEX"  # how ``serve`` tells its worker processes the index
SERVE_SYNONYMS_ENV = "VNSEARCH_SERVE_SYNONYMS"  # ... and the synonyms: a file, or "0" for none
WORKER_HEALTHCHECK_S = 120


def set_cache_mb(cache_mb: int | None, workers: int) -> int:
    """Each of ``workers`` processes' term cache bound, in MB, set in this process and in the
    environment its workers inherit: ``cache_mb``, or ``$VNSEARCH_CACHE_MB``, or the default
    for that many processes."""
    if cache_mb is None:
        cache_mb = scorer.cache_mb_from_env(workers)
    os.environ[scorer.CACHE_ENV] = str(cache_mb)
    scorer.CACHE_BYTES = cache_mb * 1024 * 1024
    return cache_mb


def default_workers() -> int:
    """One worker process per core: a query is CPU work under one interpreter lock, so threads
    of one process answer one query at a time, and processes answer one each."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def worker_app() -> FastAPI:
    """The app of one of ``serve``'s worker processes (uvicorn imports it by name in each).

    Each worker opens the index itself, its files memory-mapped, so the workers share the
    index's pages through the page cache rather than each holding a copy; each prepares its typo
    lookups before it takes requests, and each notices a new commit at its next query."""
    index_dir = Path(os.environ[SERVE_INDEX_ENV])
    chosen = os.environ.get(SERVE_SYNONYMS_ENV, "")
    warm(index_dir)
    return create_app(index_dir, False if chosen == "0" else (Path(chosen) if chosen else True))


def serve(index_dir: Path | None, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          synonyms: bool | Path = True, cache_mb: int | None = None) -> None:
    """Run the web app with uvicorn, in ``workers`` processes sharing the listening socket (one:
    in this process); a missing index is a one-line message and exit status 1. ``cache_mb``:
    each worker's term cache (``scorer.CACHE_BYTES``); by default ``$VNSEARCH_CACHE_MB``, else
    ``scorer.default_cache_mb`` for that many workers, since each keeps its own."""
    import uvicorn

    from indexer.storage import exists

    set_cache_mb(cache_mb, workers)
    try:
        if index_dir is None:
            from indexer.default import ensure_default_index

            index_dir = ensure_default_index()
        if not exists(Path(index_dir)):
            raise SearchError(f"no vnsearch index at {index_dir}: build one with `vnsearch index PATH --index {index_dir}`")
        if workers <= 1:
            warm(Path(index_dir))  # the first user's typo should not wait for the lookup index
        check_synonyms(synonyms, Path(index_dir))  # a bad synonyms file is a one-line error now, not on every query
    except (SearchError, IndexerError, OSError) as exc:
        print(f"vnsearch: {exc}", file=sys.stderr)
        sys.exit(1)
    plural = "es" if workers > 1 else ""
    print(f"vnsearch: serving {index_dir} at http://{host}:{port}/ ({workers} worker process{plural})", file=sys.stderr)
    if workers <= 1:
        uvicorn.run(create_app(Path(index_dir), synonyms), host=host, port=port, log_level="info")
        return
    os.environ[SERVE_INDEX_ENV] = str(Path(index_dir).resolve())
    os.environ[SERVE_SYNONYMS_ENV] = "0" if synonyms is False else ("" if synonyms is True else str(Path(synonyms).resolve()))
    # A worker answers uvicorn's health check only once it has imported the program and started
    # its pong thread: on a loaded machine that takes longer than uvicorn's 5 s, which then kills
    # and restarts the worker, again and again. A worker that hangs is noticed later instead.
    uvicorn.run("search.web:worker_app", factory=True, host=host, port=port, workers=workers, log_level="info",
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
