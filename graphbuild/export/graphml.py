"""GraphML: the property graph through networkx, for yEd, Cytoscape, igraph and networkx.

GraphML has no list type, so list properties (and a node's `labels`) are written as JSON
arrays in string attributes. Every node has a `kind` (its label: Trial, Intervention, ...).
Integers are `long` and reals `double`: networkx reads them as int and float, igraph (whose
attributes are all numbers of one kind) as floats, NaN where a node has none. The yes/no
flags of a trial (`open_label`, `single_arm`, ...) are written as the text `true`/`false`:
igraph reads an absent GraphML boolean as False, which would state "not open label" for
every record that does not say; as text, absent stays absent (empty in igraph). networkx needs the whole graph to write it, so this sink
collects it (the property graph only: no evidence nodes, no statements) and writes at
`finalize`. Key ids are the attribute names (`named_key_ids`), so the file reads plainly and
keys do not shift between builds. Edge ids are the relationship types (networkx writes a
multigraph's edge keys as ids), so `graph[u][v]["HAS_INTERVENTION"]` works after reading.
"""

from __future__ import annotations

from pathlib import Path

from graphbuild.export.atomic import atomic_file
from graphbuild.export.property_graph import Edge, Node, Value, list_text, transfer
from graphbuild.export.registry import register
from graphbuild.store import GraphStore

__all__ = ["GraphmlSink"]


def _plain_value(value: Value) -> str | int | float:
    if isinstance(value, tuple):
        return list_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _plain(properties: dict[str, Value]) -> dict[str, str | int | float]:
    return {k: _plain_value(v) for k, v in properties.items()}


class GraphmlSink:
    def __init__(self, path: Path) -> None:
        import networkx as nx  # lazy: only the formats that need a whole graph load it

        self.path = path
        self.graph = nx.MultiDiGraph()

    def write_node(self, node: Node) -> None:
        self.graph.add_node(
            node.id,
            kind=node.label,
            labels=list_text(node.labels),
            **_plain(dict(node.properties)),
        )

    def write_edge(self, edge: Edge) -> None:
        self.graph.add_edge(
            edge.source, edge.target, key=edge.type, type=edge.type, **_plain(dict(edge.properties))
        )

    def finalize(self) -> None:
        import networkx as nx

        with atomic_file(self.path, "wb") as handle:
            nx.write_graphml(self.graph, handle, encoding="utf-8", named_key_ids=True)

    def abort(self) -> None:
        self.graph.clear()


@register(
    "graphml", "GraphML (networkx): the property graph, lists as JSON text", suffix=".graphml"
)
def write_graphml(store: GraphStore, path: Path) -> None:
    transfer(store, GraphmlSink(path))
