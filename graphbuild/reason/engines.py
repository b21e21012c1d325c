"""The two ways to apply the compiled rules to the instances, each returning the derived facts
as (s, p, o) IRI triples: the rules run in Oxigraph to a fixpoint (`infer_with_sparql`, the
default) or HermiT realizing the compact view of the data in chunks (`infer_with_hermit`, the
reference semantics the tests compare against)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from graphbuild.reason.ontology import Terminology, owlready_world, run_hermit
from graphbuild.reason.terms import (
    INFERRED,
    RDF_TYPE,
    TRIAL_GRAPH_PREFIX,
    ReasoningError,
    Rule,
    Triple,
)

MAX_ROUNDS = 10  # fixpoint guard for the SPARQL rules; the current ontology needs 2


def compact_view(
    store: ox.Store, predicates: Iterable[str], classes: Iterable[str]
) -> tuple[dict[str, list[Triple]], list[Triple]]:
    """The triples the rules read, split into per-trial-graph lists and the shared rest (the
    vocabulary graph, anything outside trial graphs). IRIs only; the inferred graph is skipped."""
    per_trial: dict[str, list[Triple]] = {}
    shared: list[Triple] = []
    wanted_types = {ox.NamedNode(c) for c in classes}

    def put(quad: ox.Quad, p: str) -> None:
        if not isinstance(quad.subject, ox.NamedNode) or not isinstance(quad.object, ox.NamedNode):
            return
        graph = quad.graph_name
        triple = (quad.subject.value, p, quad.object.value)
        if isinstance(graph, ox.NamedNode):
            if graph == INFERRED:
                return
            if graph.value.startswith(TRIAL_GRAPH_PREFIX):
                per_trial.setdefault(graph.value, []).append(triple)
                return
        shared.append(triple)

    for p in sorted(predicates):
        for quad in store.quads_for_pattern(None, ox.NamedNode(p), None, None):
            put(quad, p)
    rdf_type = ox.NamedNode(RDF_TYPE)
    for cls in sorted(wanted_types, key=lambda n: n.value):
        for quad in store.quads_for_pattern(None, rdf_type, cls, None):
            put(quad, RDF_TYPE)
    return per_trial, shared


def _ntriples(triples: Iterable[Triple]) -> bytes:
    return "".join(f"<{s}> <{p}> <{o}> .\n" for s, p, o in dict.fromkeys(triples)).encode()


def infer_with_sparql(
    store: ox.Store, rules: list[Rule], write: Callable[[set[Triple]], None]
) -> tuple[set[Triple], int]:
    """Run the rules over the union of the graphs to a fixpoint; each round's new facts are
    written (so later rounds can read them). Returns (all derived facts, rounds run)."""
    known: set[Triple] = set()
    for round_number in range(1, MAX_ROUNDS + 1):
        new: set[Triple] = set()
        for rule in rules:
            for triple in store.query(rule.sparql, use_default_graph_as_union=True):
                fact = (triple.subject.value, triple.predicate.value, triple.object.value)
                if fact not in known:
                    new.add(fact)
        if not new:
            return known, round_number
        known |= new
        write(new)
    raise ReasoningError(f"SPARQL rules did not reach a fixpoint in {MAX_ROUNDS} rounds")


def infer_with_hermit(
    per_trial: dict[str, list[Triple]],
    shared: list[Triple],
    rules: list[Rule],
    terminology: Terminology,
    chunk_size: int,
) -> tuple[set[Triple], int]:
    """Realize the compact view with HermiT: the shared triples (vocabulary) once on their
    own, then `chunk_size` trial graphs at a time, each with the shared triples connected to
    its nodes. What HermiT can conclude about an individual depends only on the assertions
    connected to it (through shared nodes, nominals such as gb:CarT included), so a chunk
    does not need the whole disease tree to classify its trials. Returns (facts, HermiT runs)."""
    graphs = sorted(per_trial)
    chunks = [graphs[i : i + chunk_size] for i in range(0, len(graphs), chunk_size)]
    by_node: dict[str, list[Triple]] = {}
    for triple in shared:
        by_node.setdefault(triple[0], []).append(triple)
        by_node.setdefault(triple[2], []).append(triple)
    facts: set[Triple] = set()
    runs = 0
    if shared:
        facts |= _hermit_chunk(_ntriples(shared), rules, terminology)
        runs += 1
    for chunk in chunks:
        own = [t for g in chunk for t in per_trial[g]]
        data = _ntriples(itertools.chain(own, _connected(own, by_node)))
        facts |= _hermit_chunk(data, rules, terminology)
        runs += 1
    return facts, runs


def _connected(triples: list[Triple], by_node: dict[str, list[Triple]]) -> list[Triple]:
    """The shared triples reachable from the nodes of `triples` (breadth-first)."""
    seen_nodes: set[str] = set()
    found: dict[Triple, None] = {}
    pending = [n for s, _, o in triples for n in (s, o)]
    while pending:
        node = pending.pop()
        if node in seen_nodes:
            continue
        seen_nodes.add(node)
        for triple in by_node.get(node, ()):
            if triple not in found:
                found[triple] = None
                pending.extend((triple[0], triple[2]))
    return list(found)


def _hermit_chunk(data: bytes, rules: list[Rule], terminology: Terminology) -> set[Triple]:
    world = owlready_world(terminology.path, data)
    try:
        run_hermit(world, property_values=True)
        facts: set[Triple] = set()
        for rule in rules:
            entity = world[rule.head]
            if entity is None:
                continue
            if rule.kind == "class":
                facts.update((i.iri, RDF_TYPE, rule.head) for i in entity.instances())
                continue
            # HermiT lists each pair under the most specific property only: the extension of
            # a property is the union over its sub-properties.
            for sub in terminology.subs_of_property(rule.head):
                prop = world[sub]
                if prop is not None:
                    facts.update(
                        (s.iri, rule.head, o.iri)
                        for s, o in prop.get_relations()
                        if hasattr(s, "iri") and hasattr(o, "iri")
                    )
        return facts
    finally:
        world.close()
