"""The compiled reasoning rules run for a few nodes: what a re-ingest needs.

`graphbuild.reason.step.materialize` rebuilds the whole inferred graph, which grows with the build
(2 s at 10,000 trials) and needs HermiT (Java, 1-4 s) to compile the rules. A re-ingest of one
trial only changes what is derived about that trial's nodes (and about vocabulary nodes added
or removed with it), so it removes the inferred facts about those nodes and runs every rule
with the subject of its head bound to them. The rules come from the on-disk artifact cache
(`graphbuild.cache`), keyed by the ontology and graphbuild's source: HermiT and rdflib are
loaded only when either changed.

Nothing here lists today's rules: any rule of the compiled form
(`CONSTRUCT { ?s <p> ?o } WHERE { ... }`, a variable as the head's subject, or a body that is one
sub-select grouped by that variable) is scoped the same way, so rules added to the compiler are
scoped too (`graphbuild.reason.scoping.scoped_sparql`: the bound nodes in every UNION branch, so
Oxigraph starts from them instead of scanning every link). After the rules, as in a full build, come the shortcut edges the stored queries
read (scoped the same way) and the whole store's VoID counts, moved by the change's difference
(`derive_views`, `update_counts`), and the antigen x disease cells and antigen pairs of the
changed trials with the trial-id index (`graphbuild.reason.aggregates.update_aggregates`). The
exactness condition (a change to a node's graph changes only what is derived about the changed
nodes) is checked by the
re-ingest tests against a full rebuild on the corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from graphbuild.cache import cached
from graphbuild.rdf.namespaces import BUILD_GRAPH, INFERRED_GRAPH
from graphbuild.reason.aggregates import update_aggregates
from graphbuild.reason.engines import MAX_ROUNDS
from graphbuild.reason.group_summaries import update_group_summaries
from graphbuild.reason.ontology import classify
from graphbuild.reason.rules import compile_rules
from graphbuild.reason.scoping import scoped_sparql
from graphbuild.reason.target_summaries import update_target_summaries
from graphbuild.reason.views import (
    STATISTICS_NODE,
    STATISTICS_PROPERTIES,
    VOID,
    shortcut_rules,
)
from graphbuild.resources import ontology_path
from graphbuild.store import oxigraph_store

__all__ = [
    "RuleQuery",
    "derive_views",
    "infer_for_nodes",
    "remove_inferred_about",
    "rule_queries",
    "scoped_sparql",
]

INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
_BUILD = ox.NamedNode(str(BUILD_GRAPH))
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RuleQuery = tuple[str, str]  # (name, SPARQL CONSTRUCT)
Triple = tuple[str, str, str]


def _compile(path: Path) -> dict[str, Any]:
    # HermiT and rdflib: only on a miss

    return {
        "rules": [(rule.name, rule.sparql) for rule in compile_rules(classify(path))],
        "shortcuts": [(rule.name, rule.sparql) for rule in shortcut_rules()],
    }


def _artifact(ontology: Path | None = None) -> dict[str, Any]:
    path = ontology or ontology_path("graphbuild.ttl")
    return cached("reasoning-rules", [path], lambda: _compile(path))


def rule_queries(ontology: Path | None = None) -> list[RuleQuery]:
    """(name, SPARQL) of every compiled rule, as `graphbuild.reason.rules.compile_rules` makes them,
    from the artifact cache when the ontology and graphbuild's source are unchanged."""
    return list(_artifact(ontology)["rules"])


def remove_inferred_about(store: ox.Store, nodes: Iterable[str]) -> int:
    """Remove every inferred fact whose subject is one of `nodes`; returns how many."""
    stale = [
        quad
        for node in sorted(set(nodes))
        for quad in store.quads_for_pattern(ox.NamedNode(node), None, None, INFERRED)
    ]
    for quad in stale:
        store.remove(quad)
    return len(stale)


def _asserted(store: ox.Store, fact: Triple) -> bool:
    s, p, o = (ox.NamedNode(x) for x in fact)
    return any(q.graph_name != INFERRED for q in store.quads_for_pattern(s, p, o, None))


def infer_for_nodes(
    store: Any, nodes: Iterable[str], rules: list[RuleQuery] | None = None
) -> set[Triple]:
    """Every fact the rules derive about `nodes` (as subjects), to a fixpoint over the union
    of all graphs as `graphbuild.reason.step.materialize` does; the new facts that no other graph
    asserts are written into the inferred graph (call `remove_inferred_about` first).
    Returns the facts written."""
    ox_store = oxigraph_store(store)
    focus = sorted(set(nodes))
    written: set[Triple] = set()
    if not focus:
        return written
    queries = [
        scoped_sparql(sparql, focus) for _, sparql in (rule_queries() if rules is None else rules)
    ]
    known: set[Triple] = set()
    for _round in range(MAX_ROUNDS):
        new: set[Triple] = set()
        for query in queries:
            for triple in ox_store.query(query, use_default_graph_as_union=True):
                fact = (triple.subject.value, triple.predicate.value, triple.object.value)
                if fact not in known:
                    new.add(fact)
        if not new:
            return written
        known |= new
        fresh = sorted(fact for fact in new if not _asserted(ox_store, fact))
        ox_store.extend(ox.Quad(*(ox.NamedNode(x) for x in fact), INFERRED) for fact in fresh)
        written.update(fresh)
    raise RuntimeError(f"reasoning rules did not reach a fixpoint in {MAX_ROUNDS} rounds")


def derive_views(store: Any, nodes: Iterable[str], previous: ox.Store) -> tuple[int, int]:
    """What a full build writes after the rules (`graphbuild.reason.step.materialize`), for a
    re-ingest: the shortcut edges about `nodes` (scoped like the rules; call
    `remove_inferred_about` first) and the whole store's VoID counts moved by the change
    (`update_counts`; `previous`: the store before the change, read-only). Returns
    (facts removed, facts written)."""
    ox_store = oxigraph_store(store)
    focus = sorted(set(nodes))
    written = 0
    if focus:
        for _, sparql in _artifact()["shortcuts"]:
            found = list(
                ox_store.query(scoped_sparql(sparql, focus), use_default_graph_as_union=True)
            )
            ox_store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in found)
            written += len(found)
    removed, added = update_counts(ox_store, previous, focus)
    # the antigen x disease cells and antigen pairs of the changed trials, from their new edges
    cells_removed, cells_added = update_aggregates(ox_store, previous, focus)
    # the (trial, antigen) summaries of the changed trials, from their new links
    rows_removed, rows_added = update_target_summaries(ox_store, previous, focus)
    # the phase, modality, product and endpoint-category groups of the changed trials
    groups_removed, groups_added = update_group_summaries(ox_store, previous, focus)
    return (
        removed + cells_removed + rows_removed + groups_removed,
        written + added + cells_added + rows_added + groups_added,
    )


def _types(store: ox.Store, node: str) -> set[str]:
    return {
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(node), _RDF_TYPE, None, None)
        if q.graph_name != _BUILD
    }


def _objects(store: ox.Store, nodes: Iterable[str], predicate: ox.NamedNode) -> set[str]:
    return {
        q.object.value
        for node in nodes
        for q in store.quads_for_pattern(ox.NamedNode(node), predicate, None, None)
        if isinstance(q.object, ox.NamedNode)
    }


def _has_subject(store: ox.Store, predicate: ox.NamedNode, value: str) -> bool:
    return (
        next(iter(store.quads_for_pattern(None, predicate, ox.NamedNode(value), None)), None)
        is not None
    )


def update_counts(store: ox.Store, previous: ox.Store, nodes: Iterable[str]) -> tuple[int, int]:
    """The VoID counts (`graphbuild.reason.views.statistics_rule`) moved by the change, without
    re-counting the store (3.5 s at 100,000 trials): a class count is of distinct nodes with
    that type in any graph but the build graph, and only `nodes` (the changed trial graphs'
    subjects and the vocabulary nodes added or removed: the nodes whose type triples, asserted
    or inferred, a change can touch) can have changed, so each class moves by the number of
    them typed with it now minus before (read in `previous`). Likewise the distinct diseases
    studied: only diseases `nodes` study now or studied before can come or go.
    Returns (facts removed, facts written)."""

    focus = sorted(set(nodes))
    void = {
        name: ox.NamedNode(VOID + name)
        for name in (
            "classPartition",
            "class",
            "entities",
            "propertyPartition",
            "property",
            "distinctObjects",
        )
    }
    statistics = ox.NamedNode(STATISTICS_NODE)

    delta: Counter[tuple[str, str]] = Counter()  # ("class" | "property", IRI) -> change
    for n in focus:
        before, after = _types(previous, n), _types(store, n)
        delta.update(("class", cls) for cls in after - before)
        delta.subtract(("class", cls) for cls in before - after)
    for prop in STATISTICS_PROPERTIES:
        predicate = ox.NamedNode(prop)
        for value in _objects(previous, focus, predicate) | _objects(store, focus, predicate):
            now, then = (
                _has_subject(store, predicate, value),
                _has_subject(previous, predicate, value),
            )
            delta[("property", prop)] += int(now) - int(then)
    removed = added = 0
    for (kind, iri), change in sorted(delta.items()):
        if not change:
            continue
        link, key, count = (
            (void["classPartition"], void["class"], void["entities"])
            if kind == "class"
            else (void["propertyPartition"], void["property"], void["distinctObjects"])
        )
        # the IRI statistics_rule makes: CONCAT(partition, ENCODE_FOR_URI(STR(iri)))
        part = ox.NamedNode(f"{STATISTICS_NODE}/{kind}/{quote(iri, safe='')}")
        old = list(store.quads_for_pattern(part, count, None, INFERRED))
        total = (int(old[0].object.value) if old else 0) + change
        stale = (
            old
            if total > 0
            else [
                *store.quads_for_pattern(statistics, link, part, INFERRED),
                *store.quads_for_pattern(part, None, None, INFERRED),
            ]
        )
        for quad in stale:
            store.remove(quad)
        removed += len(stale)
        if total > 0:
            fresh = [ox.Quad(part, count, ox.Literal(str(total), datatype=_INTEGER), INFERRED)]
            if not old:  # a class (or property) counted for the first time
                fresh += [
                    ox.Quad(statistics, link, part, INFERRED),
                    ox.Quad(part, key, ox.NamedNode(iri), INFERRED),
                ]
            store.extend(fresh)
            added += len(fresh)
    return removed, added
