"""The graphs a push sends: every named graph of a build, serialized as sorted N-Triples so
the same graph always has the same bytes, and so the same SHA-256 (`--only-changed`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyoxigraph as ox

from graphbuild.store import GraphStore, canonical_ntriples

__all__ = ["graph_hashes", "graph_iris", "graph_ntriples"]


def graph_iris(store: GraphStore) -> list[str]:
    """The named graphs of the build, by IRI (the push order). A build writes nothing to the
    default graph; were something there, it is not pushed (a server's default graph is often
    the union of the others, so it cannot be replaced)."""
    return sorted(g.value for g in store.graphs() if isinstance(g, ox.NamedNode))


def graph_ntriples(store: GraphStore, iri: str) -> bytes:
    """One named graph as N-Triples, lines sorted (canonical: a build has no blank nodes)."""
    return canonical_ntriples(store.ox, iri)


def graph_hashes(store: GraphStore) -> Iterator[tuple[str, str]]:
    """(graph IRI, SHA-256 of its canonical N-Triples) for every named graph, in push order."""
    for iri in graph_iris(store):
        yield iri, hashlib.sha256(graph_ntriples(store, iri)).hexdigest()
