"""Trials grouped by phase, antigen, modality, product and primary-endpoint category:
precomputed by the reasoning step so the summary questions read a few hundred nodes.

`trials_by_phase.rq`, `phase_by_antigen.rq`, `trials_by_modality.rq`, `product_antigens.rq` and
`primary_endpoint_categories_by_phase.rq` each group every trial (or every intervention, link or
primary endpoint) of the graph before their first row: 4-18 s at 100,000 trials. Their answers
are small (9-229 rows), so the reasoning step writes one untyped node per group into the
inferred graph, with the trials it counts:

    <gbr:aggregate/group/{kind}/{key parts}>          (parts percent-encoded; "%00": no value)
        gb:groupKind "phase" ; gb:groupPhase "Phase 1/Phase 2" ;
        gb:trialCount 42 ; gb:trialIdList "NCT01 NCT02 ..." .

| kind | key (`gb:group...`) | question |
|---|---|---|
| `phase` | Phase | trials_by_phase |
| `antigen-phase` | AntigenSymbol, Phase | phase_by_antigen |
| `modality` | Modality, CellSource | trials_by_modality |
| `product-antigen` | ProductCode, AntigenSymbol (absent: no antigen) | product_antigens |
| `product-antigen-basis` | the same and Basis, `gb:withinGroup` the node above | its basis list |
| `phase-category` | Phase, Category; `gb:endpointCount` | primary_endpoint_categories_by_phase |

Each key is computed as the question computed it (the `_ROWS` queries are the questions' own
patterns without their grouping): a trial's phase is "not stated", its one phase, or its
first and last phase joined by "/"; a modality counts every intervention but lymphodepletion
and supportive ones; a product's antigens come from its `gb:targetsAntigen` links with their
basis ("" when it has none; codes and links are read apart). The same queries run bound to a
few trials (a VALUES block) for a re-ingest (`update_group_summaries`), which moves only the groups of the changed trials: each
such group's id list loses their ids and gains those that belong to it now, and its endpoint
count loses their earlier endpoints and gains their current ones. Exact as long as the stored
groups were, which the re-ingest tests check against a full rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GB_IRI, GBR_IRI
from graphbuild.reason.terms import INFERRED

__all__ = ["GROUP_PREFIX", "group_summary_quads", "update_group_summaries"]

GROUP_PREFIX = f"{GBR_IRI}aggregate/group/"
NOT_STATED = "not stated"
_ABSENT = "%00"  # a key part with no value (a product without antigen)
_NO_LINK = (None, ox.Literal(""))  # a product without antigen: no symbol, basis ""
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_KIND = ox.NamedNode(GB_IRI + "groupKind")
_WITHIN = ox.NamedNode(GB_IRI + "withinGroup")
_COUNT = ox.NamedNode(GB_IRI + "trialCount")
_IDS = ox.NamedNode(GB_IRI + "trialIdList")
_ENDPOINTS = ox.NamedNode(GB_IRI + "endpointCount")
# kind -> the predicates of its key parts, in order
KEYS = {
    "phase": ("groupPhase",),
    "antigen-phase": ("groupAntigenSymbol", "groupPhase"),
    "modality": ("groupModality", "groupCellSource"),
    "product-antigen": ("groupProductCode", "groupAntigenSymbol"),
    "product-antigen-basis": ("groupProductCode", "groupAntigenSymbol", "groupBasis"),
    "phase-category": ("groupPhase", "groupCategory"),
}

_PREFIXES = f"PREFIX gb: <{GB_IRI}>\n"
# One query per fact the groups need, each a question's own pattern without its grouping:
# rows of (trial, ...) read whole for a build, or bound to a re-ingest's trials.
_ROWS = {
    "phases": """
SELECT ?trial ?trial_id ?p
WHERE { ?trial gb:trialId ?trial_id . OPTIONAL { ?trial gb:phase ?p } }""",
    "antigens": """
SELECT DISTINCT ?trial ?antigen_symbol
WHERE {
  ?trial (gb:hasIntervention/gb:targetsAntigen)|gb:directedAt ?antigen .
  ?antigen gb:hgncSymbol ?antigen_symbol .
}""",
    "modalities": """
SELECT DISTINCT ?trial ?modality ?cell_source
WHERE {
  ?trial gb:hasIntervention ?intervention .
  ?intervention gb:modality ?modality_node .
  FILTER NOT EXISTS {
    ?intervention gb:interventionRole ?role .
    FILTER(?role IN (gb:Lymphodepletion, gb:Supportive))
  }
  OPTIONAL { ?intervention gb:cellSource ?source_node }
  BIND(STRAFTER(STR(?modality_node), "#") AS ?modality)
  BIND(COALESCE(STRAFTER(STR(?source_node), "#"), "not stated") AS ?cell_source)
}""",
    "product codes": """
SELECT DISTINCT ?trial ?intervention ?product_code
WHERE { ?trial gb:hasIntervention ?intervention . ?intervention gb:productCode ?product_code }""",
    # a product's antigen links, read apart from its codes: as an OPTIONAL beside them,
    # Oxigraph would join every link of the store even for one bound trial (1.3 s at 100,000)
    "product links": """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?trial ?intervention ?antigen_symbol ?basis
WHERE {
  ?trial gb:hasIntervention ?intervention .
  ?intervention gb:productCode ?any_code .
  ?link rdf:subject ?intervention ; rdf:predicate gb:targetsAntigen ; rdf:object ?antigen ;
        gb:basis ?basis .
  ?antigen gb:hgncSymbol ?antigen_symbol .
}""",
    "primary endpoints": """
SELECT DISTINCT ?trial ?endpoint ?category
WHERE {
  ?trial gb:hasEndpoint ?endpoint .
  ?endpoint gb:role "primary" .
  OPTIONAL { ?endpoint gb:measuresConcept/gb:category ?concept_category }
  BIND(COALESCE(?concept_category, "unclassified") AS ?category)
}""",
}

Key = tuple[str, tuple[ox.Literal | None, ...]]  # (kind, key parts)
Groups = dict[Key, dict[str, int]]  # group -> trial id -> its endpoints there (0: not counted)


@dataclass
class _Trial:
    ids: set[str]
    phase: ox.Literal


def _rows(store: ox.Store, name: str, trials: list[ox.NamedNode] | None) -> Iterator[ox.QuerySolution]:
    """The rows of one `_ROWS` query: the whole store's, or bound to `trials`."""
    sparql = _PREFIXES + _ROWS[name]
    if trials is not None:
        if not trials:
            return iter(())
        values = " ".join(str(t) for t in trials)
        where = sparql.index("WHERE {") + len("WHERE {")
        sparql = f"{sparql[:where]}\n  VALUES ?trial {{ {values} }}{sparql[where:]}"
    return iter(store.query(sparql, use_default_graph_as_union=True))


def phase_label(phases: Iterable[str]) -> str:
    """A trial's phase as the questions show it: none, one, or the first and last (by text)."""
    found = sorted(set(phases))
    if not found:
        return NOT_STATED
    return found[0] if found[0] == found[-1] else f"{found[0]}/{found[-1]}"


def _literal(term: object) -> ox.Literal | None:
    return term if isinstance(term, ox.Literal) else None


def groups_of(store: ox.Store, trials: list[ox.NamedNode] | None = None) -> Groups:
    """Every group of the store (`trials` None: one query per fact), or the groups `trials`
    count in, with the ids and endpoint counts they bring."""
    by_trial: dict[ox.NamedNode, tuple[set[str], list[str]]] = {}
    for row in _rows(store, "phases", trials):
        ids, phases = by_trial.setdefault(row["trial"], (set(), []))
        ids.add(row["trial_id"].value)
        if row["p"] is not None:
            phases.append(row["p"].value)
    known = {
        trial: _Trial(ids, ox.Literal(phase_label(phases)))
        for trial, (ids, phases) in by_trial.items()
    }
    groups: Groups = defaultdict(dict)

    def count(kind: str, parts: tuple[ox.Literal | None, ...], trial: _Trial, n: int = 0) -> None:
        members = groups[(kind, parts)]
        for trial_id in trial.ids:
            members[trial_id] = members.get(trial_id, 0) + n

    for trial in known.values():
        count("phase", (trial.phase,), trial)
    for row in _rows(store, "antigens", trials):
        if (trial := known.get(row["trial"])) is not None:
            count("antigen-phase", (_literal(row["antigen_symbol"]), trial.phase), trial)
    for row in _rows(store, "modalities", trials):
        if (trial := known.get(row["trial"])) is not None:
            count("modality", (_literal(row["modality"]), _literal(row["cell_source"])), trial)
    # each product code with its intervention's antigen links, or with no antigen and basis ""
    links: dict[tuple[ox.NamedNode, object], set[tuple[ox.Literal | None, ...]]] = defaultdict(set)
    for row in _rows(store, "product links", trials):
        links[(row["trial"], row["intervention"])].add(
            (_literal(row["antigen_symbol"]), _literal(row["basis"]))
        )
    for row in _rows(store, "product codes", trials):
        if (trial := known.get(row["trial"])) is None:
            continue
        code = _literal(row["product_code"])
        for symbol, basis in links.get((row["trial"], row["intervention"])) or {_NO_LINK}:
            count("product-antigen", (code, symbol), trial)
            count("product-antigen-basis", (code, symbol, basis), trial)
    endpoints: dict[tuple[ox.NamedNode, ox.Literal | None], set[str]] = defaultdict(set)
    for row in _rows(store, "primary endpoints", trials):
        endpoints[(row["trial"], _literal(row["category"]))].add(str(row["endpoint"]))
    for (trial_node, category), found in endpoints.items():
        if (trial := known.get(trial_node)) is not None:
            count("phase-category", (trial.phase, category), trial, len(found))
    return groups


def _node(key: Key) -> ox.NamedNode:
    kind, parts = key
    encoded = "/".join(_ABSENT if p is None else quote(p.value, safe="") for p in parts)
    return ox.NamedNode(f"{GROUP_PREFIX}{kind}/{encoded}")


def _quads(key: Key, ids: Iterable[str], endpoints: int) -> list[ox.Quad]:
    kind, parts = key
    node, listed = _node(key), sorted(set(ids))
    quads = [ox.Quad(node, _KIND, ox.Literal(kind), INFERRED)]
    quads += [
        ox.Quad(node, ox.NamedNode(GB_IRI + predicate), part, INFERRED)
        for predicate, part in zip(KEYS[kind], parts, strict=True)
        if part is not None
    ]
    if kind == "product-antigen-basis":
        quads.append(ox.Quad(node, _WITHIN, _node(("product-antigen", parts[:2])), INFERRED))
    if kind == "phase-category":
        quads.append(ox.Quad(node, _ENDPOINTS, _integer(endpoints), INFERRED))
    quads.append(ox.Quad(node, _COUNT, _integer(len(listed)), INFERRED))
    quads.append(ox.Quad(node, _IDS, ox.Literal(" ".join(listed)), INFERRED))
    return quads


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_INTEGER)


def group_summary_quads(store: ox.Store) -> list[ox.Quad]:
    """Every group node of the store, from its trials as the questions read them."""
    groups = groups_of(store)
    return [
        quad
        for key in sorted(groups, key=lambda k: _node(k).value)
        for quad in _quads(key, groups[key], sum(groups[key].values()))
    ]


def _stored(store: ox.Store, node: ox.NamedNode) -> tuple[set[str], int]:
    """The ids and endpoint count a stored group node holds."""
    ids = {
        part
        for q in store.quads_for_pattern(node, _IDS, None, INFERRED)
        for part in q.object.value.split()
    }
    counts = [int(q.object.value) for q in store.quads_for_pattern(node, _ENDPOINTS, None, INFERRED)]
    return ids, sum(counts)


def update_group_summaries(
    store: ox.Store, previous: ox.Store, nodes: Iterable[str]
) -> tuple[int, int]:
    """The groups moved by a re-ingest: `nodes` are the changed graphs' subjects (the trials
    among them matter), `previous` the store before the change (read-only), `store` after it
    with its inferred facts about them derived. Returns (facts removed, facts written)."""
    focus = [ox.NamedNode(iri) for iri in sorted(set(nodes))]
    before, after = groups_of(previous, focus), groups_of(store, focus)
    changed = {i for members in (*before.values(), *after.values()) for i in members}
    removed = added = 0
    for key in sorted(set(before) | set(after), key=lambda k: _node(k).value):
        node = _node(key)
        ids, endpoints = _stored(store, node)
        ids = (ids - changed) | set(after.get(key, {}))
        endpoints += sum(after.get(key, {}).values()) - sum(before.get(key, {}).values())
        stale = list(store.quads_for_pattern(node, None, None, INFERRED))
        for quad in stale:
            store.remove(quad)
        removed += len(stale)
        if ids:
            fresh = _quads(key, ids, endpoints)
            store.extend(fresh)
            added += len(fresh)
    return removed, added
