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
refresh can scope them (and a trial's product codes and disease labels as
`gb:productCodeList` / `gb:diseaseLabelList` texts); *statistics* (`statistics_rule`: VoID class
and property partitions, what `graph_summary.rq` reads); and *aggregates*
(`graphbuild.reason.aggregates`: one node per antigen x disease cell and per antigen pair with
its trial count and ids, what `antigen_disease_matrix.rq` and `co_targeted_antigens.rq` read,
and a trial-id index on antigens, diseases and concepts, what `similar_trials.rq` reads).

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

from graphbuild.reason.engines import compact_view, infer_with_hermit, infer_with_sparql
from graphbuild.reason.ontology import (
    Terminology,
    classify,
    default_ontology,
    ontology_graph,
    owlready_world,
    run_hermit,
)
from graphbuild.reason.rules import compact_signature, compile_rules
from graphbuild.reason.step import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_ENGINE,
    ENGINES,
    ReasoningReport,
    inferred_facts,
    materialize,
    rule_texts,
)
from graphbuild.reason.terms import (
    ReasoningError,
    Rule,
    UnsupportedAxiom,
    oxigraph_store,
    short,
)
from graphbuild.reason.views import (
    SHORTCUT_PROPERTIES,
    STATISTICS_NODE,
    STATISTICS_PROPERTIES,
    VOID,
    shortcut_rules,
    statistics_rule,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_ENGINE",
    "ENGINES",
    "SHORTCUT_PROPERTIES",
    "STATISTICS_NODE",
    "STATISTICS_PROPERTIES",
    "VOID",
    "ReasoningError",
    "ReasoningReport",
    "Rule",
    "Terminology",
    "UnsupportedAxiom",
    "classify",
    "compact_signature",
    "compact_view",
    "compile_rules",
    "default_ontology",
    "infer_with_hermit",
    "infer_with_sparql",
    "inferred_facts",
    "materialize",
    "ontology_graph",
    "owlready_world",
    "oxigraph_store",
    "rule_texts",
    "run_hermit",
    "short",
    "shortcut_rules",
    "statistics_rule",
]
