"""GraphStore: Oxigraph on disk or in memory, union queries, graph replacement, dumps, and the
rdflib view over the same data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from test_triples import TITLE, make_trial

from graphbuild.rdf.namespaces import GB_IRI, VOCABULARY_GRAPH
from graphbuild.rdf.triples import trial_quads, vocabulary_quads
from graphbuild.store import GraphStore

A, B = make_trial("NCT00000001"), make_trial("NCT00000002", title="Another CD7 CAR-T trial")
GRAPH_A = ox.NamedNode("https://w3id.org/graphbuild/id/graph/trial/NCT00000001")
GRAPH_B = ox.NamedNode("https://w3id.org/graphbuild/id/graph/trial/NCT00000002")

TITLES = f"SELECT ?t WHERE {{ ?trial a <{GB_IRI}Trial> ; <http://purl.org/dc/terms/title> ?t }} ORDER BY ?t"


def _filled(store: GraphStore) -> GraphStore:
    store.bulk_load([*trial_quads(A), *trial_quads(B)])
    store.replace_graph(VOCABULARY_GRAPH, vocabulary_quads([A, B]))
    return store


@pytest.fixture(params=["disk", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    opened = GraphStore.open(tmp_path / "store") if request.param == "disk" else GraphStore.in_memory()
    yield _filled(opened)
    opened.close()


def test_query_runs_over_the_union_of_graphs(store: GraphStore) -> None:
    titles = [row["t"].value for row in store.query(TITLES)]
    assert titles == sorted([TITLE, "Another CD7 CAR-T trial"])
    assert list(store.query(TITLES, union=False)) == []  # nothing in the default graph itself
    # the hierarchy (vocabulary graph) joins the trial graphs without GRAPH clauses
    ask = store.query(
        "ASK { ?t gb:studiesDisease ?d . ?d skos:broader ?parent . ?parent rdfs:label ?label }"
    )
    assert bool(ask)


def test_bindings_prebind_variables(store: GraphStore) -> None:
    rows = store.query(
        "SELECT ?trial ?t WHERE { ?trial <http://purl.org/dc/terms/title> ?t }",
        bindings={"t": rdflib.Literal(TITLE)},
    )
    assert [row["trial"].value for row in rows] == ["https://w3id.org/graphbuild/id/trial/NCT00000001"]


def test_graphs_and_count(store: GraphStore) -> None:
    assert store.graphs() == sorted([GRAPH_A, GRAPH_B, ox.NamedNode(str(VOCABULARY_GRAPH))], key=lambda g: g.value)
    n_a, n_b = len(list(trial_quads(A))), len(list(trial_quads(B)))
    assert store.count(GRAPH_A) == n_a and store.count(GRAPH_B) == n_b
    assert store.count() == n_a + n_b + len(list(vocabulary_quads([A, B])))


def test_replace_graph_touches_only_that_graph(store: GraphStore) -> None:
    before_b = store.canonical_nquads([GRAPH_B, VOCABULARY_GRAPH])
    changed = make_trial("NCT00000001", title="A new CD7 title")
    store.replace_graph(GRAPH_A, trial_quads(changed))
    titles = [row["t"].value for row in store.query(TITLES)]
    assert titles == ["A new CD7 title", "Another CD7 CAR-T trial"]
    assert store.canonical_nquads([GRAPH_B, VOCABULARY_GRAPH]) == before_b
    assert store.canonical_nquads([GRAPH_A]) == "".join(sorted(f"{q} .\n" for q in trial_quads(changed)))
    with pytest.raises(ValueError, match="outside"):
        store.replace_graph(GRAPH_A, trial_quads(B))  # quads of another graph are refused


@pytest.mark.parametrize("suffix", ["nq", "trig", "ttl", "nt"])
def test_dump_round_trips(store: GraphStore, tmp_path: Path, suffix: str) -> None:
    # one triple in two graphs: quad formats keep both, triple formats merge them into one
    extra = ox.NamedNode("https://w3id.org/graphbuild/id/graph/extra")
    store.add([ox.Quad(q.subject, q.predicate, q.object, extra) for q in trial_quads(A)][:5])
    path = tmp_path / f"graph.{suffix}"
    store.dump(path)
    if suffix in ("nq", "trig"):
        dataset = rdflib.Dataset()
        dataset.parse(path, format={"nq": "nquads", "trig": "trig"}[suffix])
        quads = {(s, p, o, g) for s, p, o, g in dataset.quads() if g != dataset.default_graph.identifier}
        assert len(quads) == store.count()
    else:
        graph = rdflib.Graph().parse(path, format={"ttl": "turtle", "nt": "nt"}[suffix])
        merged = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        assert len(graph) == int(next(iter(merged))["n"].value) == store.count() - 5


def test_rdflib_view_is_the_same_store(store: GraphStore) -> None:
    dataset = store.rdflib_dataset()
    title = rdflib.URIRef("http://purl.org/dc/terms/title")
    assert {str(o) for o in dataset.objects(None, title)} == {TITLE, "Another CD7 CAR-T trial"}
    # a write through rdflib shows up in Oxigraph: one copy of the data
    graph = dataset.graph(rdflib.URIRef("https://w3id.org/graphbuild/id/graph/test"))
    graph.add((rdflib.URIRef("http://e/s"), rdflib.URIRef("http://e/p"), rdflib.Literal("x")))
    assert bool(store.query('ASK { <http://e/s> <http://e/p> "x" }'))


def test_on_disk_store_persists_and_reopens_read_only(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with GraphStore.open(path) as first:
        _filled(first)
        expected = first.canonical_nquads()
    with GraphStore.read_only(path) as reopened:
        assert reopened.canonical_nquads() == expected
    with GraphStore.open(path) as again:  # the lock was released by close()
        assert again.count() > 0


def test_compaction_merges_the_files_bulk_loads_leave_and_keeps_every_quad(tmp_path: Path) -> None:
    """Each bulk load ingests its own sorted files; compacted, the store holds fewer files
    (what a lookup searches) and the same quads. A store in memory or opened read-only is left
    as it is."""
    path = tmp_path / "store"
    with GraphStore.open(path) as store:
        for part in range(4):
            store.bulk_load("".join(
                f'<http://e/s{part}_{i}> <http://e/p> "v{i}" <http://e/g{part}> .\n' for i in range(2000)
            ).encode())
        store.ox.flush()
        expected, files = store.canonical_nquads(), len(list(path.glob("*.sst")))
        store.optimize()
        assert store.canonical_nquads() == expected and store.count() == 8000
        assert len(list(path.glob("*.sst"))) < files
    with GraphStore.read_only(path) as read_only:
        read_only.optimize()  # nothing to write: no error
        assert read_only.count() == 8000
    with GraphStore.in_memory() as memory:
        _filled(memory)
        before = memory.canonical_nquads()
        memory.optimize()
        assert memory.canonical_nquads() == before


def test_from_build_reads_store_or_nquads(tmp_path: Path) -> None:
    with GraphStore.in_memory() as memory:
        _filled(memory)
        memory.dump(tmp_path / "graph.nq")
        expected = memory.canonical_nquads()
    with GraphStore.from_build(tmp_path) as loaded:  # a --memory build: graph.nq only
        assert loaded.canonical_nquads() == expected
    with pytest.raises(FileNotFoundError):
        GraphStore.from_build(tmp_path / "nothing")


def test_unknown_dump_format_is_refused(tmp_path: Path) -> None:
    with GraphStore.in_memory() as store, pytest.raises(ValueError, match="unknown RDF format"):
        store.dump(tmp_path / "graph.xyz")
