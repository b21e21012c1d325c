"""The SHACL shapes (`ontology/shapes.ttl`), read once per file version."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from graphbuild.resources import ontology_path, turtle_graph


def default_shapes() -> Path:
    return ontology_path("shapes.ttl")


def shapes_graph(path: Path | None = None) -> Graph:
    """The SHACL shapes as an rdflib Graph (cached; do not modify)."""
    return turtle_graph(path or default_shapes())


def shape_messages(path: Path | None = None) -> dict[str, str]:
    """Each shape's sh:message by shape IRI: the words a result of that shape carries, whatever
    the engine (pyrudof prints its own words for some components, e.g. sh:lessThanOrEquals)."""
    from rdflib.namespace import SH

    return {str(s): str(m) for s, m in shapes_graph(path).subject_objects(SH.message)}
