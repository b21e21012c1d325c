"""Per-cell aggregates the cross-trial stored queries read: precomputed by the reasoning step.

`antigen_disease_matrix.rq` and `co_targeted_antigens.rq` answer with one row per (antigen,
disease) cell or per antigen pair: how many trials, and which. Grouping every trial-antigen
edge with every disease of its trial at question time costs ~10 µs of index lookups per
(trial, antigen, disease) row (47,300 rows, 0.8 s at 100,000 trials; the pairs 5.4 s), so the
reasoning step writes one node per cell and per pair into the inferred graph instead:

    <gbr:aggregate/antigen-disease/{antigen IRI}/{disease IRI}>   (IRIs percent-encoded)
        gb:cellAntigen <antigen> ; gb:cellDisease <disease> ;
        gb:trialCount 42 ; gb:trialIdList "NCT01 NCT02 ..." .
    <gbr:aggregate/antigen-pair/{antigen IRI}/{antigen IRI}>       (the two IRIs in order)
        gb:pairAntigen <a>, <b> ; gb:trialCount 3 ; gb:trialIdList "..." .

A trial counts in a cell when it has a shortcut edge (`gb:directedAtStated` /
`gb:directedAtByProductLexicon` / `gb:directedAtInferred`, written just before) to the antigen,
studies the disease (`gb:studiesDisease`) and has a `gb:trialId`; in a pair when it has edges
to both antigens. Ids are listed sorted (same input, same graph). The nodes are not typed, so
the VoID class counts (`statistics_rule`) do not change with them. Names and labels are read
at question time from the vocabulary graph (a few hundred cells, not tens of thousands of rows).

A re-ingest (`update_aggregates`) moves only the cells and pairs of the changed trials, before
(read in the previous store) and after: each such cell's id list loses the changed trials' ids
and gains those that belong to it now. Exact as long as the stored cells were, which the
re-ingest tests check against a full rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from urllib.parse import quote

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GB_IRI, GBR_IRI, INFERRED_GRAPH

__all__ = ["aggregate_quads", "update_aggregates", "CELL_PREFIX", "PAIR_PREFIX"]

INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
CELL_PREFIX = f"{GBR_IRI}aggregate/antigen-disease/"
PAIR_PREFIX = f"{GBR_IRI}aggregate/antigen-pair/"
SHORTCUTS = tuple(
    ox.NamedNode(GB_IRI + name)
    for name in ("directedAtStated", "directedAtByProductLexicon", "directedAtInferred")
)
_TRIAL_ID = ox.NamedNode(GB_IRI + "trialId")
_STUDIES = ox.NamedNode(GB_IRI + "studiesDisease")
_CELL_ANTIGEN = ox.NamedNode(GB_IRI + "cellAntigen")
_CELL_DISEASE = ox.NamedNode(GB_IRI + "cellDisease")
_PAIR_ANTIGEN = ox.NamedNode(GB_IRI + "pairAntigen")
_COUNT = ox.NamedNode(GB_IRI + "trialCount")
_IDS = ox.NamedNode(GB_IRI + "trialIdList")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

Aggregates = dict[tuple[str, str, str], set[str]]  # (kind, x, y) -> trial ids


def _objects(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> set:
    return {q.object for q in store.quads_for_pattern(subject, predicate, None, None)}


def trial_keys(store: ox.Store, trial: ox.NamedNode) -> tuple[str | None, set[tuple[str, str, str]]]:
    """(the trial's id, the cells and pairs it counts in), read from `store`; no id: none."""
    ids = sorted(o.value for o in _objects(store, trial, _TRIAL_ID) if isinstance(o, ox.Literal))
    if not ids:
        return None, set()
    antigens = sorted(
        {o.value for p in SHORTCUTS for o in _objects(store, trial, p) if isinstance(o, ox.NamedNode)}
    )
    if not antigens:
        return ids[0], set()
    diseases = sorted(o.value for o in _objects(store, trial, _STUDIES) if isinstance(o, ox.NamedNode))
    keys = {("cell", a, d) for a in antigens for d in diseases}
    keys |= {("pair", a, b) for a, b in combinations(antigens, 2)}
    return ids[0], keys


def _trials_with_shortcuts(store: ox.Store) -> list[ox.NamedNode]:
    return sorted(
        {q.subject for p in SHORTCUTS for q in store.quads_for_pattern(None, p, None, INFERRED)
         if isinstance(q.subject, ox.NamedNode)},
        key=lambda n: n.value,
    )


def _node(kind: str, x: str, y: str) -> ox.NamedNode:
    prefix = CELL_PREFIX if kind == "cell" else PAIR_PREFIX
    return ox.NamedNode(f"{prefix}{quote(x, safe='')}/{quote(y, safe='')}")


def _quads(kind: str, x: str, y: str, ids: Iterable[str]) -> Iterator[ox.Quad]:
    node, listed = _node(kind, x, y), sorted(set(ids))
    if kind == "cell":
        yield ox.Quad(node, _CELL_ANTIGEN, ox.NamedNode(x), INFERRED)
        yield ox.Quad(node, _CELL_DISEASE, ox.NamedNode(y), INFERRED)
    else:
        yield ox.Quad(node, _PAIR_ANTIGEN, ox.NamedNode(x), INFERRED)
        yield ox.Quad(node, _PAIR_ANTIGEN, ox.NamedNode(y), INFERRED)
    yield ox.Quad(node, _COUNT, ox.Literal(str(len(listed)), datatype=_INTEGER), INFERRED)
    yield ox.Quad(node, _IDS, ox.Literal(" ".join(listed)), INFERRED)


def aggregate_quads(store: ox.Store) -> list[ox.Quad]:
    """Every cell and pair of the store, from the shortcut edges of its inferred graph."""
    found: Aggregates = defaultdict(set)
    for trial in _trials_with_shortcuts(store):
        trial_id, keys = trial_keys(store, trial)
        for key in keys:
            found[key].add(trial_id)  # type: ignore[arg-type]
    return [quad for key in sorted(found) for quad in _quads(*key, found[key])]


def _stored_ids(store: ox.Store, node: ox.NamedNode) -> set[str]:
    return {
        part
        for q in store.quads_for_pattern(node, _IDS, None, INFERRED)
        for part in q.object.value.split()
    }


def update_aggregates(store: ox.Store, previous: ox.Store, nodes: Iterable[str]) -> tuple[int, int]:
    """The cells and pairs moved by a re-ingest: `nodes` are the changed graphs' subjects (the
    trials among them matter), `previous` the store before the change (read-only), `store`
    after it with the changed trials' shortcut edges already derived.
    Returns (facts removed, facts written)."""
    before: dict[str, set[tuple[str, str, str]]] = {}
    after: dict[str, set[tuple[str, str, str]]] = {}
    for iri in sorted(set(nodes)):
        node = ox.NamedNode(iri)
        for keys_by_id, source in ((before, previous), (after, store)):
            trial_id, keys = trial_keys(source, node)
            if trial_id is not None:
                keys_by_id.setdefault(trial_id, set()).update(keys)
    changed = set(before) | set(after)
    touched = set().union(*before.values(), *after.values()) if changed else set()
    removed = added = 0
    for key in sorted(touched):
        node = _node(*key)
        ids = _stored_ids(store, node) - changed
        ids |= {tid for tid, keys in after.items() if key in keys}
        stale = list(store.quads_for_pattern(node, None, None, INFERRED))
        for quad in stale:
            store.remove(quad)
        removed += len(stale)
        if ids:
            fresh = list(_quads(*key, ids))
            store.extend(fresh)
            added += len(fresh)
    return removed, added
