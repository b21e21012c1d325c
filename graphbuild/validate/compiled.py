"""The SHACL shapes compiled into plain checks over a batch of triples: a build's check of each
trial graph, at a sixth of pyrudof's cost (`benchmarks/bench_shacl.py`).

Why. pyrudof checks a trial graph in ~3 ms of CPU (`graphbuild.validate.rudof`): 40% of a
build worker's time, more than extraction. `ontology/shapes.ttl` uses a small part of SHACL
Core: node shapes with `sh:targetClass`, a node kind and a pattern; property shapes on one
predicate with `sh:minCount`, `sh:maxCount`, `sh:datatype`, `sh:nodeKind sh:IRI`,
`sh:minLength`, `sh:pattern`, `sh:in`, `sh:class`, `sh:minInclusive`, `sh:lessThan`,
`sh:lessThanOrEquals` and `sh:hasValue`. Each of those is a test of one focus node's values
as SHACL defines it, so `compile_shapes` turns the shapes graph into a list of such tests once
per process, and `Shapes.check` runs them over the triples a worker already holds (indexed by
subject: no parsing, no query planning; SPARQL was tried first: Oxigraph spends ~35 ms
parsing and planning the 130 tests as separate queries, ~180 ms as one, whatever the data).

Strict: a shapes graph using anything else (another target, a path that is not one IRI, a
component not listed, a shape without `sh:message`) is refused with the shape and the term
named, so a new shape cannot go unchecked here; pyrudof stays the engine of `graphbuild
validate` and of the shared graphs. Every result carries its shape's own `sh:message` (pyrudof
prints its own words for some components). The class hierarchy (the ontology's
rdfs:subClassOf triples, `ShaclSpec.base`) is expanded at compile time, so a class stands for
itself and its sub-classes, as pyrudof sees it with those triples beside the data.

Results are pyrudof's raw tuples (`RawResult`), so everything downstream is shared; tests hold
the two engines to the same violations on the deliberately broken graphs and on real builds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from graphbuild.validate.rudof import RawResult, ShaclSpec

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
_RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
_RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

_STRUCTURE = {"targetClass", "property", "path", "message", "severity", "name", "description"}
_NODE_COMPONENTS = ("nodeKind", "pattern")
_PROPERTY_COMPONENTS = (
    "minCount", "maxCount", "datatype", "nodeKind", "minLength", "pattern", "in", "class",
    "minInclusive", "lessThan", "lessThanOrEquals", "hasValue",
)
# lexical forms (XML Schema) of the datatypes whose literals can be ill-formed: a literal
# typed xsd:integer whose text is not an integer fails sh:datatype xsd:integer
_LEXICAL = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
}
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "short",
                              "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
                              "nonPositiveInteger", "unsignedLong", "unsignedInt",
                              "unsignedShort", "unsignedByte")}

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Values = dict[str, list[Term]]  # predicate IRI -> objects, for one subject
Index = dict[Term, Values]  # every subject's values
ValueTest = Callable[[Term, Values, Index], bool]  # (value node, focus's values, index) -> conforms
CountTest = Callable[[list[Term]], bool]  # the focus node's values on the path -> conforms


class UnsupportedShape(ValueError):
    """The shapes graph uses SHACL that `compile_shapes` does not translate."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """One constraint of one shape, and what a result of it says."""

    shape: str  # the shape's IRI
    path: str | None  # the property shape's predicate; None for a node shape's own constraint
    component: str  # the constraint component's IRI
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    each: ValueTest | None = None  # a test of each value node (the value is reported)
    count: CountTest | None = None  # a test of the values taken together (no value reported)

    def result(self, focus: Term, value: Term | None) -> RawResult:
        return (
            raw_term(focus), self.path, None if value is None else raw_term(value), self.shape,
            self.component, '"' + self.message + '"', self.severity,
        )


@dataclass(frozen=True, slots=True)
class NodeShape:
    targets: frozenset[str]  # the target classes and their sub-classes
    constraints: tuple[Constraint, ...]
    # per path: (path, constraints on the values together, constraints on each value); the
    # loop below is the hot one (~480 constraints a trial graph), so it calls the tests directly
    by_path: tuple[tuple[str | None, tuple[Constraint, ...], tuple[Constraint, ...]], ...] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        grouped: dict[str | None, list[Constraint]] = defaultdict(list)
        for constraint in self.constraints:
            grouped[constraint.path].append(constraint)
        object.__setattr__(self, "by_path", tuple(
            (p, tuple(c for c in cs if c.count), tuple(c for c in cs if c.each))
            for p, cs in grouped.items()
        ))

    def add_results(self, focus: Term, values: Values, index: Index, found: list[RawResult]) -> None:
        for path, together, each in self.by_path:
            if path is None:
                nodes = [focus]
            else:
                nodes = values.get(path, _NONE)
                if len(nodes) > 1:
                    nodes = list(dict.fromkeys(nodes))
            for constraint in together:
                if not constraint.count(nodes):  # type: ignore[misc]
                    found.append(constraint.result(focus, None))
            if nodes:
                for constraint in each:
                    test = constraint.each
                    for node in nodes:
                        if not test(node, values, index):  # type: ignore[misc]
                            found.append(constraint.result(focus, node))


_NONE: list[Term] = []


@dataclass(frozen=True, slots=True)
class Shapes:
    """Compiled shapes: `check` gives pyrudof's raw results for a set of triples."""

    node_shapes: tuple[NodeShape, ...]
    by_class: dict[str, tuple[NodeShape, ...]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_class: dict[str, list[NodeShape]] = defaultdict(list)
        for shape in self.node_shapes:
            for cls in sorted(shape.targets):
                by_class[cls].append(shape)
        object.__setattr__(self, "by_class", {c: tuple(s) for c, s in by_class.items()})

    def check(self, triples: Iterable[ox.Triple | ox.Quad]) -> list[RawResult]:
        """The results over `triples` (quads count as triples: their graphs are one union)."""
        index: Index = defaultdict(lambda: defaultdict(list))
        for t in triples:
            index[t.subject][t.predicate.value].append(t.object)
        found: list[RawResult] = []
        by_class = self.by_class
        for focus, values in index.items():
            types = values.get(RDF_TYPE)
            if not types:
                continue
            shapes = {id(s): s for c in types for s in by_class.get(getattr(c, "value", ""), ())}
            for shape in shapes.values():
                shape.add_results(focus, values, index, found)
        return found


_compiled: dict[ShaclSpec, Shapes | UnsupportedShape] = {}


def compiled_shapes(spec: ShaclSpec) -> Shapes:
    """This process's compiled shapes for `spec` (made on first use, then kept); raises
    UnsupportedShape (each time) when they do not compile."""
    found = _compiled.get(spec)
    if found is None:
        with open(spec.shapes_path, "rb") as handle:
            shapes = list(ox.parse(handle.read(), format=ox.RdfFormat.TURTLE))
        hierarchy = list(ox.parse(spec.base, format=ox.RdfFormat.N_TRIPLES)) if spec.base.strip() else []
        try:
            found = compile_shapes(shapes, hierarchy)
        except UnsupportedShape as exc:
            found = exc
        _compiled[spec] = found
    if isinstance(found, UnsupportedShape):
        raise found
    return found


def compile_shapes(shapes: Iterable[ox.Triple], hierarchy: Iterable[ox.Triple] = ()) -> Shapes:
    """The node shapes of `shapes` as tests. `hierarchy`: rdfs:subClassOf triples, so a class
    stands for itself and its sub-classes."""
    graph = _Graph(shapes)
    below = _subclasses(hierarchy)
    node_shapes = graph.typed(SH + "NodeShape")
    for (subject, predicate) in list(graph.out):
        if predicate.startswith(SH + "target") and subject not in node_shapes:
            raise UnsupportedShape(f"{_name(subject)}: a target on anything but an sh:NodeShape")
    compiled: list[NodeShape] = []
    for shape in sorted(node_shapes, key=str):
        graph.refuse_unknown(shape, _STRUCTURE.union(_NODE_COMPONENTS))
        targets = graph.objects(shape, SH + "targetClass")
        if not targets:
            raise UnsupportedShape(f"{_name(shape)}: a node shape needs sh:targetClass here")
        classes = frozenset(c for t in targets for c in _closure(t, below, shape))
        constraints = [
            _constraint(graph, shape, None, name, value, below)
            for name in _NODE_COMPONENTS
            for value in graph.objects(shape, SH + name)
        ]
        for prop in sorted(graph.objects(shape, SH + "property"), key=str):
            graph.refuse_unknown(prop, _STRUCTURE.union(_PROPERTY_COMPONENTS))
            path = graph.one(prop, SH + "path")
            if not isinstance(path, ox.NamedNode):
                raise UnsupportedShape(f"{_name(prop)}: sh:path must be one predicate IRI here")
            constraints.extend(
                _constraint(graph, prop, path.value, name, value, below)
                for name in _PROPERTY_COMPONENTS
                for value in graph.objects(prop, SH + name)
            )
        compiled.append(NodeShape(classes, tuple(constraints)))
    if not compiled:
        raise UnsupportedShape("the shapes graph has no node shape")
    return Shapes(tuple(compiled))


def _constraint(
    graph: _Graph, shape: Term, path: str | None, name: str, value: Term, below: dict[str, set[str]]
) -> Constraint:
    message = graph.one(shape, SH + "message")
    if not isinstance(message, ox.Literal):
        raise UnsupportedShape(f"{_name(shape)}: every shape needs an sh:message here")
    severity = graph.one(shape, SH + "severity")
    levels = {SH + level: level for level in ("Violation", "Warning", "Info")}
    level = "Violation" if severity is None else levels.get(getattr(severity, "value", ""))
    if level is None or isinstance(severity, ox.Literal):
        raise UnsupportedShape(f"{_name(shape)}: unknown sh:severity {severity}")
    each, count = _test(graph, shape, path, name, value, below)
    component = f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"
    return Constraint(_name(shape), path, component, message.value, level, each, count)


def _test(
    graph: _Graph, shape: Term, path: str | None, name: str, value: Term, below: dict[str, set[str]]
) -> tuple[ValueTest | None, CountTest | None]:
    """SHACL's definition of component `name` with parameter `value`, as a test."""
    if name == "minCount":
        least = _integer(value, shape)
        return None, lambda nodes: len(nodes) >= least
    if name == "maxCount":
        most = _integer(value, shape)
        return None, lambda nodes: len(nodes) <= most
    if name == "hasValue":
        return None, lambda nodes: value in nodes
    if name == "nodeKind":
        if value != ox.NamedNode(SH + "IRI"):
            raise UnsupportedShape(f"{_name(shape)}: only sh:nodeKind sh:IRI is supported here")
        return (lambda node, _values, _index: isinstance(node, ox.NamedNode)), None
    if name == "datatype":
        datatype = _iri(value, shape, name)
        lexical = _LEXICAL.get(datatype)
        return (
            lambda node, _values, _index: isinstance(node, ox.Literal)
            and node.datatype.value == datatype
            and (lexical is None or lexical.fullmatch(node.value) is not None)
        ), None
    if name == "minLength":
        least = _integer(value, shape)
        return (
            lambda node, _values, _index: not isinstance(node, ox.BlankNode) and len(node.value) >= least
        ), None
    if name == "pattern":
        if not isinstance(value, ox.Literal) or graph.objects(shape, SH + "flags"):
            raise UnsupportedShape(f"{_name(shape)}: sh:pattern must be a string, without sh:flags")
        regex = re.compile(value.value)
        return (
            lambda node, _values, _index: not isinstance(node, ox.BlankNode)
            and regex.search(node.value) is not None
        ), None
    if name == "in":
        allowed = frozenset(graph.items(value))
        return (lambda node, _values, _index: node in allowed), None
    if name == "class":
        classes = frozenset(_closure(value, below, shape))
        return (
            lambda node, _values, index: any(
                getattr(c, "value", None) in classes for c in index.get(node, {}).get(RDF_TYPE, ())
            )
        ), None
    if name == "minInclusive":
        return (lambda node, _values, _index: _compare(node, value) in (0, 1)), None
    if name in ("lessThan", "lessThanOrEquals"):
        other = _iri(value, shape, name)
        accept = (-1,) if name == "lessThan" else (-1, 0)
        return (
            lambda node, values, _index: all(_compare(node, o) in accept for o in values.get(other, ()))
        ), None
    raise UnsupportedShape(f"{_name(shape)}: sh:{name} is not supported here")  # pragma: no cover


def _compare(a: Term, b: Term) -> int | None:
    """SPARQL's order of two literals, as `<`, `=` and `>` compare them: -1, 0 or 1; None
    when they cannot be compared (a number and a string, a node), which fails the test."""
    if not (isinstance(a, ox.Literal) and isinstance(b, ox.Literal)):
        return None
    da, db = a.datatype.value, b.datatype.value
    if da in _NUMERIC and db in _NUMERIC:
        try:
            x, y = Decimal(a.value), Decimal(b.value)
        except InvalidOperation:
            return None
        if x.is_nan() or y.is_nan():
            return None
    elif da == db == XSD + "string" and not a.language and not b.language:
        x, y = a.value, b.value  # type: ignore[assignment]
    else:
        return None
    return (x > y) - (x < y)


class _Graph:
    """The few lookups the compiler needs over the shapes' triples."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[tuple[Term, str], list[Term]] = defaultdict(list)
        for t in triples:
            self.out[(t.subject, t.predicate.value)].append(t.object)

    def typed(self, cls: str) -> list[Term]:
        want = ox.NamedNode(cls)
        return [s for (s, p), objects in self.out.items() if p == RDF_TYPE and want in objects]

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return self.out.get((subject, predicate), [])

    def one(self, subject: Term, predicate: str) -> Term | None:
        values = self.objects(subject, predicate)
        if len(values) > 1:
            raise UnsupportedShape(f"{_name(subject)}: more than one <{predicate}>")
        return values[0] if values else None

    def refuse_unknown(self, shape: Term, allowed: set[str]) -> None:
        for subject, predicate in self.out:
            if subject == shape and predicate.startswith(SH) and predicate[len(SH):] not in allowed:
                raise UnsupportedShape(f"{_name(shape)}: sh:{predicate[len(SH):]} is not supported here")

    def items(self, head: Term) -> list[Term]:
        """An RDF list's members (`sh:in`)."""
        found: list[Term] = []
        while head != ox.NamedNode(_RDF_NIL):
            first, rest = self.one(head, _RDF_FIRST), self.one(head, _RDF_REST)
            if first is None or rest is None:
                raise UnsupportedShape(f"{_name(head)}: not a well-formed RDF list")
            found.append(first)
            head = rest
        return found


def _subclasses(hierarchy: Iterable[ox.Triple]) -> dict[str, set[str]]:
    """class IRI -> the classes directly below it."""
    children: dict[str, set[str]] = defaultdict(set)
    for t in hierarchy:
        if t.predicate.value == _SUBCLASS and isinstance(t.object, ox.NamedNode):
            children[t.object.value].add(t.subject.value)
    return children


def _closure(cls: Term, below: dict[str, set[str]], shape: Term) -> set[str]:
    """`cls` and every class below it."""
    if not isinstance(cls, ox.NamedNode):
        raise UnsupportedShape(f"{_name(shape)}: a class must be an IRI here")
    found, todo = set(), [cls.value]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(below.get(current, ()))
    return found


def _iri(value: Term, shape: Term, name: str) -> str:
    if not isinstance(value, ox.NamedNode):
        raise UnsupportedShape(f"{_name(shape)}: sh:{name} must be an IRI")
    return value.value


def _integer(value: Term, shape: Term) -> int:
    try:
        return int(value.value)  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise UnsupportedShape(f"{_name(shape)}: expected an integer, got {value}") from None


def raw_term(term: Term) -> str:
    """A term as pyrudof prints one in its results: IRIs bare, literals quoted with their
    `^^<datatype>` (none for xsd:string) or `@language`, blank nodes `_:id`."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return f'"{term.value}"@{term.language}'
    if term.datatype.value == XSD + "string":
        return f'"{term.value}"'
    return f'"{term.value}"^^<{term.datatype.value}>'


def _name(shape: Term | None) -> str:
    return shape.value if isinstance(shape, ox.NamedNode) else str(shape)
