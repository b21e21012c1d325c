"""What the RDF stage needs about a MeSH descriptor besides a link: its label, its verified
MONDO / NCIt cross-references (`ontology/vocab/disease_xrefs.tsv`) and its parents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graphbuild.vocab import mesh
from graphbuild.vocab.lexicon import load_lexicon


@dataclass(frozen=True, slots=True)
class DiseaseInfo:
    """What the RDF stage needs about a descriptor besides the link itself."""

    mesh_id: str
    label: str | None
    mondo_ids: tuple[str, ...]
    ncit_ids: tuple[str, ...]
    parents: tuple[str, ...]


@lru_cache(maxsize=1)
def _xrefs() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    mondo: dict[str, list[str]] = {}
    ncit: dict[str, list[str]] = {}
    for row in load_lexicon("disease_xrefs"):
        mondo.setdefault(row["mesh_id"], []).append(row["mondo_id"])
        if row["ncit_id"] and row["ncit_id"] not in ncit.setdefault(row["mesh_id"], []):
            ncit[row["mesh_id"]].append(row["ncit_id"])
    return {ui: (tuple(ids), tuple(ncit.get(ui, ()))) for ui, ids in mondo.items()}


def disease_info(mesh_id: str) -> DiseaseInfo:
    """Label, verified MONDO / NCIt cross-references and MeSH parents of a descriptor."""
    mondo_ids, ncit_ids = _xrefs().get(mesh_id, ((), ()))
    return DiseaseInfo(mesh_id, mesh.label(mesh_id), mondo_ids, ncit_ids, mesh.parents(mesh_id))
