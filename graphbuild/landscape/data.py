"""What the landscape report shows, read from a store: the summary queries' rows, and the
counts of endpoints, window ends and product links the figures are drawn from.

Every figure of the page is drawn from what is gathered here, so the page says what
`graphbuild query NAME` says (the counts are those of the listings `trial_endpoints`,
`trial_conditions` and `trial_antigens`, grouped by the engine: `aggregates`); nothing is
computed from the records themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphbuild.cores import map_on_cores
from graphbuild.landscape.aggregates import (
    ConceptCounts,
    Link,
    Window,
    concept_counts,
    product_links,
    window_ends,
)
from graphbuild.sparql.run import run_query

Rows = list[dict[str, Any]]

# The stored queries the page reads whole (each one's rows are kept under its name): summaries
# of a few hundred rows, not listings.
QUERIES = (
    "antigen_disease_matrix",
    "trials_by_phase",
    "phase_by_antigen",
    "trials_by_modality",
    "product_antigens",
    "graph_summary",
)


@dataclass
class Landscape:
    """The rows of each summary query, and the counts the endpoint charts and the network are
    drawn from."""

    rows: dict[str, Rows]
    concepts: ConceptCounts = field(default_factory=dict)
    windows: dict[tuple[str, str], Window] = field(default_factory=dict)
    links: dict[str, list[Link]] = field(default_factory=dict)  # product code -> its links

    def __getitem__(self, name: str) -> Rows:
        return self.rows.get(name, [])

    @property
    def trials(self) -> int:
        """Trials in the graph (from `graph_summary`)."""
        for row in self["graph_summary"]:
            if row.get("kind") == "trials":
                return int(row.get("n") or 0)
        return 0


def collect(store: Any, side_by_side: bool = True) -> Landscape:
    """Run every query the page needs on `store` (a GraphStore or a pyoxigraph.Store): side by
    side on a thread per core (`graphbuild.cores`: at 100,000 trials they are ~100 s of
    SPARQL), or one after another (`side_by_side=False`: a build runs them beside its other
    outputs, and each grouped query holds its groups in memory)."""
    grouped = (concept_counts, window_ends, product_links)
    tasks: list[Any] = [*grouped, *QUERIES]

    def run(task: Any) -> Any:
        return task(store) if callable(task) else run_query(store, task)

    answers = map_on_cores(run, tasks) if side_by_side else [run(task) for task in tasks]
    concepts, windows, links = answers[: len(grouped)]
    return Landscape(
        dict(zip(QUERIES, answers[len(grouped) :], strict=True)),
        concepts=concepts,
        windows=windows,
        links=links,
    )


def trial_ids(text: object) -> list[str]:
    """The space-joined trial ids of a GROUP_CONCAT column, as a list."""
    return str(text or "").split()
