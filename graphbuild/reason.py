"""Reasoning: materialize what the ontology entails into `INFERRED_GRAPH`.

What gets materialized (the *rule heads*, read off `ontology/graphbuild.ttl`):

* `rdf:type` of every defined class (an `owl:equivalentClass` expression): gb:CARTTrial,
  gb:CellTherapyTrial, gb:AntibodyTrial;
* every property with an `owl:propertyChainAxiom`: gb:directedAt ⊒ hasIntervention ∘ targetsAntigen;
* every `owl:TransitiveProperty`: skos:broaderTransitive, the closure of skos:broader over the
  MeSH disease hierarchy (SKOS's own property rather than a gb: one, so SKOS tools read it).

Only facts not already asserted in some other graph go in, and the graph is rebuilt whole on
every run (removed first, so stale inferences never feed new ones).

After the entailments, two things the stored queries need are precomputed into the same graph
(not OWL entailments, so both engines are followed by the same step): *shortcuts*
(`shortcut_rules`: one `gb:directedAtStated` / `gb:directedAtByProductLexicon` /
`gb:directedAtInferred` edge per trial, antigen and basis of the extracted links behind them,
and the per-node values a streaming listing reads per row, `PER_NODE_VALUES`: a time frame's
points as one `gb:timePointList` text and its `gb:reachDays`, an endpoint's
`gb:criterionList` and `gb:methodList`, a disease link's `gb:qualifierList` and
`gb:quoteList`), written in the same CONSTRUCT form as the compiled rules so a per-trial
refresh can scope them; and *statistics*
(`statistics_rule`: VoID class and property partitions, what `graph_summary.rq` reads).

Why two engines, and why `sparql` is the default. HermiT (through owlready2) always
classifies the terminology: it checks that every class is satisfiable and computes the class
and property hierarchies (it proves, for example, that gb:CARTTrial ⊑ gb:CellTherapyTrial,
which nobody asserted). For the instances there are two ways:

* ``engine="hermit"`` realizes a *compact view* of the data (only the triples the rules read:
  typing, hasIntervention, modality, interventionRole, targetsAntigen, skos:broader) with
  HermiT: the shared vocabulary once, then chunks of `chunk_size` trials, each chunk with the
  vocabulary triples connected to it. It is the reference semantics, but HermiT's realization is
  superlinear in the ABox (one unchunked run, quiet machine: 1,000 trials 13 s, 3,000 trials
  64 s) and every chunk pays a JVM start, so chunked it is linear at tens of ms per trial.
* ``engine="sparql"`` compiles the same OWL axioms into SPARQL CONSTRUCT rules (class
  expressions become graph patterns, sub-classes and sub-properties come from HermiT's
  classification, chains become sequence paths, transitivity a `+` path) and runs them in
  Oxigraph to a fixpoint.

Measured by `benchmarks/bench_reasoning.py` in one run (synthetic compact trials, 1-3
interventions each, a 363-descriptor disease tree; a 2-core machine shared with other jobs,
so absolute seconds are inflated, the ratio is the point; both engines wrote identical graphs):

    trials   compact triples   hermit (chunks of 500)   sparql    ratio
       100             1,176          21.3 s  (2 runs)    0.05 s    ~440x
     1,000             8,444          65.6 s  (3 runs)    0.45 s    ~150x
    10,000            82,430         704   s (21 runs)    2.0  s    ~350x

On the shared corpus as built (1,545 real trials, 12,417 compact triples): hermit 48 s in 5 runs,
sparql 1.1 s, the same 6,096 facts (127 CAR-T, 168 cell therapy, 150 antibody trials, 349
directedAt, 5,302 broaderTransitive).

HermiT does scale linearly once chunked (~70 ms per trial), but two to three orders of
magnitude slower than the rules, for the same answers. So HermiT does the terminology (once per
process, ~1-4 s) and SPARQL applies it to the instances; ``engine="hermit"`` stays as the
cross-check the tests run.

The compiler accepts only the constructs whose SPARQL reading is exact for these rule heads
(intersection, union, someValuesFrom, hasValue, oneOf, named classes with their domain/range
typing) and raises `UnsupportedAxiom` on anything else, so an ontology change cannot silently
diverge; tests run both engines on the same graphs and require identical results. One thing
only HermiT sees: an inconsistent ABox (a node typed both gb:Trial and gb:Disease, which the
ontology declares disjoint) stops the hermit engine with `ReasoningError`; the rules do not
check consistency.

Not materialized (by either engine): plain sub-property and super-class entailments of asserted
facts (hasEvidence ⊑ prov:wasDerivedFrom, Trial ⊑ NCIt Clinical Study); SPARQL users can follow
`rdfs:subClassOf*` in the ontology for those.
"""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from graphbuild.rdf.namespaces import BUILD_GRAPH, GB_IRI, GBR, INFERRED_GRAPH
from graphbuild.resources import ontology_path

ENGINES = ("sparql", "hermit")
DEFAULT_ENGINE = "sparql"
DEFAULT_CHUNK_SIZE = 500  # HermiT: the cheapest trials/second measured (100: 27 ms, 500: 12 ms)
MAX_ROUNDS = 10  # fixpoint guard for the SPARQL rules; the current ontology needs 2

TRIAL_GRAPH_PREFIX = str(GBR["graph/trial/"])
_RDF_TYPE = str(RDF.type)
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))

_SHORT = {
    GB_IRI: "gb:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    str(RDF): "rdf:",
    str(RDFS): "rdfs:",
    "http://purl.obolibrary.org/obo/NCIT_": "NCIT:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/shacl#": "sh:",
}


class ReasoningError(Exception):
    """The ontology cannot be reasoned with (unsatisfiable class, inconsistent data, ...)."""


class UnsupportedAxiom(ReasoningError):
    """An axiom the SPARQL compiler cannot translate exactly; use engine='hermit' or extend
    the compiler (and the engine-agreement tests) before relying on it."""


def short(iri: str) -> str:
    """A CURIE for messages and report keys (`gb:CARTTrial`)."""
    for base, prefix in _SHORT.items():
        if iri.startswith(base):
            return prefix + iri[len(base) :]
    return f"<{iri}>"


def oxigraph_store(store: Any) -> ox.Store:
    """The `pyoxigraph.Store` behind a `GraphStore` (its `.ox`), or the store itself."""
    inner = getattr(store, "ox", store)
    if not isinstance(inner, ox.Store):
        raise TypeError(f"expected a pyoxigraph.Store or a GraphStore, got {type(store).__name__}")
    return inner


# --------------------------------------------------------------------------------------------
# The ontology and its classification (HermiT, once per ontology file and process)
# --------------------------------------------------------------------------------------------


def default_ontology() -> Path:
    return ontology_path("graphbuild.ttl")


@lru_cache(maxsize=4)
def _ontology_graph(path: str, mtime: float) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology_graph(path: Path | None = None) -> Graph:
    """The ontology as an rdflib Graph (cached; do not modify)."""
    path = path or default_ontology()
    return _ontology_graph(str(path), path.stat().st_mtime)


def owlready_world(path: Path | None = None, data: bytes = b""):
    """A fresh owlready2 World holding the ontology and, optionally, N-Triples `data`.

    owlready2 cannot read Turtle, so the ontology goes through rdflib as N-Triples. A fresh
    World per use keeps chunks independent (owlready2 worlds are not cheap to empty)."""
    import owlready2

    world = owlready2.World()
    tbox = ontology_graph(path).serialize(format="nt", encoding="utf-8")
    world.get_ontology("https://w3id.org/graphbuild/vocab").load(
        fileobj=io.BytesIO(tbox), format="ntriples"
    )
    if data:
        world.get_ontology("https://w3id.org/graphbuild/id/compact-view").load(
            fileobj=io.BytesIO(data), format="ntriples"
        )
    return world


def run_hermit(world: Any, *, property_values: bool) -> None:
    """HermiT over everything in `world`, results applied to it. Inconsistency, a missing
    Java and HermiT's own errors all become `ReasoningError`: no silent fallback."""
    import owlready2

    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        raise ReasoningError("HermiT: the ontology (with the data given) is inconsistent") from exc
    except FileNotFoundError as exc:
        raise ReasoningError(f"HermiT needs Java ({owlready2.JAVA_EXE!r} not found)") from exc
    except owlready2.OwlReadyJavaError as exc:
        raise ReasoningError(f"HermiT failed: {exc}") from exc


@dataclass(frozen=True)
class Terminology:
    """What HermiT concluded about the ontology alone: reflexive-transitive sub-class and
    sub-property sets (keyed by IRI), and the subsumptions it inferred that were not asserted."""

    path: Path
    subclasses: dict[str, frozenset[str]]
    subproperties: dict[str, frozenset[str]]
    inferred_subsumptions: tuple[tuple[str, str], ...]
    seconds: float

    def subs_of_class(self, iri: str) -> frozenset[str]:
        return self.subclasses.get(iri, frozenset({iri}))

    def subs_of_property(self, iri: str) -> frozenset[str]:
        return self.subproperties.get(iri, frozenset({iri}))


@lru_cache(maxsize=4)
def _classify(path: str, mtime: float) -> Terminology:
    started = time.perf_counter()
    graph = _ontology_graph(path, mtime)
    world = owlready_world(Path(path))
    try:
        run_hermit(world, property_values=False)
        unsatisfiable = [c.iri for c in world.inconsistent_classes()]
        if unsatisfiable:
            raise ReasoningError(f"unsatisfiable classes: {', '.join(map(short, unsatisfiable))}")
        subclasses = {
            cls.iri: frozenset(d.iri for d in cls.descendants() if hasattr(d, "iri"))
            for cls in world.classes()
        }
        subproperties = {
            prop.iri: frozenset(d.iri for d in prop.descendants() if hasattr(d, "iri"))
            for prop in itertools.chain(world.object_properties(), world.data_properties())
        }
    finally:
        world.close()
    asserted = {(str(s), str(o)) for s, o in graph.subject_objects(RDFS.subClassOf)}
    return Terminology(
        Path(path),
        subclasses,
        subproperties,
        _news(subclasses, asserted),
        time.perf_counter() - started,
    )


def _news(
    subclasses: dict[str, frozenset[str]], asserted: set[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """Direct subsumptions between gb: classes that HermiT proved and nobody asserted."""
    pairs = {(sub, sup) for sup, subs in subclasses.items() for sub in subs if sub != sup}
    news = []
    for sub, sup in sorted(pairs):
        if (sub, sup) in asserted or not sub.startswith(GB_IRI) or (sup, sub) in pairs:
            continue
        between = any(
            (sub, mid) in pairs
            and (mid, sup) in pairs
            and (mid, sub) not in pairs
            and (sup, mid) not in pairs
            for mid in subclasses
        )
        if not between:
            news.append((sub, sup))
    return tuple(news)


def classify(path: Path | None = None) -> Terminology:
    """HermiT's classification of the ontology (cached per file and modification time)."""
    path = path or default_ontology()
    return _classify(str(path), path.stat().st_mtime)


# --------------------------------------------------------------------------------------------
# Rules: the OWL axioms with instance-level consequences, compiled to SPARQL
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule head and the SPARQL CONSTRUCT that derives it. `kind` is `class` (rdf:type of
    a defined class), `chain` or `transitive`; `reads` are the predicates its body reads and
    `types` the classes whose rdf:type assertions it reads."""

    name: str
    kind: str
    head: str
    sparql: str
    reads: frozenset[str]
    types: frozenset[str] = frozenset()


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


# --------------------------------------------------------------------------------------------
# Shortcuts and statistics: what the cross-trial questions need, precomputed
# --------------------------------------------------------------------------------------------

# basis of an extracted antigen link -> the trial-level property that records it (ontology)
SHORTCUT_PROPERTIES = {
    "stated": f"{GB_IRI}directedAtStated",
    "product_lexicon": f"{GB_IRI}directedAtByProductLexicon",
    "inferred": f"{GB_IRI}directedAtInferred",
}
_RDF = str(RDF)
_SHORTCUT_READS = frozenset(
    {f"{_RDF}subject", f"{_RDF}predicate", f"{_RDF}object", f"{GB_IRI}basis",
     f"{GB_IRI}hasIntervention"}
)


def shortcut_rules() -> list[Rule]:
    """One rule per antigen-link basis: `?x gb:directedAt{Basis} ?y` when trial ?x has an
    extracted link of that basis to antigen ?y, its own (`gb:directedAt`) or one of its
    interventions' (`gb:targetsAntigen`). The same form as the compiled rules (a CONSTRUCT
    whose subject ?x is the trial), so a per-trial refresh can scope them the same way.

    Not OWL entailments (the basis sits on the reified link, which no axiom can reach): the
    reasoning step runs them after either engine, and both engines' answers stay comparable.
    They turn "which trials target CD19, on what basis" from a join over every reified link
    of the graph into one index lookup on (predicate, object)."""
    rules = []
    for basis, head in SHORTCUT_PROPERTIES.items():
        sparql = (
            f"CONSTRUCT {{ ?x <{head}> ?y }}\nWHERE {{\n"
            f"{{ ?link <{_RDF}predicate> <{GB_IRI}directedAt> ; <{_RDF}subject> ?x ;\n"
            f"        <{_RDF}object> ?y ; <{GB_IRI}basis> \"{basis}\" }}\n"
            f"UNION\n"
            f"{{ ?link <{_RDF}predicate> <{GB_IRI}targetsAntigen> ; <{_RDF}subject> ?i ;\n"
            f"        <{_RDF}object> ?y ; <{GB_IRI}basis> \"{basis}\" .\n"
            f"  ?x <{GB_IRI}hasIntervention> ?i }}\n}}"
        )
        rules.append(Rule(short(head), "shortcut", head, sparql, _SHORTCUT_READS))
    # per-node values a listing shows as one cell, read per row instead of grouped first
    # (subject ?x: a node of one trial's graph, so an add refreshes it with that trial)
    for head, sparql, reads in _per_node_rules():
        rules.append(Rule(short(head), "shortcut", head, sparql, reads))
    return rules


# The per-node shortcuts: what a streaming listing of every endpoint, time frame or disease link
# reads as one value per row (a grouped sub-select over the whole graph would hold its first row
# back until every group is built). (head, the paths it reads (alternatives, each a sequence
# of predicates), the aggregate over their values, what else the subject must have.)
_JOINED = 'GROUP_CONCAT(DISTINCT ?v; separator=", ")'
PER_NODE_VALUES: tuple[tuple[str, tuple[tuple[str, ...], ...], str, str], ...] = (
    # a time frame's assessment points as one text ("28, 56, 84")
    (f"{GB_IRI}timePointList", ((f"{GB_IRI}timePointDays",),),
     'GROUP_CONCAT(DISTINCT STR(?v); separator=", ")', ""),
    # how far a time frame reaches: the greatest of its upper bound and its named points
    (f"{GB_IRI}reachDays", ((f"{GB_IRI}maxDays",), (f"{GB_IRI}timePointDays",)), "MAX(?v)", ""),
    # an endpoint's grading criteria (ASTCT, CTCAE) and assay methods (flow cytometry, qPCR)
    (f"{GB_IRI}criterionList", ((f"{GB_IRI}criterion",),), _JOINED, ""),
    (f"{GB_IRI}methodList", ((f"{GB_IRI}method",),), _JOINED, ""),
    # a disease link's qualifiers (relapsed, refractory) and the words of its evidence
    (f"{GB_IRI}qualifierList", ((f"{GB_IRI}qualifier",),), _JOINED, ""),
    (f"{GB_IRI}quoteList", ((f"{GB_IRI}hasEvidence", f"{GB_IRI}quote"),),
     'GROUP_CONCAT(DISTINCT ?v; separator=" | ")',
     f"?x <{_RDF}predicate> <{GB_IRI}studiesDisease> ."),
)


def _per_node_rules() -> Iterator[tuple[str, str, frozenset[str]]]:
    """(head, CONSTRUCT, predicates read) of each `PER_NODE_VALUES` entry: a sub-select grouped
    by the head's subject, the form `reason_incremental.scoped_sparql` binds inside."""
    for head, paths, aggregate, also in PER_NODE_VALUES:
        path = "|".join("/".join(f"<{p}>" for p in sequence) for sequence in paths)
        sparql = (
            f"CONSTRUCT {{ ?x <{head}> ?y }}\nWHERE {{\n"
            f"  SELECT ?x ({aggregate} AS ?y)\n"
            f"  WHERE {{ {also + ' ' if also else ''}?x {path} ?v }}\n  GROUP BY ?x\n}}"
        )
        reads = {p for sequence in paths for p in sequence}
        if also:
            reads.add(f"{_RDF}predicate")
        yield head, sparql, frozenset(reads)


# The statistics node (a void:Dataset: the whole store) and what it says (VoID, W3C note;
# terms checked against rdflib's closed VOID namespace by the tests).
STATISTICS_NODE = str(GBR["statistics"])
VOID = "http://rdfs.org/ns/void#"
# Property partitions counted (distinct objects): the diseases trials study.
STATISTICS_PROPERTIES = (f"{GB_IRI}studiesDisease",)


def statistics_rule() -> Rule:
    """Counts of the whole store as VoID: per class (`void:classPartition` with `void:class`
    and `void:entities`, distinct instances over every graph, inferred types included) and per
    property of `STATISTICS_PROPERTIES` (`void:propertyPartition`, `void:distinctObjects`).
    `graph_summary.rq` reads these instead of counting millions of nodes per question.

    The build graph (PROV-O: the build, its sources and their checksums) is not counted: it
    is written after the reasoning step of a build but before that of a re-ingest, and it
    describes the build, not the trials.

    Unlike the other rules this one is whole-store: after one trial graph is replaced, each
    class count changes by (instances in the new graph) - (in the old), which a per-trial
    refresh can apply without re-running it (a node's type triples live in its own graph)."""
    partition = f"{STATISTICS_NODE}/"
    values = " ".join(f"<{p}>" for p in STATISTICS_PROPERTIES)
    sparql = f"""CONSTRUCT {{
  <{STATISTICS_NODE}> <{VOID}classPartition> ?part .
  ?part <{VOID}class> ?class ; <{VOID}entities> ?n .
  <{STATISTICS_NODE}> <{VOID}propertyPartition> ?ppart .
  ?ppart <{VOID}property> ?property ; <{VOID}distinctObjects> ?objects .
}}
WHERE {{
  {{
    {{
      SELECT ?class (COUNT(DISTINCT ?node) AS ?n)
      WHERE {{ GRAPH ?g {{ ?node a ?class }} FILTER(?g != <{BUILD_GRAPH}>) }}
      GROUP BY ?class
    }}
    BIND(IRI(CONCAT("{partition}class/", ENCODE_FOR_URI(STR(?class)))) AS ?part)
  }} UNION {{
    {{
      SELECT ?property (COUNT(DISTINCT ?o) AS ?objects)
      WHERE {{ VALUES ?property {{ {values} }} ?s ?property ?o }}
      GROUP BY ?property
    }}
    BIND(IRI(CONCAT("{partition}property/", ENCODE_FOR_URI(STR(?property)))) AS ?ppart)
  }}
}}"""
    return Rule("void:statistics", "statistics", STATISTICS_NODE, sparql,
                frozenset({_RDF_TYPE, *STATISTICS_PROPERTIES}))


# --------------------------------------------------------------------------------------------
# The compact view of the data
# --------------------------------------------------------------------------------------------

Triple = tuple[str, str, str]  # (subject IRI, predicate IRI, object IRI)


def compact_view(
    store: ox.Store, predicates: Iterable[str], classes: Iterable[str]
) -> tuple[dict[str, list[Triple]], list[Triple]]:
    """The triples the rules read, split into per-trial-graph lists and the shared rest (the
    vocabulary graph, anything outside trial graphs). IRIs only; the inferred graph is skipped."""
    per_trial: dict[str, list[Triple]] = {}
    shared: list[Triple] = []
    wanted_types = {ox.NamedNode(c) for c in classes}

    def put(quad: ox.Quad, p: str) -> None:
        if not isinstance(quad.subject, ox.NamedNode) or not isinstance(quad.object, ox.NamedNode):
            return
        graph = quad.graph_name
        triple = (quad.subject.value, p, quad.object.value)
        if isinstance(graph, ox.NamedNode):
            if graph == _INFERRED:
                return
            if graph.value.startswith(TRIAL_GRAPH_PREFIX):
                per_trial.setdefault(graph.value, []).append(triple)
                return
        shared.append(triple)

    for p in sorted(predicates):
        for quad in store.quads_for_pattern(None, ox.NamedNode(p), None, None):
            put(quad, p)
    rdf_type = ox.NamedNode(_RDF_TYPE)
    for cls in sorted(wanted_types, key=lambda n: n.value):
        for quad in store.quads_for_pattern(None, rdf_type, cls, None):
            put(quad, _RDF_TYPE)
    return per_trial, shared


def _ntriples(triples: Iterable[Triple]) -> bytes:
    return "".join(f"<{s}> <{p}> <{o}> .\n" for s, p, o in dict.fromkeys(triples)).encode()


# --------------------------------------------------------------------------------------------
# Engines: each returns the derived facts as (s, p, o) IRI triples, asserted ones included
# --------------------------------------------------------------------------------------------


def infer_with_sparql(
    store: ox.Store, rules: list[Rule], write: Callable[[set[Triple]], None]
) -> tuple[set[Triple], int]:
    """Run the rules over the union of the graphs to a fixpoint; each round's new facts are
    written (so later rounds can read them). Returns (all derived facts, rounds run)."""
    known: set[Triple] = set()
    for round_number in range(1, MAX_ROUNDS + 1):
        new: set[Triple] = set()
        for rule in rules:
            for triple in store.query(rule.sparql, use_default_graph_as_union=True):
                fact = (triple.subject.value, triple.predicate.value, triple.object.value)
                if fact not in known:
                    new.add(fact)
        if not new:
            return known, round_number
        known |= new
        write(new)
    raise ReasoningError(f"SPARQL rules did not reach a fixpoint in {MAX_ROUNDS} rounds")


def infer_with_hermit(
    per_trial: dict[str, list[Triple]],
    shared: list[Triple],
    rules: list[Rule],
    terminology: Terminology,
    chunk_size: int,
) -> tuple[set[Triple], int]:
    """Realize the compact view with HermiT: the shared triples (vocabulary) once on their
    own, then `chunk_size` trial graphs at a time, each with the shared triples connected to
    its nodes. What HermiT can conclude about an individual depends only on the assertions
    connected to it (through shared nodes, nominals such as gb:CarT included), so a chunk
    does not need the whole disease tree to classify its trials. Returns (facts, HermiT runs)."""
    graphs = sorted(per_trial)
    chunks = [graphs[i : i + chunk_size] for i in range(0, len(graphs), chunk_size)]
    by_node: dict[str, list[Triple]] = {}
    for triple in shared:
        by_node.setdefault(triple[0], []).append(triple)
        by_node.setdefault(triple[2], []).append(triple)
    facts: set[Triple] = set()
    runs = 0
    if shared:
        facts |= _hermit_chunk(_ntriples(shared), rules, terminology)
        runs += 1
    for chunk in chunks:
        own = [t for g in chunk for t in per_trial[g]]
        data = _ntriples(itertools.chain(own, _connected(own, by_node)))
        facts |= _hermit_chunk(data, rules, terminology)
        runs += 1
    return facts, runs


def _connected(triples: list[Triple], by_node: dict[str, list[Triple]]) -> list[Triple]:
    """The shared triples reachable from the nodes of `triples` (breadth-first)."""
    seen_nodes: set[str] = set()
    found: dict[Triple, None] = {}
    pending = [n for s, _, o in triples for n in (s, o)]
    while pending:
        node = pending.pop()
        if node in seen_nodes:
            continue
        seen_nodes.add(node)
        for triple in by_node.get(node, ()):
            if triple not in found:
                found[triple] = None
                pending.extend((triple[0], triple[2]))
    return list(found)


def _hermit_chunk(data: bytes, rules: list[Rule], terminology: Terminology) -> set[Triple]:
    world = owlready_world(terminology.path, data)
    try:
        run_hermit(world, property_values=True)
        facts: set[Triple] = set()
        for rule in rules:
            entity = world[rule.head]
            if entity is None:
                continue
            if rule.kind == "class":
                facts.update((i.iri, _RDF_TYPE, rule.head) for i in entity.instances())
                continue
            # HermiT lists each pair under the most specific property only: the extension of
            # a property is the union over its sub-properties.
            for sub in terminology.subs_of_property(rule.head):
                prop = world[sub]
                if prop is not None:
                    facts.update(
                        (s.iri, rule.head, o.iri)
                        for s, o in prop.get_relations()
                        if hasattr(s, "iri") and hasattr(o, "iri")
                    )
        return facts
    finally:
        world.close()


# --------------------------------------------------------------------------------------------
# materialize
# --------------------------------------------------------------------------------------------


@dataclass
class ReasoningReport:
    """What a reasoning run did: counts per rule head, sizes, time per phase."""

    engine: str
    trials: int = 0
    compact_triples: int = 0
    chunks: int = 0
    rounds: int = 0
    inferred: dict[str, int] = field(default_factory=dict)
    already_asserted: int = 0
    statistics: int = 0  # VoID triples (class and property partitions) written
    tbox_inferences: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.inferred.values())

    def __str__(self) -> str:
        lines = [
            f"reasoning ({self.engine}): {self.total} facts inferred into {INFERRED_GRAPH}",
            f"  trials: {self.trials}; compact view: {self.compact_triples} triples"
            + (
                f"; {self.chunks} HermiT run(s)"
                if self.engine == "hermit"
                else f"; {self.rounds} round(s)"
            ),
        ]
        lines += [f"  {name}: {count}" for name, count in sorted(self.inferred.items())]
        lines.append(f"  already asserted (not repeated): {self.already_asserted}")
        lines.append(f"  statistics (VoID counts for graph_summary): {self.statistics} triples")
        lines += [f"  terminology: {axiom}" for axiom in self.tbox_inferences]
        lines.append("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.seconds.items()))
        return "\n".join(lines)


def _is_asserted(store: ox.Store, fact: Triple) -> bool:
    s, p, o = (ox.NamedNode(x) for x in fact)
    return any(q.graph_name != _INFERRED for q in store.quads_for_pattern(s, p, o, None))


def materialize(
    store: Any,
    *,
    engine: str = DEFAULT_ENGINE,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    ontology: Path | None = None,
) -> ReasoningReport:
    """Rebuild `INFERRED_GRAPH` of `store` (a GraphStore or a pyoxigraph.Store) from the
    ontology's rules; returns what was done. `engine` is "sparql" (default) or "hermit"."""
    if engine not in ENGINES:
        raise ValueError(f"unknown reasoning engine {engine!r}; known: {', '.join(ENGINES)}")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    ox_store = oxigraph_store(store)
    report = ReasoningReport(engine)
    started = time.perf_counter()
    terminology = classify(ontology)
    rules = compile_rules(terminology)
    report.tbox_inferences = tuple(
        f"{short(a)} ⊑ {short(b)}" for a, b in terminology.inferred_subsumptions
    )
    report.seconds["classify"] = time.perf_counter() - started

    mark = time.perf_counter()
    if ox_store.contains_named_graph(_INFERRED):
        ox_store.remove_graph(_INFERRED)  # rebuilt whole: stale facts must not feed new ones
    predicates, classes = compact_signature(rules)
    per_trial, shared = compact_view(ox_store, predicates, classes)
    report.trials = len(per_trial)
    report.compact_triples = len(shared) + sum(len(v) for v in per_trial.values())
    report.seconds["compact view"] = time.perf_counter() - mark

    mark = time.perf_counter()
    written: set[Triple] = set()

    def write(facts: set[Triple]) -> None:
        fresh = {f for f in facts if not _is_asserted(ox_store, f)}
        report.already_asserted += len(facts) - len(fresh)
        ox_store.extend(ox.Quad(*(ox.NamedNode(x) for x in f), _INFERRED) for f in sorted(fresh))
        written.update(fresh)

    if engine == "sparql":
        _, report.rounds = infer_with_sparql(ox_store, rules, write)
        report.chunks = 1
    else:
        facts, report.chunks = infer_with_hermit(per_trial, shared, rules, terminology, chunk_size)
        write(facts)
        report.rounds = 1
    report.seconds["infer"] = time.perf_counter() - mark

    mark = time.perf_counter()  # after either engine: they read only asserted facts
    shortcuts: dict[str, int] = {}
    for rule in shortcut_rules():  # never asserted elsewhere: written as found
        found = set(ox_store.query(rule.sparql, use_default_graph_as_union=True))
        ox_store.extend(ox.Quad(t.subject, t.predicate, t.object, _INFERRED) for t in found)
        shortcuts[rule.name] = len(found)
    report.seconds["shortcuts"] = time.perf_counter() - mark

    mark = time.perf_counter()  # last, so the counts include every inferred type
    statistics = statistics_rule()
    triples = list(ox_store.query(statistics.sparql, use_default_graph_as_union=True))
    ox_store.extend(ox.Quad(t.subject, t.predicate, t.object, _INFERRED) for t in triples)
    report.statistics = len(triples)
    report.seconds["statistics"] = time.perf_counter() - mark

    names = {rule.head: rule.name for rule in rules}
    for s, p, o in written:
        key = names[o] if p == _RDF_TYPE else names.get(p, short(p))
        report.inferred[key] = report.inferred.get(key, 0) + 1
    report.inferred.update({name: n for name, n in shortcuts.items() if n})
    report.seconds["total"] = time.perf_counter() - started
    return report


def inferred_facts(store: Any) -> set[Triple]:
    """The facts now in `INFERRED_GRAPH`, as IRI triples (for tests and comparisons)."""
    return {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in oxigraph_store(store).quads_for_pattern(None, None, None, _INFERRED)
    }


def rule_texts() -> Iterator[tuple[str, str]]:
    """(name, SPARQL) of every rule the reasoning step runs, in order (the compiled axioms,
    the shortcuts, the statistics): what `graphbuild reason --show-rules` prints."""
    for rule in [*compile_rules(), *shortcut_rules(), statistics_rule()]:
        yield rule.name, rule.sparql
