"""One node per (trial, target antigen): the strongest basis of its links and their evidence,
precomputed by the reasoning step so `trial_antigens.rq` streams.

A trial reaches an antigen through one or more extracted links (its own `gb:directedAt`, or
`gb:targetsAntigen` of any of its interventions), each with a basis and evidence. The listing
shows one row per trial and antigen with the strongest basis (stated > product_lexicon >
inferred) and the evidence of the links of that basis. Grouping every link of the graph by
(trial, antigen) before the first row costs 28 s at 100,000 trials; read from these nodes, each
row is a few index lookups and the rows come trial by trial:

    <trial> gb:targetSummary <gbr:aggregate/trial-antigen/{trial IRI}/{antigen IRI}> .
    <gbr:aggregate/trial-antigen/...> gb:summaryAntigen <antigen> ;
        gb:strongestBasis "stated" ;
        gb:evidenceList "title: CD19 CAR-T | intervention: ..." .

(IRIs percent-encoded.) The evidence lists each "field: quote" once, sorted, joined with
" | "; a link of the strongest basis without evidence adds "(no evidence)". Like the other
aggregates the nodes are untyped (the VoID class counts leave them out). A re-ingest
(`update_target_summaries`) removes the changed trials' summaries (read in the store before
the change) and writes them again from their new links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GB_IRI, GBR_IRI
from graphbuild.reason.terms import INFERRED, RDF_IRI, objects

__all__ = ["SUMMARY_PREFIX", "target_summary_quads", "update_target_summaries"]

SUMMARY_PREFIX = f"{GBR_IRI}aggregate/trial-antigen/"
BASIS_RANK = {"stated": 1, "product_lexicon": 2, "inferred": 3}
NO_EVIDENCE = "(no evidence)"
_TARGET_SUMMARY = ox.NamedNode(GB_IRI + "targetSummary")
_SUMMARY_ANTIGEN = ox.NamedNode(GB_IRI + "summaryAntigen")
_STRONGEST_BASIS = ox.NamedNode(GB_IRI + "strongestBasis")
_EVIDENCE_LIST = ox.NamedNode(GB_IRI + "evidenceList")
_HAS_EVIDENCE = ox.NamedNode(GB_IRI + "hasEvidence")
_SOURCE_FIELD = ox.NamedNode(GB_IRI + "sourceField")
_QUOTE = ox.NamedNode(GB_IRI + "quote")
_BASIS = ox.NamedNode(GB_IRI + "basis")
_HAS_INTERVENTION = ox.NamedNode(GB_IRI + "hasIntervention")
_DIRECTED_AT = ox.NamedNode(GB_IRI + "directedAt")
_TARGETS_ANTIGEN = ox.NamedNode(GB_IRI + "targetsAntigen")
_RDF_SUBJECT = ox.NamedNode(RDF_IRI + "subject")
_RDF_PREDICATE = ox.NamedNode(RDF_IRI + "predicate")
_RDF_OBJECT = ox.NamedNode(RDF_IRI + "object")

# Every antigen link of every trial with its basis; the union default graph may give a row
# once per graph that holds it, so rows are read as sets. The evidence is read per link
# afterwards (index lookups): an OPTIONAL here is answered by a join over every evidence node
# of the store (2.4 of 2.6 s at 10,000 trials).
_LINKS = f"""
PREFIX gb:  <{GB_IRI}>
PREFIX rdf: <{RDF_IRI}>
SELECT DISTINCT ?trial ?antigen ?basis ?link
WHERE {{
  {{
    ?link rdf:predicate gb:targetsAntigen ; rdf:subject ?intervention ; rdf:object ?antigen ;
          gb:basis ?basis .
    ?trial gb:hasIntervention ?intervention .
  }} UNION {{
    ?link rdf:predicate gb:directedAt ; rdf:subject ?trial ; rdf:object ?antigen ;
          gb:basis ?basis .
  }}
}}"""

_Key = tuple[str, str]  # (trial IRI, antigen IRI)


def _evidence_items(store: ox.Store, link: ox.NamedNode | ox.BlankNode) -> set[str]:
    """Each "field: quote" of the link's evidence nodes."""
    items = set()
    for evidence in objects(store, link, _HAS_EVIDENCE):
        if not isinstance(evidence, (ox.NamedNode, ox.BlankNode)):
            continue
        items |= {
            f"{field.value}: {quote.value}"
            for field in objects(store, evidence, _SOURCE_FIELD)
            for quote in objects(store, evidence, _QUOTE)
        }
    return items


def _links_of(
    store: ox.Store, trials: Iterable[str]
) -> Iterator[tuple[ox.NamedNode, Any, Any, Any]]:
    """(trial, antigen, basis, link) of the antigen links of `trials` (nodes that are not
    trials have none), by index lookups: a re-ingest's few nodes, where the whole-store query
    would scan every link of the graph (3.3 s at 100,000 trials)."""

    for iri in sorted(set(trials)):
        trial = ox.NamedNode(iri)
        subjects = [(trial, _DIRECTED_AT)] + [
            (i, _TARGETS_ANTIGEN) for i in sorted(objects(store, trial, _HAS_INTERVENTION), key=str)
        ]
        for subject, edge in subjects:
            for quad in store.quads_for_pattern(None, _RDF_SUBJECT, subject, None):
                link = quad.subject
                if edge not in objects(store, link, _RDF_PREDICATE):
                    continue
                for antigen in objects(store, link, _RDF_OBJECT):
                    for basis in objects(store, link, _BASIS):
                        yield trial, antigen, basis, link


def _summaries(store: ox.Store, trials: Iterable[str] | None) -> dict[_Key, tuple[str, str]]:
    """(trial, antigen) -> (strongest basis, evidence list) of every trial of the store (one
    query), or of `trials` only (index lookups)."""
    rows: Iterable[tuple[Any, Any, Any, Any]]
    if trials is None:
        rows = (
            (row["trial"], row["antigen"], row["basis"], row["link"])
            for row in store.query(_LINKS, use_default_graph_as_union=True)
        )
    else:
        rows = _links_of(store, trials)
    # link -> (trial, antigen), its basis, its evidence items
    links: dict[tuple[str, _Key], tuple[_Key, str, set[str]]] = {}
    for trial, antigen, basis, link in rows:
        if not (isinstance(trial, ox.NamedNode) and isinstance(antigen, ox.NamedNode)):
            continue
        if not isinstance(basis, ox.Literal) or basis.value not in BASIS_RANK:
            continue
        key = (trial.value, antigen.value)
        if (str(link), key) not in links:
            links[(str(link), key)] = (key, basis.value, _evidence_items(store, link))
    by_key: dict[_Key, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key, basis, items in links.values():
        by_key[key][basis] |= items or {NO_EVIDENCE}
    summaries = {}
    for key, bases in by_key.items():
        best = min(bases, key=BASIS_RANK.__getitem__)
        summaries[key] = (best, " | ".join(sorted(bases[best])))
    return summaries


def _node(key: _Key) -> ox.NamedNode:
    trial, antigen = key
    return ox.NamedNode(f"{SUMMARY_PREFIX}{quote(trial, safe='')}/{quote(antigen, safe='')}")


def _quads(summaries: dict[_Key, tuple[str, str]]) -> list[ox.Quad]:
    quads = []
    for key in sorted(summaries):
        basis, evidence = summaries[key]
        node = _node(key)
        quads += [
            ox.Quad(ox.NamedNode(key[0]), _TARGET_SUMMARY, node, INFERRED),
            ox.Quad(node, _SUMMARY_ANTIGEN, ox.NamedNode(key[1]), INFERRED),
            ox.Quad(node, _STRONGEST_BASIS, ox.Literal(basis), INFERRED),
            ox.Quad(node, _EVIDENCE_LIST, ox.Literal(evidence), INFERRED),
        ]
    return quads


def target_summary_quads(store: ox.Store) -> list[ox.Quad]:
    """Every (trial, antigen) summary of the store, from its extracted antigen links."""
    return _quads(_summaries(store, None))


def update_target_summaries(
    store: ox.Store, previous: ox.Store, nodes: Iterable[str]
) -> tuple[int, int]:
    """The summaries of a re-ingest: `nodes` are the changed graphs' subjects (the trials among
    them matter), `previous` the store before the change (read-only), `store` after it.
    Returns (facts removed, facts written)."""
    focus = sorted(set(nodes))

    def edges(source: ox.Store) -> list[ox.Quad]:
        return [
            q
            for node in focus
            for q in source.quads_for_pattern(ox.NamedNode(node), _TARGET_SUMMARY, None, INFERRED)
        ]

    # the trials' edges may be gone already (their inferred facts): their nodes are read in both
    current = edges(store)
    summaries = {q.object for q in current} | {q.object for q in edges(previous)}
    stale = current + [
        q
        for n in sorted(summaries, key=str)
        for q in store.quads_for_pattern(n, None, None, INFERRED)
    ]
    for quad in stale:
        store.remove(quad)
    fresh = _quads(_summaries(store, focus))
    store.extend(fresh)
    return len(stale), len(fresh)
