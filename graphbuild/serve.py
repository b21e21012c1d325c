"""A read-only SPARQL 1.1 Protocol endpoint over a built graph.

    GET  /sparql?query=...                          (also GET /?query=...)
    POST /sparql  application/x-www-form-urlencoded  query=...
    POST /sparql  application/sparql-query           the query as the body
    GET  /queries                                   the stored queries (JSON)
    GET  /queries/NAME?param=value                  run a stored query
    GET  /                                          a page listing the stored queries

Results are negotiated on Accept (or `format=`, short names or media types, repeats allowed
when they agree): SPARQL results as JSON, XML, CSV, TSV or an HTML page; CONSTRUCT / DESCRIBE
graphs as Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD. `default-graph-uri` and
`named-graph-uri` choose the dataset; else the query's own FROM / FROM NAMED; else the default
graph is the union of all graphs, as everywhere in graphbuild.

What keeps it safe to leave running:

* read-only and local: updates (form `update=`, `application/sparql-update`, or an update as
  the query) are refused with 403, and so is LOAD; a SERVICE clause anywhere in the *parsed*
  query (never a text search) is refused with 400, and so is any query the parser cannot
  read; where Linux allows it the worker processes also run without any network;
* a time limit per query: pyoxigraph cannot interrupt a query from Python, so every query
  runs in a worker *process* holding the store open read-only; when the limit passes the
  request answers 503 and that worker is killed and replaced;
* fair under load: one line per client served in turn, and slow queries (past 0.25 s) may
  hold half the workers; more slow ones are paused in line (see `endpoint.workers`);
* a row cap (SELECT rows or CONSTRUCT triples), said in the `X-Graphbuild-Truncated`,
  `Warning` and `Link` headers and, in JSON / XML results, in `head.link`;
* CORS for browser-based SPARQL tools; it listens on 127.0.0.1 unless told otherwise.

This module is the public entry point; the work is done in `graphbuild.endpoint`, one module
per concern (app -> guard -> negotiation -> workers -> jobs, see its docstring). Import
from here.
"""

from __future__ import annotations

from graphbuild.endpoint.app import SparqlApp
from graphbuild.endpoint.config import (
    DEFAULT_HOST,
    DEFAULT_MAX_ROWS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    MAX_BODY,
    ServeConfig,
    StoreOpener,
)
from graphbuild.endpoint.errors import QueryTimeout, Refused
from graphbuild.endpoint.guard import SERVICE_REFUSED, CheckedQuery, check_query
from graphbuild.endpoint.jobs import TURTLE_PREFIXES, Answer, Job, execute_job
from graphbuild.endpoint.negotiation import (
    DEFAULT_FORMAT,
    FORMAT_ALIASES,
    FORMATS,
    MEDIA_TYPES,
    Format,
    negotiate,
    parse_accept,
    result_kind,
)
from graphbuild.endpoint.server import SparqlServer, is_loopback, make_server
from graphbuild.endpoint.workers import PoolStats, WorkerPool

# Names this module has always offered from the stored-query side, kept importable here.
from graphbuild.sparql.errors import ParameterError, QueryError, UnknownQueryError

__all__ = [
    "DEFAULT_FORMAT",
    "DEFAULT_HOST",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WORKERS",
    "FORMATS",
    "FORMAT_ALIASES",
    "MAX_BODY",
    "MEDIA_TYPES",
    "SERVICE_REFUSED",
    "TURTLE_PREFIXES",
    "Answer",
    "CheckedQuery",
    "Format",
    "Job",
    "ParameterError",
    "PoolStats",
    "QueryError",
    "QueryTimeout",
    "Refused",
    "ServeConfig",
    "SparqlApp",
    "SparqlServer",
    "StoreOpener",
    "UnknownQueryError",
    "WorkerPool",
    "check_query",
    "execute_job",
    "is_loopback",
    "make_server",
    "negotiate",
    "parse_accept",
    "result_kind",
]
