"""Content negotiation: which format answers a request, from `format=` or the Accept header,
given the kind of result (SELECT / ASK results, or a CONSTRUCT / DESCRIBE graph). Refusals
are 406 with the formats on offer."""

from __future__ import annotations

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
