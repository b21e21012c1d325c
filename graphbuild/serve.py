"""A read-only SPARQL 1.1 Protocol endpoint over a built graph.

    GET  /sparql?query=...                          (also GET /?query=...)
    POST /sparql  application/x-www-form-urlencoded  query=...
    POST /sparql  application/sparql-query           the query as the body
    GET  /queries                                   the stored queries (JSON)
    GET  /queries/NAME?param=value                  run a stored query
    GET  /                                          a page listing the stored queries

Results are negotiated on Accept (or `format=`): SPARQL results as JSON, XML, CSV or TSV;
CONSTRUCT / DESCRIBE graphs as Turtle, N-Triples, RDF/XML or JSON-LD. `default-graph-uri`
and `named-graph-uri` choose the dataset; without them the default graph is the union of
all graphs, as everywhere in graphbuild.

What keeps it safe to leave running:

* read-only: updates (form `update=`, `application/sparql-update`, or update keywords in a
  query) are refused with 403, and so are SERVICE (Oxigraph would fetch from other hosts)
  and LOAD, found by tokenizing the query outside strings, IRIs and comments;
* a time limit per query: pyoxigraph cannot interrupt a query from Python, so every query
  runs in a worker *process* holding the store open read-only; when the limit passes the
  request answers 503 and that worker is killed and replaced. A slow query occupies one
  worker; other clients' queries run on the others;
* a row cap (SELECT rows or CONSTRUCT triples), flagged by `X-Graphbuild-Truncated: true`;
* it listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import json
import logging
import multiprocessing
import queue
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox

from graphbuild import queries as stored
from graphbuild.queries import (
    ParameterError,
    QueryError,
    UnknownQueryError,
    keywords,
    query_form,
    tokenize_sparql,
)

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 4
MAX_BODY = 1 << 20  # a query larger than 1 MiB is not a query

StoreOpener = Callable[[], ox.Store]


class Refused(Exception):
    """A request the endpoint will not run, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(Exception):
    """The query did not finish within the time limit (its worker was killed)."""


# --------------------------------------------------------------------------------------------
# What may run
# --------------------------------------------------------------------------------------------

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_BARE_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)
_ABSOLUTE_IRI = re.compile(r"^<[A-Za-z][A-Za-z0-9+.-]*:")


def check_query(text: str) -> str:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) if this endpoint may run it;
    otherwise `Refused`. Keywords are read from tokens, so `"insert"` in a string literal or
    `ex:service` as a name is data, while the keyword itself is refused wherever it stands.
    A second, blunter look refuses SERVICE inside anything the tokenizer read as a relative
    IRI (`?a<?b)SERVICE<...`), in case Oxigraph reads those characters otherwise."""
    words = keywords(text)
    update = sorted(UPDATE_KEYWORDS.intersection(words))
    if "LOAD" in update:
        raise Refused(403, "LOAD is refused: this endpoint is read-only and fetches nothing")
    if update:
        raise Refused(
            403, f"this endpoint is read-only: SPARQL Update ({', '.join(update)}) is refused"
        )
    # `?a<?b)SERVICE<...` style text the tokenizer may take for a relative IRI
    odd_iris = [
        t.text for t in tokenize_sparql(text) if t.kind == "iri" and not _ABSOLUTE_IRI.match(t.text)
    ]
    if "SERVICE" in words or any(_BARE_SERVICE.search(iri) for iri in odd_iris):
        raise Refused(
            403, "SERVICE (federated query) is refused: this endpoint queries no other host"
        )
    form = query_form(text)
    if form is None:
        raise Refused(400, "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


# --------------------------------------------------------------------------------------------
# Content negotiation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    kind: str  # "results" (SELECT / ASK) or "graph" (CONSTRUCT / DESCRIBE)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", "results"),
        Format("xml", "application/sparql-results+xml", "results"),
        Format("csv", "text/csv", "results"),
        Format("tsv", "text/tab-separated-values", "results"),
        Format("turtle", "text/turtle", "graph"),
        Format("ntriples", "application/n-triples", "graph"),
        Format("rdfxml", "application/rdf+xml", "graph"),
        Format("jsonld", "application/ld+json", "graph"),
    )
}
DEFAULT_FORMAT = {"results": "json", "graph": "turtle"}
# Media types (and their common aliases) per kind of result, in order of preference.
MEDIA_TYPES: dict[str, dict[str, str]] = {
    "results": {
        "application/sparql-results+json": "json",
        "application/json": "json",
        "application/sparql-results+xml": "xml",
        "application/xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
        "text/xml": "xml",
    },
    "graph": {
        "text/turtle": "turtle",
        "application/x-turtle": "turtle",
        "application/n-triples": "ntriples",
        "text/plain": "ntriples",
        "application/rdf+xml": "rdfxml",
        "application/xml": "rdfxml",
        "application/ld+json": "jsonld",
        "application/json": "jsonld",
    },
}
FORMAT_ALIASES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "ttl": "turtle",
    "turtle": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "rdf/xml": "rdfxml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
}
# Prefixes for Turtle answers (declared here, not imported: workers stay light to start).
TURTLE_PREFIXES = {
    "gb": "https://w3id.org/graphbuild/vocab#",
    "gbr": "https://w3id.org/graphbuild/id/",
    "hgnc": "https://identifiers.org/hgnc:",
    "mesh": "http://id.nlm.nih.gov/mesh/",
    "obo": "http://purl.obolibrary.org/obo/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def parse_accept(header: str | None) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped; ties keep their order)."""
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, position, media))
    return [media for _q, _pos, media in sorted(ranges)]


def negotiate(kind: str, accept: str | None, format_param: str | None = None) -> Format:
    """The format to answer in: `format=` first, then Accept, else the kind's default."""
    table = MEDIA_TYPES[kind]
    if format_param:
        name = FORMAT_ALIASES.get(format_param.strip().lower())
        if name is None:
            name = table.get(format_param.strip().lower())
        if name is None or FORMATS[name].kind != kind:
            offered = ", ".join(n for n, f in FORMATS.items() if f.kind == kind)
            raise Refused(
                406, f"format={format_param} is not offered for this query; use {offered}"
            )
        return FORMATS[name]
    ranges = parse_accept(accept)
    if not ranges:
        return FORMATS[DEFAULT_FORMAT[kind]]
    for media in ranges:
        if media in table:
            return FORMATS[table[media]]
        if media == "*/*":
            return FORMATS[DEFAULT_FORMAT[kind]]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate, name in table.items():
                if candidate.startswith(major):
                    return FORMATS[name]
    offered = ", ".join(sorted(set(table)))
    raise Refused(406, f"none of the accepted types can carry this result; offered: {offered}")


def result_kind(form: str) -> str:
    return "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"


# --------------------------------------------------------------------------------------------
# Running one query (inside a worker process)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    query: str
    format: str  # a key of FORMATS
    max_rows: int = DEFAULT_MAX_ROWS
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def _text_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def _content_type(fmt: Format) -> str:
    return f"{fmt.media_type}; charset=utf-8"


def execute_job(store: ox.Store, job: Job) -> Answer:
    """Run one query on `store` and serialize its answer, at most `job.max_rows` rows."""
    options: dict[str, object] = {}
    if job.default_graphs or job.named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    else:
        options["use_default_graph_as_union"] = True
    try:
        results = store.query(job.query, **options)
    except SyntaxError as exc:
        return _text_answer(400, f"SPARQL syntax error: {exc}")
    except ValueError as exc:
        return _text_answer(400, f"cannot run the query: {exc}")
    fmt = FORMATS[job.format]
    if isinstance(results, ox.QueryTriples):
        if fmt.kind != "graph":
            fmt = FORMATS[DEFAULT_FORMAT["graph"]]
        triples = list(islice(results, job.max_rows + 1))
        truncated = len(triples) > job.max_rows
        rdf_format = _RDF_FORMATS[fmt.name]
        prefixes = TURTLE_PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
        body = ox.serialize(triples[: job.max_rows], format=rdf_format, prefixes=prefixes) or b""
        return Answer(200, _content_type(fmt), body, truncated)
    if fmt.kind != "results":
        fmt = FORMATS[DEFAULT_FORMAT["results"]]
    if isinstance(results, ox.QueryBoolean):
        value = bool(results)
        text = {
            "json": lambda: stored.boolean_json(value),
            "xml": lambda: stored.boolean_xml(value),
            "csv": lambda: "_askResult\r\n" + ("true" if value else "false") + "\r\n",
            "tsv": lambda: "?_askResult\n" + ("true" if value else "false") + "\n",
        }[fmt.name]()
        return Answer(200, _content_type(fmt), text.encode("utf-8"))
    columns = [v.value for v in results.variables]
    rows = [tuple(s[c] for c in columns) for s in islice(results, job.max_rows + 1)]
    truncated = len(rows) > job.max_rows
    rows = rows[: job.max_rows]
    writer = {
        "json": stored.results_json,
        "xml": stored.results_xml,
        "csv": stored.results_csv,
        "tsv": stored.results_tsv,
    }[fmt.name]
    return Answer(200, _content_type(fmt), writer(columns, rows).encode("utf-8"), truncated)


def _worker_main(conn: Connection, opener: StoreOpener) -> None:
    """A worker process: open the store once, then answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store = opener()
    except BaseException as exc:  # noqa: BLE001 - reported to the pool, which raises it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            answer = execute_job(store, job)
        except Exception as exc:  # noqa: BLE001 - this query's failure, not the worker's
            answer = _text_answer(500, f"the query failed: {type(exc).__name__}: {exc}")
        conn.send(answer)


# --------------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class WorkerPool:
    """Processes that each hold the store open and run one query at a time. A query past its
    time limit is abandoned by killing its process; a fresh one replaces it in the background."""

    def __init__(
        self, opener: StoreOpener, size: int = DEFAULT_WORKERS, *, start_timeout: float = 300.0
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self._opener = opener
        self._start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(size)]
        try:
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self._opener), name="graphbuild-sparql", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(self._start_timeout):
            self._discard(worker)
            raise RuntimeError(
                f"a query worker did not open the store within {self._start_timeout:g} s"
            )
        try:
            status, detail = worker.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", "the worker exited"
        if status != "ready":
            self._discard(worker)
            raise RuntimeError(f"a query worker could not open the store: {detail}")
        if self._closed:
            self._discard(worker)
            return
        self._idle.put(worker)

    def _replace(self) -> None:
        def start() -> None:
            if self._closed:
                return
            try:
                self._await_ready(self._start())
            except Exception as exc:  # noqa: BLE001 - logged; the pool runs on one short
                log.error("could not replace a query worker: %s", exc)

        threading.Thread(target=start, name="graphbuild-sparql-respawn", daemon=True).start()

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def run(self, job: Job, timeout: float) -> Answer:
        """The answer to `job`, or QueryTimeout when it takes more than `timeout` seconds
        (waiting for a free worker included)."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {timeout:g} s") from None
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError) as exc:
            self._discard(worker)
            self._replace()
            raise RuntimeError(f"the query worker stopped: {exc}") from None
        self._discard(worker)  # still running; nothing short of killing it stops the query
        self._replace()
        raise QueryTimeout(f"the query took longer than the limit of {timeout:g} s")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.process.join(timeout=2)
            self._discard(worker)


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServeConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    workers: int = DEFAULT_WORKERS


class SparqlServer(ThreadingHTTPServer):
    """One thread per connection; queries go to the worker pool."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, config: ServeConfig, pool: WorkerPool, queries_directory: Path | None = None
    ) -> None:
        self.config = config
        self.pool = pool
        self.queries_directory = queries_directory
        super().__init__((config.host, config.port), SparqlHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def close(self) -> None:
        """Stop serving (when serve_forever runs in another thread), release the port and
        stop the workers."""
        self.shutdown()
        self.server_close()
        self.pool.close()


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
            self._send(200, _index_page(self.server).encode("utf-8"), "text/html; charset=utf-8")
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
            _info, text = stored.prepare(
                stored.get_query(name, self.server.queries_directory), params
            )
        except UnknownQueryError as exc:
            raise Refused(404, str(exc)) from None
        except (ParameterError, QueryError) as exc:
            raise Refused(400, str(exc)) from None
        self._run(text, {"format": args.get("format", [])}, checked=check_query(text))

    def _send_json_list(self) -> None:
        items = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "required": p.required,
                        "default": p.default,
                        "description": p.description,
                    }
                    for p in q.params
                ],
                "url": f"/queries/{q.name}",
            }
            for q in stored.list_queries(self.server.queries_directory)
        ]
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
        answer = _text_answer(status, message)
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


def _index_page(server: SparqlServer) -> str:
    """The stored queries, each a link, and a box to type SPARQL into."""
    esc = html.escape
    items = []
    for q in stored.list_queries(server.queries_directory):
        params = "".join(
            f"<li><code>{esc(p.name)}</code> ({esc(p.type)}"
            f"{', default ' + esc(p.default) if p.default is not None else ''}"
            f"{', required' if p.required else ''}) {esc(p.description)}</li>"
            for p in q.params
        )
        link = f"/queries/{quote(q.name)}"
        formats = " ".join(
            f'<a href="{link}?format={f}">{f}</a>' for f in ("json", "csv", "tsv", "xml")
        )
        items.append(
            f"<li><b>{esc(q.title)}</b> — <code>{esc(q.name)}</code> [{formats}]"
            f"<br>{esc(q.description)}{'<ul>' + params + '</ul>' if params else ''}</li>"
        )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>graphbuild SPARQL endpoint</title></head>
<body>
<h1>graphbuild SPARQL endpoint</h1>
<p>SPARQL 1.1 Protocol at <code>/sparql</code> (GET <code>?query=</code>, or POST), read-only,
{server.config.timeout:g} s per query, at most {server.config.max_rows} rows.
Stored queries take parameters as <code>/queries/NAME?param=value</code>.</p>
<form method="post" action="/sparql">
<textarea name="query" rows="8" cols="90">PREFIX gb: &lt;https://w3id.org/graphbuild/vocab#&gt;
SELECT ?trial_id WHERE {{ ?trial gb:trialId ?trial_id }} LIMIT 20</textarea><br>
<button>Run</button> (results by content negotiation; add <code>format=csv</code>, <code>tsv</code>,
<code>json</code> or <code>xml</code> to choose)
</form>
<h2>Stored queries</h2>
<ul>{"".join(items)}</ul>
</body></html>
"""


# --------------------------------------------------------------------------------------------
# Starting
# --------------------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(
    graph: str | Path | None = None,
    config: ServeConfig = ServeConfig(),
    *,
    opener: StoreOpener | None = None,
    queries_directory: Path | None = None,
) -> SparqlServer:
    """A server, bound and with its workers up, not yet serving (call `serve_forever`, in a
    thread if need be, and `close` when done). The store comes from `graph` (a build folder
    or an RDF dataset file, see `queries.open_graph`) or from `opener`, a picklable callable
    each worker process calls once."""
    if opener is None:
        if graph is None:
            raise ValueError("give a graph folder or an opener")
        opener = functools.partial(stored.open_graph, Path(graph))
    pool = WorkerPool(opener, config.workers)
    try:
        return SparqlServer(config, pool, queries_directory)
    except BaseException:
        pool.close()
        raise
