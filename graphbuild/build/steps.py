"""Store-level steps shared by a build and a re-ingest: the vocabulary graph rebuilt from what
the trial graphs reference, the inferred graph, validation, and the counts the report gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GBR_IRI, INFERRED_GRAPH, VOCABULARY_GRAPH
from graphbuild.rdf.triples import vocabulary_quads
from graphbuild.store import GraphStore

if TYPE_CHECKING:  # validate (pyrudof, shapes) is loaded only when a build validates
    from graphbuild.validate import Checked
    from graphbuild.validate.queries import CheckedRows

__all__ = [
    "TRIAL_GRAPH_PREFIX",
    "link_counts",
    "node_counts",
    "referenced_nodes",
    "refresh_inferred",
    "refresh_vocabulary",
    "run_validation",
]

TRIAL_GRAPH_PREFIX = f"{GBR_IRI}graph/trial/"

# The edges from a trial's own nodes to the shared nodes the vocabulary graph describes.
SHARED_EDGES = ("studiesDisease", "targetsAntigen", "directedAt", "measuresConcept")


def referenced_nodes(store: GraphStore) -> list[ox.NamedNode]:
    """Antigen, disease and concept nodes that some trial graph points at."""
    values = " ".join(f"gb:{name}" for name in SHARED_EDGES)
    result = store.query(
        f"""
        SELECT DISTINCT ?x WHERE {{
          VALUES ?p {{ {values} }}
          GRAPH ?g {{ ?s ?p ?x }}
          FILTER(STRSTARTS(STR(?g), "{TRIAL_GRAPH_PREFIX}"))
        }}"""
    )
    return sorted((row["x"] for row in result), key=lambda n: n.value)


def refresh_vocabulary(store: GraphStore) -> int:
    """Rebuild the vocabulary graph from what the trial graphs now reference."""
    quads = list(vocabulary_quads(referenced_nodes(store)))
    store.replace_graph(VOCABULARY_GRAPH, quads)
    return len(quads)


def refresh_inferred(store: GraphStore) -> dict[str, object]:
    """Clear and re-materialize the inferred graph with `graphbuild.reason`, when present."""
    from graphbuild.reason import (
        materialize,  # HermiT and rdflib: loaded when a build reasons
    )

    store.remove_graph(INFERRED_GRAPH)
    result = materialize(store)
    info: dict[str, object] = {"ran": True, "inferred_quads": store.count(INFERRED_GRAPH)}
    engine = getattr(result, "engine", None)
    if engine:
        info["engine"] = str(engine)
    return info


def run_validation(
    store: GraphStore,
    trials: int,
    progress: Callable[[int, int], None] | None = None,
    checked: Checked | None = None,
    checked_rows: CheckedRows | None = None,
) -> dict[str, object]:
    """SHACL (the workers' compiled shapes, ~0.5 ms of CPU a trial, and pyrudof for the shared
    graphs and any graph they could not check: every build validates, whatever its size) and
    the violation queries. `progress(chunks done, chunks)` hears about the SHACL chunks;
    `checked` / `checked_rows`: trial graphs the build's workers already checked against the
    shapes / by the graph-scoped violation queries (not read back out of the store)."""
    from graphbuild.validate import (
        validate as validate_graph,  # loaded when a build validates
    )

    result = validate_graph(
        store, shacl=True, progress=progress, checked=checked, checked_rows=checked_rows
    )
    return {
        "ran": True,
        "shacl": True,
        "conforms": result.conforms,
        "violations": len(result.violations),
        "text": str(result),
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
    }


# Node kinds a trial graph holds (counted by type), and shared node kinds (counted as the
# distinct objects of the edge that reaches them from the trial graphs).
OWN_KINDS = {
    "trials": "Trial",
    "interventions": "Intervention",
    "endpoints": "Endpoint",
    "time frames": "TimeFrame",
    "extracted links": "ExtractedLink",
    "evidence": "Evidence",
}
SHARED_KINDS = {
    "antigens": ("targetsAntigen", "directedAt"),
    "diseases": ("studiesDisease",),
    "endpoint concepts": ("measuresConcept",),
}


def node_counts(store: GraphStore) -> dict[str, int]:
    """Distinct nodes of each kind the trial graphs hold or point at (MeSH ancestors that only
    the hierarchy holds are not counted)."""
    only_trials = f'FILTER(STRSTARTS(STR(?g), "{TRIAL_GRAPH_PREFIX}"))'
    values = " ".join(f"gb:{cls}" for cls in OWN_KINDS.values())
    rows = store.query(
        f"""SELECT ?type (COUNT(DISTINCT ?x) AS ?n) WHERE {{
          VALUES ?type {{ {values} }} GRAPH ?g {{ ?x a ?type }} {only_trials}
        }} GROUP BY ?type"""
    )
    own = {row["type"].value.rsplit("#", 1)[1]: int(row["n"].value) for row in rows}
    counts = {kind: own.get(cls, 0) for kind, cls in OWN_KINDS.items()}
    for kind, edges in SHARED_KINDS.items():
        values = " ".join(f"gb:{edge}" for edge in edges)
        (row,) = store.query(
            f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?x }} {only_trials}
            }}"""
        )
        counts[kind] = int(row["n"].value)
    return counts


def link_counts(store: GraphStore) -> dict[str, int]:
    """Extracted links by predicate and basis ("targetsAntigen stated" -> n)."""
    result = store.query(
        """
        SELECT ?p ?basis (COUNT(?link) AS ?n) WHERE {
          GRAPH ?g { ?link a gb:ExtractedLink ; rdf:predicate ?p ; gb:basis ?basis }
        } GROUP BY ?p ?basis ORDER BY ?p ?basis"""
    )
    return {
        f"{row['p'].value.rsplit('#', 1)[-1]} {row['basis'].value}": int(row["n"].value)
        for row in result
    }
