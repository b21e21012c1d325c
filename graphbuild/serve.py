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

This module is the public entry point; the work is done in `graphbuild.endpoint`, one module
per concern (handler -> guard -> negotiation -> workers -> jobs, see its docstring). Import
from here.
"""

from __future__ import annotations

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
from graphbuild.endpoint.guard import UPDATE_KEYWORDS, check_query
from graphbuild.endpoint.handler import SparqlHandler
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
from graphbuild.endpoint.workers import WorkerPool

# Names this module has always offered from the stored-query side, kept importable here.
from graphbuild.sparql.errors import ParameterError, QueryError, UnknownQueryError
from graphbuild.sparql.tokenize import keywords, query_form, tokenize_sparql

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
    "TURTLE_PREFIXES",
    "UPDATE_KEYWORDS",
    "Answer",
    "Format",
    "Job",
    "ParameterError",
    "QueryError",
    "QueryTimeout",
    "Refused",
    "ServeConfig",
    "SparqlHandler",
    "SparqlServer",
    "StoreOpener",
    "UnknownQueryError",
    "WorkerPool",
    "check_query",
    "execute_job",
    "is_loopback",
    "keywords",
    "make_server",
    "negotiate",
    "parse_accept",
    "query_form",
    "result_kind",
    "tokenize_sparql",
]
