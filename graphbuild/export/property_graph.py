"""The property-graph view of the RDF graph, shared by the Neo4j, GEXF and GraphML exporters.

RDF and property graphs disagree on two things, and this module settles both once:

* literals become node properties, named and typed by a fixed schema (`NODE_KINDS`), so
  every writer can declare its columns or attributes before the first row and stream the rest;
* the reified `rdf:Statement` links (basis, qualifiers, evidence) become properties *of the
  edge they describe*, not nodes of their own, which is what a Cypher or Gephi user expects.

Nodes are the trials, interventions, target antigens, diseases (with their MeSH ancestors),
endpoints, endpoint concepts and time frames; a node's id is its IRI. Edges are the typed links
between them (`EDGE_KINDS`). Only edges whose two ends are exported nodes are emitted, so an
import never meets a dangling relationship.

Everything is read with Oxigraph pattern lookups, node by node, in IRI order: a sorted stream
without asking Oxigraph to sort the whole graph (its ORDER BY decodes every term at each
comparison, minutes on a large build) and without holding the graph in Python. A writer is a
`Sink` (kgx's shape): `write_node`, `write_edge`, `finalize`, and `abort` on failure;
`transfer` feeds one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GB_IRI, INFERRED_GRAPH

__all__ = [
    "BASIS_RANK",
    "EDGE_KINDS",
    "NODE_KINDS",
    "Edge",
    "EdgeKind",
    "Node",
    "NodeKind",
    "Prop",
    "Sink",
    "Value",
    "edge_properties",
    "edges",
    "node_properties",
    "nodes",
    "to_networkx",
    "transfer",
]

Value = str | int | float | bool | tuple[str, ...] | tuple[float, ...]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OBO = "http://purl.obolibrary.org/obo/"
XSD = "http://www.w3.org/2001/XMLSchema#"

_TYPE = ox.NamedNode(f"{RDF}type")
_SUBJECT = ox.NamedNode(f"{RDF}subject")
_PREDICATE = ox.NamedNode(f"{RDF}predicate")
_OBJECT = ox.NamedNode(f"{RDF}object")
_BASIS = ox.NamedNode(f"{GB_IRI}basis")
_QUALIFIER = ox.NamedNode(f"{GB_IRI}qualifier")
_HAS_EVIDENCE = ox.NamedNode(f"{GB_IRI}hasEvidence")
_SOURCE_FIELD = ox.NamedNode(f"{GB_IRI}sourceField")
_QUOTE = ox.NamedNode(f"{GB_IRI}quote")
_HAS_INTERVENTION = ox.NamedNode(f"{GB_IRI}hasIntervention")
_TARGETS_ANTIGEN = ox.NamedNode(f"{GB_IRI}targetsAntigen")
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))

# Strongest first: a basis read from the record beats one from a lexicon beats an inference.
# When several links support one edge, the edge carries the strongest (as trial_antigens.rq).
BASIS_RANK = ("stated", "source_mesh", "product_lexicon", "lexicon", "title", "inferred")


# --------------------------------------------------------------------------------------------
# Converting RDF terms to property values
# --------------------------------------------------------------------------------------------


def _literal(term: ox.NamedNode | ox.Literal) -> str:
    return term.value


def _local_name(term: ox.NamedNode | ox.Literal) -> str:
    """`gb:CarT` -> `CarT`: the individuals of modality, cell source and role."""
    return re.split(r"[#/]", term.value)[-1]


_OBO_LOCAL = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_(\S+)$")


def _curie(term: ox.NamedNode | ox.Literal) -> str:
    """`obo:MONDO_0009693` -> `MONDO:0009693` (the CURIE people join on); other IRIs as is."""
    value = term.value
    if value.startswith(OBO):
        match = _OBO_LOCAL.match(value[len(OBO) :])
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    return value


_SCALARS: dict[str, Callable[[str], object]] = {
    "string": str,
    "long": int,
    "double": float,
    "boolean": lambda text: {"true": True, "1": True, "false": False, "0": False}[text],
}


@dataclass(frozen=True)
class Prop:
    """One property: its name, the predicate it is read from, its type (Neo4j's names:
    string, long, double, boolean, and `[]` for lists) and how an RDF term becomes text."""

    name: str
    predicate: str
    type: str = "string"
    term: Callable[[ox.NamedNode | ox.Literal], str] = _literal

    @property
    def many(self) -> bool:
        return self.type.endswith("[]")

    @property
    def scalar(self) -> str:
        return self.type.removesuffix("[]")

    def value(self, terms: Iterable[ox.NamedNode | ox.Literal]) -> Value | None:
        """The property value of these objects: a sorted tuple for a list, else the first
        in sorted order (a single-valued property the data repeats keeps one value, the same
        one every time). Terms that do not convert (an enrollment of "n/a") are skipped."""
        convert = _SCALARS[self.scalar]
        values = []
        for term in terms:
            try:
                values.append(convert(self.term(term)))
            except (ValueError, KeyError):
                continue
        if not values:
            return None
        values = sorted(set(values))
        return tuple(values) if self.many else values[0]


@dataclass(frozen=True)
class NodeKind:
    """Nodes of one RDF class: their label (the Neo4j label) and properties."""

    label: str
    cls: str
    props: tuple[Prop, ...]


@dataclass(frozen=True)
class EdgeKind:
    """Edges of one predicate between two node kinds. `reified`: the predicate's links are
    rdf:Statements whose basis, qualifiers and evidence become the edge's properties."""

    type: str
    predicate: str
    source: str
    target: str
    props: tuple[tuple[str, str], ...] = ()
    reified: bool = False


def _p(
    name: str,
    local: str,
    type: str = "string",
    term: Callable[[ox.NamedNode | ox.Literal], str] = _literal,
    ns: str = GB_IRI,
) -> Prop:
    return Prop(name, f"{ns}{local}", type, term)


_LABEL = Prop("label", f"{RDFS}label")

NODE_KINDS: tuple[NodeKind, ...] = (
    NodeKind(
        "Trial",
        f"{GB_IRI}Trial",
        (
            _LABEL,
            _p("trial_id", "trialId"),
            _p("nct_id", "nctId"),
            _p("title", "title", ns=DCTERMS),
            _p("official_title", "officialTitle"),
            _p("acronym", "acronym"),
            _p("phase", "phase", "string[]"),
            _p("phase_basis", "phaseBasis"),
            _p("study_type", "studyType"),
            _p("overall_status", "overallStatus"),
            _p("sponsor", "sponsor"),
            _p("enrollment", "enrollment", "long"),
            _p("start_date", "startDate"),
            _p("primary_completion_date", "primaryCompletionDate"),
            _p("completion_date", "completionDate"),
            _p("conditions", "conditionText", "string[]"),
            _p("target_status", "targetStatus"),
            _p("open_label", "openLabel", "boolean"),
            _p("single_arm", "singleArm", "boolean"),
            _p("randomized", "randomized", "boolean"),
            _p("dose_escalation", "doseEscalation", "boolean"),
            _p("centers", "centers"),
            _p("source_format", "sourceFormat"),
            _p("url", "seeAlso", ns=RDFS),
            _p("brief_summary", "briefSummary"),
            _p("detailed_description", "detailedDescription"),
        ),
    ),
    NodeKind(
        "Intervention",
        f"{GB_IRI}Intervention",
        (
            _LABEL,
            _p("intervention_type", "interventionType"),
            _p("product_code", "productCode"),
            _p("modality", "modality", term=_local_name),
            _p("cell_source", "cellSource", term=_local_name),
            _p("intervention_role", "interventionRole", term=_local_name),
            _p("other_names", "otherName", "string[]"),
            _p("see_also", "seeAlso", "string[]", ns=RDFS),
            _p("description", "description"),
        ),
    ),
    NodeKind(
        "TargetAntigen",
        f"{GB_IRI}TargetAntigen",
        (
            _LABEL,
            _p("hgnc_symbol", "hgncSymbol"),
            _p("hgnc_id", "hgncId"),
            _p("synonyms", "altLabel", "string[]", ns=SKOS),
        ),
    ),
    NodeKind(
        "Disease",
        f"{GB_IRI}Disease",
        (
            _LABEL,
            _p("mesh_id", "meshId"),
            _p("xrefs", "exactMatch", "string[]", term=_curie, ns=SKOS),
        ),
    ),
    NodeKind(
        "Endpoint",
        f"{GB_IRI}Endpoint",
        (
            _LABEL,
            _p("role", "role"),
            _p("measure", "measure"),
            _p("criterion", "criterion", "string[]"),
            _p("method", "method", "string[]"),
            _p("description", "description"),
        ),
    ),
    NodeKind(
        "EndpointConcept",
        f"{GB_IRI}EndpointConcept",
        (
            _LABEL,
            _p("category", "category"),
            _p("synonyms", "altLabel", "string[]", ns=SKOS),
            _p("xrefs", "exactMatch", "string[]", term=_curie, ns=SKOS),
        ),
    ),
    NodeKind(
        "TimeFrame",
        f"{GB_IRI}TimeFrame",
        (
            _LABEL,
            _p("text", "text"),
            _p("min_days", "minDays", "double"),
            _p("max_days", "maxDays", "double"),
            _p("time_point_days", "timePointDays", "double[]"),
            _p("anchor", "anchor"),
        ),
    ),
)

_LINK_PROPS = (("basis", "string"), ("evidence", "string[]"))

EDGE_KINDS: tuple[EdgeKind, ...] = (
    EdgeKind("HAS_INTERVENTION", f"{GB_IRI}hasIntervention", "Trial", "Intervention"),
    EdgeKind(
        "TARGETS_ANTIGEN",
        f"{GB_IRI}targetsAntigen",
        "Intervention",
        "TargetAntigen",
        _LINK_PROPS,
        reified=True,
    ),
    # `origin`: "extracted" when a trial graph asserts the link, "reasoner" when only the
    # inferred graph holds it (hasIntervention o targetsAntigen); the basis is then the
    # strongest basis of the intervention links it was inferred from.
    EdgeKind(
        "DIRECTED_AT",
        f"{GB_IRI}directedAt",
        "Trial",
        "TargetAntigen",
        (*_LINK_PROPS, ("origin", "string")),
        reified=True,
    ),
    EdgeKind(
        "STUDIES_DISEASE",
        f"{GB_IRI}studiesDisease",
        "Trial",
        "Disease",
        (*_LINK_PROPS, ("qualifiers", "string[]")),
        reified=True,
    ),
    EdgeKind("HAS_ENDPOINT", f"{GB_IRI}hasEndpoint", "Trial", "Endpoint"),
    EdgeKind(
        "MEASURES_CONCEPT",
        f"{GB_IRI}measuresConcept",
        "Endpoint",
        "EndpointConcept",
        _LINK_PROPS,
        reified=True,
    ),
    EdgeKind("HAS_TIME_FRAME", f"{GB_IRI}hasTimeFrame", "Endpoint", "TimeFrame"),
    EdgeKind("BROADER", f"{SKOS}broader", "Disease", "Disease"),
)

_KIND_BY_LABEL = {kind.label: kind for kind in NODE_KINDS}
_PRIMARY_CLASSES = {kind.cls for kind in NODE_KINDS}


def _merged(pairs: Iterable[tuple[str, str]], what: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, type_ in pairs:
        if merged.setdefault(name, type_) != type_:
            raise TypeError(f"{what} property {name!r} declared as {merged[name]} and {type_}")
    return merged


def node_properties() -> dict[str, str]:
    """Every node property name -> its type, over all node kinds, in declaration order. A
    name means one type everywhere, so GEXF and GraphML can declare one attribute per name."""
    return _merged(((p.name, p.type) for k in NODE_KINDS for p in k.props), "node")


def edge_properties() -> dict[str, str]:
    """Every edge property name -> its type, over all edge kinds."""
    return _merged((pair for k in EDGE_KINDS for pair in k.props), "edge")


# --------------------------------------------------------------------------------------------
# The stream
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    id: str  # the IRI
    labels: tuple[str, ...]  # the kind's label first, then inferred classes (CARTTrial, ...)
    properties: Mapping[str, Value] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.labels[0]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    type: str
    properties: Mapping[str, Value] = field(default_factory=dict)


class Sink(Protocol):
    """A writer of one format. `transfer` calls `write_node` for every node, then
    `write_edge` for every edge, then `finalize` (which commits the output atomically), or
    `abort` if anything failed on the way."""

    def write_node(self, node: Node) -> None: ...

    def write_edge(self, edge: Edge) -> None: ...

    def finalize(self) -> None: ...

    def abort(self) -> None: ...


class _Graph:
    """Pattern lookups over the union of all graphs of one Oxigraph store, each answer
    de-duplicated (a label can sit in a trial graph and in the vocabulary graph)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def quads(self, s=None, p=None, o=None) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(s, p, o, None)

    def objects(self, s: ox.NamedNode, p: ox.NamedNode) -> list:
        return sorted({q.object for q in self.quads(s, p)}, key=str)

    def has_type(self, node: object, cls: ox.NamedNode) -> bool:
        if not isinstance(node, ox.NamedNode):
            return False
        return next(iter(self.quads(node, _TYPE, cls)), None) is not None

    def instances(self, cls: str) -> list[ox.NamedNode]:
        found = {q.subject for q in self.quads(None, _TYPE, ox.NamedNode(cls))}
        return sorted((n for n in found if isinstance(n, ox.NamedNode)), key=lambda n: n.value)


def _store_of(store: object) -> ox.Store:
    """Accept a GraphStore (its `.ox`) or a bare pyoxigraph Store."""
    return store if isinstance(store, ox.Store) else store.ox  # type: ignore[attr-defined]


def nodes(store: object) -> Iterator[Node]:
    """Every node, kind by kind (in `NODE_KINDS` order), each kind in IRI order."""
    graph = _Graph(_store_of(store))
    for kind in NODE_KINDS:
        by_predicate = {p.predicate for p in kind.props}
        for subject in graph.instances(kind.cls):
            objects: dict[str, list] = {}
            extra: set[str] = set()
            for quad in graph.quads(subject):
                predicate = quad.predicate.value
                if predicate in by_predicate:
                    objects.setdefault(predicate, []).append(quad.object)
                elif quad.predicate == _TYPE and isinstance(quad.object, ox.NamedNode):
                    cls = quad.object.value
                    if cls.startswith(GB_IRI) and cls not in _PRIMARY_CLASSES:
                        extra.add(cls[len(GB_IRI) :])
            properties = {}
            for prop in kind.props:
                value = prop.value(objects.get(prop.predicate, ()))
                if value is not None:
                    properties[prop.name] = value
            yield Node(subject.value, (kind.label, *sorted(extra)), properties)


@dataclass
class _Link:
    """What the reified statements behind one edge say, merged."""

    bases: set[str] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)
    qualifiers: set[str] = field(default_factory=set)

    def add(self, graph: _Graph, link: ox.NamedNode) -> None:
        self.bases.update(t.value for t in graph.objects(link, _BASIS))
        self.qualifiers.update(t.value for t in graph.objects(link, _QUALIFIER))
        for evidence in graph.objects(link, _HAS_EVIDENCE):
            fields = [t.value for t in graph.objects(evidence, _SOURCE_FIELD)]
            for quote in graph.objects(evidence, _QUOTE):
                self.evidence.add(f"{fields[0]}: {quote.value}" if fields else quote.value)

    def properties(self, kind: EdgeKind) -> dict[str, Value]:
        names = {name for name, _ in kind.props}
        out: dict[str, Value] = {}
        if self.bases:
            rank = {basis: i for i, basis in enumerate(BASIS_RANK)}
            out["basis"] = min(self.bases, key=lambda b: (rank.get(b, len(rank)), b))
        if self.evidence:
            out["evidence"] = tuple(sorted(self.evidence))
        if self.qualifiers and "qualifiers" in names:
            out["qualifiers"] = tuple(sorted(self.qualifiers))
        return out


def _links_from(graph: _Graph, subject: ox.NamedNode) -> dict[tuple[str, str], list[ox.NamedNode]]:
    """The reified statements about `subject`'s edges: (predicate, object) -> link nodes."""
    found: dict[tuple[str, str], list[ox.NamedNode]] = {}
    for quad in graph.quads(None, _SUBJECT, subject):
        link = quad.subject
        for predicate in graph.objects(link, _PREDICATE):
            for obj in graph.objects(link, _OBJECT):
                links = found.setdefault((predicate.value, str(obj)), [])
                if link not in links:
                    links.append(link)
    return found


def edges(store: object, *, properties: bool = True) -> Iterator[Edge]:
    """Every edge, type by type (in `EDGE_KINDS` order), by source IRI, then target IRI.
    `properties=False` skips reading the links behind each edge (for counting degrees)."""
    graph = _Graph(_store_of(store))
    for kind in EDGE_KINDS:
        predicate = ox.NamedNode(kind.predicate)
        target_cls = ox.NamedNode(_KIND_BY_LABEL[kind.target].cls)
        for source in graph.instances(_KIND_BY_LABEL[kind.source].cls):
            targets = [t for t in graph.objects(source, predicate) if graph.has_type(t, target_cls)]
            if not targets:
                continue
            targets.sort(key=lambda t: t.value)
            reified = kind.reified and properties
            links = _links_from(graph, source) if reified else {}
            for target in targets:
                values: dict[str, Value] = {}
                if reified:
                    merged = _Link()
                    for link in links.get((kind.predicate, str(target)), ()):
                        merged.add(graph, link)
                    if kind.type == "DIRECTED_AT":
                        values["origin"] = _directed_at_origin(graph, source, target)
                        _add_chain_links(graph, source, target, merged)
                    values.update(merged.properties(kind))
                yield Edge(source.value, target.value, kind.type, values)


def _directed_at_origin(graph: _Graph, trial: ox.NamedNode, antigen: ox.NamedNode) -> str:
    graphs = {
        q.graph_name for q in graph.quads(trial, ox.NamedNode(f"{GB_IRI}directedAt"), antigen)
    }
    return "extracted" if graphs - {_INFERRED} else "reasoner"


def _add_chain_links(
    graph: _Graph, trial: ox.NamedNode, antigen: ox.NamedNode, merged: _Link
) -> None:
    """The intervention-level links a trial-level DIRECTED_AT rests on (the reasoner's
    property chain hasIntervention o targetsAntigen), merged into its basis and evidence."""
    for intervention in graph.objects(trial, _HAS_INTERVENTION):
        if not isinstance(intervention, ox.NamedNode):
            continue
        for link in _links_from(graph, intervention).get(
            (_TARGETS_ANTIGEN.value, str(antigen)), ()
        ):
            merged.add(graph, link)


def transfer(store: object, sink: Sink) -> tuple[int, int]:
    """Stream every node, then every edge, into `sink` and finalize it; abort it on any
    failure. Returns (nodes, edges) written."""
    n_nodes = n_edges = 0
    try:
        for node in nodes(store):
            sink.write_node(node)
            n_nodes += 1
        for edge in edges(store):
            sink.write_edge(edge)
            n_edges += 1
    except BaseException:
        sink.abort()
        raise
    sink.finalize()
    return n_nodes, n_edges


def list_text(values: Sequence[object]) -> str:
    """A list property as text for formats without list types (GraphML) and for GEXF list
    attributes: a JSON array, so elements holding commas or `|` stay intact."""
    import json

    return json.dumps(list(values), ensure_ascii=False)


def to_networkx(store: object):  # -> networkx.MultiDiGraph (imported lazily)
    """The whole property graph in memory as a networkx MultiDiGraph: node attributes are the
    properties plus `labels`, edge attributes the properties plus `type` (also the edge key).
    For formats and analyses that need the whole graph at once."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for node in nodes(store):
        graph.add_node(node.id, labels=node.labels, **node.properties)
    for edge in edges(store):
        graph.add_edge(edge.source, edge.target, key=edge.type, type=edge.type, **edge.properties)
    return graph
