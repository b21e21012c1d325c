"""Cell kinetics (expansion, persistence, trafficking) are the kinetics of infused cells: a
trial that gives no cells measures none ("cell proliferation" of organoids under a drug is no
expansion of a cell therapy). The concept matcher reads one outcome at a time, so this rule,
which needs the trial's interventions, runs over the trial's endpoints afterwards."""

from __future__ import annotations

import re

from graphbuild.extract.endpoints.pruning import drop_concepts
from graphbuild.extract.interventions.modality import CELL_BASED
from graphbuild.model import Endpoint, InterventionInfo, Record

CELL_KINETICS = frozenset({"EXPANSION", "PERSISTENCE", "TRAFFICKING"})
_CELL_WORDS = re.compile(
    r"\bcells?\b|\bCAR\b|lymphocyte|leucel\b|\bTILs?\b|\bDLI\b|\bgraft", re.IGNORECASE
)


def gives_cells(record: Record, interventions: tuple[InterventionInfo, ...]) -> bool:
    """Does the trial give cells (a cell therapy, a transplant, a graft)? Read from the
    interventions' modalities and, where none is known, their words and the titles."""
    if any(info.modality in CELL_BASED for info in interventions):
        return True
    return any(
        _CELL_WORDS.search(" ".join((i.name, i.description, *i.other_names)))
        for i in record.interventions
    ) or bool(_CELL_WORDS.search(f"{record.brief_title} {record.official_title}"))


def without_cell_kinetics(endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    """The endpoints with the cell-kinetics concepts taken out (for a trial that gives no
    cells)."""
    return drop_concepts(endpoints, lambda _endpoint, link: link.concept in CELL_KINETICS)
