"""GEXF 1.3 (Gephi's format): the property graph, streamed straight to XML.

The attributes (`<attributes class="node">`, `class="edge"`) are declared up front from the
property-graph schema, so nodes and edges can be written as they come off the store with
lxml's incremental writer; nothing is collected in memory. Every node carries a `labels`
attribute (its kind first, then the reasoner's classes, `Trial`, `CARTTrial`, ...) to colour
and filter by in Gephi; every edge has `kind` and `label` = its type and a `type` attribute.
List values are written as JSON arrays (`["relapsed", "refractory"]`), which survive commas
inside elements. The output has no timestamp, so the same graph gives the same file.
"""

from __future__ import annotations

import json
from contextlib import ExitStack, suppress
from pathlib import Path

from graphbuild import __version__
from graphbuild.export.atomic import AtomicFile
from graphbuild.export.property_graph import (
    Edge,
    Node,
    Value,
    edge_properties,
    node_properties,
    transfer,
)
from graphbuild.export.registry import register
from graphbuild.store import GraphStore

__all__ = ["GEXF_NS", "GEXF_TYPES", "GexfSink"]

GEXF_NS = "http://gexf.net/1.3"
_N = f"{{{GEXF_NS}}}"  # Clark notation prefix: {http://gexf.net/1.3}

# property-graph types -> GEXF attribute types
GEXF_TYPES = {
    "string": "string",
    "long": "long",
    "double": "double",
    "boolean": "boolean",
    "string[]": "liststring",
    "double[]": "listdouble",
}


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return str(value)


class GexfSink:
    """Writes one GEXF document: header and attribute declarations at once, then `<nodes>`
    while nodes come, `<edges>` from the first edge on."""

    def __init__(self, path: Path) -> None:
        from lxml import etree  # lazy: only this format needs lxml

        self._etree = etree
        self._target = AtomicFile(path)
        self._stack = ExitStack()
        self._section = ExitStack()  # the open <nodes> or <edges> element
        self._phase = ""
        self._node_attrs = {"labels": "string[]", **node_properties()}
        self._edge_attrs = {"type": "string", **edge_properties()}
        try:
            handle = self._stack.enter_context(open(self._target.temp, "wb"))  # noqa: SIM115
            self._xf = self._stack.enter_context(etree.xmlfile(handle, encoding="utf-8"))
            self._xf.write_declaration()
            self._open(self._stack, "gexf", {"version": "1.3"}, nsmap={None: GEXF_NS})
            self._write(self._meta())
            self._open(self._stack, "graph", {"defaultedgetype": "directed", "idtype": "string"})
            self._write(self._attributes("node", self._node_attrs))
            self._write(self._attributes("edge", self._edge_attrs))
        except BaseException:
            self.abort()
            raise

    # -- building elements ---------------------------------------------------------------------

    # Elements written inside the open <gexf> are built without a namespace: serialized
    # under its default-namespace declaration they are GEXF elements when read, and lxml does
    # not repeat `xmlns=` (or invent `ns0:`) on every node and edge.
    def _el(self, tag: str, attrib: dict[str, str] | None = None):
        return self._etree.Element(tag, attrib or {})

    def _sub(self, parent, tag: str, attrib: dict[str, str] | None = None):
        return self._etree.SubElement(parent, tag, attrib or {})

    def _write(self, element) -> None:
        self._xf.write(element, pretty_print=True)

    def _open(self, stack: ExitStack, tag: str, attrib: dict[str, str] | None = None, **kw) -> None:
        stack.enter_context(self._xf.element(f"{_N}{tag}", attrib or {}, **kw))
        self._xf.write("\n")

    def _meta(self):
        meta = self._el("meta")
        self._sub(meta, "creator").text = f"graphbuild {__version__}"
        self._sub(meta, "description").text = (
            "Clinical trials with their interventions, target antigens (HGNC), diseases (MeSH), "
            "endpoints, endpoint concepts and time frames"
        )
        return meta

    def _attributes(self, cls: str, declared: dict[str, str]):
        attributes = self._el("attributes", {"class": cls})
        for name, type_ in declared.items():
            self._sub(
                attributes, "attribute", {"id": name, "title": name, "type": GEXF_TYPES[type_]}
            )
        return attributes

    def _attvalues(self, parent, declared: dict[str, str], values: dict[str, Value]) -> None:
        present = [(name, values[name]) for name in declared if name in values]
        if present:
            attvalues = self._sub(parent, "attvalues")
            for name, value in present:
                self._sub(attvalues, "attvalue", {"for": name, "value": _text(value)})

    def _enter(self, phase: str) -> None:
        if self._phase == phase:
            return
        if phase == "nodes" and self._phase == "edges":
            raise RuntimeError("GEXF: every node must come before the first edge")
        self._section.close()
        if phase == "edges" and self._phase == "":
            self._open(self._section, "nodes")
            self._section.close()
        self._open(self._section, phase)
        self._phase = phase

    # -- the Sink protocol ---------------------------------------------------------------------

    def write_node(self, node: Node) -> None:
        self._enter("nodes")
        props = node.properties
        element = self._el(
            "node",
            {"id": node.id, "label": str(props.get("label") or props.get("text") or node.id)},
        )
        self._attvalues(element, self._node_attrs, {"labels": node.labels, **node.properties})
        self._write(element)

    def write_edge(self, edge: Edge) -> None:
        self._enter("edges")
        element = self._el(
            "edge",
            {
                "id": f"{edge.type}|{edge.source}|{edge.target}",
                "source": edge.source,
                "target": edge.target,
                "kind": edge.type,
                "label": edge.type,
            },
        )
        self._attvalues(element, self._edge_attrs, {"type": edge.type, **edge.properties})
        self._write(element)

    def finalize(self) -> None:
        try:
            self._enter("edges")  # an empty graph still has <nodes/> and <edges/>
            self._section.close()
            self._stack.close()
        except BaseException:
            self.abort()
            raise
        self._target.commit()

    def abort(self) -> None:
        with suppress(Exception):  # the output is being thrown away anyway
            self._section.close()
            self._stack.close()
        self._target.abort()


@register("gexf", "GEXF 1.3 for Gephi: the property graph with typed attributes", suffix=".gexf")
def write_gexf(store: GraphStore, path: Path) -> None:
    transfer(store, GexfSink(path))
