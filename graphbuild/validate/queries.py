"""The `queries/*-violation.rq` checks (ODK style: a query that returns rows only when the graph
is wrong), run over the union of the graphs on one thread per core."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphbuild.reason import oxigraph_store
from graphbuild.resources import queries_dir
from graphbuild.validate.report import Violation


def violation_queries(directory: Path | None = None) -> list[Path]:
    """Every `*-violation.rq`, sorted by name."""
    return sorted((directory or queries_dir()).glob("*-violation.rq"))


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


def _text(term: Any) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def run_violation_query(store: Any, path: Path) -> list[dict[str, str]]:
    """Rows of one violation query over the union of all graphs, as {column: text}."""
    ox_store = oxigraph_store(store)
    solutions = ox_store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    columns = [v.value for v in solutions.variables]
    return [{c: _text(row[c]) for c in columns if row[c] is not None} for row in solutions]


def query_violations(
    store: Any, queries: Iterable[Path] | None = None
) -> tuple[list[Violation], dict[str, list[dict[str, str]]]]:
    """Every violation query's rows, and each row as a Violation named by the query. The
    queries run on as many threads as there are cores (up to 4): Oxigraph evaluates without
    holding the GIL, so a build's last serial step uses both cores of a 2-core machine."""
    violations: list[Violation] = []
    rows_by_query: dict[str, list[dict[str, str]]] = {}
    paths = list(violation_queries() if queries is None else queries)
    ox_store = oxigraph_store(store)
    threads = max(1, min(len(paths), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(lambda path: run_violation_query(ox_store, path), paths))
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
