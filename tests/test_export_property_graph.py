"""The property-graph view (shared by Neo4j, GEXF, GraphML) on the seed graph: nodes and edges
agree with SPARQL counts over the store, reified links become edge properties (never nodes),
the stream is sorted and repeatable."""

from __future__ import annotations

from collections import Counter

import pytest
from test_export_seed import CD7, TNFRSF17, TRIAL_001, TRIAL_002, sparql_count

from graphbuild.export import property_graph as pg
from graphbuild.store import GraphStore

KINDS = {kind.label: kind for kind in pg.NODE_KINDS}


@pytest.fixture(scope="module")
def graph(seed_store: GraphStore) -> tuple[list[pg.Node], list[pg.Edge]]:
    return list(pg.nodes(seed_store)), list(pg.edges(seed_store))


def test_node_counts_per_label_equal_sparql_counts(seed_store: GraphStore, graph) -> None:
    nodes, _ = graph
    counted = Counter(node.label for node in nodes)
    for kind in pg.NODE_KINDS:
        expected = sparql_count(seed_store, f"SELECT DISTINCT ?x WHERE {{ ?x a <{kind.cls}> }}")
        assert counted[kind.label] == expected, kind.label
    assert counted["Trial"] == 3 and counted["TargetAntigen"] == 2
    assert counted["Disease"] > 3  # the studied diseases and their MeSH ancestors (BROADER)


def test_edge_counts_per_type_equal_sparql_counts(seed_store: GraphStore, graph) -> None:
    _, edges = graph
    counted = Counter(edge.type for edge in edges)
    for kind in pg.EDGE_KINDS:
        expected = sparql_count(
            seed_store,
            f"""SELECT DISTINCT ?s ?o WHERE {{ ?s <{kind.predicate}> ?o .
                ?s a <{KINDS[kind.source].cls}> . ?o a <{KINDS[kind.target].cls}> }}""",
        )
        assert counted[kind.type] == expected > 0, kind.type


def test_no_statement_or_evidence_becomes_a_node(graph) -> None:
    nodes, edges = graph
    ids = {node.id for node in nodes}
    assert len(ids) == len(nodes)  # one node per IRI
    assert not [i for i in ids if "/link/" in i or "/evidence/" in i or "/source/" in i]
    for edge in edges:
        assert edge.source in ids and edge.target in ids, edge


def test_stated_antigen_link_carries_basis_and_evidence(graph) -> None:
    _, edges = graph
    (edge,) = [e for e in edges if e.type == "TARGETS_ANTIGEN" and e.target == CD7]
    assert edge.source == f"{TRIAL_002}/intervention/0"
    assert edge.properties["basis"] == "stated"
    assert "brief_title: CD7 CAR-T" in edge.properties["evidence"]


def test_reasoned_directed_at_takes_the_basis_of_the_links_it_rests_on(graph) -> None:
    _, edges = graph
    directed = {(e.source, e.target): e.properties for e in edges if e.type == "DIRECTED_AT"}
    assert directed[(TRIAL_001, TNFRSF17)]["basis"] == "inferred"
    assert directed[(TRIAL_001, TNFRSF17)]["origin"] == "reasoner"
    assert any("BCMA" in quote for quote in directed[(TRIAL_001, TNFRSF17)]["evidence"])
    assert directed[(TRIAL_002, CD7)]["basis"] == "stated"


def test_disease_edges_carry_qualifiers(graph) -> None:
    _, edges = graph
    studies = [e for e in edges if e.type == "STUDIES_DISEASE" and e.source == TRIAL_002]
    # gold conventions v2: seed 002's four stated class headings keep their grounding, and the
    # title's T-ALL/T-LBL is linked beside them (basis title) with the condition's qualifiers
    assert len(studies) == 5
    assert all(e.properties["basis"] in pg.BASIS_RANK for e in studies)
    (t_all,) = [e for e in studies if e.properties["basis"] == "title"]
    assert set(t_all.properties["qualifiers"]) >= {"CD7-positive", "relapsed", "refractory"}


def test_node_properties_are_typed_by_the_schema(graph) -> None:
    nodes, _ = graph
    by_id = {node.id: node for node in nodes}
    cd7 = by_id[CD7]
    assert (cd7.label, cd7.properties["hgnc_symbol"], cd7.properties["hgnc_id"]) == (
        "TargetAntigen",
        "CD7",
        "HGNC:1695",
    )
    trial = by_id[TRIAL_002]
    assert trial.properties["trial_id"] == "002_2917b9526c9dc599"
    assert trial.properties["phase"] == ("PHASE1",)
    assert trial.properties["single_arm"] is True
    assert "CARTTrial" in trial.labels[1:]  # the reasoner's class, as an extra label
    intervention = by_id[f"{TRIAL_002}/intervention/0"]
    assert intervention.properties["modality"] == "CarT"
    bounded = [n for n in nodes if n.label == "TimeFrame" and "max_days" in n.properties]
    assert bounded and all(isinstance(n.properties["max_days"], float) for n in bounded)
    mm = by_id["http://id.nlm.nih.gov/mesh/D009101"]
    assert mm.properties["mesh_id"] == "D009101"
    assert all(x.split(":")[0] in {"MONDO", "NCIT"} for x in mm.properties.get("xrefs", ()))
    schema = pg.node_properties()
    for node in nodes:
        declared = {p.name for p in KINDS[node.label].props}
        assert set(node.properties) <= declared, node.id
        for name, value in node.properties.items():
            assert isinstance(value, tuple) == schema[name].endswith("[]"), (node.id, name)


def test_the_stream_is_sorted_and_repeatable(seed_store: GraphStore, graph) -> None:
    nodes, edges = graph
    order = {kind.label: i for i, kind in enumerate(pg.NODE_KINDS)}
    assert [(order[n.label], n.id) for n in nodes] == sorted((order[n.label], n.id) for n in nodes)
    types = {kind.type: i for i, kind in enumerate(pg.EDGE_KINDS)}
    keys = [(types[e.type], e.source, e.target) for e in edges]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert list(pg.nodes(seed_store)) == nodes and list(pg.edges(seed_store)) == edges


def test_one_name_one_type_across_kinds() -> None:
    assert pg.node_properties()["label"] == "string"
    assert pg.edge_properties() == {
        "basis": "string",
        "evidence": "string[]",
        "origin": "string",
        "qualifiers": "string[]",
    }


def test_transfer_feeds_a_sink_nodes_first_then_edges(seed_store: GraphStore, graph) -> None:
    calls: list[str] = []

    class Recorder:
        def write_node(self, node: pg.Node) -> None:
            calls.append("node")

        def write_edge(self, edge: pg.Edge) -> None:
            calls.append("edge")

        def finalize(self) -> None:
            calls.append("finalize")

        def abort(self) -> None:  # pragma: no cover - nothing fails here
            calls.append("abort")

    counts = pg.transfer(seed_store, Recorder())
    nodes, edges = graph
    assert counts == (len(nodes), len(edges))
    assert calls == ["node"] * len(nodes) + ["edge"] * len(edges) + ["finalize"]


def test_to_networkx_holds_the_same_graph(seed_store: GraphStore, graph) -> None:
    nodes, edges = graph
    nx_graph = pg.to_networkx(seed_store)
    assert nx_graph.number_of_nodes() == len(nodes) and nx_graph.number_of_edges() == len(edges)
    assert nx_graph.nodes[CD7]["hgnc_symbol"] == "CD7"
    assert nx_graph[f"{TRIAL_002}/intervention/0"][CD7]["TARGETS_ANTIGEN"]["basis"] == "stated"
