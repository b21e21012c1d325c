"""The (trial, antigen) summaries the reasoning step writes for `trial_antigens.rq`: the
strongest basis over a trial's own links and its interventions' links, and only that basis's
evidence, each item once; a link without evidence stands as "(no evidence)"."""

from __future__ import annotations

import pyoxigraph as ox

from graphbuild.reason.target_summaries import target_summary_quads, update_target_summaries

GB = "https://w3id.org/graphbuild/vocab#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
R = "https://w3id.org/graphbuild/id/"
CD19 = "https://identifiers.org/hgnc:1633"
CD22 = "https://identifiers.org/hgnc:1643"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _link(store: ox.Store, link: str, subject: str, predicate: str, antigen: str, basis: str,
          evidence: list[tuple[str, str]], graph: str) -> None:
    g = _n(graph)
    store.add(ox.Quad(_n(link), _n(RDF + "subject"), _n(subject), g))
    store.add(ox.Quad(_n(link), _n(RDF + "predicate"), _n(GB + predicate), g))
    store.add(ox.Quad(_n(link), _n(RDF + "object"), _n(antigen), g))
    store.add(ox.Quad(_n(link), _n(GB + "basis"), ox.Literal(basis), g))
    for i, (field, quote) in enumerate(evidence):
        ev = _n(f"{link}/ev{i}")
        store.add(ox.Quad(_n(link), _n(GB + "hasEvidence"), ev, g))
        store.add(ox.Quad(ev, _n(GB + "sourceField"), ox.Literal(field), g))
        store.add(ox.Quad(ev, _n(GB + "quote"), ox.Literal(quote), g))


def _store() -> ox.Store:
    store = ox.Store()
    trial, graph = R + "trial/T1", R + "graph/trial/T1"
    store.add(ox.Quad(_n(trial), _n(GB + "hasIntervention"), _n(trial + "/i0"), _n(graph)))
    store.add(ox.Quad(_n(trial), _n(GB + "hasIntervention"), _n(trial + "/i1"), _n(graph)))
    # CD19: stated by one intervention (two quotes), inferred at the trial level
    _link(store, trial + "/l0", trial + "/i0", "targetsAntigen", CD19, "stated",
          [("brief_title", "CD19 CAR-T"), ("interventions[0].name", "CD19 CAR")], graph)
    _link(store, trial + "/l1", trial, "directedAt", CD19, "inferred",
          [("outcomes[1].measure", "CD19+ cells")], graph)
    _link(store, trial + "/l2", trial + "/i1", "targetsAntigen", CD19, "stated",
          [("brief_title", "CD19 CAR-T")], graph)
    # CD22: one product-lexicon link without evidence
    _link(store, trial + "/l3", trial + "/i1", "targetsAntigen", CD22, "product_lexicon", [], graph)
    return store


def _summaries(quads: list[ox.Quad]) -> dict[str, tuple[str, str]]:
    by_node: dict[str, dict[str, str]] = {}
    for q in quads:
        by_node.setdefault(q.subject.value, {})[q.predicate.value] = q.object.value
    return {
        values[GB + "summaryAntigen"]: (values[GB + "strongestBasis"], values[GB + "evidenceList"])
        for values in by_node.values()
        if GB + "summaryAntigen" in values
    }


def test_strongest_basis_and_its_evidence_once() -> None:
    quads = target_summary_quads(_store())
    assert _summaries(quads) == {
        CD19: ("stated", "brief_title: CD19 CAR-T | interventions[0].name: CD19 CAR"),
        CD22: ("product_lexicon", "(no evidence)"),
    }
    # the trial points at both summaries; the same input gives the same quads
    assert sum(q.predicate.value == GB + "targetSummary" for q in quads) == 2
    assert quads == target_summary_quads(_store())


def test_a_re_ingest_moves_the_changed_trials_summaries() -> None:
    store = _store()
    store.extend(target_summary_quads(store))
    previous = ox.Store()
    previous.extend(store.quads_for_pattern(None, None, None, None))
    # the stated links go: CD19 is only inferred now
    for link in ("/l0", "/l2"):
        for quad in list(store.quads_for_pattern(_n(R + "trial/T1" + link), None, None, None)):
            store.remove(quad)
    removed, added = update_target_summaries(store, previous, [R + "trial/T1"])
    assert (removed, added) == (8, 8)
    inferred = [q for q in store.quads_for_pattern(None, None, None, None)
                if q.graph_name.value.endswith("graph/inferred")]
    assert _summaries(inferred)[CD19] == ("inferred", "outcomes[1].measure: CD19+ cells")
