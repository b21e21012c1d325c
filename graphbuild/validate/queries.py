"""The `queries/*-violation.rq` checks (ODK style: a query that returns rows only when the graph
is wrong), run over the union of the graphs on one thread per core.

A check whose header says `# scope: graph` matches every pattern inside one named graph `?g`
(its rows for a graph depend on that graph alone), so it can run on any subset of the graphs
and give, graph by graph, what it gives over the whole store: a build's workers run these on
the trial graphs they have just made (`graphbuild.build.process`), and the validation step
runs them here on the other graphs only (`checked=`): at 100,000 trials they were 213 of the
247 s of CPU the checks took over the whole store, each row an index lookup on a store too big
for the cache."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphbuild.cores import map_on_cores
from graphbuild.store import oxigraph_store
from graphbuild.validate.report import Violation
from graphbuild.validate.scoped import (
    Row,
    graph_scoped_queries,
    in_graph,
    query_rows,
    query_scope,
    violation_queries,
)

__all__ = [
    "CheckedRows", "graph_scoped_queries", "query_header", "query_violations",
    "run_violation_query", "violation_queries",
]
# graph IRI -> the graph-scoped checks' rows for it, (query name, row) pairs: what a build's
# workers found in the trial graphs they checked
CheckedRows = Mapping[str, Sequence[tuple[str, Row]]]
# Above this many graphs left unchecked, the graph-scoped checks run over the whole store
# instead of once per graph (and the workers' rows are not used).
MAX_NAMED_GRAPHS = 100  # each run costs ~1 ms to parse and plan


def query_header(path: Path) -> tuple[str, str]:
    """(title, description) from the `# title:` / `# description:` comment lines."""
    title = description = ""
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("title:"):
            title, current = body[len("title:") :].strip(), "title"
        elif body.startswith("description:"):
            description, current = body[len("description:") :].strip(), "description"
        elif current == "description" and line.startswith("#   "):
            description += " " + body
        else:
            current = None
    return title, description


def run_violation_query(store: Any, path: Path, graphs: Sequence[str] | None = None) -> list[Row]:
    """Rows of one violation query over the union of all graphs, as {column: text}; with
    `graphs` (a graph-scoped check only), over those graphs alone."""
    text = path.read_text(encoding="utf-8")
    if graphs is None:
        return query_rows(store, text)
    return [row for graph in graphs for row in query_rows(store, in_graph(text, graph))]


def _rows(ox_store: ox.Store, path: Path, checked: CheckedRows | None, rest: list[str] | None) -> list[Row]:
    """One check's rows: over the whole store, or, for a graph-scoped check when the workers
    checked most trial graphs (`rest`: the graphs they did not check), the workers' rows plus
    this check run on each of the other graphs, in the query's order (trial, node)."""
    if checked is None or rest is None or query_scope(path) != "graph":
        return run_violation_query(ox_store, path)
    rows = run_violation_query(ox_store, path, rest) if rest else []
    rows += [row for found in checked.values() for name, row in found if name == path.stem]
    return sorted(rows, key=lambda r: (r.get("trial_id", ""), r.get("node", ""), r.get("message", "")))


def query_violations(
    store: Any, queries: Iterable[Path] | None = None, checked: CheckedRows | None = None
) -> tuple[list[Violation], dict[str, list[Row]]]:
    """Every violation query's rows, and each row as a Violation named by the query. The
    queries run side by side, a thread per core (`graphbuild.cores`).
    `checked`: the graph-scoped checks' rows for the graphs a build's workers checked."""
    violations: list[Violation] = []
    rows_by_query: dict[str, list[dict[str, str]]] = {}
    paths = list(violation_queries() if queries is None else queries)
    ox_store = oxigraph_store(store)
    rest = None  # the graphs the workers did not check, when few enough to check one by one
    if checked:
        rest = [g.value for g in ox_store.named_graphs() if g.value not in checked]
        rest = sorted(rest) if len(rest) <= MAX_NAMED_GRAPHS else None
    answers = map_on_cores(lambda path: _rows(ox_store, path, checked, rest), paths)
    for path, rows in zip(paths, answers, strict=True):
        title, _ = query_header(path)
        rows_by_query[path.stem] = rows
        for row in rows:
            violations.append(
                Violation(
                    row.get("trial_id") or None,
                    row.get("node", ""),
                    row.get("path"),
                    path.stem,
                    row.get("message") or title,
                    row.get("severity", "Violation"),
                    row.get("value"),
                )
            )
    return violations, rows_by_query
