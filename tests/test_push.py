"""`graphbuild push` into real servers: Oxigraph's own server and Virtuoso, each started from
the test in a temporary folder. Every stored query is run on the server's SPARQL endpoint and
on the local store, and the rows are compared.

Where Virtuoso answers a query differently, `VIRTUOSO_DIFFERENCES` says why and the test
checks exactly that difference (docs/push.md lists the same)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from query_contracts import CORPUS_PARAMS, SEED_PARAMS
from remote_sparql import compare_query
from servers import (
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    Server,
    ServerDidNotStart,
    free_port,
    oxigraph_server,
    virtuoso_server,
)

from graphbuild.cli import main
from graphbuild.push import push
from graphbuild.push.http import PASSWORD_ENV, USER_ENV, credentials
from graphbuild.push.state import STATE_FILE, PushState
from graphbuild.queries import list_queries, open_graph
from graphbuild.rdf.namespaces import BUILD_GRAPH, INFERRED_GRAPH

TRIAL_PREFIX = "https://w3id.org/graphbuild/id/graph/trial/"
SEED1 = "001_5b0f834bc6f69eca"

# Stored queries Virtuoso 7.2 answers differently, and why; the test checks that difference
# only (docs/push.md lists the same).
VIRTUOSO_DIFFERENCES = {
    "trials_for_antigen": "IF(COUNT(?code) > 0, GROUP_CONCAT(...), SAMPLE(?code)) for a trial "
    "with no product code (or no MeSH disease): Virtuoso's SAMPLE of nothing is \"\", where "
    "SPARQL (and Oxigraph) leave the cell unbound; every other cell is the same",
}
# columns of trials_for_antigen that are unbound for a trial without products / diseases
_UNBOUND_AS_EMPTY = (3, 4)
# Stored queries Virtuoso 7.2 refuses to run, with the error it gives (docs/push.md lists the
# same): the test checks that it is exactly this error, so a Virtuoso that answers them is noticed.
VIRTUOSO_REFUSES = {
    "trial_evidence": ("SQ156", "its optimizer fails to compile the grouped one-pass form "
                       "(`Internal Optimized compiler error: Bad dfe in sqlo_place_exp`)"),
    "trials_by_phase": ("SR319", "on the corpus a phase's GROUP_CONCAT of trial ids is longer "
                        "than Virtuoso's maximum row length"),
}
def _check_virtuoso_difference(store: object, name: str, local: list, remote: list) -> None:
    """The one difference `VIRTUOSO_DIFFERENCES[name]` describes, and no other."""
    if name == "trials_for_antigen":
        empty = ("literal", "")
        as_sparql = sorted(
            (tuple(None if i in _UNBOUND_AS_EMPTY and c == empty else c for i, c in enumerate(row))
             for row in remote),
            key=repr,
        )
        assert as_sparql == local, name
    else:  # pragma: no cover
        raise AssertionError(f"no check written for {name}")


def _compare_all(store: object, server: Server, params: dict[str, dict[str, str]], *, virtuoso: bool) -> int:
    """Every stored query on the server and locally: the same rows. Returns rows compared."""
    compared = 0
    mismatched = []
    for info in list_queries():
        if virtuoso and info.name in VIRTUOSO_REFUSES:
            code, _why = VIRTUOSO_REFUSES[info.name]
            try:
                local, remote = compare_query(store, server.query, info.name, params.get(info.name))
            except AssertionError as refused:
                assert f"Error {code}" in str(refused), str(refused)[:500]
                continue
        else:
            local, remote = compare_query(store, server.query, info.name, params.get(info.name))
        if virtuoso and info.name in VIRTUOSO_DIFFERENCES:
            _check_virtuoso_difference(store, info.name, local, remote)
        elif local != remote:
            missing = [r for r in local if r not in remote][:3]
            extra = [r for r in remote if r not in local][:3]
            mismatched.append((info.name, len(local), len(remote), missing, extra))
        compared += len(local)
    assert not mismatched, mismatched
    return compared


def _server_graph_sizes(server: Server) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = httpx.post(
        server.query, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
        timeout=120,
    )
    response.raise_for_status()
    bindings = response.json()["results"]["bindings"]
    return {b["g"]["value"]: int(b["n"]["value"]) for b in bindings}


def _local_graph_sizes(folder: Path) -> dict[str, int]:
    store = open_graph(folder)
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def _same_graphs(folder: Path, server: Server) -> None:
    local = _local_graph_sizes(folder)
    remote = {g: n for g, n in _server_graph_sizes(server).items() if g.startswith("https://w3id.org/graphbuild/")}
    assert remote == local


@pytest.fixture
def seed_build(tmp_path: Path, examples_dir: Path) -> Path:
    """A build of the three seed records in a folder of its own (tests write push-state.json
    into it, and one rebuilds it with a changed record)."""
    from graphbuild.build import build

    records = tmp_path / "records"
    shutil.copytree(examples_dir, records)
    out = tmp_path / "seed-build"
    report = build([records], out, workers=1, validate=False)
    assert report.trials_loaded == 3, report.rejects
    return out


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Server]:
    folder = tmp_path / "oxigraph"
    folder.mkdir()
    with oxigraph_server(folder) as server:
        yield server


@pytest.fixture
def virtuoso(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    folder = tmp_path / "virtuoso"
    folder.mkdir()
    monkeypatch.setenv(USER_ENV, VIRTUOSO_USER)
    monkeypatch.setenv(PASSWORD_ENV, VIRTUOSO_PASSWORD)
    try:
        server_context = virtuoso_server(folder)
        server = server_context.__enter__()
    except ServerDidNotStart as exc:
        pytest.skip(f"Virtuoso cannot start here: {exc}")
    try:
        yield server
    finally:
        server_context.__exit__(None, None, None)


# --------------------------------------------------------------------------------------------
# Oxigraph server
# --------------------------------------------------------------------------------------------


def test_push_seed_to_oxigraph_then_only_changed(
    oxigraph: Server, seed_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["push", "--graph", str(seed_build), "--sparql-gsp", oxigraph.gsp]) == 0
    assert "pushed 6 of 6 graphs" in capsys.readouterr().out
    _same_graphs(seed_build, oxigraph)
    assert _compare_all(open_graph(seed_build), oxigraph, SEED_PARAMS, virtuoso=False) > 100

    again = push(seed_build, gsp=oxigraph.gsp, only_changed=True)
    assert (again.sent, again.requests, again.unchanged) == ([], 0, 6)

    # one record changed, the folder rebuilt: only that trial's graph (and the build graph,
    # which records the build's times and input checksums, and the inferred graph, which holds
    # each trial's product codes as one text, gb:productCodeList) is sent
    from graphbuild.build import build

    records = seed_build.parent / "records"
    record = next(records.glob(f"{SEED1}*"))
    record.write_text(record.read_text(encoding="utf-8").replace("SENL103", "SENL104"), encoding="utf-8")
    build([records], seed_build, workers=1, validate=False)
    changed = push(seed_build, gsp=oxigraph.gsp, only_changed=True)
    assert [g for g in changed.sent if g.startswith(TRIAL_PREFIX)] == [TRIAL_PREFIX + SEED1]
    assert set(changed.sent) - {TRIAL_PREFIX + SEED1} == {str(BUILD_GRAPH), str(INFERRED_GRAPH)}
    _same_graphs(seed_build, oxigraph)
    assert _compare_all(open_graph(seed_build), oxigraph, SEED_PARAMS, virtuoso=False) > 100


def test_push_seed_by_sparql_update_to_oxigraph(oxigraph: Server, seed_build: Path) -> None:
    report = push(seed_build, update=oxigraph.update)
    assert len(report.sent) == 6 and report.requests == 1  # one batch, one request
    _same_graphs(seed_build, oxigraph)
    _compare_all(open_graph(seed_build), oxigraph, SEED_PARAMS, virtuoso=False)


def test_interrupted_push_resumes_where_it_stopped(oxigraph: Server, seed_build: Path) -> None:
    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt  # Ctrl-C after the second batch

    with pytest.raises(KeyboardInterrupt):
        push(seed_build, gsp=oxigraph.gsp, batch=1, progress=stop_after_two)
    state = PushState.load(seed_build).target(oxigraph.gsp)
    assert state.run is not None and state.run["position"] == 2
    assert len(_server_graph_sizes(oxigraph)) == 2

    resumed = push(seed_build, gsp=oxigraph.gsp, batch=1)
    assert resumed.resumed_at == 2 and len(resumed.sent) == 4
    assert PushState.load(seed_build).target(oxigraph.gsp).run is None
    _same_graphs(seed_build, oxigraph)


def test_push_retries_while_the_server_restarts(tmp_path: Path, seed_build: Path) -> None:
    """The server is down when the push starts and comes up a little later: the push waits
    with backoff and lands everything."""
    folder = tmp_path / "late"
    folder.mkdir()
    port = free_port()
    gsp = f"http://127.0.0.1:{port}/store"
    started = threading.Event()
    stop = threading.Event()

    def serve_later() -> None:
        stop.wait(1.0)
        with oxigraph_server(folder, port):
            started.set()
            stop.wait(120)

    thread = threading.Thread(target=serve_later)
    thread.start()
    try:
        report = push(seed_build, gsp=gsp, retries=8)
        assert started.is_set() and report.retried >= 1 and len(report.sent) == 6
        base = f"http://127.0.0.1:{port}"
        _same_graphs(seed_build, Server(query=f"{base}/query", gsp=gsp, update=f"{base}/update"))
    finally:
        stop.set()
        thread.join()


def test_push_drops_graphs_the_build_no_longer_has(oxigraph: Server, seed_build: Path) -> None:
    push(seed_build, gsp=oxigraph.gsp)
    state = PushState.load(seed_build)
    gone = TRIAL_PREFIX + "999_gone"
    state.target(oxigraph.gsp).graphs[gone] = "0" * 64  # as if an earlier build had it
    state.save()
    httpx.put(oxigraph.gsp, params={"graph": gone}, content=b"<urn:a> <urn:b> <urn:c> .\n",
              headers={"Content-Type": "application/n-triples"}).raise_for_status()
    report = push(seed_build, gsp=oxigraph.gsp, only_changed=True)
    assert report.dropped == [gone] and report.sent == []
    assert gone not in _server_graph_sizes(oxigraph)


@pytest.mark.corpus
@pytest.mark.slow
def test_push_corpus_to_oxigraph_every_query_same_rows(oxigraph: Server, corpus_graph: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"  # a copy: the shared corpus build must not get a state file
    shutil.copytree(corpus_graph, folder, symlinks=True)
    report = push(folder, gsp=oxigraph.gsp)
    assert len(report.sent) == report.graphs > 1000
    _same_graphs(folder, oxigraph)
    assert _compare_all(open_graph(folder), oxigraph, CORPUS_PARAMS, virtuoso=False) > 10_000


# --------------------------------------------------------------------------------------------
# Virtuoso
# --------------------------------------------------------------------------------------------


def test_push_seed_to_virtuoso_by_update_then_gsp(virtuoso: Server, seed_build: Path) -> None:
    """SPARQL Update to /sparql-auth (Digest, credentials from the environment), then the same
    graphs again by the Graph Store Protocol: the server holds each graph once."""
    report = push(seed_build, update=virtuoso.update)
    assert len(report.sent) == 6
    _same_graphs(seed_build, virtuoso)
    _compare_all(open_graph(seed_build), virtuoso, SEED_PARAMS, virtuoso=True)
    assert main(["push", "-q", "--graph", str(seed_build), "--sparql-gsp", virtuoso.gsp]) == 0
    _same_graphs(seed_build, virtuoso)
    assert _compare_all(open_graph(seed_build), virtuoso, SEED_PARAMS, virtuoso=True) > 100


def test_virtuoso_refuses_a_push_without_credentials(
    virtuoso: Server, seed_build: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(USER_ENV)
    monkeypatch.setenv("NETRC", str(tmp_path / "absent-netrc"))
    assert main(["push", "--graph", str(seed_build), "--sparql-gsp", virtuoso.gsp, "--retries", "0"]) == 1
    assert _server_graph_sizes(virtuoso).keys().isdisjoint(_local_graph_sizes(seed_build))


@pytest.mark.corpus
@pytest.mark.slow
def test_push_corpus_to_virtuoso_every_query_same_rows(virtuoso: Server, corpus_graph: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_graph, folder, symlinks=True)
    report = push(folder, gsp=virtuoso.gsp)
    assert len(report.sent) == report.graphs > 1000
    _same_graphs(folder, virtuoso)
    assert _compare_all(open_graph(folder), virtuoso, CORPUS_PARAMS, virtuoso=True) > 10_000


# --------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------


def test_credentials_from_environment_then_netrc(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example.org login alice password s3cret\n")
    netrc.chmod(0o600)
    url = "https://store.example.org/sparql"
    assert credentials(url, {"NETRC": str(netrc)}) == ("alice", "s3cret")
    assert credentials("https://other.example.org/", {"NETRC": str(netrc)}) is None
    env = {"NETRC": str(netrc), USER_ENV: "bob", PASSWORD_ENV: "pw"}
    assert credentials(url, env) == ("bob", "pw")


def test_push_state_file_is_in_the_build_folder(oxigraph: Server, seed_build: Path) -> None:
    push(seed_build, gsp=oxigraph.gsp)
    hashes = PushState.load(seed_build).target(oxigraph.gsp).graphs
    assert (seed_build / STATE_FILE).is_file() and len(hashes) == 6
    assert all(len(h) == 64 for h in hashes.values())
