"""Stored queries on real graphs: the three seed records and the shared corpus, each built once
per test session by the pipeline (`graphbuild.build.build`; the corpus graph is the shared
`corpus_graph` fixture of conftest.py) and opened read-only.

The expected answers were checked by reading the records themselves (examples/ and
../shared/corpus/), not copied from a run: see the comments next to each set.
"""

from __future__ import annotations

import csv
import functools
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from query_contracts import CONTRACT_COLUMNS, CORPUS_PARAMS, SEED_PARAMS

from graphbuild import serve
from graphbuild.cli import main
from graphbuild.queries import execute_query, list_queries, open_graph, run_query

SEED0, SEED1, SEED2 = "000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599"
QUERY_SECONDS = 15.0  # a generous bound per stored query on the corpus graph (~1,500 trials)

# CD19-directed trials in B-cell ALL (MeSH D015452), each read in its record: the therapy
# names CD19 (or is a product whose target is CD19) and the title, conditions or summary name
# B-cell acute lymphoblastic leukemia.
CD19_B_ALL = {
    "NCT00450944",  # anti-CD19/anti-CD22 immunotoxins, "B-Cell Acute Lymphoblastic Leukemia"
    "NCT01207388",  # blinatumomab (CD19 BiTE), "B-precursor ALL" with MRD
    "NCT02101853",  # blinatumomab vs chemotherapy, relapsed B-ALL
    "NCT02228096",  # CTL019 (tisagenlecleucel), pediatric B-cell ALL
    "NCT02746952",  # UCART19, adult R/R B-ALL
    "NCT02810223",  # CART-19, "B Cell Acute Lymphoblastic Leukemia"
    "NCT03233854",  # CD19/CD22 CAR T, CD19+ DLBCL or B-ALL
    "NCT03281551",  # PZ01 (CD19 CAR-T), CD19+ B-cell ALL / lymphoma
    "NCT03289455",  # AUTO3 (CD19/CD22), B-cell ALL
    "NCT03574168",  # CD19-CAR-T, R/R B-ALL
    "NCT03666000",  # PBCAR0191 (allogeneic CD19 CAR-T), r/r NHL and B-cell ALL
    "NCT03671460",  # CD19 CAR-T, CD19+ B-ALL
    "NCT03685786",  # CART19 for MRD, "Leukemia, Lymphocytic, Acute, B-Cell"
    "NCT03937544",  # autologous CD19 CAR-T, R/R B acute lymphoblastic leukaemia
    "NCT05164042",  # allogeneic CD19 CAR-T, R/R B-cell ALL
    "NCT05309213",  # IM19 (CD19 CAR-T), R/R B-cell ALL
    "NCT05480501",  # IM19 (CD19 CAR-T), R/R B-cell ALL
    "NCT05507827",  # donor-derived CD19/CD22 CAR T with Orca-T, adult B-cell ALL
    "NCT06111625",  # blinatumomab bridge to allo-HSCT, low-burden B-ALL
    "NCT06961669",  # CD19 (and BCMA) CAR-T, R/R B-ALL and B-cell lymphoma
}
# B-ALL trials whose therapy does not target CD19 (CD22 CAR T cells only): not in the cell.
NOT_CD19_B_ALL = {"NCT02588456", "NCT02315612"}


# --------------------------------------------------------------------------------------------
# One build each per session
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_graph(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    from graphbuild.build import build

    out = tmp_path_factory.mktemp("seed-graph")
    report = build([examples_dir], out, workers=1, validate=False)
    assert report.trials_loaded == 3, report.rejects
    return out


@pytest.fixture(scope="session")
def seed_store(seed_graph: Path) -> ox.Store:
    return open_graph(seed_graph)


@pytest.fixture(scope="session")
def corpus_store(corpus_graph: Path) -> ox.Store:
    return open_graph(corpus_graph)


# --------------------------------------------------------------------------------------------
# The seed graph
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_query_runs_on_the_seed_graph(seed_store: ox.Store, name: str) -> None:
    result = execute_query(seed_store, name, SEED_PARAMS.get(name))
    assert CONTRACT_COLUMNS.get(name, set()) <= set(result.columns)
    assert len(set(result.rows)) == len(result.rows)


def test_seed_targets_stated_inferred_and_unspecified(seed_store: ox.Store) -> None:
    rows = {r["trial_id"]: r for r in run_query(seed_store, "trial_antigens")}
    assert (rows[SEED2]["antigen_symbol"], rows[SEED2]["basis"]) == ("CD7", "stated")
    assert rows[SEED2]["antigen"] == "https://identifiers.org/hgnc:1695"
    assert (rows[SEED1]["antigen_symbol"], rows[SEED1]["basis"]) == ("TNFRSF17", "inferred")
    assert "BCMA" in str(rows[SEED1]["evidence"])  # the words it was inferred from
    assert SEED0 not in rows  # CT0594CP: no antigen is named anywhere in the record
    assert set(rows) == {SEED1, SEED2}

    unspecified = {r["trial_id"]: r for r in run_query(seed_store, "unspecified_target_trials")}
    assert unspecified[SEED0]["target_status"] == "unspecified"
    assert unspecified[SEED0]["products"] == "CT0594CP"
    assert unspecified[SEED1]["target_status"] == "inferred"
    assert SEED2 not in unspecified


def test_seed_conditions_endpoints_and_matrix(seed_store: ox.Store) -> None:
    conditions = {
        (r["trial_id"], r["condition_id"]) for r in run_query(seed_store, "trial_conditions")
    }
    assert {(SEED0, "MESH:D009101"), (SEED1, "MESH:D009101"), (SEED2, "MESH:D054218")} <= conditions
    endpoints = [r for r in run_query(seed_store, "trial_endpoints") if r["trial_id"] == SEED2]
    dlt = next(r for r in endpoints if r["concept"] == "DLT")
    assert (dlt["role"], dlt["category"], dlt["max_days"]) == ("primary", "safety", 28.0)
    assert dlt["time_frame_text"] == "Up to 28 days after CAR-T cells infusion"
    matrix = {
        (r["antigen_symbol"], r["disease_label"]): r["n_trials"]
        for r in run_query(seed_store, "antigen_disease_matrix")
    }
    assert matrix[("CD7", "Precursor T-Cell Lymphoblastic Leukemia-Lymphoma")] == 1
    assert matrix[("TNFRSF17", "Multiple Myeloma")] == 1


def test_seed_pk_measures_of_the_unspecified_target_trial(seed_store: ox.Store) -> None:
    pk = {(r["trial_id"], r["concept"]) for r in run_query(seed_store, "pk_measures")}
    assert {
        (SEED0, "CMAX"),
        (SEED0, "TMAX"),
        (SEED0, "AUC"),
        (SEED1, "CMAX"),
        (SEED1, "TMAX"),
    } <= pk


def test_cli_query_on_a_build_folder_and_an_injection(
    seed_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "query",
                "trials_for_antigen",
                "--graph",
                str(seed_graph),
                "--param",
                "antigen=cd7",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["trial_id"], r["antigen_symbol"], r["basis"]) for r in rows] == [
        (SEED2, "CD7", "stated")
    ]
    injection = 'CD7" } UNION { ?s ?p ?o } #'
    assert (
        main(
            [
                "query",
                "trials_for_antigen",
                "--graph",
                str(seed_graph),
                "--param",
                f"antigen={injection}",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "trial_id,antigen_symbol,basis,products,diseases"


def test_the_endpoint_serves_a_build_folder_from_worker_processes(seed_graph: Path) -> None:
    config = serve.ServeConfig(port=0, timeout=20, workers=2)
    server = serve.make_server(seed_graph, config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            response = client.get("/queries/trial_antigens", params={"format": "csv"})
            assert response.status_code == 200, response.text
            rows = list(csv.DictReader(io.StringIO(response.text)))
            assert {(r["trial_id"], r["antigen_symbol"], r["basis"]) for r in rows} == {
                (SEED1, "TNFRSF17", "inferred"),
                (SEED2, "CD7", "stated"),
            }
    finally:
        server.close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------------------------
# The corpus graph
# --------------------------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_query_answers_on_the_corpus_graph_in_reasonable_time(
    corpus_store: ox.Store, name: str
) -> None:
    started = time.monotonic()
    result = execute_query(corpus_store, name, CORPUS_PARAMS.get(name))
    assert time.monotonic() - started < QUERY_SECONDS
    assert result.rows, f"{name} found nothing in the corpus"
    assert len(set(result.rows)) == len(result.rows)
    assert CONTRACT_COLUMNS.get(name, set()) <= set(result.columns)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_matrix_holds_cd19_in_b_cell_all_with_the_right_trials(
    corpus_store: ox.Store,
) -> None:
    rows = run_query(corpus_store, "antigen_disease_matrix")
    cell = next(
        r for r in rows if r["antigen_symbol"] == "CD19" and r["disease_id"] == "MESH:D015452"
    )
    assert cell["disease_label"] == "Precursor B-Cell Lymphoblastic Leukemia-Lymphoma"
    trials = set(str(cell["trials"]).split())
    assert cell["n_trials"] == len(trials)
    assert CD19_B_ALL <= trials
    assert not NOT_CD19_B_ALL & trials
    # the cell agrees with the two contract queries it summarizes
    antigens = {
        (r["trial_id"], r["antigen_symbol"]) for r in run_query(corpus_store, "trial_antigens")
    }
    conditions = {
        (r["trial_id"], r["condition_id"]) for r in run_query(corpus_store, "trial_conditions")
    }
    for trial in trials:
        assert (trial, "CD19") in antigens and (trial, "MESH:D015452") in conditions
    # and a CD22-only B-ALL trial sits in the CD22 cell instead
    cd22 = next(
        r for r in rows if r["antigen_symbol"] == "CD22" and r["disease_id"] == "MESH:D015452"
    )
    assert "NCT02588456" in str(cd22["trials"]).split()


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_hierarchy_and_similarity(corpus_store: ox.Store) -> None:
    under = run_query(
        corpus_store,
        "trials_under_disease",
        {"disease": "Precursor Cell Lymphoblastic Leukemia-Lymphoma"},
    )
    found = {(r["trial_id"], r["condition_id"]) for r in under}
    assert ("NCT03574168", "MESH:D015452") in found  # B-ALL sits under the broader descriptor
    assert {r["broader_id"] for r in under} == {"MESH:D054198"}
    similar = run_query(corpus_store, "similar_trials", {"trial": "NCT03574168"})
    # same design: CD19 CAR-T in R/R B-ALL (since the v2 conventions dropped the CR and PR its
    # ORR description defines, it ties with more trials and ranks 11th, so the whole list)
    top = {r["trial_id"]: r for r in similar}
    assert "NCT03671460" in top
    assert "CD19" in str(top["NCT03671460"]["shared_antigens"])


@pytest.fixture()
def corpus_server(corpus_graph: Path) -> Iterator[serve.SparqlServer]:
    server = serve.make_server(
        config=serve.ServeConfig(port=0, timeout=30, workers=2),
        opener=functools.partial(open_graph, corpus_graph),
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.mark.corpus
@pytest.mark.slow
def test_the_endpoint_answers_a_contract_query_on_the_corpus(
    corpus_server: serve.SparqlServer,
) -> None:
    response = httpx.get(
        corpus_server.url + "queries/trials_for_antigen",
        params={"antigen": "CD19", "format": "csv"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    trials = {r["trial_id"] for r in csv.DictReader(io.StringIO(response.text))}
    assert CD19_B_ALL <= trials
