"""One query as a worker process runs it: a `Job` in (picklable, so it crosses to the worker),
an `Answer` out (status, content type, serialized body, whether rows were cut at the cap).
SPARQL results are written by `graphbuild.sparql.results`, the same code `graphbuild query`
uses; graphs by pyoxigraph."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from graphbuild.endpoint.config import DEFAULT_MAX_ROWS
from graphbuild.endpoint.negotiation import DEFAULT_FORMAT, FORMATS, Format
from graphbuild.sparql import results as serialize

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


@dataclass(frozen=True, slots=True)
class Job:
    """One query for a worker: plain data, so it pickles across the process boundary."""

    query: str
    format: str  # a key of FORMATS
    max_rows: int = DEFAULT_MAX_ROWS
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """What the handler sends back, already serialized, so the worker does the heavy part."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def text_answer(status: int, message: str) -> Answer:
    """A plain-text answer: how every refusal and failure reads to a client."""
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
        prefixes = TURTLE_PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
        body = ox.serialize(triples[: job.max_rows], format=rdf_format, prefixes=prefixes) or b""
        return Answer(200, _content_type(fmt), body, truncated)
    if fmt.kind != "results":
        fmt = FORMATS[DEFAULT_FORMAT["results"]]
    if isinstance(results, ox.QueryBoolean):
        value = bool(results)
        text = {
            "json": lambda: serialize.boolean_json(value),
            "xml": lambda: serialize.boolean_xml(value),
            "csv": lambda: "_askResult\r\n" + ("true" if value else "false") + "\r\n",
            "tsv": lambda: "?_askResult\n" + ("true" if value else "false") + "\n",
        }[fmt.name]()
        return Answer(200, _content_type(fmt), text.encode("utf-8"))
    columns = [v.value for v in results.variables]
    rows = [tuple(s[c] for c in columns) for s in islice(results, job.max_rows + 1)]
    truncated = len(rows) > job.max_rows
    rows = rows[: job.max_rows]
    writer = {
        "json": serialize.results_json,
        "xml": serialize.results_xml,
        "csv": serialize.results_csv,
        "tsv": serialize.results_tsv,
    }[fmt.name]
    return Answer(200, _content_type(fmt), writer(columns, rows).encode("utf-8"), truncated)
