"""The compiled reasoning rules run for a few nodes: what a re-ingest needs.

`graphbuild.reason.materialize` rebuilds the whole inferred graph, which grows with the build
(2 s at 10,000 trials) and needs HermiT (Java, 1-4 s) to compile the rules. A re-ingest of one
trial only changes what is derived about that trial's nodes (and about vocabulary nodes added
or removed with it), so it removes the inferred facts about those nodes and runs every rule
with the subject of its head bound to them. The rules come from the on-disk artifact cache
(`graphbuild.cache`), keyed by the ontology and `graphbuild/reason.py`: HermiT and rdflib are
loaded only when the ontology or the compiler changed.

Nothing here lists today's rules: any rule of the compiled form
(`CONSTRUCT { ?s <p> ?o } WHERE { ... }`, a variable as the head's subject) is scoped the same
way, so rules added to the compiler are scoped too. The exactness condition (a change to a
node's graph changes only what is derived about the changed nodes) is checked by the
re-ingest tests against a full rebuild on the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphbuild.cache import cached
from graphbuild.rdf.namespaces import INFERRED_GRAPH
from graphbuild.resources import ontology_path

__all__ = ["RuleQuery", "infer_for_nodes", "remove_inferred_about", "rule_queries", "scoped_sparql"]

INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
MAX_ROUNDS = 10  # as graphbuild.reason: the current ontology needs 2
RuleQuery = tuple[str, str]  # (name, SPARQL CONSTRUCT)
Triple = tuple[str, str, str]

_HEAD_SUBJECT = re.compile(r"^\s*CONSTRUCT\s*\{\s*(\?\w+)\s")
_WHERE = re.compile(r"\bWHERE\s*\{")


def _compile(path: Path) -> list[RuleQuery]:
    from graphbuild.reason import classify, compile_rules  # HermiT and rdflib: only on a miss

    return [(rule.name, rule.sparql) for rule in compile_rules(classify(path))]


def rule_queries(ontology: Path | None = None) -> list[RuleQuery]:
    """(name, SPARQL) of every compiled rule, as `graphbuild.reason.compile_rules` makes them,
    from the artifact cache when the ontology and the compiler are unchanged."""
    path = ontology or ontology_path("graphbuild.ttl")
    compiler = Path(__file__).with_name("reason.py")
    return cached("reasoning-rules", [path, compiler], lambda: _compile(path))


def scoped_sparql(sparql: str, nodes: Iterable[str]) -> str:
    """The rule with the subject of its head bound to `nodes` (a VALUES block first in its
    body): it derives exactly the facts about those nodes that it derives over the whole
    graph, and Oxigraph starts from them instead of scanning every trial."""
    head = _HEAD_SUBJECT.match(sparql)
    where = _WHERE.search(sparql)
    if head is None or where is None:
        raise ValueError(f"not a rule of the compiled form (CONSTRUCT {{ ?s ... }} WHERE {{ ... }}): {sparql[:80]!r}")
    values = " ".join(f"<{node}>" for node in sorted(set(nodes)))
    return f"{sparql[: where.end()]}\nVALUES {head.group(1)} {{ {values} }}\n{sparql[where.end() :]}"


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


def infer_for_nodes(store: Any, nodes: Iterable[str], rules: list[RuleQuery] | None = None) -> set[Triple]:
    """Every fact the rules derive about `nodes` (as subjects), to a fixpoint over the union
    of all graphs as `graphbuild.reason.materialize` does; the new facts that no other graph
    asserts are written into the inferred graph (call `remove_inferred_about` first).
    Returns the facts written."""
    ox_store: ox.Store = getattr(store, "ox", store)
    focus = sorted(set(nodes))
    written: set[Triple] = set()
    if not focus:
        return written
    queries = [scoped_sparql(sparql, focus) for _, sparql in (rule_queries() if rules is None else rules)]
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
