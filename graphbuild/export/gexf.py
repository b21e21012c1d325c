"""GEXF 1.3 (Gephi's format): the property graph, streamed straight to XML.

The attributes (`<attributes class="node">`, `class="edge"`) are declared up front from the
property-graph schema, so nodes and edges can be written as they come off the store with
lxml's incremental writer; only each node's degree is counted first (for its size).

What a Gephi or networkx user meets:
* a `kind` attribute with one value per node (Trial, Intervention, TargetAntigen, ...) to
  colour, filter and partition by, and `labels` (the kind, then the reasoner's classes:
  `Trial|CARTTrial|CellTherapyTrial`);
* `viz:color` by kind and `viz:size` growing with the node's degree, so the first layout
  already reads;
* short labels (the NCT id or trial id for trials, the product code for interventions, the
  HGNC symbol for antigens, the concept key for endpoint concepts, at most 40 characters
  elsewhere); the full title and texts stay in their attributes;
* only the attribute types every reader knows (string, long, double, boolean): GEXF's list
  types are not read by networkx, so lists are written as strings joined by `|`.
The output has no timestamp, so the same graph gives the same file.
"""

from __future__ import annotations

import math
from collections import Counter
from contextlib import ExitStack, suppress
from pathlib import Path

from graphbuild import __version__
from graphbuild.export.atomic import AtomicFile
from graphbuild.export.property_graph import (
    Edge,
    Node,
    Value,
    edge_properties,
    edges,
    node_properties,
    transfer,
)
from graphbuild.export.registry import register
from graphbuild.store import GraphStore

__all__ = ["GEXF_NS", "GEXF_TYPES", "KIND_COLORS", "LIST_SEPARATOR", "GexfSink", "short_label"]

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
_N = f"{{{GEXF_NS}}}"  # Clark notation prefix: {http://gexf.net/1.3}
_VIZ = f"{{{VIZ_NS}}}"

# property-graph types -> GEXF attribute types; lists become joined strings (see above)
GEXF_TYPES = {
    "string": "string",
    "long": "long",
    "double": "double",
    "boolean": "boolean",
    "string[]": "string",
    "double[]": "string",
}
LIST_SEPARATOR = "|"
LABEL_CHARS = 40

# One colour per node kind (Okabe-Ito, readable by colour-blind users), as r, g, b.
KIND_COLORS = {
    "Trial": (0, 114, 178),
    "Intervention": (230, 159, 0),
    "TargetAntigen": (213, 94, 0),
    "Disease": (0, 158, 115),
    "Endpoint": (86, 180, 233),
    "EndpointConcept": (204, 121, 167),
    "TimeFrame": (153, 153, 153),
}


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    return str(value)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "\u2026"


def short_label(node: Node) -> str:
    """The label Gephi draws: an identifier people recognise, not a whole title."""
    props = node.properties
    by_kind = {
        "Trial": ("nct_id", "trial_id"),
        "Intervention": ("product_code", "label"),
        "TargetAntigen": ("hgnc_symbol", "label"),
        "Disease": ("label", "mesh_id"),
        "Endpoint": ("measure", "label"),
        "TimeFrame": ("text", "label"),
    }
    if node.label == "EndpointConcept":
        return node.id.rsplit("/", 1)[-1]
    for name in by_kind.get(node.label, ("label",)):
        value = props.get(name)
        if isinstance(value, str) and value.strip():
            return _shorten(value)
    return node.id.rsplit("/", 1)[-1]


def _attribute_name(prop: str) -> str:
    return "full_label" if prop == "label" else prop


def node_size(degree: int) -> float:
    """Area grows with the number of links: a hub antigen stands out, a leaf stays small."""
    return round(4.0 + 2.0 * math.sqrt(degree), 2)


class GexfSink:
    """Writes one GEXF document: header and attribute declarations at once, then `<nodes>`
    while nodes come, `<edges>` from the first edge on."""

    def __init__(self, path: Path, degrees: Counter[str] | None = None) -> None:
        from lxml import etree  # lazy: only this format needs lxml

        self._etree = etree
        self._degrees = degrees if degrees is not None else Counter()
        self._target = AtomicFile(path)
        self._stack = ExitStack()
        self._section = ExitStack()  # the open <nodes> or <edges> element
        self._phase = ""
        # the RDF label is `full_label` here: `label` is the short label GEXF draws, and
        # readers (networkx) would merge the two
        self._node_attrs = {
            "kind": "string",
            "labels": "string[]",
            **{_attribute_name(n): t for n, t in node_properties().items()},
        }
        self._edge_attrs = {"type": "string", **edge_properties()}
        try:
            handle = self._stack.enter_context(open(self._target.temp, "wb"))  # noqa: SIM115
            self._xf = self._stack.enter_context(etree.xmlfile(handle, encoding="utf-8"))
            self._xf.write_declaration()
            self._open(
                self._stack, "gexf", {"version": "1.3"}, nsmap={None: GEXF_NS, "viz": VIZ_NS}
            )
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
        element = self._el("node", {"id": node.id, "label": short_label(node)})
        self._attvalues(
            element,
            self._node_attrs,
            {
                "kind": node.label,
                "labels": node.labels,
                **{_attribute_name(n): v for n, v in node.properties.items()},
            },
        )
        r, g, b = KIND_COLORS.get(node.label, (128, 128, 128))
        self._sub(element, f"{_VIZ}color", {"r": str(r), "g": str(g), "b": str(b)})
        self._sub(element, f"{_VIZ}size", {"value": str(node_size(self._degrees[node.id]))})
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
    degrees: Counter[str] = Counter()
    for edge in edges(store, properties=False):
        degrees[edge.source] += 1
        degrees[edge.target] += 1
    transfer(store, GexfSink(path, degrees))
