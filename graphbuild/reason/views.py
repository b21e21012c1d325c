"""What the cross-trial questions need, precomputed after the entailments: *shortcuts* (one
trial -> antigen edge per basis, a time frame's points as one text, a trial's product codes and
disease labels as texts) and *statistics* (VoID counts; the aggregates are in `aggregates`).
Not OWL entailments, so both engines are followed by the same rules, written in the compiled
rules' CONSTRUCT form so a per-trial refresh (`incremental`) can scope them."""

from __future__ import annotations

from collections.abc import Iterator

from graphbuild.rdf.namespaces import BUILD_GRAPH, GB_IRI, GBR
from graphbuild.reason.terms import RDF_IRI, RDF_TYPE, Rule, short

RDFS_IRI = "http://www.w3.org/2000/01/rdf-schema#"
MESH_IRI = "http://id.nlm.nih.gov/mesh/"
# basis of an extracted antigen link -> the trial-level property that records it (ontology)
SHORTCUT_PROPERTIES = {
    "stated": f"{GB_IRI}directedAtStated",
    "product_lexicon": f"{GB_IRI}directedAtByProductLexicon",
    "inferred": f"{GB_IRI}directedAtInferred",
}
_RDF = RDF_IRI
_SHORTCUT_READS = frozenset(
    {
        f"{_RDF}subject",
        f"{_RDF}predicate",
        f"{_RDF}object",
        f"{GB_IRI}basis",
        f"{GB_IRI}hasIntervention",
    }
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
            f'        <{_RDF}object> ?y ; <{GB_IRI}basis> "{basis}" }}\n'
            f"UNION\n"
            f"{{ ?link <{_RDF}predicate> <{GB_IRI}targetsAntigen> ; <{_RDF}subject> ?i ;\n"
            f'        <{_RDF}object> ?y ; <{GB_IRI}basis> "{basis}" .\n'
            f"  ?x <{GB_IRI}hasIntervention> ?i }}\n}}"
        )
        rules.append(Rule(short(head), "shortcut", head, sparql, _SHORTCUT_READS))
    # per-node values a listing shows as one cell, read per row instead of grouped first
    # (subject ?x: a node of one trial's graph, so an add refreshes it with that trial)
    for head, sparql, reads in _per_node_rules():
        rules.append(Rule(short(head), "shortcut", head, sparql, reads))
    # a trial's product codes and its MeSH diseases' labels, each as one text (subject ?x: the
    # trial): what a listing of an antigen's trials shows, read per row instead of following
    # every intervention and disease of every row
    has_intervention, code = f"{GB_IRI}hasIntervention", f"{GB_IRI}productCode"
    head = f"{GB_IRI}productCodeList"
    sparql = (
        f"CONSTRUCT {{ ?x <{head}> ?y }}\nWHERE {{\n"
        f'  SELECT ?x (GROUP_CONCAT(DISTINCT ?code; separator=", ") AS ?y)\n'
        f"  WHERE {{ ?x <{has_intervention}> ?i . ?i <{code}> ?code }}\n  GROUP BY ?x\n}}"
    )
    rules.append(Rule(short(head), "shortcut", head, sparql, frozenset({has_intervention, code})))
    studies, label = f"{GB_IRI}studiesDisease", f"{RDFS_IRI}label"
    head = f"{GB_IRI}diseaseLabelList"
    sparql = (
        f"CONSTRUCT {{ ?x <{head}> ?y }}\nWHERE {{\n"
        f'  SELECT ?x (GROUP_CONCAT(DISTINCT ?label; separator="; ") AS ?y)\n'
        f"  WHERE {{ ?x <{studies}> ?d . ?d <{label}> ?label\n"
        f'          FILTER(STRSTARTS(STR(?d), "{MESH_IRI}")) }}\n  GROUP BY ?x\n}}'
    )
    rules.append(Rule(short(head), "shortcut", head, sparql, frozenset({studies, label})))
    return rules


# The per-node shortcuts: what a streaming listing of every endpoint, time frame or disease link
# reads as one value per row (a grouped sub-select over the whole graph would hold its first row
# back until every group is built). (head, the paths it reads (alternatives, each a sequence
# of predicates), the aggregate over their values, what else the subject must have.)
_JOINED = 'GROUP_CONCAT(DISTINCT ?v; separator=", ")'
PER_NODE_VALUES: tuple[tuple[str, tuple[tuple[str, ...], ...], str, str], ...] = (
    # a time frame's assessment points as one text ("28, 56, 84")
    (
        f"{GB_IRI}timePointList",
        ((f"{GB_IRI}timePointDays",),),
        'GROUP_CONCAT(DISTINCT STR(?v); separator=", ")',
        "",
    ),
    # how far a time frame reaches: the greatest of its upper bound and its named points
    (f"{GB_IRI}reachDays", ((f"{GB_IRI}maxDays",), (f"{GB_IRI}timePointDays",)), "MAX(?v)", ""),
    # an endpoint's grading criteria (ASTCT, CTCAE) and assay methods (flow cytometry, qPCR)
    (f"{GB_IRI}criterionList", ((f"{GB_IRI}criterion",),), _JOINED, ""),
    (f"{GB_IRI}methodList", ((f"{GB_IRI}method",),), _JOINED, ""),
    # a disease link's qualifiers (relapsed, refractory) and the words of its evidence
    (f"{GB_IRI}qualifierList", ((f"{GB_IRI}qualifier",),), _JOINED, ""),
    # an intervention's target antigens: how many (distinct HGNC symbols) and which, joined
    # with " + " ("CD19 + CD22"): what a listing of multi-antigen products reads per row
    (
        f"{GB_IRI}antigenCount",
        ((f"{GB_IRI}targetsAntigen", f"{GB_IRI}hgncSymbol"),),
        "COUNT(DISTINCT ?v)",
        "",
    ),
    (
        f"{GB_IRI}antigenSymbolList",
        ((f"{GB_IRI}targetsAntigen", f"{GB_IRI}hgncSymbol"),),
        'GROUP_CONCAT(DISTINCT ?v; separator=" + ")',
        "",
    ),
    (
        f"{GB_IRI}quoteList",
        ((f"{GB_IRI}hasEvidence", f"{GB_IRI}quote"),),
        'GROUP_CONCAT(DISTINCT ?v; separator=" | ")',
        f"?x <{_RDF}predicate> <{GB_IRI}studiesDisease> .",
    ),
)


def _per_node_rules() -> Iterator[tuple[str, str, frozenset[str]]]:
    """(head, CONSTRUCT, predicates read) of each `PER_NODE_VALUES` entry: a sub-select grouped
    by the head's subject, the form `graphbuild.reason.scoping.scoped_sparql` binds inside."""
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
    return Rule(
        "void:statistics",
        "statistics",
        STATISTICS_NODE,
        sparql,
        frozenset({RDF_TYPE, *STATISTICS_PROPERTIES}),
    )
