"""The SHACL shapes (`ontology/shapes.ttl`), read once per file version."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from graphbuild.resources import ontology_path


def default_shapes() -> Path:
    return ontology_path("shapes.ttl")


@lru_cache(maxsize=4)
def _shapes(path: str, mtime: float) -> Graph:
    return Graph().parse(path, format="turtle")


def shapes_graph(path: Path | None = None) -> Graph:
    path = path or default_shapes()
    return _shapes(str(path), path.stat().st_mtime)
