"""The landscape's endpoint and network figures as GROUP BY queries: counts per concept, window
ends per antigen, links per product, a few hundred rows each, grouped by the engine.

Why not the stored listings: the charts need counts, not rows. Reading every row of
`trial_endpoints` and `trial_conditions` (about 885,000 at 100,000 trials, each with its
texts) as Python dicts was most of the report's time and of the main process's peak memory.
Each query here keeps the join of the listing it stands for (the same triples, so the same
endpoints, concepts, diseases and antigens) and leaves out the columns no chart reads; the
landscape tests check that the counts equal those folded from the listings' rows. Private
to the page: `graphbuild query` users get the listings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from graphbuild.sparql.run import execute_sparql

PREFIXES = """PREFIX gb:   <https://w3id.org/graphbuild/vocab#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# Endpoints per (category, concept, role) and their trials: `trial_endpoints`' join (an
# endpoint with a role, of a trial with an id, measuring a concept), one endpoint counted once
# (an endpoint has one measure and at most one time frame, ontology/shapes.ttl, so this is that
# listing's rows with a concept). Grouped by concept node first, then named and categorized
# once per group, not once per endpoint; and the patterns in the order Oxigraph should join
# them (it keeps the written order): from the concept links, each endpoint's trial looked up.
CONCEPTS_QUERY = (
    PREFIXES
    + """
SELECT ?category ?concept ?role ?endpoints ?trials
WHERE {
  {
    SELECT ?concept_node ?role (COUNT(DISTINCT ?endpoint) AS ?endpoints)
           (COUNT(DISTINCT ?trial) AS ?trials)
    WHERE {
      ?endpoint gb:measuresConcept ?concept_node ; gb:role ?role .
      ?trial gb:hasEndpoint ?endpoint ; gb:trialId ?trial_id .
    }
    GROUP BY ?concept_node ?role
  }
  OPTIONAL { ?concept_node gb:category ?category }
  BIND(STRAFTER(STR(?concept_node), "/concept/") AS ?concept)
}
"""
)

# Safety and efficacy endpoints with a window end (gb:maxDays), per antigen of their trial
# (`trial_antigens`' join: the reasoning step's target summary with an HGNC symbol) and end:
# how many endpoints end there, and in which trials.
WINDOWS_QUERY = (
    PREFIXES
    + """
SELECT ?antigen_symbol ?category ?max_days (COUNT(DISTINCT ?endpoint) AS ?endpoints)
       (GROUP_CONCAT(DISTINCT ?trial_id; separator=" ") AS ?trials)
WHERE {
  ?trial gb:trialId ?trial_id ; gb:targetSummary ?summary .
  ?summary gb:summaryAntigen ?antigen ; gb:strongestBasis ?basis ; gb:evidenceList ?evidence .
  ?antigen gb:hgncSymbol ?antigen_symbol .
  ?trial gb:hasEndpoint ?endpoint .
  ?endpoint gb:role ?role ; gb:measuresConcept ?concept_node ; gb:hasTimeFrame ?tf .
  ?concept_node gb:category ?category .
  FILTER(?category IN ("safety", "efficacy"))
  ?tf gb:maxDays ?max_days .
}
GROUP BY ?antigen_symbol ?category ?max_days
"""
)

# Per product code (`product_antigens`' join: a trial's intervention with the code), each
# endpoint concept its trials measure: in how many of them, and the first trial id (the
# network adds a product's links in trial-id order, and its layout follows that order).
# Grouped by concept node, named once per group (a node outside /concept/ has no name, and
# the page leaves it out either way), and read from the product codes (a few thousand
# interventions) outward rather than from every trial.
PRODUCT_CONCEPTS_QUERY = (
    PREFIXES
    + """
SELECT ?product_code ?name ?n_trials ?first
WHERE {
  {
    SELECT ?product_code ?concept_node (COUNT(DISTINCT ?trial_id) AS ?n_trials)
           (MIN(?trial_id) AS ?first)
    WHERE {
      ?intervention gb:productCode ?product_code .
      ?trial gb:hasIntervention ?intervention ; gb:trialId ?trial_id ; gb:hasEndpoint ?endpoint .
      ?endpoint gb:measuresConcept ?concept_node ; gb:role ?role .
    }
    GROUP BY ?product_code ?concept_node
  }
  BIND(STRAFTER(STR(?concept_node), "/concept/") AS ?name)
}
"""
)

# The same per disease its trials study, named as `trial_conditions` names it (its join and
# its label: the MeSH or OBO label, else the CURIE). The (trial, disease) pairs with their
# extracted link and the (trial, product) pairs are each read once and hash-joined: looking up
# the links of every product trial one by one read slower (1.9 s against 1.3 s at 10,000
# trials). The pairs are read from the product codes outward.
PRODUCT_DISEASES_QUERY = (
    PREFIXES
    + """
SELECT ?product_code ?name (COUNT(DISTINCT ?trial_id) AS ?n_trials) (MIN(?trial_id) AS ?first)
WHERE {
  {
    SELECT DISTINCT ?trial ?disease
    WHERE {
      ?link rdf:predicate gb:studiesDisease ; rdf:subject ?trial ; rdf:object ?disease ;
            gb:basis ?basis .
      ?trial gb:studiesDisease ?disease .
    }
  }
  {
    SELECT DISTINCT ?trial ?trial_id ?product_code
    WHERE {
      ?intervention gb:productCode ?product_code .
      ?trial gb:hasIntervention ?intervention ; gb:trialId ?trial_id .
    }
  }
  BIND(IF(STRSTARTS(STR(?disease), "http://id.nlm.nih.gov/mesh/"),
          CONCAT("MESH:", STRAFTER(STR(?disease), "http://id.nlm.nih.gov/mesh/")),
          REPLACE(STRAFTER(STR(?disease), "http://purl.obolibrary.org/obo/"), "_", ":"))
       AS ?condition_id)
  OPTIONAL { ?disease rdfs:label ?any_label }
  BIND(IF(STRSTARTS(STR(?disease), "http://id.nlm.nih.gov/mesh/")
          || STRSTARTS(STR(?disease), "http://purl.obolibrary.org/obo/"), ?any_label, ?none)
       AS ?disease_label)
  BIND(COALESCE(?disease_label, ?condition_id) AS ?name)
}
GROUP BY ?product_code ?name
"""
)


@dataclass(frozen=True, slots=True)
class RoleCount:
    """Endpoints of one concept in one role, and the trials they belong to."""

    endpoints: int
    trials: int


@dataclass(frozen=True, slots=True)
class Window:
    """One antigen's window ends (days, at least 1, ascending) in one category, and the
    number of its trials they come from."""

    ends: tuple[float, ...]
    trials: int


@dataclass(frozen=True, slots=True)
class Link:
    """A product's link to a disease or endpoint concept: in how many of its trials, and the
    first of them (trial ids sort as strings)."""

    kind: str  # "disease" or "endpoint concept"
    name: str
    trials: int
    first_trial: str


ConceptCounts = dict[tuple[str, str], dict[str, RoleCount]]  # (category, concept) -> role ->


def _records(store: Any, text: str) -> list[dict[str, object]]:
    return execute_sparql(store, text).records()


def _int(value: object) -> int:
    return int(str(value))


def concept_counts(store: Any) -> ConceptCounts:
    """(category, concept) -> role -> its endpoints and trials; a concept without a
    category under "other"."""
    counts: ConceptCounts = defaultdict(dict)
    for row in _records(store, CONCEPTS_QUERY):
        if not row.get("concept"):
            continue
        key = (str(row.get("category") or "other"), str(row["concept"]))
        role = str(row.get("role") or "other")
        counts[key][role] = RoleCount(_int(row["endpoints"]), _int(row["trials"]))
    return dict(counts)


def window_ends(store: Any) -> dict[tuple[str, str], Window]:
    """(antigen symbol, category) -> the window ends of its safety or efficacy endpoints."""
    ends: dict[tuple[str, str], Counter[float]] = defaultdict(Counter)
    trials: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _records(store, WINDOWS_QUERY):
        key = (str(row["antigen_symbol"]), str(row["category"]))
        ends[key][max(float(str(row["max_days"])), 1.0)] += _int(row["endpoints"])
        trials[key].update(str(row["trials"] or "").split())
    return {
        key: Window(tuple(sorted(counter.elements())), len(trials[key]))
        for key, counter in ends.items()
    }


def product_links(store: Any) -> dict[str, list[Link]]:
    """Product code -> its disease and endpoint-concept links, in the order the network adds
    them: by first trial, a trial's diseases before its concepts, then by name."""
    links: dict[str, list[Link]] = defaultdict(list)
    queries = (("disease", PRODUCT_DISEASES_QUERY), ("endpoint concept", PRODUCT_CONCEPTS_QUERY))
    for kind, text in queries:
        for row in _records(store, text):
            if kind == "endpoint concept" and not row.get("name"):
                continue  # a concept node outside /concept/: no name, as in the listing
            link = Link(kind, str(row["name"]), _int(row["n_trials"]), str(row["first"]))
            links[str(row["product_code"])].append(link)
    rank = {"disease": 0, "endpoint concept": 1}
    return {
        product: sorted(found, key=lambda link: (link.first_trial, rank[link.kind], link.name))
        for product, found in links.items()
    }
