"""The shared vocabulary graph: the one place antigen, disease and concept nodes are described.

Trial graphs only point at these nodes; this graph says what they are: the MeSH disease
hierarchy (each descriptor used and all its ancestors, `skos:broader` to each parent), MeSH
names and verified MONDO / NCIt matches, endpoint concept labels, categories, synonyms and NCIt
matches, antigen HGNC symbols, ids and synonyms. Describing them once (not once per trial) keeps
joins through them linear: Oxigraph's union default graph has bag semantics, so a triple
copied into k graphs comes back k times (see docs/graph-model.md).

It is a pure function of the *set* of nodes referenced, built from the curated tables
(`graphbuild.vocab.disease_xrefs.disease_info`, `ontology/vocab/endpoint_concepts.tsv`,
`ontology/vocab/antigens.tsv`), so it comes out identical for the same trials in any order, and
the pipeline rebuilds it whole after every build and re-ingest from the IRIs the trial graphs
reference. Given Trial objects, what they carry fills in for a node the tables do not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator
from urllib.parse import unquote

import pyoxigraph as ox

from graphbuild.model import Trial
from graphbuild.rdf import iris
from graphbuild.rdf.iris import T
from graphbuild.rdf.namespaces import GBR_IRI, HGNC, MESH, VOCABULARY_GRAPH

_CONCEPT_BASE = f"{GBR_IRI}concept/"
_MESH_BASE = str(MESH)
_HGNC_BASE = str(HGNC)


@dataclass(frozen=True, slots=True)
class DiseaseFacts:
    label: str | None
    xrefs: tuple[str, ...]  # MONDO:… / NCIT:… CURIEs
    parents: tuple[str, ...]


@dataclass
class Referenced:
    """The nodes some trials point at, with what the Trial objects said about them (used only
    where the curated tables are silent)."""

    diseases: dict[str, DiseaseFacts | None] = field(default_factory=dict)
    concepts: dict[str, str | None] = field(default_factory=dict)  # key -> category
    antigens: dict[str, str | None] = field(default_factory=dict)  # HGNC:n -> symbol

    def add(self, item: object) -> None:
        if isinstance(item, Trial):
            for d in item.diseases:
                self.diseases.setdefault(d.mesh_id, DiseaseFacts(d.label, (*d.mondo_ids, *d.ncit_ids), ()))
            for endpoint in item.endpoints:
                for c in endpoint.concepts:
                    self.concepts.setdefault(c.concept, str(c.category))
            for target in item.targets:
                self.antigens.setdefault(_hgnc_curie(target.antigen.hgnc_id), target.antigen.symbol)
            return
        value = item.value if isinstance(item, ox.NamedNode) else str(item)
        if value.startswith(_MESH_BASE):
            self.diseases.setdefault(value[len(_MESH_BASE) :], None)
        elif value.startswith(_CONCEPT_BASE):
            self.concepts.setdefault(unquote(value[len(_CONCEPT_BASE) :]), None)
        elif value.startswith(_HGNC_BASE):
            self.antigens.setdefault(_hgnc_curie(value[len(_HGNC_BASE) :]), None)
        else:
            raise ValueError(f"not a disease, concept or antigen IRI: {value}")


def _hgnc_curie(value: str) -> str:
    number = value.split(":", 1)[1] if ":" in value else value
    return f"HGNC:{number}"


def referenced(trials_or_ids: Iterable[object]) -> Referenced:
    refs = Referenced()
    for item in trials_or_ids:
        refs.add(item)
    return refs


# --------------------------------------------------------------------------------------------
# The curated tables (each loaded once; each optional)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def concept_rows() -> dict[str, dict[str, str]]:
    """Endpoint concept lexicon rows by key (empty when the lexicon is absent)."""
    from graphbuild.vocab.lexicon import load_lexicon

    try:
        return {row["key"]: row for row in load_lexicon("endpoint_concepts") if row.get("key")}
    except FileNotFoundError:
        return {}


@lru_cache(maxsize=1)
def antigen_rows() -> dict[str, dict[str, str]]:
    """Antigen lexicon rows by HGNC id (`HGNC:11913`), when the antigen lexicon exists."""
    from graphbuild.vocab.lexicon import load_lexicon

    try:
        rows = load_lexicon("antigens")
    except FileNotFoundError:
        return {}
    return {_hgnc_curie(row["hgnc_id"]): row for row in rows if row.get("hgnc_id")}


@lru_cache(maxsize=1)
def disease_lookup() -> Callable[[str], DiseaseFacts]:
    """MeSH name, verified cross-references and parents of a descriptor, from the shared
    vocabulary layer (`graphbuild.vocab.disease_xrefs`)."""
    from graphbuild.vocab.disease_xrefs import disease_info

    def facts(mesh_id: str) -> DiseaseFacts:
        info = disease_info(mesh_id)
        return DiseaseFacts(info.label, (*info.mondo_ids, *info.ncit_ids), tuple(info.parents))

    return facts


def mesh_closure(refs: dict[str, DiseaseFacts | None]) -> dict[str, DiseaseFacts]:
    """Every descriptor referenced and all its ancestors, with their facts (parents sorted)."""
    lookup = disease_lookup()
    facts: dict[str, DiseaseFacts] = {}
    pending = sorted(refs)
    while pending:
        mesh_id = pending.pop()
        if mesh_id in facts:
            continue
        found = lookup(mesh_id)
        given = refs.get(mesh_id)
        label = found.label or (given.label if given else None)
        xrefs = found.xrefs or (given.xrefs if given else ())
        parents = tuple(sorted(set(found.parents)))
        facts[mesh_id] = DiseaseFacts(label, tuple(sorted(set(xrefs))), parents)
        pending.extend(p for p in parents if p not in facts)
    return facts


# --------------------------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------------------------


def vocabulary_quads(trials_or_ids: Iterable[object]) -> Iterator[ox.Quad]:
    """`VOCABULARY_GRAPH` for the antigens, diseases and concepts referenced by the given
    Trials and/or node IRIs (str or NamedNode). Sorted, so equal inputs give equal output."""
    refs = referenced(trials_or_ids)
    g = ox.NamedNode(str(VOCABULARY_GRAPH))
    gb, rdf, rdfs, skos = T.gb, T.rdf, T.rdfs, T.skos
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, p, o, g))

    for mesh_id, facts in sorted(mesh_closure(refs.diseases).items()):
        node = ox.NamedNode(iris.disease_iri(mesh_id))
        add(node, rdf.type, gb.Disease)
        add(node, rdfs.label, ox.Literal(facts.label or mesh_id))
        add(node, gb.meshId, ox.Literal(mesh_id))
        for curie in facts.xrefs:
            add(node, skos.exactMatch, ox.NamedNode(iris.obo_iri(curie)))
        for parent in facts.parents:
            add(node, skos.broader, ox.NamedNode(iris.disease_iri(parent)))

    rows = concept_rows()
    for key in sorted(refs.concepts):
        node = ox.NamedNode(iris.concept_iri(key))
        row = rows.get(key, {})
        category = row.get("category") or refs.concepts[key]
        add(node, rdf.type, gb.EndpointConcept)
        add(node, rdfs.label, ox.Literal(row.get("label") or key))
        if category:
            add(node, gb.category, ox.Literal(category))
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
        add(node, rdfs.label, ox.Literal(symbol or hgnc_id))
        if symbol:
            add(node, gb.hgncSymbol, ox.Literal(symbol))
        add(node, gb.hgncId, ox.Literal(hgnc_id))
        names = {n for column in ("synonyms", "common_names") for n in _split(row.get(column, ""))}
        for name in sorted(names - {symbol}):
            add(node, skos.altLabel, ox.Literal(name))
    return iter(dict.fromkeys(quads))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]
