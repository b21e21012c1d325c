"""The HTTP side of the SPARQL 1.1 Protocol: routes each request, reads the query (GET, form
POST or a `application/sparql-query` body), refuses what may not run, negotiates the format,
and hands the query to the worker pool. Every refusal becomes a plain-text answer with its
status; nothing a client sends can reach the store except through the pool."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from graphbuild.endpoint.config import MAX_BODY
from graphbuild.endpoint.errors import QueryTimeout, Refused
from graphbuild.endpoint.guard import check_query
from graphbuild.endpoint.jobs import Job, text_answer
from graphbuild.endpoint.negotiation import negotiate, result_kind
from graphbuild.endpoint.pages import index_page, query_list
from graphbuild.sparql.binding import prepare
from graphbuild.sparql.catalog import get_query
from graphbuild.sparql.errors import ParameterError, QueryError, UnknownQueryError

if TYPE_CHECKING:
    from graphbuild.endpoint.server import SparqlServer

# Every module logs as "graphbuild.serve", the name the endpoint has always logged under.
log = logging.getLogger("graphbuild.serve")


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "graphbuild-sparql/0.1"
    protocol_version = "HTTP/1.1"

    # -- routing -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch(self._get)

    def do_POST(self) -> None:
        self._dispatch(self._post)

    def do_PUT(self) -> None:
        self._dispatch(self._not_allowed)

    do_DELETE = do_PATCH = do_PUT

    def _not_allowed(self) -> None:
        self._read_body()  # a body left unread would be taken for the next request
        self._send_text(405, "this endpoint answers GET and POST only", {"Allow": "GET, POST"})

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # cannot skip what we will not read: hang up after
            raise Refused(413, f"the request body must be 0 to {MAX_BODY} bytes long")
        return self.rfile.read(length) if length else b""

    def _dispatch(self, handler: Callable[[], None]) -> None:
        try:
            handler()
        except Refused as exc:
            self._send_text(exc.status, exc.message)
        except QueryTimeout as exc:
            self._send_text(503, f"query timeout: {exc}", {"Retry-After": "1"})
        except Exception as exc:  # the client gets a 500, the log gets the trace
            log.exception("request failed")
            self._send_text(500, f"internal error: {type(exc).__name__}: {exc}")

    def _get(self) -> None:
        url = urlsplit(self.path)
        args = parse_qs(url.query, keep_blank_values=True)
        path = url.path.rstrip("/") or "/"
        if "update" in args:
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
        if path == "/" and "query" not in args:
            self._send(
                200,
                index_page(self.server.config, self.server.queries_directory).encode("utf-8"),
                "text/html; charset=utf-8",
            )
        elif path in ("/", "/sparql"):
            self._run(_single(args, "query", required=True), args)
        elif path == "/queries":
            self._send_json_list()
        elif path.startswith("/queries/"):
            self._run_stored(path[len("/queries/") :], args)
        else:
            raise Refused(404, f"nothing at {url.path}; try / or /sparql?query=...")

    def _post(self) -> None:
        url = urlsplit(self.path)
        args = parse_qs(url.query, keep_blank_values=True)
        body = self._read_body()
        if url.path.rstrip("/") not in ("", "/sparql"):
            raise Refused(404, f"nothing to POST to at {url.path}; use /sparql")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
            merged = {**args, **form}
            self._run(_single(merged, "query", required=True), merged)
        elif media == "application/sparql-query":
            self._run(body.decode("utf-8", errors="replace"), args)
        else:
            raise Refused(
                415,
                "POST a query as application/x-www-form-urlencoded (query=...) "
                "or as application/sparql-query",
            )

    # -- running -----------------------------------------------------------------------------

    def _run(
        self, text: str | None, args: dict[str, list[str]], *, checked: str | None = None
    ) -> None:
        if not text or not text.strip():
            raise Refused(400, "no query: pass query=... (SPARQL 1.1 Protocol)")
        form = checked or check_query(text)
        fmt = negotiate(result_kind(form), self.headers.get("Accept"), _single(args, "format"))
        for key in ("default-graph-uri", "named-graph-uri"):
            for iri in args.get(key, []):
                if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", iri):
                    raise Refused(400, f"{key} is not an IRI: {iri!r}")
        config = self.server.config
        job = Job(
            query=text,
            format=fmt.name,
            max_rows=config.max_rows,
            default_graphs=tuple(args.get("default-graph-uri", [])),
            named_graphs=tuple(args.get("named-graph-uri", [])),
        )
        answer = self.server.pool.run(job, config.timeout)
        headers = {"X-Graphbuild-Truncated": "true"} if answer.truncated else {}
        self._send(answer.status, answer.body, answer.content_type, headers)

    def _run_stored(self, name: str, args: dict[str, list[str]]) -> None:
        params = {k: v[-1] for k, v in args.items() if k != "format"}
        try:
            _info, text = prepare(get_query(name, self.server.queries_directory), params)
        except UnknownQueryError as exc:
            raise Refused(404, str(exc)) from None
        except (ParameterError, QueryError) as exc:
            raise Refused(400, str(exc)) from None
        self._run(text, {"format": args.get("format", [])}, checked=check_query(text))

    def _send_json_list(self) -> None:
        items = query_list(self.server.queries_directory)
        self._send(200, json.dumps(items, indent=2).encode("utf-8"), "application/json")

    # -- responses ---------------------------------------------------------------------------

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        if self.close_connection:
            self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_text(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        answer = text_answer(status, message)
        self._send(status, answer.body, answer.content_type, headers)

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


def _single(args: dict[str, list[str]], key: str, *, required: bool = False) -> str | None:
    values = args.get(key, [])
    if len(values) > 1:
        raise Refused(400, f"give {key} once, not {len(values)} times")
    if not values:
        if required:
            raise Refused(400, f"no {key}: pass {key}=... (SPARQL 1.1 Protocol)")
        return None
    return values[0]
