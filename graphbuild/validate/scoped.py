"""What a build's worker needs to run the graph-scoped violation checks on the trial graphs it
has just made: the checks (`# scope: graph` in their header) and a runner of one SELECT. No
rdflib here (workers import this module)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphbuild.resources import queries_dir
from graphbuild.store import oxigraph_store

Row = dict[str, str]
_GRAPH_VARIABLE = re.compile(r"[?$]g\b")


def violation_queries(directory: Path | None = None) -> list[Path]:
    """Every `*-violation.rq`, sorted by name."""
    return sorted((directory or queries_dir()).glob("*-violation.rq"))


def query_scope(path: Path) -> str:
    """The `# scope:` header line's value: "graph" (every pattern inside `GRAPH ?g`) or, when
    absent, "store"."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line[1:].strip().startswith("scope:"):
            return line[1:].strip()[len("scope:") :].split()[0]
    return "store"


@lru_cache(maxsize=4)
def graph_scoped_queries(directory: Path | None = None) -> tuple[tuple[str, str], ...]:
    """(name, text) of every `# scope: graph` check: what a build's worker runs on its trial
    graphs (read once per process)."""
    return tuple(
        (path.stem, path.read_text(encoding="utf-8"))
        for path in violation_queries(directory)
        if query_scope(path) == "graph"
    )


def in_graph(text: str, graph: str) -> str:
    """A graph-scoped check's text with its graph variable `?g` replaced by the IRI `graph`,
    so Oxigraph reads that graph alone (a VALUES block binding ?g is joined after the GRAPH
    patterns are matched in every graph, not pushed into them)."""
    return _GRAPH_VARIABLE.sub(f"<{graph}>", text)


def _text(term: Any) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


def query_rows(store: Any, text: str) -> list[Row]:
    """Rows of a SELECT over the union of all graphs, as {column: text}."""
    solutions = oxigraph_store(store).query(text, use_default_graph_as_union=True)
    columns = [v.value for v in solutions.variables]
    return [{c: _text(row[c]) for c in columns if row[c] is not None} for row in solutions]
