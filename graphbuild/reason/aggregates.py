"""Aggregates and an index the cross-trial stored queries read: precomputed by the reasoning step.

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
the VoID class counts (`graphbuild.reason.views.statistics_rule`) do not change with them.
Names and labels are read at question time from the vocabulary graph (a few hundred cells,
not tens of thousands of rows).

Besides, a trial-id index for comparing trials (`similar_trials.rq`): every antigen, disease and
endpoint concept points at the ids of the trials that reach it (`gb:directedAt`,
`gb:studiesDisease`, `gb:hasEndpoint`/`gb:measuresConcept`):

    <antigen> gb:targetedByTrialId "NCT01" .   <disease> gb:studiedByTrialId "NCT01" .
    <concept> gb:measuredByTrialId "NCT01" .

so the trials sharing a concept with a given one come with their ids from one index scan, not
one `gb:trialId` lookup per shared concept (at 100,000 trials a CD19 trial shares something with
42,589 others, in ~113,000 rows: 11.4 s of CPU before, 1.1 s with the index).

And the row each of an antigen's trials shows in `trials_for_antigen.rq`, on the antigen:

    <antigen> gb:antigenTrialRow "NCT01<TAB>stated, product_lexicon<TAB>CTL019<TAB>Leukemia; ..." .

(the trial's id; the bases of its shortcut edges to the antigen, in the order stated,
product_lexicon, inferred; its `gb:productCodeList` and `gb:diseaseLabelList`, empty when it has
none). The antigen's trials then come from one scan of its rows, with no lookup per trial: each
lookup is a random read of the store (~16 µs at 100,000 trials), and three a row made CD19's
6,460 rows cost 180-300 ms; read from the rows, 60-80 ms.

A re-ingest (`update_aggregates`) moves only the cells and pairs of the changed trials, before
(read in the previous store) and after: each such cell's id list loses the changed trials' ids
and gains those that belong to it now; the changed trials' ids and rows leave the index and come
back where they belong now. Exact as long as the stored cells were, which the re-ingest tests
check against a full rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from urllib.parse import quote

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GB_IRI, GBR_IRI, INFERRED_GRAPH
from graphbuild.reason.terms import objects

__all__ = [
    "CELL_PREFIX",
    "PAIR_PREFIX",
    "TRIAL_ID_INDEX",
    "TRIAL_ROW",
    "aggregate_quads",
    "trial_id_index_rules",
    "update_aggregates",
]

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
# index property -> the path from a trial to the nodes that point at its id
TRIAL_ID_INDEX = {
    GB_IRI + "targetedByTrialId": (GB_IRI + "directedAt",),
    GB_IRI + "studiedByTrialId": (GB_IRI + "studiesDisease",),
    GB_IRI + "measuredByTrialId": (GB_IRI + "hasEndpoint", GB_IRI + "measuresConcept"),
}
# antigen -> one text per trial directed at it: the row `trials_for_antigen.rq` shows
TRIAL_ROW = GB_IRI + "antigenTrialRow"
BASIS_WORDS = ("stated", "product_lexicon", "inferred")  # of SHORTCUTS, in their order
_PRODUCT_CODES = ox.NamedNode(GB_IRI + "productCodeList")
_DISEASE_LABELS = ox.NamedNode(GB_IRI + "diseaseLabelList")

Aggregates = dict[tuple[str, str, str], set[str]]  # (kind, x, y) -> trial ids


def trial_keys(
    store: ox.Store, trial: ox.NamedNode
) -> tuple[str | None, set[tuple[str, str, str]]]:
    """(the trial's id, the cells and pairs it counts in), read from `store`; no id: none."""
    ids = sorted(o.value for o in objects(store, trial, _TRIAL_ID) if isinstance(o, ox.Literal))
    if not ids:
        return None, set()
    antigens = sorted(
        {
            o.value
            for p in SHORTCUTS
            for o in objects(store, trial, p)
            if isinstance(o, ox.NamedNode)
        }
    )
    if not antigens:
        return ids[0], set()
    diseases = sorted(
        o.value for o in objects(store, trial, _STUDIES) if isinstance(o, ox.NamedNode)
    )
    keys = {("cell", a, d) for a in antigens for d in diseases}
    keys |= {("pair", a, b) for a, b in combinations(antigens, 2)}
    return ids[0], keys


def _trials_with_shortcuts(store: ox.Store) -> list[ox.NamedNode]:
    return sorted(
        {
            q.subject
            for p in SHORTCUTS
            for q in store.quads_for_pattern(None, p, None, INFERRED)
            if isinstance(q.subject, ox.NamedNode)
        },
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


def trial_id_index_rules() -> list[str]:
    """The whole trial-id index as CONSTRUCTs, one per index predicate (each antigen, disease
    and concept -> the ids of its trials), and the antigens' trial rows: the reasoning step has
    Oxigraph write their triples straight into the inferred graph (a million of them at 100,000
    trials: no Python object per triple)."""
    rules = []
    for index, path in TRIAL_ID_INDEX.items():
        steps = "/".join(f"<{p}>" for p in path)
        rules.append(
            f"CONSTRUCT {{ ?x <{index}> ?id }} WHERE {{ SELECT DISTINCT ?x ?id WHERE {{\n"
            f"  ?t {steps} ?x ; <{_TRIAL_ID.value}> ?id .\n"
            f"  FILTER(isIRI(?x) && isLiteral(?id))\n}} }}"
        )
    rules.append(_trial_row_rule())
    return rules


def _trial_row_rule(trial: str | None = None) -> str:
    """Each antigen's rows (`TRIAL_ROW`), read from the shortcut edges and the trials' lists
    (written before), the bases joined in `SHORTCUTS` order; with `trial` (an IRI), that trial's
    rows alone (a re-ingest moves them: `_trial_index`), so one text says what a row is."""
    edges = " ".join(f"<{p.value}>" for p in SHORTCUTS)
    one = f"VALUES ?t {{ <{trial}> }} " if trial is not None else ""
    bases = ", ".join(
        f'IF(EXISTS {{ ?t <{p.value}> ?x }}, "{word}, ", "")' for p, word in zip(SHORTCUTS, BASIS_WORDS)
    )
    return (
        f"CONSTRUCT {{ ?x <{TRIAL_ROW}> ?row }} WHERE {{\n"
        f"  {{ SELECT DISTINCT ?t ?x WHERE {{ {one}VALUES ?edge {{ {edges} }} ?t ?edge ?x FILTER(isIRI(?x)) }} }}\n"
        f"  ?t <{_TRIAL_ID.value}> ?id FILTER(isLiteral(?id))\n"
        f"  OPTIONAL {{ ?t <{_PRODUCT_CODES.value}> ?codes }}\n"
        f"  OPTIONAL {{ ?t <{_DISEASE_LABELS.value}> ?labels }}\n"
        f"  BIND(CONCAT({bases}) AS ?bases)\n"
        f'  BIND(CONCAT(STR(?id), "\\t", SUBSTR(?bases, 1, STRLEN(?bases) - 2), "\\t",\n'
        f'              COALESCE(STR(?codes), ""), "\\t", COALESCE(STR(?labels), "")) AS ?row)\n}}'
    )


def _trial_rows(store: ox.Store, trial: ox.NamedNode) -> list[ox.Quad]:
    """The rows of one trial on its antigens, read from `store` by the rule that writes them."""
    found = store.query(_trial_row_rule(trial.value), use_default_graph_as_union=True)
    return [ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in found]


def _trial_index(store: ox.Store, trial: ox.NamedNode) -> list[ox.Quad]:
    """The index entries and rows of one trial, read from `store` (none without an id)."""
    ids = sorted(
        (o for o in objects(store, trial, _TRIAL_ID) if isinstance(o, ox.Literal)), key=str
    )
    quads = []
    for index, path in TRIAL_ID_INDEX.items():
        nodes = {trial}
        for step in path:
            nodes = {
                o
                for n in nodes
                for o in objects(store, n, ox.NamedNode(step))
                if isinstance(o, ox.NamedNode)
            }
        quads += [ox.Quad(x, ox.NamedNode(index), i, INFERRED) for x in nodes for i in ids]
    return quads + _trial_rows(store, trial)


def _move_trial_index(
    store: ox.Store, previous: ox.Store, trials: list[ox.NamedNode]
) -> tuple[int, int]:
    """The changed trials' ids out of the index (as it was: read in `previous`) and back in
    where they belong now."""
    fresh = {q for t in trials for q in _trial_index(store, t)}
    # entries about a vocabulary node the change removed are gone already (its inferred facts)
    stale = [q for t in trials for q in _trial_index(previous, t) if q not in fresh and q in store]
    for quad in stale:
        store.remove(quad)
    new = sorted((q for q in fresh if q not in store), key=str)
    store.extend(new)
    return len(stale), len(new)


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
    trials: list[ox.NamedNode] = []
    for iri in sorted(set(nodes)):
        node = ox.NamedNode(iri)
        for keys_by_id, source in ((before, previous), (after, store)):
            trial_id, keys = trial_keys(source, node)
            if trial_id is not None:
                keys_by_id.setdefault(trial_id, set()).update(keys)
                if not trials or trials[-1] != node:
                    trials.append(node)
    changed = set(before) | set(after)
    touched = set().union(*before.values(), *after.values()) if changed else set()
    removed, added = _move_trial_index(store, previous, trials)
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
