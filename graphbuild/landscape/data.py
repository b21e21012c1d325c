"""What the landscape report shows, read from a store through the stored queries.

Every figure of the page is drawn from the rows gathered here, so the page says what
`graphbuild query NAME` says; nothing is computed from the records themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graphbuild.sparql.run import run_query

Rows = list[dict[str, Any]]

# The stored queries the page is drawn from (each one's rows are kept under its name).
QUERIES = (
    "antigen_disease_matrix",
    "trial_antigens",
    "trial_conditions",
    "trial_endpoints",
    "trials_by_phase",
    "phase_by_antigen",
    "trials_by_modality",
    "product_antigens",
    "graph_summary",
)


@dataclass
class Landscape:
    """The rows of each stored query, and the per-trial views the figures join on."""

    rows: dict[str, Rows]
    antigens_of: dict[str, set[str]] = field(default_factory=dict)  # trial id -> HGNC symbols

    def __post_init__(self) -> None:
        antigens: dict[str, set[str]] = defaultdict(set)
        for row in self.rows.get("trial_antigens", []):
            if row.get("antigen_symbol"):
                antigens[str(row["trial_id"])].add(str(row["antigen_symbol"]))
        self.antigens_of = dict(antigens)

    def __getitem__(self, name: str) -> Rows:
        return self.rows.get(name, [])

    @property
    def trials(self) -> int:
        """Trials in the graph (from `graph_summary`)."""
        for row in self["graph_summary"]:
            if row.get("kind") == "trials":
                return int(row.get("n") or 0)
        return 0


def collect(store: Any) -> Landscape:
    """Run every query the page needs on `store` (a GraphStore or a pyoxigraph.Store)."""
    return Landscape({name: run_query(store, name) for name in QUERIES})


def trial_ids(text: object) -> list[str]:
    """The space-joined trial ids of a GROUP_CONCAT column, as a list."""
    return str(text or "").split()
