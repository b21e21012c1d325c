"""RDF exports round-trip: every RDF format the registry holds is written from the seed store,
parsed back with rdflib (an independent parser) and compared with the store's own content,
the merged graph for triple formats and the whole dataset for quad formats."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from test_export_seed import TRIAL_002

from graphbuild.export import registry
from graphbuild.export.rdf_formats import FORMATS
from graphbuild.store import GraphStore

RDFLIB_NAMES = {
    "turtle": "turtle",
    "ntriples": "nt",
    "rdfxml": "xml",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}
RDF_EXPORTERS = [e.name for e in registry.exporters() if e.module.endswith(".rdf_formats")]


def test_every_rdf_format_is_covered_here() -> None:
    assert sorted(RDF_EXPORTERS) == sorted(FORMATS) == sorted(RDFLIB_NAMES)


@pytest.fixture(scope="module")
def original(seed_store: GraphStore) -> rdflib.Dataset:
    """The store's content through a path that shares no code with the exporters."""
    dataset = rdflib.Dataset()
    dataset.parse(data=seed_store.canonical_nquads(), format="nquads")
    return dataset


def _merged(dataset: rdflib.Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _named_graphs(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    """Non-empty named graphs by IRI (rdflib keeps an empty default graph around)."""
    out = {}
    for graph in dataset.graphs():
        if len(graph) and graph.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            out[str(graph.identifier)] = graph
    return out


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in RDF_EXPORTERS])
def test_rdf_export_round_trips(
    name: str, seed_store: GraphStore, original: rdflib.Dataset, tmp_path: Path
) -> None:
    path = tmp_path / f"seed{FORMATS[name].suffix}"
    registry.export(name, seed_store, path)
    fmt = RDFLIB_NAMES[name]
    if FORMATS[name].dataset:
        parsed = rdflib.Dataset()
        parsed.parse(path, format=fmt)
        expected_graphs, got_graphs = _named_graphs(original), _named_graphs(parsed)
        assert len(expected_graphs) >= 5  # 3 trials, vocabulary, inferred, build
        assert sorted(got_graphs) == sorted(expected_graphs)
        for iri, graph in expected_graphs.items():
            assert isomorphic(got_graphs[iri], graph), f"{name}: graph {iri} differs"
        assert len(parsed.graph(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)) == 0
    else:
        parsed = rdflib.Graph().parse(path, format=fmt)
        merged = _merged(original)
        assert len(merged) > 1000
        assert len(parsed) == len(merged)
        assert isomorphic(parsed, merged), f"{name}: merged graph differs"


@pytest.mark.parametrize("name", ["ntriples", "nquads", "turtle", "jsonld"])
def test_rdf_export_is_deterministic_and_sorted(
    name: str, seed_store: GraphStore, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    registry.export(name, seed_store, first)
    registry.export(name, seed_store, second)
    assert first.read_bytes() == second.read_bytes()
    if name == "ntriples":
        lines = first.read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_turtle_uses_the_project_prefixes(seed_store: GraphStore, tmp_path: Path) -> None:
    registry.export("turtle", seed_store, tmp_path / "g.ttl")
    text = (tmp_path / "g.ttl").read_text(encoding="utf-8")
    assert "@prefix gb: <https://w3id.org/graphbuild/vocab#>" in text
    body = text.split("\n", text.count("@prefix"))[-1]
    assert "gb:Trial" in body and "<https://w3id.org/graphbuild/vocab#" not in body
    assert "002_2917b9526c9dc599" in body and f"<{TRIAL_002}>" not in body  # prefixed, not full
