"""GEXF 1.3 (validated against the official RelaxNG schema) and GraphML (read back with
networkx) exports of the seed graph."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from test_export_seed import CD7, TNFRSF17, TRIAL_001, TRIAL_002, open_seed

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
def seed_store(
    tmp_path_factory: pytest.TempPathFactory, examples_dir: Path
) -> Iterator[GraphStore]:
    with open_seed(tmp_path_factory, examples_dir) as store:
        yield store


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
    assert (
        declared["node"]["labels"] == "liststring" and declared["edge"]["evidence"] == "liststring"
    )
    nodes = root.findall(".//g:nodes/g:node", NS)
    edges = root.findall(".//g:edges/g:edge", NS)
    assert (len(nodes), len(edges)) == counts
    ids = {n.get("id") for n in nodes}
    assert len(ids) == len(nodes)
    for element, cls in [(n, "node") for n in nodes] + [(e, "edge") for e in edges]:
        for value in element.iterfind("g:attvalues/g:attvalue", NS):
            type_ = declared[cls][value.get("for")]  # KeyError: an undeclared attribute
            text = value.get("value")
            if type_.startswith("list"):
                assert isinstance(json.loads(text), list)
            elif type_ == "long":
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
    assert "brief_title: CD7 CAR-T" in json.loads(_attvalues(cd7)["evidence"])
    bcma = _attvalues(by_ends[(TRIAL_001, TNFRSF17, "DIRECTED_AT")])
    assert (bcma["basis"], bcma["origin"]) == ("inferred", "reasoner")
    node = gexf.getroot().find(f".//g:node[@id='{CD7}']", NS)
    assert node.get("label") == "CD7" and json.loads(_attvalues(node)["labels"]) == [
        "TargetAntigen"
    ]


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
    assert graph.nodes[CD7]["hgnc_symbol"] == "CD7"
    assert graph.nodes[TRIAL_002]["single_arm"] is True
    assert json.loads(graph.nodes[TRIAL_002]["labels"])[0] == "Trial"
    assert graph.has_edge(TRIAL_001, TNFRSF17)
    again = tmp_path / "again.graphml"
    registry.export("graphml", seed_store, again)
    assert again.read_bytes() == path.read_bytes()
