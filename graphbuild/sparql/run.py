"""Running a query on a store: over the union of all graphs, SELECT only, rows as RDF terms
with their columns (`QueryResult`) or as plain Python values (`run_query`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graphbuild.sparql.binding import prepare
from graphbuild.sparql.catalog import QueryInfo
from graphbuild.sparql.errors import QueryError
from graphbuild.sparql.terms import Term, term_to_python
from graphbuild.store import oxigraph_store


@dataclass(frozen=True, slots=True)
class QueryResult:
    """SELECT results as RDF terms (None where a variable is unbound), with their columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def records(self) -> list[dict[str, object]]:
        return [{c: term_to_python(t) for c, t in zip(self.columns, row)} for row in self.rows]


def execute_sparql(store: Any, text: str) -> QueryResult:
    """Run a SELECT over the union of all graphs (the layout of docs/graph-model.md)."""
    results = oxigraph_store(store).query(text, use_default_graph_as_union=True)
    if not isinstance(results, ox.QuerySolutions):
        raise QueryError("stored queries must be SELECT queries")
    columns = tuple(v.value for v in results.variables)
    rows = tuple(tuple(solution[c] for c in columns) for solution in results)
    return QueryResult(columns, rows)


def stream_sparql(
    store: Any, text: str
) -> tuple[tuple[str, ...], Iterator[tuple[Term | None, ...]]]:
    """(columns, rows as they come) of a SELECT over the union of all graphs: a listing query
    without ORDER BY yields its first row as soon as the engine finds it, instead of after the
    whole answer is gathered (`execute_sparql`)."""
    results = oxigraph_store(store).query(text, use_default_graph_as_union=True)
    if not isinstance(results, ox.QuerySolutions):
        raise QueryError("stored queries must be SELECT queries")
    columns = tuple(v.value for v in results.variables)
    return columns, (tuple(solution[c] for c in columns) for solution in results)


def execute_query(
    store: Any, name: str | QueryInfo, params: Mapping[str, str] | None = None
) -> QueryResult:
    """Run a stored query with its parameters; results as terms with their columns."""
    _info, text = prepare(name, params)
    return execute_sparql(store, text)


def run_query(
    store: Any, name: str, params: Mapping[str, str] | None = None
) -> list[dict[str, object]]:
    """Run the stored query `name` on `store` (a GraphStore or a pyoxigraph.Store) and return
    its rows as dicts of plain Python values (str, int, float, bool; None when unbound)."""
    return execute_query(store, name, params).records()
