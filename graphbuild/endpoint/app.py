"""The HTTP side of the SPARQL 1.1 Protocol, as a Starlette application: reads the query (GET,
form POST or a `application/sparql-query` body), refuses what may not run (`guard`), negotiates
the format (`negotiation`) and hands the query to the worker pool's fair line (`workers`).
CORS (and the `OPTIONS` preflight) come from Starlette's middleware, so browser-based SPARQL
tools can use the endpoint. Every refusal is a plain-text answer with its status.

A result cut at the row cap says so three ways: the `X-Graphbuild-Truncated: true` and
`Warning: 199 graphbuild "..."` headers, a `Link: <.../limits>; rel="describedby"` header, and,
where the format has a place for it, in the body (JSON `head.link`, XML `<link>`, the HTML
page's notice). CSV and TSV have no such place, so the headers are all they get.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graphbuild.endpoint.config import MAX_BODY, ServeConfig
from graphbuild.endpoint.errors import QueryTimeout, Refused
from graphbuild.endpoint.guard import CheckedQuery, check_query
from graphbuild.endpoint.jobs import Answer, Job, text_answer
from graphbuild.endpoint.negotiation import negotiate, result_kind
from graphbuild.endpoint.pages import index_page, query_list
from graphbuild.endpoint.workers import WorkerPool
from graphbuild.sparql.binding import prepare
from graphbuild.sparql.catalog import get_query
from graphbuild.sparql.errors import ParameterError, QueryError, UnknownQueryError

# Every module logs as "graphbuild.serve", the name the endpoint has always logged under.
log = logging.getLogger("graphbuild.serve")

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
ALLOWED = "GET, POST"
EXPOSED_HEADERS = ["Link", "Warning", "X-Graphbuild-Truncated", "Retry-After"]
# Threads that wait on the pool for a request; more than the pool can run, so the fair line
# (not this limiter) decides who waits.
_REQUEST_THREADS = 256


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    answer = text_answer(status, message)
    return Response(answer.body, status, headers=headers, media_type=answer.content_type)


class SparqlApp:
    """The routes, bound to one server's settings and worker pool."""

    def __init__(self, config: ServeConfig, pool: WorkerPool, queries_directory: Path | None):
        self.config = config
        self.pool = pool
        self.queries_directory = queries_directory
        self.limiter = anyio.CapacityLimiter(_REQUEST_THREADS)

    def starlette(self) -> Starlette:
        routes = [
            Route("/", self.root, methods=["GET", "POST"]),
            Route("/sparql", self.sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/queries", self.queries, methods=["GET"]),
            Route("/queries/{name:path}", self.stored, methods=["GET"]),
            Route("/limits", self.limits, methods=["GET"]),
        ]
        middleware = [
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=EXPOSED_HEADERS,
                max_age=600,
            )
        ]
        return Starlette(
            routes=routes, middleware=middleware, exception_handlers={Exception: self.failed}
        )

    # -- routes ------------------------------------------------------------------------------

    async def root(self, request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            if "update" in request.query_params:
                return _text(403, "this endpoint is read-only: SPARQL Update is refused")
            page = index_page(self.config, self.queries_directory)
            return Response(page, media_type="text/html; charset=utf-8")
        return await self.sparql(request)

    async def sparql(self, request: Request) -> Response:
        try:
            if request.method == "GET":
                args = _multi(request.query_params.multi_items())
                if "update" in args:
                    raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
                return await self._run(request, _single(args, "query", required=True), args)
            if request.method != "POST":
                await _read_body(request)
                return _text(405, "this endpoint answers GET and POST only", {"Allow": ALLOWED})
            return await self._post(request)
        except Refused as exc:
            return _text(exc.status, exc.message)

    async def _post(self, request: Request) -> Response:
        args = _multi(request.query_params.multi_items())
        body = await _read_body(request)
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
            merged = {**args, **form}
            return await self._run(request, _single(merged, "query", required=True), merged)
        if media == "application/sparql-query":
            return await self._run(request, body.decode("utf-8", errors="replace"), args)
        raise Refused(
            415,
            "POST a query as application/x-www-form-urlencoded (query=...) "
            "or as application/sparql-query",
        )

    async def queries(self, request: Request) -> Response:
        items = query_list(self.queries_directory)
        return Response(json.dumps(items, indent=2), media_type="application/json")

    async def limits(self, request: Request) -> Response:
        """What a cut result's `Link` points at: the limits every answer is held to."""
        document = {
            "max_rows": self.config.max_rows,
            "timeout_seconds": self.config.timeout,
            "workers": self.config.workers,
            "note": "a result with more rows (or triples) than max_rows is cut to max_rows; "
            "the answer then carries X-Graphbuild-Truncated: true, a Warning header and a "
            "Link to this document (and, in SPARQL JSON / XML results, head.link)",
        }
        return Response(json.dumps(document, indent=2), media_type="application/json")

    async def stored(self, request: Request) -> Response:
        name = request.path_params["name"]
        args = _multi(request.query_params.multi_items())
        params = {k: v[-1] for k, v in args.items() if k != "format"}
        try:
            try:
                _info, text = prepare(get_query(name, self.queries_directory), params)
            except UnknownQueryError as exc:
                raise Refused(404, str(exc)) from None
            except (ParameterError, QueryError) as exc:
                raise Refused(400, str(exc)) from None
            return await self._run(request, text, {"format": args.get("format", [])})
        except Refused as exc:
            return _text(exc.status, exc.message)

    async def failed(self, request: Request, exc: Exception) -> Response:
        log.error("request failed: %s: %s", type(exc).__name__, exc)
        return _text(500, f"internal error: {type(exc).__name__}: {exc}")

    # -- running -----------------------------------------------------------------------------

    async def _run(
        self, request: Request, text: str | None, args: dict[str, list[str]]
    ) -> Response:
        if not text or not text.strip():
            raise Refused(400, "no query: pass query=... (SPARQL 1.1 Protocol)")
        checked: CheckedQuery = await anyio.to_thread.run_sync(
            check_query, text, limiter=self.limiter
        )
        fmt = negotiate(
            result_kind(checked.form), request.headers.get("accept"), args.get("format", [])
        )
        for key in ("default-graph-uri", "named-graph-uri"):
            for iri in args.get(key, []):
                if not _IRI.match(iri):
                    raise Refused(400, f"{key} is not an IRI: {iri!r}")
        link = str(request.url_for("limits"))
        job = Job(
            query=text,
            format=fmt.name,
            max_rows=self.config.max_rows,
            default_graphs=tuple(args.get("default-graph-uri", [])),
            named_graphs=tuple(args.get("named-graph-uri", [])),
            own_dataset=checked.has_dataset,
            cut_link=link,
        )
        client = request.client.host if request.client else ""
        try:
            answer: Answer = await anyio.to_thread.run_sync(
                self.pool.run, job, self.config.timeout, client, limiter=self.limiter
            )
        except QueryTimeout as exc:
            return _text(503, f"query timeout: {exc}", {"Retry-After": "1"})
        headers = {"Vary": "Accept"}
        if answer.truncated:
            headers["X-Graphbuild-Truncated"] = "true"
            headers["Warning"] = (
                f'199 graphbuild "result cut at {self.config.max_rows} rows; the query has more"'
            )
            headers["Link"] = f'<{link}>; rel="describedby"'
        return Response(answer.body, answer.status, headers=headers, media_type=answer.content_type)


async def _read_body(request: Request) -> bytes:
    """The request body, refused past MAX_BODY bytes (counted as it arrives)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Refused(413, f"the request body must be 0 to {MAX_BODY} bytes long")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"the request body must be 0 to {MAX_BODY} bytes long")
        chunks.append(chunk)
    return b"".join(chunks)


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def _single(args: dict[str, list[str]], key: str, *, required: bool = False) -> str | None:
    values = args.get(key, [])
    if len(set(values)) > 1:
        raise Refused(400, f"give {key} once, not {len(values)} different values")
    if not values:
        if required:
            raise Refused(400, f"no {key}: pass {key}=... (SPARQL 1.1 Protocol)")
        return None
    return values[0]
