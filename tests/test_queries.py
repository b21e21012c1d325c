"""Stored queries and their runner, on the hand-written graph `tests/data/query_fixture.trig`.

The fixture follows docs/graph-model.md: five trials (the three seeds as the text supports them,
two invented B-ALL trials), reified links with basis and evidence, the vocabulary and inferred
graphs, and labels repeated across trial graphs (so the union holds duplicate triples).
Answers on the real seed and corpus graphs are in test_queries_graphs.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from query_contracts import CONTRACT_COLUMNS

from graphbuild import queries as q
from graphbuild.cli import main
from graphbuild.queries import (
    ParameterError,
    QueryFileError,
    UnknownQueryError,
    execute_query,
    list_queries,
    run_query,
)

FIXTURE = Path(__file__).parent / "data" / "query_fixture.trig"
# A value for every required parameter, so every stored query can run.
SAMPLE_PARAMS = {
    "similar_trials": {"trial": "NCT90000001"},
    "trial_evidence": {"trial": "002_2917b9526c9dc599"},
    "trials_for_antigen": {"antigen": "CD19"},
    "trials_under_disease": {"disease": "D007938"},
}
SEED0, SEED1, SEED2 = "000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


def pairs(rows: list[dict[str, object]], *keys: str) -> set[tuple[object, ...]]:
    return {tuple(row[k] for k in keys) for row in rows}


# --------------------------------------------------------------------------------------------
# The stored queries themselves
# --------------------------------------------------------------------------------------------


def test_the_fixture_follows_the_graph_model(store: ox.Store) -> None:
    """Every validation query (`*-violation.rq`) finds nothing wrong with the hand-written
    graph, so the answers below are answers about a graph of the documented shape."""
    checks = sorted(q.queries_dir().glob("*-violation.rq"))
    assert checks
    for path in checks:
        assert q.execute_sparql(store, path.read_text(encoding="utf-8")).rows == (), path.stem


def test_there_are_at_least_fifteen_stored_queries_including_the_contracts() -> None:
    names = {info.name for info in list_queries()}
    assert len(names) >= 15
    assert set(CONTRACT_COLUMNS) <= names


@pytest.mark.parametrize("info", list_queries(), ids=lambda i: i.name)
def test_each_query_file_has_a_header_and_declares_every_prefix_it_uses(info: q.QueryInfo) -> None:
    lines = info.text.splitlines()
    assert lines[0].startswith("# title: ") and lines[1].startswith("# description: ")
    assert info.title and len(info.description) > 40
    tokens = list(q.tokenize_sparql(info.text))
    used = {t.text.split(":", 1)[0] for t in tokens if t.kind == "pname"}
    declared = {
        tokens[i + 1].text.rstrip(":")
        for i, t in enumerate(tokens)
        if t.kind == "word" and t.text.upper() == "PREFIX"
    }
    assert used <= declared, f"undeclared prefixes: {used - declared}"
    assert q.query_form(info.text) == "SELECT"


@pytest.mark.parametrize("info", list_queries(), ids=lambda i: i.name)
def test_each_query_runs_on_the_fixture_without_duplicate_rows(
    info: q.QueryInfo, store: ox.Store
) -> None:
    result = execute_query(store, info, SAMPLE_PARAMS.get(info.name))
    assert result.rows, f"{info.name} found nothing on the fixture"
    assert len(set(result.rows)) == len(result.rows), "the union of graphs leaked duplicates"
    assert CONTRACT_COLUMNS.get(info.name, set()) <= set(result.columns)


@pytest.fixture(scope="module")
def rdflib_dataset():  # -> rdflib.Dataset over the same fixture, a second SPARQL engine
    rdflib = pytest.importorskip("rdflib")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(FIXTURE, format="trig")
    return dataset


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("info", list_queries(), ids=lambda i: i.name)
def test_each_query_gives_the_same_number_of_rows_in_rdflib(
    info: q.QueryInfo, store: ox.Store, rdflib_dataset
) -> None:
    """Standard SPARQL, not Oxigraph dialect: a second engine reads and runs every query."""
    params = SAMPLE_PARAMS.get(info.name)
    _info, text = q.prepare(info, params)
    assert len(list(rdflib_dataset.query(text))) == len(execute_query(store, info, params).rows)


# --------------------------------------------------------------------------------------------
# Contract answers
# --------------------------------------------------------------------------------------------


def test_trial_antigens_reports_the_strongest_basis_and_skips_unspecified(store: ox.Store) -> None:
    rows = run_query(store, "trial_antigens")
    assert pairs(rows, "trial_id", "antigen_symbol", "basis") == {
        (SEED1, "TNFRSF17", "inferred"),
        (SEED2, "CD7", "stated"),
        ("NCT90000001", "CD19", "stated"),  # stated in the title beats the product lexicon
        ("NCT90000001", "CD22", "product_lexicon"),
        ("NCT90000002", "CD19", "stated"),
    }
    assert SEED0 not in {r["trial_id"] for r in rows}
    cd7 = next(r for r in rows if r["trial_id"] == SEED2)
    assert cd7["antigen"] == "https://identifiers.org/hgnc:1695"
    assert cd7["evidence"] == "brief_title: CD7 CAR-T"


def test_trial_conditions_gives_mesh_curies_and_qualifiers(store: ox.Store) -> None:
    rows = run_query(store, "trial_conditions")
    assert pairs(rows, "trial_id", "condition_id") == {
        (SEED0, "MESH:D009101"),
        (SEED0, "MESH:D007952"),
        (SEED1, "MESH:D009101"),
        (SEED2, "MESH:D054218"),
        ("NCT90000001", "MESH:D015452"),
        ("NCT90000002", "MESH:D015452"),
    }
    myeloma = next(
        r for r in rows if r["trial_id"] == SEED0 and r["condition_id"] == "MESH:D009101"
    )
    assert myeloma["condition_label"] == "Multiple Myeloma"
    assert set(str(myeloma["qualifiers"]).split(", ")) == {"relapsed", "refractory"}


def test_trial_endpoints_gives_roles_concepts_and_days(store: ox.Store) -> None:
    rows = [r for r in run_query(store, "trial_endpoints") if r["trial_id"] == SEED2]
    # the listing streams in index order (no ORDER BY): the consumer orders by endpoint index
    rows.sort(key=lambda r: (int(str(r["endpoint"]).rsplit("/", 1)[1]), str(r["concept"])))
    assert [(r["role"], r["concept"]) for r in rows] == [
        ("primary", "DLT"),
        ("secondary", "ORR"),
        ("secondary", "OS"),
    ]
    dlt, orr, os_ = rows
    assert (dlt["min_days"], dlt["max_days"], dlt["category"]) == (0.0, 28.0, "safety")
    assert dlt["time_frame_text"] == "Up to 28 days after CAR-T cells infusion"
    assert orr["max_days"] is None
    assert sorted(float(x) for x in str(orr["time_points_days"]).split(", ")) == [28, 56, 84]
    assert os_["max_days"] == 365.0


def test_antigen_disease_matrix_counts_trials_per_cell(store: ox.Store) -> None:
    rows = run_query(store, "antigen_disease_matrix")
    cells = {(r["antigen_symbol"], r["disease_label"]): r for r in rows}
    ball = cells[("CD19", "Precursor B-Cell Lymphoblastic Leukemia-Lymphoma")]
    assert ball["n_trials"] == 2
    assert set(str(ball["trials"]).split()) == {"NCT90000001", "NCT90000002"}
    assert cells[("TNFRSF17", "Multiple Myeloma")]["n_trials"] == 1
    assert len(rows) == 4  # seed 000 (target unspecified) adds no cell


# --------------------------------------------------------------------------------------------
# Other questions
# --------------------------------------------------------------------------------------------


def test_unspecified_target_trials_lists_unspecified_and_inferred_only(store: ox.Store) -> None:
    rows = {r["trial_id"]: r for r in run_query(store, "unspecified_target_trials")}
    assert set(rows) == {SEED0, SEED1}
    assert rows[SEED0]["target_status"] == "unspecified"
    assert rows[SEED0]["products"] == "CT0594CP"
    assert rows[SEED1]["target_status"] == "inferred"
    assert rows[SEED1]["inferred_antigens"] == "TNFRSF17"
    assert "BCMA" in str(rows[SEED1]["evidence"])


def test_trials_for_antigen_accepts_symbols_and_synonyms_in_any_case(store: ox.Store) -> None:
    assert pairs(
        run_query(store, "trials_for_antigen", {"antigen": "bcma"}), "trial_id", "basis"
    ) == {(SEED1, "inferred")}
    cd19 = run_query(store, "trials_for_antigen", {"antigen": "CD19"})
    assert {r["trial_id"] for r in cd19} == {"NCT90000001", "NCT90000002"}


@pytest.mark.parametrize("value", ["D007938", "MESH:D007938", "mesh:d007938", "leukemia"])
def test_trials_under_disease_walks_the_hierarchy(store: ox.Store, value: str) -> None:
    rows = run_query(store, "trials_under_disease", {"disease": value})
    assert {r["trial_id"] for r in rows} == {SEED0, SEED2, "NCT90000001", "NCT90000002"}
    assert {r["broader_id"] for r in rows} == {"MESH:D007938"}


def test_trials_under_disease_includes_the_disease_itself(store: ox.Store) -> None:
    rows = run_query(store, "trials_under_disease", {"disease": "Multiple Myeloma"})
    assert pairs(rows, "trial_id", "condition_id") == {
        (SEED0, "MESH:D009101"),
        (SEED1, "MESH:D009101"),
        (SEED0, "MESH:D007952"),
    }


def test_long_time_frames_uses_the_default_and_the_parameter(store: ox.Store) -> None:
    default = run_query(store, "long_time_frames")
    assert {r["reach_days"] for r in default} == {365.0, 730.0}
    assert run_query(store, "long_time_frames", {"months": "12"}) == default
    longer = run_query(store, "long_time_frames", {"months": "13"})
    assert [(r["trial_id"], r["concept"]) for r in longer] == [("NCT90000002", "OS")]
    assert len(run_query(store, "long_time_frames", {"months": "2"})) > len(default)


def test_similar_trials_ranks_by_shared_antigen_disease_and_concepts(store: ox.Store) -> None:
    rows = run_query(store, "similar_trials", {"trial": "nct90000001"})  # NCT ids upper-cased
    top = rows[0]
    assert (top["trial_id"], top["score"]) == ("NCT90000002", 6)
    assert (top["shared_antigens"], top["shared_concepts"]) == ("CD19", "DLT")
    assert top["shared_diseases"] == "Precursor B-Cell Lymphoblastic Leukemia-Lymphoma"
    assert "NCT90000001" not in {r["trial_id"] for r in rows}


def test_dlt_windows_marks_longest_and_shortest(store: ox.Store) -> None:
    rows = run_query(store, "dlt_windows")
    assert (rows[0]["trial_id"], rows[0]["window_days"], rows[0]["extreme"]) == (
        "NCT90000002",
        90.0,
        "longest",
    )
    assert {r["trial_id"] for r in rows if r["extreme"] == "shortest"} == {
        SEED0,
        SEED2,
        "NCT90000001",
    }


def test_pk_and_crs_queries_find_their_endpoints(store: ox.Store) -> None:
    pk = run_query(store, "pk_measures")
    assert pairs(pk, "trial_id", "concept") == {
        (SEED0, "AUC"),
        (SEED0, "CMAX"),
        (SEED0, "TMAX"),
        (SEED1, "CMAX"),
        (SEED1, "TMAX"),
    }
    senl = next(r for r in pk if r["trial_id"] == SEED1)
    assert set(str(senl["methods"]).split(", ")) == {"flow cytometry", "qPCR"}
    crs = run_query(store, "crs_neurotoxicity_monitoring")
    assert pairs(crs, "trial_id", "concept", "max_days") == {
        (SEED1, "CRS", 30.0),
        (SEED1, "ICANS", 30.0),
        ("NCT90000001", "CRS", 14.0),
    }
    assert next(r for r in crs if r["trial_id"] == "NCT90000001")["criteria"] == "ASTCT"


def test_products_modalities_and_multi_antigen_queries(store: ox.Store) -> None:
    products = pairs(
        run_query(store, "product_antigens"), "product_code", "antigen_symbol", "basis"
    )
    assert ("RD13-02", "CD7", "stated") in products
    assert ("CT0594CP", None, "") in products
    multi = run_query(store, "multi_antigen_products")
    assert [(r["product"], r["n_antigens"]) for r in multi] == [("AUTO3", 2)]
    assert pairs(
        run_query(store, "co_targeted_antigens"), "antigen_a", "antigen_b", "n_trials"
    ) == {("CD19", "CD22", 1)}
    modality = pairs(run_query(store, "trials_by_modality"), "modality", "cell_source", "n_trials")
    assert modality == {
        ("CarT", "Autologous", 2),
        ("CarT", "not stated", 2),
        ("CarT", "Allogeneic", 1),
    }


def test_phase_queries(store: ox.Store) -> None:
    phases = pairs(run_query(store, "phase_by_antigen"), "antigen_symbol", "phase", "n_trials")
    assert ("CD19", "PHASE1/PHASE2", 1) in phases and ("CD19", "PHASE2", 1) in phases
    assert ("TNFRSF17", "not stated", 1) in phases
    categories = pairs(
        run_query(store, "primary_endpoint_categories_by_phase"), "phase", "category", "n_trials"
    )
    assert ("PHASE1", "safety", 2) in categories


def test_shared_endpoint_concepts_with_and_without_the_concept_filter(store: ox.Store) -> None:
    everything = run_query(store, "shared_endpoint_concepts")
    assert {r["concept"] for r in everything} == {"DLT", "CMAX", "TMAX", "CRS", "OS"}
    dlt = run_query(store, "shared_endpoint_concepts", {"concept": "dlt"})
    assert {r["trial_id"] for r in dlt} == {SEED0, SEED2, "NCT90000001", "NCT90000002"}
    assert {r["n_trials"] for r in dlt} == {4}


def test_trial_evidence_and_graph_summary(store: ox.Store) -> None:
    rows = run_query(store, "trial_evidence", {"trial": SEED2})
    assert pairs(rows, "edge", "subject", "object_label", "basis", "quote", "start", "end") == {
        ("targetsAntigen", "intervention/0", "CD7", "stated", "CD7 CAR-T", 0, 9),
        (
            "studiesDisease",
            "trial",
            "Precursor T-Cell Lymphoblastic Leukemia-Lymphoma",
            "lexicon",
            "T-ALL",
            0,
            5,
        ),
        (
            "measuresConcept",
            "endpoint/0",
            "dose-limiting toxicity",
            "lexicon",
            "Dose-limiting toxicity and Maximum Tolerated dose",
            0,
            49,
        ),
        (
            "measuresConcept",
            "endpoint/1",
            "overall (objective) response rate",
            "lexicon",
            "Overall response rate,ORR",
            0,
            25,
        ),
        (
            "measuresConcept",
            "endpoint/6",
            "overall survival",
            "lexicon",
            "Overall survival, OS",
            0,
            20,
        ),
    }
    summary = {r["kind"]: r["n"] for r in run_query(store, "graph_summary")}
    assert summary["trials"] == 5 and summary["target antigens"] == 4


# --------------------------------------------------------------------------------------------
# Parameters: binding, errors, injection
# --------------------------------------------------------------------------------------------

INJECTIONS = [
    'CD7" } UNION { ?s ?p ?o } #',
    "CD7' } UNION { ?s ?p ?o } #",
    'CD7"""} UNION {?s ?p ?o} #',
    'CD7\\" } UNION { ?s ?p ?o } #',
    "CD7\\u0022 } UNION { ?s ?p ?o } #",
    'CD7"\n} UNION { ?s ?p ?o }\n#',
    'CD7") || true || ("',
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_injection_through_a_parameter_is_just_a_string(store: ox.Store, value: str) -> None:
    before = len(store)
    assert run_query(store, "trials_for_antigen", {"antigen": "CD7"})  # the honest value matches
    assert run_query(store, "trials_for_antigen", {"antigen": value}) == []
    assert len(store) == before


def test_the_cli_refuses_nothing_but_finds_nothing_for_an_injection(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(
        [
            "query",
            "trials_for_antigen",
            "--graph",
            str(FIXTURE),
            "--format",
            "csv",
            "--param",
            'antigen=CD7" } UNION { ?s ?p ?o } #',
        ]
    )
    assert status == 0
    assert capsys.readouterr().out.strip().splitlines() == [
        "trial_id,antigen_symbol,basis,products,diseases"
    ]


@pytest.fixture()
def needle_dir(tmp_path: Path) -> Path:
    (tmp_path / "needle.rq").write_text(
        "# title: Find a literal\n"
        "# description: Subjects whose ex:value is exactly the given text,\n"
        "#   to prove that values are data.\n"
        "# param: needle string — the exact text\n"
        "PREFIX ex: <http://example.org/>\n"
        "SELECT ?s WHERE { ?s ex:value ?needle }\n",
        encoding="utf-8",
    )
    (tmp_path / "typed.rq").write_text(
        "# title: Typed parameters\n"
        "# description: Echoes its parameters, to check how each type becomes a term.\n"
        "# param: n integer = 3 — a number\n"
        "# param: x decimal (optional) — a decimal\n"
        "# param: d curie (optional) — a CURIE\n"
        "# param: m mesh_id (optional) — a MeSH id\n"
        "# param: i iri (optional) — an IRI\n"
        "SELECT ?n ?x ?d ?m ?i WHERE { }\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        'a "quoted" {braced} value',
        "back\\slash \\u0022 and \\n",
        "line\nbreak\ttab",
        "''' and \"\"\"",
        "} } # } WHERE { ?s ?p ?o",
        "ünïcödé ✓",
    ],
)
def test_a_string_parameter_round_trips_exactly(needle_dir: Path, text: str) -> None:
    store = ox.Store()
    ex = "http://example.org/"
    for i, value in enumerate([text, text + "x", "other"]):
        store.add(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}value"), ox.Literal(value)))
    info = q.get_query("needle", needle_dir)
    rows = execute_query(store, info, {"needle": text}).records()
    assert rows == [{"s": f"{ex}s0"}]


def test_parameter_types_become_the_declared_terms(needle_dir: Path) -> None:
    info = q.get_query("typed", needle_dir)
    store = ox.Store()
    rows = execute_query(
        store,
        info,
        {"x": "2.50", "d": "MESH:D009101", "m": "mesh:d009101", "i": "https://example.org/a"},
    ).records()
    assert rows == [
        {
            "n": 3,
            "x": 2.5,
            "d": "http://id.nlm.nih.gov/mesh/D009101",
            "m": "D009101",
            "i": "https://example.org/a",
        }
    ]
    for bad in (
        {"n": "twelve"},
        {"x": "nan"},
        {"d": "FOO:1"},
        {"m": "X123"},
        {"i": "not an iri"},
        {"i": "http://a/b>c"},
    ):
        with pytest.raises(ParameterError):
            execute_query(store, info, bad)


def test_missing_unknown_and_malformed_parameters_say_what_the_query_takes(store: ox.Store) -> None:
    with pytest.raises(ParameterError, match=r"needs antigen.*antigen \(hgnc_symbol\)"):
        run_query(store, "trials_for_antigen")
    with pytest.raises(ParameterError, match=r"no parameter colour.*takes antigen"):
        run_query(store, "trials_for_antigen", {"antigen": "CD7", "colour": "red"})
    with pytest.raises(ParameterError, match="not an integer"):
        run_query(store, "long_time_frames", {"months": "12; DROP"})
    with pytest.raises(ParameterError, match="no parameter"):
        run_query(store, "trial_antigens", {"antigen": "CD7"})


def test_an_unknown_query_lists_the_stored_ones(store: ox.Store) -> None:
    with pytest.raises(
        UnknownQueryError, match="trial_antigens.*trials_for_antigen|trials_for_antigen"
    ):
        run_query(store, "no_such_query")
    with pytest.raises(UnknownQueryError):
        run_query(store, "../queries/trial_antigens")


def test_values_are_bound_at_the_start_of_the_where_group() -> None:
    bound = q.bind_query(
        "PREFIX ex: <http://e/>\nCONSTRUCT { ?s ex:p ?x } WHERE { ?s ex:p ?x }",
        {"x": ox.Literal('a"b')},
    )
    assert 'WHERE {\n  VALUES (?x) { ("a\\"b") }\n' in bound
    assert q.bind_query("SELECT * { ?s ?p ?o }", {"o": ox.Literal(1)}).startswith(
        'SELECT * {\n  VALUES (?o) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    )


# A sub-select that reads a parameter, one whose projection and modifiers only name it, and
# one that assigns it: only the first is bound inside.
SUBSELECTS = """PREFIX ex: <http://e/>
SELECT ?s ?n WHERE {
  { SELECT ?s WHERE { ?s ex:p ?x } }
  { SELECT ?x (COUNT(*) AS ?n) WHERE { ?t ex:q ?y } GROUP BY ?x }
  { SELECT ?z WHERE { ?u ex:r ?v . BIND(?v AS ?x) } }
}"""


def test_a_sub_select_that_reads_a_parameter_is_bound_inside() -> None:
    bound = q.bind_query(SUBSELECTS, {"x": ox.Literal("a"), "other": ox.Literal("b")})
    assert bound.count("VALUES") == 2
    assert 'SELECT ?s ?n WHERE {\n  VALUES (?x ?other) { ("a" "b") }\n' in bound
    assert 'SELECT ?s WHERE {\n  VALUES (?x) { ("a") }\n ?s ex:p ?x }' in bound
    ox.Store().query(bound)  # still a query: nothing was bound where the BIND assigns ?x
    # and the binding narrows the sub-select itself: without it, ?s would come back for ?x = "b"
    store = ox.Store()
    for value in ("a", "b"):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{value}"), ox.NamedNode("http://e/p"), ox.Literal(value)))
    rows = store.query(q.bind_query(
        "PREFIX ex: <http://e/> SELECT ?s WHERE { { SELECT ?s WHERE { ?s ex:p ?x } } }",
        {"x": ox.Literal("a")},
    ))
    assert [row["s"].value for row in rows] == ["http://e/a"]

# --------------------------------------------------------------------------------------------
# Headers, tokens, running on a GraphStore, formats
# --------------------------------------------------------------------------------------------


def test_parse_header_reads_continuations_defaults_and_optional_params() -> None:
    title, description, params = q.parse_header(
        "# title: T\n# description: first part\n#   and second part\n"
        "# param: months integer = 12 — least months\n# param: c concept_key (optional) - a key\n"
        "SELECT * WHERE {}\n"
    )
    assert (title, description) == ("T", "first part and second part")
    assert params == (
        q.Param("months", "integer", "least months", default="12"),
        q.Param("c", "concept_key", "a key", optional=True),
    )
    assert not params[0].required and not params[1].required
    with pytest.raises(QueryFileError, match="title"):
        q.parse_header("# description: no title\nSELECT * {}")
    with pytest.raises(QueryFileError, match="unknown type"):
        q.parse_header("# title: t\n# description: d\n# param: x colour — what\nSELECT * {}")


def test_tokens_keep_keywords_out_of_strings_iris_and_comments() -> None:
    text = 'SELECT ?service WHERE { ?s <http://x/SERVICE> "INSERT" ; ex:load 1 } # DELETE\n'
    assert q.keywords(text) == ["SELECT", "WHERE"]
    assert q.query_form("PREFIX a: <http://a/> ASK { }") == "ASK"


def test_run_query_takes_a_graphstore_or_a_pyoxigraph_store(store: ox.Store) -> None:
    from graphbuild.store import GraphStore

    graph = GraphStore.in_memory()
    graph.ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    assert run_query(graph, "trial_antigens") == run_query(store, "trial_antigens")
    with pytest.raises(TypeError):
        run_query(object(), "trial_antigens")


def test_formats_table_csv_and_sparql_json(store: ox.Store) -> None:
    result = execute_query(store, "dlt_windows")
    table = q.format_result(result, "table").splitlines()
    assert table[0].split() == list(result.columns)
    assert table[2].split()[:3] == ["NCT90000002", "90", "longest"] and table[-1] == "(4 rows)"
    column = table[0].index("window_days")  # every row's cell starts under its header
    assert (table[2][column : column + 3], table[3][column : column + 3]) == ("90 ", "28 ")
    parsed = list(csv.DictReader(io.StringIO(q.format_result(result, "csv"))))
    assert parsed[0]["trial_id"] == "NCT90000002" and parsed[0]["window_days"] == "90"
    document = json.loads(q.format_result(result, "json"))
    assert document["head"]["vars"] == list(result.columns)
    first = document["results"]["bindings"][0]
    assert first["trial_id"] == {"type": "literal", "value": "NCT90000002"}
    assert first["window_days"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    # what pyoxigraph itself reads back from our JSON is the same table
    reread = ox.parse_query_results(q.format_result(result, "json"), ox.QueryResultsFormat.JSON)
    assert [tuple(s[c] for c in result.columns) for s in reread] == list(result.rows)
    with pytest.raises(q.QueryError):
        q.format_result(result, "yaml")


def test_cli_lists_queries_and_runs_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queries"]) == 0
    listing = capsys.readouterr().out
    for info in list_queries():
        assert info.name in listing
    assert "--param months (integer = 12)" in listing
    assert (
        main(
            [
                "query",
                "trials_for_antigen",
                "--graph",
                str(FIXTURE),
                "--param",
                "antigen=BCMA",
                "--format",
                "json",
            ]
        )
        == 0
    )
    bindings = json.loads(capsys.readouterr().out)["results"]["bindings"]
    assert [b["trial_id"]["value"] for b in bindings] == [SEED1]


def test_cli_errors_name_the_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "trials_for_antigen", "--graph", str(FIXTURE)]) == 2
    assert "needs antigen" in capsys.readouterr().err
    assert main(["query", "nope", "--graph", str(FIXTURE)]) == 2
    assert "trial_antigens" in capsys.readouterr().err
    assert main(["query", "trial_antigens", "--graph", str(FIXTURE), "--param", "oops"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    assert main(["query", "trial_antigens", "--graph", "/nonexistent/graph"]) == 1
    assert "no graph" in capsys.readouterr().err


def test_cli_csv_streams_the_same_rows_as_the_whole_result(capsys: pytest.CaptureFixture[str]) -> None:
    """`--format csv` writes rows as the engine yields them (a listing without ORDER BY shows
    its first rows at once); the lines are exactly those of the gathered result."""
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    expected = q.format_result(execute_query(store, "trial_endpoints"), "csv").splitlines()
    assert main(["query", "trial_endpoints", "--graph", str(FIXTURE), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == expected[0] == ",".join(execute_query(store, "trial_endpoints").columns)
    assert sorted(lines[1:]) == sorted(expected[1:]) and len(lines) > 10
    columns, rows = q.stream_sparql(store, q.prepare("trial_endpoints")[1])
    first = next(rows)  # one row, before the rest is read
    assert len(first) == len(columns) and first in execute_query(store, "trial_endpoints").rows
