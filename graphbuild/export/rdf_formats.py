"""The store as standard RDF files: Turtle, N-Triples, RDF/XML (the merged graph) and
N-Quads, TriG, JSON-LD (the dataset, one named graph per trial).

Oxigraph serializes every one of these itself, so no second copy of the graph is built in
Python: the statements come out of the store sorted (so that two exports of the same graph
are byte-identical), a subject or a named graph at a time, and are handed to Oxigraph's
serializer as they arrive.

Triple formats get the union of all named graphs, each triple once; quad formats keep the
graph names, so `graphbuild build` of an N-Quads or TriG export gives back the same dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from graphbuild.export.atomic import atomic_file
from graphbuild.export.registry import register
from graphbuild.rdf.prefixes import PREFIXES
from graphbuild.store import GraphStore

__all__ = ["FORMATS", "RdfFormat", "sorted_quads", "sorted_triples", "write_rdf"]


class RdfFormat:
    """One RDF serialization: its Oxigraph format and whether it keeps named graphs."""

    def __init__(self, name: str, format: ox.RdfFormat, *, dataset: bool, prefixes: bool) -> None:
        self.name = name
        self.format = format
        self.dataset = dataset  # quads (named graphs kept) or the merged graph
        self.prefixes = prefixes  # whether the syntax has prefix declarations

    @property
    def suffix(self) -> str:
        return f".{self.format.file_extension}"


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", ox.RdfFormat.TURTLE, dataset=False, prefixes=True),
        RdfFormat("ntriples", ox.RdfFormat.N_TRIPLES, dataset=False, prefixes=False),
        RdfFormat("rdfxml", ox.RdfFormat.RDF_XML, dataset=False, prefixes=True),
        RdfFormat("nquads", ox.RdfFormat.N_QUADS, dataset=True, prefixes=False),
        RdfFormat("trig", ox.RdfFormat.TRIG, dataset=True, prefixes=True),
        RdfFormat("jsonld", ox.RdfFormat.JSON_LD, dataset=True, prefixes=False),
    )
}


def _key(term: object) -> str:
    return str(term)  # N-Triples form: a total order, and the order of sorted N-Triples lines


def sorted_triples(store: GraphStore) -> Iterator[ox.Triple]:
    """The merged graph (union of all graphs), each triple once, in N-Triples order.

    Sorted subject by subject: the subjects are listed and sorted (strings, a fraction of the
    graph), then each one's triples are fetched with an index lookup and sorted. Oxigraph's
    own ORDER BY over the whole graph is far slower (it decodes terms at every comparison)."""
    subjects = {q.subject for q in store.ox.quads_for_pattern(None, None, None, None)}
    for subject in sorted(subjects, key=_key):
        triples = {q.triple for q in store.ox.quads_for_pattern(subject, None, None, None)}
        yield from sorted(triples, key=lambda t: (_key(t.predicate), _key(t.object)))


def sorted_quads(store: GraphStore) -> Iterator[ox.Quad]:
    """Every quad: the default graph's first (graphbuild leaves it empty), then each named
    graph in IRI order, each sorted (one graph in memory at a time: a trial, the vocabulary)."""
    graphs: list[ox.DefaultGraph | ox.NamedNode | ox.BlankNode] = [ox.DefaultGraph()]
    graphs += sorted(store.ox.named_graphs(), key=_key)
    for graph in graphs:
        quads = store.ox.quads_for_pattern(None, None, None, graph)
        yield from sorted(quads, key=lambda q: (_key(q.subject), _key(q.predicate), _key(q.object)))


def write_rdf(store: GraphStore, path: Path, fmt: RdfFormat) -> None:
    """Serialize `store` in `fmt` to `path`, atomically."""
    statements = sorted_quads(store) if fmt.dataset else sorted_triples(store)
    prefixes = PREFIXES if fmt.prefixes else None
    with atomic_file(path) as handle:
        ox.serialize(statements, handle, fmt.format, prefixes=prefixes)


def _registered(fmt: RdfFormat, description: str) -> None:
    def write(store: GraphStore, path: Path) -> None:
        write_rdf(store, path, fmt)

    write.__name__ = f"write_{fmt.name}"
    write.__module__ = __name__
    register(fmt.name, description, suffix=fmt.suffix)(write)


_registered(FORMATS["turtle"], "Turtle, the merged graph (union of all named graphs)")
_registered(FORMATS["ntriples"], "N-Triples, the merged graph, one sorted triple a line")
_registered(FORMATS["rdfxml"], "RDF/XML, the merged graph")
_registered(FORMATS["nquads"], "N-Quads, the dataset: every named graph kept")
_registered(FORMATS["trig"], "TriG, the dataset: every named graph kept")
_registered(FORMATS["jsonld"], "JSON-LD (expanded), the dataset: every named graph kept")
