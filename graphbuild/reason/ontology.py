"""The ontology and its classification: HermiT (through owlready2) classifies the terminology
once per ontology file and process, checks every class is satisfiable and computes the class
and property hierarchies the rule compiler (`rules`) builds on."""

from __future__ import annotations

import io
import itertools
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDFS

from graphbuild.rdf.namespaces import GB_IRI
from graphbuild.reason.terms import ReasoningError, short
from graphbuild.resources import ontology_path, turtle_graph


def default_ontology() -> Path:
    return ontology_path("graphbuild.ttl")


def ontology_graph(path: Path | None = None) -> Graph:
    """The ontology as an rdflib Graph (cached; do not modify)."""
    return turtle_graph(path or default_ontology())


def owlready_world(path: Path | None = None, data: bytes = b""):
    """A fresh owlready2 World holding the ontology and, optionally, N-Triples `data`.

    owlready2 cannot read Turtle, so the ontology goes through rdflib as N-Triples. A fresh
    World per use keeps chunks independent (owlready2 worlds are not cheap to empty)."""
    import owlready2

    world = owlready2.World()
    tbox = ontology_graph(path).serialize(format="nt", encoding="utf-8")
    world.get_ontology("https://w3id.org/graphbuild/vocab").load(
        fileobj=io.BytesIO(tbox), format="ntriples"
    )
    if data:
        world.get_ontology("https://w3id.org/graphbuild/id/compact-view").load(
            fileobj=io.BytesIO(data), format="ntriples"
        )
    return world


def run_hermit(world: Any, *, property_values: bool) -> None:
    """HermiT over everything in `world`, results applied to it. Inconsistency, a missing
    Java and HermiT's own errors all become `ReasoningError`: no silent fallback."""
    import owlready2

    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        raise ReasoningError("HermiT: the ontology (with the data given) is inconsistent") from exc
    except FileNotFoundError as exc:
        raise ReasoningError(f"HermiT needs Java ({owlready2.JAVA_EXE!r} not found)") from exc
    except owlready2.OwlReadyJavaError as exc:
        raise ReasoningError(f"HermiT failed: {exc}") from exc


@dataclass(frozen=True)
class Terminology:
    """What HermiT concluded about the ontology alone: reflexive-transitive sub-class and
    sub-property sets (keyed by IRI), and the subsumptions it inferred that were not asserted."""

    path: Path
    subclasses: dict[str, frozenset[str]]
    subproperties: dict[str, frozenset[str]]
    inferred_subsumptions: tuple[tuple[str, str], ...]
    seconds: float

    def subs_of_class(self, iri: str) -> frozenset[str]:
        return self.subclasses.get(iri, frozenset({iri}))

    def subs_of_property(self, iri: str) -> frozenset[str]:
        return self.subproperties.get(iri, frozenset({iri}))


@lru_cache(maxsize=4)
def _classify(path: str, mtime: float) -> Terminology:
    started = time.perf_counter()
    graph = turtle_graph(Path(path))
    world = owlready_world(Path(path))
    try:
        run_hermit(world, property_values=False)
        unsatisfiable = [c.iri for c in world.inconsistent_classes()]
        if unsatisfiable:
            raise ReasoningError(f"unsatisfiable classes: {', '.join(map(short, unsatisfiable))}")
        subclasses = {
            cls.iri: frozenset(d.iri for d in cls.descendants() if hasattr(d, "iri"))
            for cls in world.classes()
        }
        subproperties = {
            prop.iri: frozenset(d.iri for d in prop.descendants() if hasattr(d, "iri"))
            for prop in itertools.chain(world.object_properties(), world.data_properties())
        }
    finally:
        world.close()
    asserted = {(str(s), str(o)) for s, o in graph.subject_objects(RDFS.subClassOf)}
    return Terminology(
        Path(path),
        subclasses,
        subproperties,
        _news(subclasses, asserted),
        time.perf_counter() - started,
    )


def _news(
    subclasses: dict[str, frozenset[str]], asserted: set[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """Direct subsumptions between gb: classes that HermiT proved and nobody asserted."""
    pairs = {(sub, sup) for sup, subs in subclasses.items() for sub in subs if sub != sup}
    news = []
    for sub, sup in sorted(pairs):
        if (sub, sup) in asserted or not sub.startswith(GB_IRI) or (sup, sub) in pairs:
            continue
        between = any(
            (sub, mid) in pairs
            and (mid, sup) in pairs
            and (mid, sub) not in pairs
            and (sup, mid) not in pairs
            for mid in subclasses
        )
        if not between:
            news.append((sub, sup))
    return tuple(news)


def classify(path: Path | None = None) -> Terminology:
    """HermiT's classification of the ontology (cached per file and modification time)."""
    path = path or default_ontology()
    return _classify(str(path), path.stat().st_mtime)
