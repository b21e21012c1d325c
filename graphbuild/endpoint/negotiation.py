"""Content negotiation: which format answers a request, from `format=` or the Accept header,
given the kind of result (SELECT / ASK results, or a CONSTRUCT / DESCRIBE graph).

Clients name formats in many ways, so `format=` takes a short name (`json`, `ttl`, `rdfxml`,
...), a media type, or a comma-separated list of those; a short name may mean different things
for the two kinds (`xml` is SPARQL results XML for a SELECT, RDF/XML for a CONSTRUCT, as
SPARQLWrapper and Virtuoso read it). Repeated `format` values are accepted when they all name
the same format (SPARQLWrapper sends `format=tsv&format=text/tab-separated-values`). Refusals are
406 with the formats on offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphbuild.endpoint.errors import Refused


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
        Format("html", "text/html", "results"),  # the web form's page (not negotiated by */*)
        Format("turtle", "text/turtle", "graph"),
        Format("ntriples", "application/n-triples", "graph"),
        Format("nquads", "application/n-quads", "graph"),
        Format("trig", "application/trig", "graph"),
        Format("rdfxml", "application/rdf+xml", "graph"),
        Format("jsonld", "application/ld+json", "graph"),
        Format("graph-html", "text/html", "graph"),
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
        "text/html": "html",
    },
    "graph": {
        "text/turtle": "turtle",
        "application/turtle": "turtle",
        "application/x-turtle": "turtle",
        "text/n3": "turtle",  # Turtle is N3 without its extensions
        "application/n-triples": "ntriples",
        "text/plain": "ntriples",
        "application/n-quads": "nquads",
        "application/trig": "trig",
        "application/rdf+xml": "rdfxml",
        "application/xml": "rdfxml",
        "text/xml": "rdfxml",
        "application/ld+json": "jsonld",
        "application/x-json+ld": "jsonld",
        "application/json": "jsonld",
        "text/html": "graph-html",
    },
}
# Short names for `format=` as clients send them: one target per kind (results, graph).
FORMAT_ALIASES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "sparql-results+json": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "sparql-results+xml": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "html": ("html", "graph-html"),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "nq": (None, "nquads"),
    "nquads": (None, "nquads"),
    "n-quads": (None, "nquads"),
    "trig": (None, "trig"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "rdf/xml": (None, "rdfxml"),
    "owl": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
}
_KIND_INDEX = {"results": 0, "graph": 1}


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


def _offered(kind: str) -> str:
    return ", ".join(n for n, f in FORMATS.items() if f.kind == kind and n != "graph-html")


def format_from_param(kind: str, value: str) -> Format | None:
    """The format one `format=` value names for this kind: a short name, a media type, or the
    first of a comma-separated list of those that fits; None when none does."""
    for item in value.split(","):
        key = item.split(";")[0].strip().lower()
        if not key:
            continue
        alias = FORMAT_ALIASES.get(key)
        name = alias[_KIND_INDEX[kind]] if alias else MEDIA_TYPES[kind].get(key)
        if name is not None:
            return FORMATS[name]
    return None


def negotiate(kind: str, accept: str | None, format_params: Sequence[str] = ()) -> Format:
    """The format to answer in: `format=` first (every value must name the same format), then
    Accept, else the kind's default. `text/html` is only chosen when asked for by name or
    ranked above every other type the endpoint offers (a browser), never for `*/*`."""
    given = [v for v in format_params if v.strip()]
    if given:
        chosen = {v: format_from_param(kind, v) for v in given}
        unknown = [v for v, f in chosen.items() if f is None]
        if unknown:
            raise Refused(
                406, f"format={unknown[0]} is not offered for this query; use {_offered(kind)}"
            )
        names = {f.name for f in chosen.values() if f is not None}
        if len(names) > 1:
            raise Refused(
                400, f"format is given {len(given)} times naming different formats: {given}"
            )
        return FORMATS[names.pop()]
    table = MEDIA_TYPES[kind]
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
                if candidate.startswith(major) and candidate != "text/html":
                    return FORMATS[name]
    offered = ", ".join(sorted(set(table)))
    raise Refused(406, f"none of the accepted types can carry this result; offered: {offered}")


def result_kind(form: str) -> str:
    return "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
