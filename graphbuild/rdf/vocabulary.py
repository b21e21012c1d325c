"""The shared vocabulary graph: what is true of antigens, diseases and concepts in general.

Trial graphs say what one trial uses; this graph says how those things relate: the MeSH
disease hierarchy (`skos:broader` between the descriptors used and all their ancestors),
endpoint concept categories, synonyms and NCIt matches, antigen synonyms. It is a pure
function of the *set* of nodes referenced, so it is rebuilt whole after every build or
re-ingest and comes out identical for the same trials in any order.

The data comes from the other stages' curated tables: `graphbuild.extract.mesh` (the disease
engineer's MeSH labels and parents) and `ontology/vocab/*.tsv`. Anything missing degrades to a
smaller vocabulary graph, never to an error: a trial graph is already self-contained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from graphbuild.model import Trial
from graphbuild.rdf import iris
from graphbuild.rdf.iris import T
from graphbuild.rdf.namespaces import GBR_IRI, HGNC, MESH, VOCABULARY_GRAPH

_CONCEPT_BASE = f"{GBR_IRI}concept/"


@dataclass
class Referenced:
    """The nodes a set of trials points at: MeSH ids, concept keys, antigens (HGNC id -> symbol)."""

    diseases: set[str] = field(default_factory=set)
    concepts: set[str] = field(default_factory=set)
    antigens: dict[str, str] = field(default_factory=dict)

    def add(self, item: object) -> None:
        if isinstance(item, Trial):
            self.diseases.update(d.mesh_id for d in item.diseases)
            self.concepts.update(c.concept for e in item.endpoints for c in e.concepts)
            for target in item.targets:
                hgnc_id = _hgnc_curie(target.antigen.hgnc_id)
                self.antigens.setdefault(hgnc_id, target.antigen.symbol)
            return
        value = item.value if isinstance(item, ox.NamedNode) else str(item)
        if value.startswith(str(MESH)):
            self.diseases.add(value[len(str(MESH)) :])
        elif value.startswith(_CONCEPT_BASE):
            from urllib.parse import unquote

            self.concepts.add(unquote(value[len(_CONCEPT_BASE) :]))
        elif value.startswith(str(HGNC)):
            self.antigens.setdefault(_hgnc_curie(value[len(str(HGNC)) :]), "")
        else:
            raise ValueError(f"not a disease, concept or antigen IRI: {value}")


def _hgnc_curie(value: str) -> str:
    number = value.split(":", 1)[1] if ":" in value else value
    return f"HGNC:{number}"


# --------------------------------------------------------------------------------------------
# Data sources (each optional, each loaded once)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def concept_rows() -> dict[str, dict[str, str]]:
    """Endpoint concept lexicon rows by key (empty when the lexicon is absent)."""
    from graphbuild.extract.lexicon import load_lexicon

    try:
        return {row["key"]: row for row in load_lexicon("endpoint_concepts") if row.get("key")}
    except FileNotFoundError:
        return {}


@lru_cache(maxsize=1)
def antigen_rows() -> dict[str, dict[str, str]]:
    """Antigen lexicon rows by HGNC id (`HGNC:11913`), when the antigen lexicon exists."""
    from graphbuild.extract.lexicon import load_lexicon

    try:
        rows = load_lexicon("antigens")
    except FileNotFoundError:
        return {}
    return {_hgnc_curie(row["hgnc_id"]): row for row in rows if row.get("hgnc_id")}


@dataclass(frozen=True)
class MeshLookup:
    """What the vocabulary needs of MeSH: a descriptor's name and its parent descriptors."""

    label: Callable[[str], str | None]
    parents: Callable[[str], Iterable[str]]


@lru_cache(maxsize=1)
def mesh_lookup() -> MeshLookup:
    """The disease tree of `graphbuild.extract.mesh` (labels and parents from MeSH tree
    numbers); without it the hierarchy is empty (trial graphs still label each disease)."""
    try:
        from graphbuild.extract import mesh
    except ImportError:
        return MeshLookup(label=lambda _id: None, parents=lambda _id: ())
    return MeshLookup(label=mesh.label, parents=mesh.parents)


# --------------------------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------------------------


def referenced(trials_or_ids: Iterable[object]) -> Referenced:
    refs = Referenced()
    for item in trials_or_ids:
        refs.add(item)
    return refs


def mesh_closure(mesh_ids: Iterable[str], lookup: MeshLookup) -> dict[str, tuple[str, ...]]:
    """Every descriptor in `mesh_ids` and all its ancestors, each with its sorted parents."""
    parents_of: dict[str, tuple[str, ...]] = {}
    pending = sorted(set(mesh_ids))
    while pending:
        mesh_id = pending.pop()
        if mesh_id in parents_of:
            continue
        parents = tuple(sorted(set(lookup.parents(mesh_id) or ())))
        parents_of[mesh_id] = parents
        pending.extend(p for p in parents if p not in parents_of)
    return parents_of


def vocabulary_quads(trials_or_ids: Iterable[object]) -> Iterator[ox.Quad]:
    """`VOCABULARY_GRAPH` for the antigens, diseases and concepts referenced by the given
    Trials and/or node IRIs (str or NamedNode). Sorted, so equal inputs give equal output."""
    refs = referenced(trials_or_ids)
    g = ox.NamedNode(str(VOCABULARY_GRAPH))
    gb, rdf, rdfs, skos = T.gb, T.rdf, T.rdfs, T.skos
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, p, o, g))

    lookup = mesh_lookup()
    for mesh_id, parents in sorted(mesh_closure(refs.diseases, lookup).items()):
        node = ox.NamedNode(iris.disease_iri(mesh_id))
        add(node, rdf.type, gb.Disease)
        add(node, gb.meshId, ox.Literal(mesh_id))
        label = lookup.label(mesh_id)
        if label:
            add(node, rdfs.label, ox.Literal(label))
        for parent in parents:
            add(node, skos.broader, ox.NamedNode(iris.disease_iri(parent)))

    rows = concept_rows()
    for key in sorted(refs.concepts):
        node = ox.NamedNode(iris.concept_iri(key))
        row = rows.get(key, {})
        add(node, rdf.type, gb.EndpointConcept)
        add(node, rdfs.label, ox.Literal(row.get("label") or key))
        if row.get("category"):
            add(node, gb.category, ox.Literal(row["category"]))
        for synonym in sorted(_split(row.get("synonyms", ""))):
            add(node, skos.altLabel, ox.Literal(synonym))
        for code in sorted(_split(row.get("ncit_code", ""))):
            curie = code if ":" in code else f"NCIT:{code}"
            add(node, skos.exactMatch, ox.NamedNode(iris.obo_iri(curie)))

    antigens = antigen_rows()
    for hgnc_id in sorted(refs.antigens):
        node = ox.NamedNode(iris.antigen_iri(hgnc_id))
        row = antigens.get(hgnc_id, {})
        symbol = row.get("symbol") or refs.antigens[hgnc_id]
        add(node, rdf.type, gb.TargetAntigen)
        add(node, gb.hgncId, ox.Literal(hgnc_id))
        if symbol:
            add(node, gb.hgncSymbol, ox.Literal(symbol))
            add(node, rdfs.label, ox.Literal(symbol))
        synonyms = {
            name for column in ("synonyms", "common_names") for name in _split(row.get(column, ""))
        }
        for synonym in sorted(synonyms - {symbol}):
            add(node, skos.altLabel, ox.Literal(synonym))
    return iter(dict.fromkeys(quads))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]
