"""The namespace IRIs of the graph as plain strings, and the prefixes written with it.

Kept apart from `graphbuild.rdf.namespaces` (which builds rdflib `Namespace` objects) so that
the store and a query (`graphbuild query`, the endpoint's workers) need no rdflib: importing
rdflib costs ~0.17 s, more than the rest of a query's start.
"""

from __future__ import annotations

GB_IRI = "https://w3id.org/graphbuild/vocab#"
GBR_IRI = "https://w3id.org/graphbuild/id/"
HGNC_IRI = "https://identifiers.org/hgnc:"
MESH_IRI = "http://id.nlm.nih.gov/mesh/"
OBO_IRI = "http://purl.obolibrary.org/obo/"
CTGOV_IRI = "https://clinicaltrials.gov/study/"

# Prefixes for Turtle / TriG output and for SPARQL the project writes.
PREFIXES: dict[str, str] = {
    "gb": GB_IRI,
    "gbr": GBR_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "spdx": "http://spdx.org/rdf/terms#",
    "hgnc": HGNC_IRI,
    "mesh": MESH_IRI,
    "obo": OBO_IRI,
    "ctgov": CTGOV_IRI,
}
