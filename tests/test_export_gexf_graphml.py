"""GEXF 1.3 (validated against the official RelaxNG schema) and GraphML exports of the seed
graph, read back with the libraries their users run (networkx, igraph); the corpus graph read
back with both for counts and typed attributes."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import networkx as nx
import pytest
from test_export_seed import CD7, TNFRSF17, TRIAL_001, TRIAL_002

from graphbuild.export import property_graph as pg
from graphbuild.export import registry
from graphbuild.store import GraphStore

etree = pytest.importorskip("lxml.etree")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", REPO.parent / "shared"))
GEXF_RNG = SHARED / "schemas" / "gexf-1.3" / "gexf.rng"
NS = {"g": "http://gexf.net/1.3"}
INTERVENTION_002 = f"{TRIAL_002}/intervention/0"


@pytest.fixture(scope="module")
def counts(seed_store: GraphStore) -> tuple[int, int]:
    return sum(1 for _ in pg.nodes(seed_store)), sum(1 for _ in pg.edges(seed_store))


@pytest.fixture(scope="module")
def gexf_path(seed_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gexf") / "seed.gexf"
    registry.export("gexf", seed_store, path)
    return path


@pytest.fixture(scope="module")
def gexf(gexf_path: Path):
    return etree.parse(str(gexf_path))


def test_gexf_is_valid_against_the_gexf_1_3_relaxng_schema(gexf) -> None:
    if not GEXF_RNG.is_file():
        pytest.skip("../shared/schemas/gexf-1.3 is absent")
    schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
    assert schema.validate(gexf), schema.error_log


def test_the_relaxng_schema_does_reject_a_broken_gexf(gexf) -> None:
    """The validation above means something: the same document with an edge lacking its
    target, or a wrong version, fails."""
    if not GEXF_RNG.is_file():
        pytest.skip("../shared/schemas/gexf-1.3 is absent")
    schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
    broken = etree.fromstring(etree.tostring(gexf))
    del broken.find(".//g:edge", NS).attrib["target"]
    assert not schema.validate(broken)
    wrong_version = etree.fromstring(etree.tostring(gexf))
    wrong_version.set("version", "1.2")
    assert not schema.validate(wrong_version)


def test_gexf_declares_every_attribute_it_uses(gexf, counts: tuple[int, int]) -> None:
    root = gexf.getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    declared = {}
    for attributes in root.iterfind(".//g:attributes", NS):
        declared[attributes.get("class")] = {
            a.get("id"): a.get("type") for a in attributes.iterfind("g:attribute", NS)
        }
    assert set(declared) == {"node", "edge"}
    assert declared["node"]["hgnc_symbol"] == "string" and declared["node"]["enrollment"] == "long"
    # no list types: networkx reads none of them; lists are `|`-joined strings
    assert declared["node"]["labels"] == "string" and declared["edge"]["evidence"] == "string"
    assert declared["node"]["kind"] == "string"
    used_types = set(declared["node"].values()) | set(declared["edge"].values())
    assert used_types <= {"string", "long", "double", "boolean"}
    nodes = root.findall(".//g:nodes/g:node", NS)
    edges = root.findall(".//g:edges/g:edge", NS)
    assert (len(nodes), len(edges)) == counts
    ids = {n.get("id") for n in nodes}
    assert len(ids) == len(nodes)
    for element, cls in [(n, "node") for n in nodes] + [(e, "edge") for e in edges]:
        for value in element.iterfind("g:attvalues/g:attvalue", NS):
            type_ = declared[cls][value.get("for")]  # KeyError: an undeclared attribute
            text = value.get("value")
            if type_ == "long":
                int(text)
            elif type_ == "double":
                float(text)
            elif type_ == "boolean":
                assert text in ("true", "false")
    for edge in edges:
        assert edge.get("source") in ids and edge.get("target") in ids


def _attvalues(element) -> dict[str, str]:
    return {v.get("for"): v.get("value") for v in element.iterfind("g:attvalues/g:attvalue", NS)}


def test_gexf_holds_the_known_antigen_edges(gexf) -> None:
    edges = gexf.getroot().findall(".//g:edges/g:edge", NS)
    by_ends = {(e.get("source"), e.get("target"), e.get("kind")): e for e in edges}
    cd7 = by_ends[(INTERVENTION_002, CD7, "TARGETS_ANTIGEN")]
    assert _attvalues(cd7)["basis"] == "stated"
    assert "brief_title: CD7 CAR-T" in _attvalues(cd7)["evidence"].split("|")
    bcma = _attvalues(by_ends[(TRIAL_001, TNFRSF17, "DIRECTED_AT")])
    assert (bcma["basis"], bcma["origin"]) == ("inferred", "reasoner")
    node = gexf.getroot().find(f".//g:node[@id='{CD7}']", NS)
    assert node.get("label") == "CD7"
    assert _attvalues(node)["labels"] == "TargetAntigen"
    assert _attvalues(node)["kind"] == "TargetAntigen"


VIZ = "{http://gexf.net/1.3/viz}"


def test_gexf_nodes_have_a_kind_colour_size_and_short_label(gexf) -> None:
    nodes = gexf.getroot().findall(".//g:nodes/g:node", NS)
    colours: dict[str, set[tuple[str, str, str]]] = {}
    for node in nodes:
        kind = _attvalues(node)["kind"]
        colour = node.find(f"{VIZ}color")
        colours.setdefault(kind, set()).add((colour.get("r"), colour.get("g"), colour.get("b")))
        assert float(node.find(f"{VIZ}size").get("value")) >= 4.0
        assert len(node.get("label")) <= 40
    assert len(colours) == 7 and all(len(c) == 1 for c in colours.values())
    assert len({next(iter(c)) for c in colours.values()}) == 7  # one colour per kind
    trial = gexf.getroot().find(f".//g:node[@id='{TRIAL_002}']", NS)
    assert trial.get("label") == "002_2917b9526c9dc599"
    assert _attvalues(trial)["title"] == "CD7 CAR-T for Patients With r/r CD7+ T-ALL/T-LBL"
    sizes = {n.get("id"): float(n.find(f"{VIZ}size").get("value")) for n in nodes}
    assert sizes[TRIAL_002] > sizes[CD7]  # a trial links to many nodes, CD7 to one


def test_gexf_reads_back_with_networkx(gexf_path: Path, counts: tuple[int, int]) -> None:
    graph = nx.read_gexf(gexf_path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == counts
    assert graph.nodes[CD7]["kind"] == "TargetAntigen" and graph.nodes[CD7]["label"] == "CD7"
    assert graph.nodes[TRIAL_002]["single_arm"] is True
    assert graph.nodes[TRIAL_002]["viz"]["color"] == {"r": 0, "g": 114, "b": 178, "a": 1.0}


def test_gexf_is_byte_identical_across_exports(
    seed_store: GraphStore, gexf_path: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.gexf"
    registry.export("gexf", seed_store, again)
    assert again.read_bytes() == gexf_path.read_bytes()


def test_graphml_reads_back_with_networkx(
    seed_store: GraphStore, tmp_path: Path, counts: tuple[int, int]
) -> None:
    path = tmp_path / "seed.graphml"
    registry.export("graphml", seed_store, path)
    graph = nx.read_graphml(path, force_multigraph=True)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == counts
    assert graph.is_directed()
    edge = graph[INTERVENTION_002][CD7]["TARGETS_ANTIGEN"]
    assert edge["type"] == "TARGETS_ANTIGEN" and edge["basis"] == "stated"
    assert "brief_title: CD7 CAR-T" in json.loads(edge["evidence"])
    assert graph.nodes[CD7]["hgnc_symbol"] == "CD7" and graph.nodes[CD7]["kind"] == "TargetAntigen"
    assert graph.nodes[TRIAL_002]["single_arm"] == "true"
    assert json.loads(graph.nodes[TRIAL_002]["labels"])[0] == "Trial"
    assert graph.has_edge(TRIAL_001, TNFRSF17)
    again = tmp_path / "again.graphml"
    registry.export("graphml", seed_store, again)
    assert again.read_bytes() == path.read_bytes()


# --------------------------------------------------------------------------------------------
# The corpus graph, read back by the libraries users open it with
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_exports(corpus_graph: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("corpus-exports")
    with GraphStore.from_build(corpus_graph, read_only=True) as store:
        trials = {
            n.id: dict(n.properties) for n in pg.nodes(store) if n.label == "Trial"
        }
        counts = (sum(1 for _ in pg.nodes(store)), sum(1 for _ in pg.edges(store)))
        for name in ("gexf", "graphml"):
            registry.export(name, store, folder / f"corpus.{name}")
    return folder, trials, counts


@pytest.mark.corpus
def test_corpus_gexf_reads_in_networkx_and_stays_valid(corpus_exports) -> None:
    folder, trials, counts = corpus_exports
    graph = nx.read_gexf(folder / "corpus.gexf")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == counts
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    assert kinds == {"Trial", "Intervention", "TargetAntigen", "Disease", "Endpoint",
                     "EndpointConcept", "TimeFrame"}
    with_enrollment = [i for i, p in trials.items() if "enrollment" in p]
    assert with_enrollment
    for iri in with_enrollment[:200]:
        assert graph.nodes[iri]["enrollment"] == trials[iri]["enrollment"]
        assert isinstance(graph.nodes[iri]["enrollment"], int)
    if GEXF_RNG.is_file():
        schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
        assert schema.validate(etree.parse(str(folder / "corpus.gexf"))), schema.error_log


@pytest.mark.corpus
def test_corpus_graphml_reads_in_networkx_typed(corpus_exports) -> None:
    folder, trials, counts = corpus_exports
    graph = nx.read_graphml(folder / "corpus.graphml", force_multigraph=True)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == counts
    for iri, props in trials.items():
        node = graph.nodes[iri]
        assert node.get("enrollment") == props.get("enrollment")  # int, or absent
        flag = props.get("open_label")
        assert node.get("open_label") == (None if flag is None else ("true" if flag else "false"))


@pytest.mark.corpus
def test_corpus_graphml_reads_in_igraph_with_missing_values_missing(corpus_exports) -> None:
    """igraph's GraphML reader: numbers come back as floats (igraph has one numeric type),
    absent numbers as NaN, absent text as ''. An absent yes/no flag must not read as False."""
    igraph = pytest.importorskip("igraph")
    folder, trials, counts = corpus_exports
    graph = igraph.Graph.Read_GraphML(str(folder / "corpus.graphml"))
    assert (graph.vcount(), graph.ecount()) == counts
    by_iri = {v["id"]: v for v in graph.vs.select(kind_eq="Trial")}
    assert set(by_iri) == set(trials)
    missing_flag = 0
    for iri, props in trials.items():
        vertex = by_iri[iri]
        if "enrollment" in props:
            assert vertex["enrollment"] == props["enrollment"]
            assert float(vertex["enrollment"]).is_integer()
        else:
            assert math.isnan(vertex["enrollment"])
        if "open_label" not in props:
            assert vertex["open_label"] == ""
            missing_flag += 1
        else:
            assert vertex["open_label"] == ("true" if props["open_label"] else "false")
    assert missing_flag > 0  # the corpus has trials that do not say, and they stay unsaid
