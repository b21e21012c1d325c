"""One query as a worker process runs it: a `Job` in (picklable, so it crosses to the worker),
an `Answer` out (status, content type, serialized body, whether rows were cut at the cap).

Every SPARQL results format (JSON, XML, CSV, TSV) and every RDF format is written by
pyoxigraph's own serializers. To cut a SELECT at the row cap without reading its rows into
Python, pyoxigraph writes the solutions as SPARQL TSV (one line per row, line breaks in values
escaped) into a sink that counts lines and stops the evaluation once it holds the header and
one row more than the cap (`capped_tsv`); pyoxigraph then reads those lines back and writes
them in the asked format. No row is written by hand here, and none becomes a Python object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from graphbuild.endpoint.config import DEFAULT_MAX_ROWS
from graphbuild.endpoint.negotiation import DEFAULT_FORMAT, FORMATS, Format

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
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "graph-html": ox.RdfFormat.TURTLE,
}
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
_RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass(frozen=True, slots=True)
class Job:
    """One query for a worker: plain data, so it pickles across the process boundary."""

    query: str
    format: str  # a key of FORMATS
    max_rows: int = DEFAULT_MAX_ROWS
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    own_dataset: bool = False  # the query says FROM / FROM NAMED: let Oxigraph honour them
    cut_link: str = ""  # where a cut result points (JSON / XML `link`), see `app`


@dataclass(frozen=True, slots=True)
class Answer:
    """What the app sends back, already serialized, so the worker does the heavy part."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def text_answer(status: int, message: str) -> Answer:
    """A plain-text answer: how every refusal and failure reads to a client."""
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def _content_type(fmt: Format) -> str:
    return f"{fmt.media_type}; charset=utf-8"


def dataset_options(job: Job) -> dict[str, object]:
    """How the store is asked, in the Protocol's order of precedence: `default-graph-uri` /
    `named-graph-uri` first, then the query's own FROM / FROM NAMED (Oxigraph honours them
    when no other default graph is set), else graphbuild's default: the union of all graphs."""
    if job.default_graphs or job.named_graphs:
        options: dict[str, object] = {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs]
        }
        if job.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        return options
    if job.own_dataset:
        return {}
    return {"use_default_graph_as_union": True}


class _Full(Exception):
    """The sink holds as many lines as asked: stop the serializer (and with it the query)."""


class _LineSink:
    """A binary file for pyoxigraph's serializer that keeps at most `limit` lines and raises
    `_Full` at the first byte past them (the serializer writes in chunks of a few KiB)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.lines = limit, 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        count = data.count(b"\n")
        whole = self.lines + count < self.limit or (
            self.lines + count == self.limit and data.endswith(b"\n")
        )
        if whole:  # every line of it is wanted
            self.chunks.append(bytes(data))
            self.lines += count
            return len(data)
        end = -1
        for _ in range(self.limit - self.lines):  # keep up to the end of the last line wanted
            end = data.index(b"\n", end + 1)
        self.chunks.append(bytes(data[: end + 1]))
        self.lines = self.limit
        raise _Full

    def flush(self) -> None:
        pass


def capped_tsv(results: ox.QuerySolutions, max_rows: int) -> tuple[bytes, bool]:
    """At most `max_rows` solutions as SPARQL TSV (header line first), written by pyoxigraph
    as the engine yields them, and whether any were cut."""
    sink = _LineSink(max_rows + 1)  # the header, then the rows
    try:
        results.serialize(sink, ox.QueryResultsFormat.TSV)
    except _Full:
        return b"".join(sink.chunks), True
    return b"".join(sink.chunks), False


def capped_solutions(results: ox.QuerySolutions, max_rows: int) -> tuple[ox.QuerySolutions, bool]:
    """At most `max_rows` solutions as pyoxigraph solutions again, and whether any were cut."""
    body, truncated = capped_tsv(results, max_rows)
    solutions = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions, truncated


def with_link(body: bytes, fmt: str, link: str) -> bytes:
    """A results document with a `link` in its head (JSON `head.link`, XML `<link href>`):
    the place the SPARQL results formats give for metadata about the result."""
    if not link:
        return body
    if fmt == "json":
        document = json.loads(body)
        document["head"]["link"] = [*document["head"].get("link", []), link]
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        from xml.sax.saxutils import quoteattr

        return body.replace(b"</head>", f"<link href={quoteattr(link)}/></head>".encode(), 1)
    return body


def execute_job(store: ox.Store, job: Job) -> Answer:
    """Run one query on `store` and serialize its answer, at most `job.max_rows` rows."""
    try:
        results = store.query(job.query, **dataset_options(job))
    except SyntaxError as exc:
        return text_answer(400, f"SPARQL syntax error: {exc}")
    except ValueError as exc:
        return text_answer(400, f"cannot run the query: {exc}")
    fmt = FORMATS[job.format]
    if isinstance(results, ox.QueryTriples):
        if fmt.kind != "graph":
            fmt = FORMATS[DEFAULT_FORMAT["graph"]]
        triples = list(islice(results, job.max_rows + 1))
        truncated = len(triples) > job.max_rows
        rdf_format = _RDF_FORMATS[fmt.name]
        statements: list[ox.Triple] | list[ox.Quad] = triples[: job.max_rows]
        if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            statements = [
                ox.Quad(t.subject, t.predicate, t.object) for t in triples[: job.max_rows]
            ]
        prefixes = TURTLE_PREFIXES if rdf_format in _PREFIXED else None
        body = ox.serialize(statements, format=rdf_format, prefixes=prefixes) or b""
        if fmt.name == "graph-html":
            from graphbuild.endpoint.pages import graph_page

            body = graph_page(body.decode("utf-8"), truncated, job.max_rows).encode("utf-8")
        return Answer(200, _content_type(fmt), body, truncated)
    if fmt.kind != "results":
        fmt = FORMATS[DEFAULT_FORMAT["results"]]
    if isinstance(results, ox.QueryBoolean):
        if fmt.name == "html":
            from graphbuild.endpoint.pages import boolean_page

            return Answer(200, _content_type(fmt), boolean_page(bool(results)).encode("utf-8"))
        return Answer(200, _content_type(fmt), results.serialize(format=_RESULTS_FORMATS[fmt.name]))
    solutions, truncated = capped_solutions(results, job.max_rows)
    if fmt.name == "html":
        from graphbuild.endpoint.pages import results_page

        page = results_page(solutions, truncated, job.max_rows)
        return Answer(200, _content_type(fmt), page.encode("utf-8"), truncated)
    body = solutions.serialize(format=_RESULTS_FORMATS[fmt.name]) or b""
    if truncated:
        body = with_link(body, fmt.name, job.cut_link)
    return Answer(200, _content_type(fmt), body, truncated)
