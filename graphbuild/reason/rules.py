"""The OWL axioms compiled into SPARQL CONSTRUCT rules: class expressions become graph
patterns, sub-classes and sub-properties come from HermiT's classification, chains become
sequence paths, transitivity a `+` path. Only constructs whose SPARQL reading is exact are
accepted; anything else raises `UnsupportedAxiom`."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from graphbuild.reason.ontology import Terminology, classify, ontology_graph
from graphbuild.reason.terms import Rule, UnsupportedAxiom, short


def _iri_list(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(iris))


@dataclass
class _Compiler:
    """Turns one class expression into a SPARQL group pattern. `predicates` is the whole
    compact view's predicate set, which decides what domain/range typing a named class gets."""

    graph: Graph
    terminology: Terminology
    predicates: frozenset[str]
    reads: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    counter: itertools.count = field(default_factory=itertools.count)

    def var(self) -> str:
        return f"?v{next(self.counter)}"

    def path(self, prop: object) -> str:
        """A property as a SPARQL path: the property or any of its sub-properties."""
        if not isinstance(prop, URIRef):
            raise UnsupportedAxiom(f"property expression {prop!r} (inverse or anonymous)")
        names = sorted(self.terminology.subs_of_property(str(prop)))
        self.reads.update(names)
        return "|".join(f"<{n}>" for n in names)

    def named_class(self, cls: str, var: str) -> str:
        """`var` is an instance of `cls`: it has the type of a sub-class, or it is the subject
        (object) of a compact-view property whose domain (range) is a sub-class: exactly the
        typing HermiT derives from the same compact view."""
        subs = self.terminology.subs_of_class(cls)
        self.types |= subs
        typed = self.var()
        branches = [f"{var} a {typed} . VALUES {typed} {{ {_iri_list(subs)} }}"]
        for prop in sorted(self.predicates):
            for axis, template in ((RDFS.domain, "{v} <{p}> [] ."), (RDFS.range, "[] <{p}> {v} .")):
                if any(str(d) in subs for d in self.graph.objects(URIRef(prop), axis)):
                    branches.append(template.format(v=var, p=prop))
                    self.reads.add(prop)
        if len(branches) == 1:
            return branches[0] + "\n"
        return " UNION ".join(f"{{ {b} }}" for b in branches) + "\n"

    def expression(self, expr: object, var: str) -> str:
        g = self.graph
        if isinstance(expr, URIRef):
            return self.named_class(str(expr), var)
        if (parts := g.value(expr, OWL.intersectionOf)) is not None:
            return "".join(self.expression(m, var) for m in Collection(g, parts))
        if (parts := g.value(expr, OWL.unionOf)) is not None:
            branches = (f"{{ {self.expression(m, var)} }}" for m in Collection(g, parts))
            return " UNION ".join(branches) + "\n"
        if (parts := g.value(expr, OWL.oneOf)) is not None:
            return f"VALUES {var} {{ {_iri_list(str(m) for m in Collection(g, parts))} }}\n"
        prop = g.value(expr, OWL.onProperty)
        if prop is not None:
            if (filler := g.value(expr, OWL.someValuesFrom)) is not None:
                inner = self.var()
                step = f"{var} {self.path(prop)} {inner} .\n"
                return step if filler == OWL.Thing else step + self.expression(filler, inner)
            if (value := g.value(expr, OWL.hasValue)) is not None:
                if not isinstance(value, URIRef):
                    raise UnsupportedAxiom(f"hasValue with a literal on {short(str(prop))}")
                return f"{var} {self.path(prop)} <{value}> .\n"
        kinds = ", ".join(sorted(short(str(p)) for p in g.predicates(expr)))
        raise UnsupportedAxiom(f"class expression with {kinds}")


def _rule_axioms(graph: Graph) -> tuple[list, list, list]:
    """(defined classes with their expression, chains, transitive properties), sorted."""
    defined = sorted(
        (cls, expr)
        for cls, expr in graph.subject_objects(OWL.equivalentClass)
        if isinstance(cls, URIRef) and not isinstance(expr, URIRef)  # named: hierarchy only
    )
    chains = sorted(graph.subject_objects(OWL.propertyChainAxiom))
    transitive = sorted(graph.subjects(RDF.type, OWL.TransitiveProperty))
    return defined, chains, transitive


def _body_predicates(graph: Graph, terminology: Terminology) -> frozenset[str]:
    """Every property a rule body follows (with its sub-properties): the compact view's
    predicates, before domain/range typing is added."""
    defined, chains, transitive = _rule_axioms(graph)
    props: set[str] = set()
    for _, expr in defined:
        for node in graph.transitive_objects(expr, None):
            props.update(str(p) for p in graph.objects(node, OWL.onProperty))
    for _, chain in chains:
        props.update(str(p) for p in Collection(graph, chain))
    props.update(str(p) for p in transitive)
    return frozenset(sub for p in props for sub in terminology.subs_of_property(p))


def compile_rules(terminology: Terminology | None = None) -> list[Rule]:
    """The rules of the ontology, in a fixed order: defined classes, chains, transitive."""
    terminology = terminology or classify()
    graph = ontology_graph(terminology.path)
    predicates = _body_predicates(graph, terminology)
    defined, chains, transitive = _rule_axioms(graph)
    rules: list[Rule] = []
    for cls, expr in defined:
        compiler = _Compiler(graph, terminology, predicates)
        body = compiler.expression(expr, "?x")
        subs = terminology.subs_of_class(str(cls)) - {str(cls)}
        if subs:  # asserted members of a sub-class are members too
            compiler.types |= subs
            body = f"{{ {body}}} UNION {{ ?x a ?sub . VALUES ?sub {{ {_iri_list(subs)} }} }}\n"
        sparql = f"CONSTRUCT {{ ?x a <{cls}> }}\nWHERE {{\n{body}}}"
        rules.append(_rule(cls, "class", sparql, compiler))
    for prop, chain in chains:
        compiler = _Compiler(graph, terminology, predicates)
        path = "/".join(f"({compiler.path(p)})" for p in Collection(graph, chain))
        sparql = f"CONSTRUCT {{ ?x <{prop}> ?y }}\nWHERE {{ ?x {path} ?y }}"
        rules.append(_rule(prop, "chain", sparql, compiler))
    for prop in transitive:
        compiler = _Compiler(graph, terminology, predicates)
        sparql = f"CONSTRUCT {{ ?x <{prop}> ?y }}\nWHERE {{ ?x ({compiler.path(prop)})+ ?y }}"
        rules.append(_rule(prop, "transitive", sparql, compiler))
    return rules


def _rule(head: URIRef, kind: str, sparql: str, compiler: _Compiler) -> Rule:
    return Rule(
        short(str(head)),
        kind,
        str(head),
        sparql,
        frozenset(compiler.reads),
        frozenset(compiler.types),
    )


def compact_signature(rules: Iterable[Rule]) -> tuple[frozenset[str], frozenset[str]]:
    """(predicates, classes) of the compact view: what the rule bodies read. Both engines
    see exactly this, which is what makes their answers comparable."""
    rules = list(rules)
    predicates = frozenset(p for r in rules for p in r.reads)
    classes = frozenset(c for r in rules for c in r.types)
    return predicates, classes
