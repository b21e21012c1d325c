"""What a re-ingest changes, in proportion to the change: the trial graphs' own facts, the
vocabulary nodes to add or remove, the counts the report keeps.

`graphbuild add` replaces a few trial graphs of a build that may hold 100,000. Everything
the build derived from *all* trial graphs (the vocabulary graph, the inferred graph, the
report's counts) is brought up to date from what the replaced and the new graphs hold, with
index lookups on the few nodes involved, never a scan of the build; the result is the store a
full rebuild of the same inputs gives (the re-ingest tests compare the two).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graphbuild.build.steps import (
    OWN_KINDS,
    SHARED_EDGES,
    SHARED_KINDS,
    TRIAL_GRAPH_PREFIX,
)
from graphbuild.rdf.namespaces import GB_IRI, VOCABULARY_GRAPH
from graphbuild.rdf.triples import vocabulary_quads

__all__ = ["GraphFacts", "VocabularyChange", "graph_facts", "shared_counts", "update_vocabulary"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDF_PREDICATE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate")
_BROADER = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
_BASIS = ox.NamedNode(f"{GB_IRI}basis")
_LINK = ox.NamedNode(f"{GB_IRI}ExtractedLink")
_VOCABULARY = ox.NamedNode(str(VOCABULARY_GRAPH))
_SHARED = [ox.NamedNode(f"{GB_IRI}{name}") for name in SHARED_EDGES]
_OWN_TYPES = {f"{GB_IRI}{cls}": kind for kind, cls in OWN_KINDS.items()}


@dataclass
class GraphFacts:
    """What one trial graph holds that derived graphs and counts depend on."""

    quads: int = 0
    subjects: set[str] = field(default_factory=set)
    referenced: set[str] = field(default_factory=set)  # shared nodes it points at
    kinds: Counter[str] = field(default_factory=Counter)  # report node kind -> nodes
    links: Counter[str] = field(default_factory=Counter)  # "predicate basis" -> links


def graph_facts(quads: Iterable[ox.Quad]) -> GraphFacts:
    """One pass over a trial graph's quads (a few hundred)."""
    facts = GraphFacts()
    predicates: dict[str, str] = {}
    bases: dict[str, str] = {}
    links: set[str] = set()
    for quad in quads:
        facts.quads += 1
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        if isinstance(subject, ox.NamedNode):
            facts.subjects.add(subject.value)
        if predicate in _SHARED and isinstance(obj, ox.NamedNode):
            facts.referenced.add(obj.value)
        elif predicate == _RDF_TYPE:
            if obj == _LINK:
                links.add(str(subject))
            kind = _OWN_TYPES.get(obj.value) if isinstance(obj, ox.NamedNode) else None
            if kind:
                facts.kinds[kind] += 1
        elif predicate == _RDF_PREDICATE:
            predicates[str(subject)] = obj.value.rsplit("#", 1)[-1]
        elif predicate == _BASIS:
            bases[str(subject)] = obj.value
    for link in links:
        if link in predicates and link in bases:
            facts.links[f"{predicates[link]} {bases[link]}"] += 1
    return facts


def _referenced_by(store: ox.Store, node: str, edges: tuple[str, ...]) -> bool:
    """Whether some trial graph points at `node` with one of `edges` (stops at the first)."""
    target = ox.NamedNode(node)
    for edge in edges:
        for quad in store.quads_for_pattern(None, ox.NamedNode(f"{GB_IRI}{edge}"), target, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(TRIAL_GRAPH_PREFIX):
                return True
    return False


def shared_counts(store: ox.Store, nodes: set[str]) -> Counter[str]:
    """For the report's shared node kinds (antigens, diseases, endpoint concepts): how many of
    `nodes` some trial graph points at now. Taken before and after a change, the difference
    is the change of the build's counts."""
    counts: Counter[str] = Counter()
    for kind, edges in SHARED_KINDS.items():
        counts[kind] = sum(_referenced_by(store, node, edges) for node in nodes)
    return counts


@dataclass
class VocabularyChange:
    """Nodes whose description entered or left the vocabulary graph, and its quads."""

    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    quads_added: int = 0
    quads_removed: int = 0


def _described(store: ox.Store, node: str) -> bool:
    return any(True for _ in store.quads_for_pattern(ox.NamedNode(node), _RDF_TYPE, None, _VOCABULARY))


def update_vocabulary(store: ox.Store, before: set[str], after: set[str]) -> VocabularyChange:
    """Bring the vocabulary graph up to date after trial graphs that pointed at `before` were
    replaced by graphs pointing at `after` (the replacement already done).

    Added: the description of every node of `after` the graph does not describe, with its
    MeSH ancestors (`vocabulary_quads`, a function of each node alone). Removed: the
    description of every node no trial points at any more that is not the ancestor of a node
    some trial still points at. Before the change every described node was referenced or an
    ancestor of one, so only the dropped nodes and their ancestors need checking."""
    change = VocabularyChange()
    missing = sorted(node for node in after if not _described(store, node))
    if missing:
        quads = [quad for quad in vocabulary_quads(missing) if quad not in store]
        change.added = {
            quad.subject.value for quad in quads if quad.predicate == _RDF_TYPE and not _described(store, quad.subject.value)
        }
        store.extend(quads)
        change.quads_added = len(quads)
    dropped = {node for node in before - after if not _referenced_by(store, node, SHARED_EDGES)}
    if not dropped:
        return change
    candidates = _with_ancestors(store, dropped)
    needed: dict[str, bool] = {}
    for node in sorted(candidates):
        if not _needed(store, node, candidates, needed):
            change.removed.add(node)
    for node in sorted(change.removed):
        stale = list(store.quads_for_pattern(ox.NamedNode(node), None, None, _VOCABULARY))
        for quad in stale:
            store.remove(quad)
        change.quads_removed += len(stale)
    return change


def _with_ancestors(store: ox.Store, nodes: set[str]) -> set[str]:
    """`nodes` and everything reachable from them by skos:broader in the vocabulary graph."""
    found: set[str] = set()
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if node in found:
            continue
        found.add(node)
        for quad in store.quads_for_pattern(ox.NamedNode(node), _BROADER, None, _VOCABULARY):
            pending.append(quad.object.value)
    return found


def _needed(store: ox.Store, node: str, candidates: set[str], memo: dict[str, bool]) -> bool:
    """A node keeps its description if a trial points at it or it is the parent of a node
    that keeps its description (a described node outside `candidates` always does)."""
    if node in memo:
        return memo[node]
    memo[node] = False  # the MeSH tree has no cycles; this only guards against bad data
    keep = _referenced_by(store, node, SHARED_EDGES)
    if not keep:
        for quad in store.quads_for_pattern(None, _BROADER, ox.NamedNode(node), _VOCABULARY):
            child = quad.subject.value
            if child not in candidates or _needed(store, child, candidates, memo):
                keep = True
                break
    memo[node] = keep
    return keep
