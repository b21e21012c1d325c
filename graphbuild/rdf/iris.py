"""Deterministic IRIs for every node graphbuild writes (see docs/graph-model.md).

An IRI depends only on the content it names: a trial id, an index into the record, a CURIE,
or a SHA-1 of a canonical string. Never a counter over the run, never Python's `hash()` (it is
salted per process, and extraction runs in a process pool), so the same input gives the same
IRI whatever the order of the inputs and whichever worker handled the record.

The functions return `str`; `graphbuild.rdf.triples` wraps them as pyoxigraph nodes. The
vocabulary terms are here too, as ready-made pyoxigraph `NamedNode`s (`T.gb.Trial`,
`T.rdfs.label`, ...), built once so the hot path never re-parses an IRI.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from graphbuild.rdf.namespaces import (
    CTGOV,
    GB,
    GB_IRI,
    GBR_IRI,
    HGNC,
    MESH,
    OBO,
    id_segment,
    trial_graph,
)
from graphbuild.rdf.prefixes import PREFIXES  # noqa: F401 - re-exported

HASH_LENGTH = 16  # hex digits of SHA-1 kept: 64 bits, collision-free at any realistic scale
_SEP = "\x1f"  # unit separator: cannot occur in IRIs, and no field joins into another


def content_hash(*parts: object) -> str:
    """A short, stable hash of `parts` joined with a separator that no part can contain."""
    canonical = _SEP.join(str(part) for part in parts)
    # surrogateescape: a file name with a byte that is not UTF-8 still hashes (to its bytes)
    return hashlib.sha1(canonical.encode("utf-8", "surrogateescape")).hexdigest()[:HASH_LENGTH]


segment = id_segment


def trial_graph_iri(trial_id: str) -> str:
    """The named graph of one trial (`namespaces.trial_graph`, as a plain string)."""
    return str(trial_graph(trial_id))


def trial_iri(trial_id: str) -> str:
    return f"{GBR_IRI}trial/{segment(trial_id)}"


def intervention_iri(trial_id: str, index: int) -> str:
    return f"{trial_iri(trial_id)}/intervention/{index}"


def endpoint_iri(trial_id: str, index: int) -> str:
    return f"{trial_iri(trial_id)}/endpoint/{index}"


def time_frame_iri(trial_id: str, index: int) -> str:
    return f"{endpoint_iri(trial_id, index)}/time-frame"


def link_iri(trial_id: str, subject: str, predicate: str, obj: str, basis: str) -> str:
    """The reified statement of one extracted edge. The basis is part of the hash so that a
    link has exactly one basis even when two extractors assert the same edge differently."""
    return f"{trial_iri(trial_id)}/link/{content_hash(subject, predicate, obj, basis)}"


def evidence_iri(trial_id: str, link: str, field: str, start: int, end: int) -> str:
    return f"{trial_iri(trial_id)}/evidence/{content_hash(link, field, start, end)}"


def antigen_iri(hgnc_id: str) -> str:
    """`HGNC:11913` (or a bare `11913`) -> `https://identifiers.org/hgnc:11913`."""
    number = hgnc_id.split(":", 1)[1] if ":" in hgnc_id else hgnc_id
    return f"{HGNC}{number}"


def disease_iri(mesh_id: str) -> str:
    """`D009101` (or `MESH:D009101`) -> `http://id.nlm.nih.gov/mesh/D009101`."""
    bare = mesh_id.split(":", 1)[1] if ":" in mesh_id else mesh_id
    return f"{MESH}{bare}"


def obo_iri(curie: str) -> str:
    """`MONDO:0009693` -> `http://purl.obolibrary.org/obo/MONDO_0009693` (also NCIT:C123)."""
    prefix, local = curie.split(":", 1)
    return f"{OBO}{prefix.upper()}_{local}"


def concept_iri(key: str) -> str:
    return f"{GBR_IRI}concept/{segment(key)}"


def ctgov_iri(nct_id: str) -> str:
    return f"{CTGOV}{nct_id}"


def source_iri(file: str, member: str | None = None) -> str:
    """The PROV entity of a source file (or of one member of an archive), named by the path
    as the reader reported it: stable across builds of the same inputs, content-independent
    so that a changed file keeps its identity (its checksum lives in the build graph)."""
    return f"{GBR_IRI}source/{content_hash(file, member or '')}"


def build_iri(started: str) -> str:
    """The PROV activity of one build, named by its start time (build graph only)."""
    return f"{GBR_IRI}build/{content_hash(started)}"


def agent_iri(version: str) -> str:
    return f"{GBR_IRI}agent/graphbuild/{segment(version)}"


# --------------------------------------------------------------------------------------------
# Vocabulary terms as pyoxigraph nodes
# --------------------------------------------------------------------------------------------


class OxNamespace:
    """Terms of one namespace as pyoxigraph `NamedNode`s, cached on first use. With `names`,
    an unknown term raises `AttributeError` (like `GB`'s DefinedNamespace), so a typo in the
    triples code fails in the first test instead of writing an undeclared IRI."""

    def __init__(self, base: str, names: frozenset[str] | None = None) -> None:
        self._base = base
        self._names = names

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_") or (self._names is not None and name not in self._names):
            raise AttributeError(f"{self._base}{name} is not a declared term")
        node = ox.NamedNode(self._base + name)
        setattr(self, name, node)  # later lookups skip __getattr__
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        return getattr(self, name)


def _declared(namespace: type) -> frozenset[str]:
    return frozenset(name for cls in namespace.__mro__ for name in getattr(cls, "__annotations__", {}))


class T:
    """Every namespace the graph writes, as pyoxigraph nodes."""

    gb = OxNamespace(GB_IRI, _declared(GB))
    rdf = OxNamespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
    rdfs = OxNamespace("http://www.w3.org/2000/01/rdf-schema#")
    xsd = OxNamespace("http://www.w3.org/2001/XMLSchema#")
    owl = OxNamespace("http://www.w3.org/2002/07/owl#")
    skos = OxNamespace("http://www.w3.org/2004/02/skos/core#")
    prov = OxNamespace("http://www.w3.org/ns/prov#")
    dcterms = OxNamespace("http://purl.org/dc/terms/")
    spdx = OxNamespace("http://spdx.org/rdf/terms#")


# Prefixes for Turtle / TriG output and for SPARQL written by hand.
# PREFIXES (graphbuild.rdf.prefixes) is re-exported here for the modules that read it from iris
