"""What every part of the reasoning step shares: the inferred graph's name, CURIEs for
messages, the errors, and `Rule` (a rule head with the SPARQL CONSTRUCT that derives it)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GB_IRI, GBR, INFERRED_GRAPH
from graphbuild.store import oxigraph_store  # noqa: F401 - re-exported by graphbuild.reason

TRIAL_GRAPH_PREFIX = str(GBR["graph/trial/"])
RDF_IRI = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"{RDF_IRI}type"
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))

_SHORT = {
    GB_IRI: "gb:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    RDF_IRI: "rdf:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://purl.obolibrary.org/obo/NCIT_": "NCIT:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/shacl#": "sh:",
}


class ReasoningError(Exception):
    """The ontology cannot be reasoned with (unsatisfiable class, inconsistent data, ...)."""


class UnsupportedAxiom(ReasoningError):
    """An axiom the SPARQL compiler cannot translate exactly; use engine='hermit' or extend
    the compiler (and the engine-agreement tests) before relying on it."""


def objects(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> set:
    """The objects of (`subject`, `predicate`) in any graph of `store`: one index lookup."""
    return {q.object for q in store.quads_for_pattern(subject, predicate, None, None)}


def short(iri: str) -> str:
    """A CURIE for messages and report keys (`gb:CARTTrial`)."""
    for base, prefix in _SHORT.items():
        if iri.startswith(base):
            return prefix + iri[len(base) :]
    return f"<{iri}>"


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule head and the SPARQL CONSTRUCT that derives it. `kind` is `class` (rdf:type of
    a defined class), `chain` or `transitive`; `reads` are the predicates its body reads and
    `types` the classes whose rdf:type assertions it reads."""

    name: str
    kind: str
    head: str
    sparql: str
    reads: frozenset[str]
    types: frozenset[str] = frozenset()


Triple = tuple[str, str, str]  # (subject IRI, predicate IRI, object IRI)
