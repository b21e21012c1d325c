"""The endpoint as real clients meet it: SPARQLWrapper in its default settings, a browser
tool's CORS preflight, FROM / FROM NAMED in the query text, SERVICE in every spelling (with a
real TCP listener that must hear nothing), and fairness while slow queries run. Served from
the hand-written graph `tests/data/query_fixture.trig` by a real server on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from graphbuild import serve
from graphbuild.endpoint.sandbox import drop_network
from graphbuild.endpoint.errors import Refused
from graphbuild.endpoint.jobs import Job
from graphbuild.endpoint.workers import WorkerPool, _RoundRobin, _Ticket
from graphbuild.queries import open_graph

FIXTURE = Path(__file__).parent / "data" / "query_fixture.trig"
GB = "https://w3id.org/graphbuild/vocab#"
GRAPH = "https://w3id.org/graphbuild/id/graph/trial/"
TRIALS = [
    "000_9c2a9c0863e88fc2",
    "001_5b0f834bc6f69eca",
    "002_2917b9526c9dc599",
    "NCT90000001",
    "NCT90000002",
]
TRIAL_IDS = f"PREFIX gb: <{GB}>\nSELECT ?id WHERE {{ ?t gb:trialId ?id }} ORDER BY ?id"
TRIAL_TRIPLES = (
    f"PREFIX gb: <{GB}>\nCONSTRUCT {{ ?t gb:trialId ?id }} WHERE {{ ?t gb:trialId ?id }}"
)
# never finishes on the fixture (a five-way cross product of every quad): runs to the limit
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _start(config: serve.ServeConfig) -> tuple[serve.SparqlServer, threading.Thread]:
    srv = serve.make_server(config=config, opener=functools.partial(open_graph, FIXTURE))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    return srv, thread


@pytest.fixture(scope="module")
def server() -> Iterator[serve.SparqlServer]:
    srv, thread = _start(serve.ServeConfig(port=0, timeout=10, max_rows=1000, workers=2))
    try:
        yield srv
    finally:
        srv.close()
        thread.join(timeout=10)


@pytest.fixture()
def client(server: serve.SparqlServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def _store() -> ox.Store:
    return open_graph(FIXTURE)


# --------------------------------------------------------------------------------------------
# SPARQLWrapper, default settings: only the return format is chosen, as a user does
# --------------------------------------------------------------------------------------------


def _wrapper(server: serve.SparqlServer, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def test_sparqlwrapper_gets_select_results_in_json_xml_csv_and_tsv(
    server: serve.SparqlServer,
) -> None:
    as_json = _wrapper(server, TRIAL_IDS, JSON).queryAndConvert()
    assert [b["id"]["value"] for b in as_json["results"]["bindings"]] == TRIALS

    as_xml = _wrapper(server, TRIAL_IDS, XML).queryAndConvert()  # a DOM document
    literals = [n.firstChild.data for n in as_xml.getElementsByTagName("literal")]
    assert literals == TRIALS

    as_csv = _wrapper(server, TRIAL_IDS, CSV).queryAndConvert()
    assert as_csv.decode().split("\r\n")[:6] == ["id", *TRIALS]

    tsv_result = _wrapper(server, TRIAL_IDS, TSV).query()  # sends format=tsv twice, differently
    assert tsv_result.response.headers["Content-Type"].startswith("text/tab-separated-values")
    assert tsv_result.convert().decode().splitlines() == ["?id", *[f'"{t}"' for t in TRIALS]]

    # the default format (XML) answers an ASK too
    ask = _wrapper(server, "ASK { ?s ?p ?o }", XML).queryAndConvert()
    assert ask.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_gets_graphs_in_turtle_rdfxml_and_jsonld(server: serve.SparqlServer) -> None:
    expected = {(f"https://w3id.org/graphbuild/id/trial/{t}", t) for t in TRIALS}

    def pairs(graph: rdflib.Graph) -> set[tuple[str, str]]:
        return {
            (str(s), str(o))
            for s, _p, o in graph.triples((None, rdflib.URIRef(GB + "trialId"), None))
        }

    turtle = _wrapper(server, TRIAL_TRIPLES, TURTLE).queryAndConvert()  # bytes
    assert pairs(rdflib.Graph().parse(data=turtle, format="turtle")) == expected

    rdfxml = _wrapper(server, TRIAL_TRIPLES, RDFXML).queryAndConvert()  # an rdflib Graph
    assert pairs(rdfxml) == expected
    # SPARQLWrapper's default format, XML, means RDF/XML for a CONSTRUCT
    assert pairs(_wrapper(server, TRIAL_TRIPLES, XML).queryAndConvert()) == expected

    jsonld = _wrapper(server, TRIAL_TRIPLES, JSONLD).queryAndConvert()  # an rdflib Graph
    assert pairs(jsonld) == expected


# --------------------------------------------------------------------------------------------
# CORS and OPTIONS for browser-based SPARQL tools
# --------------------------------------------------------------------------------------------


def test_cors_preflight_and_exposed_headers(client: httpx.Client) -> None:
    origin = {"Origin": "https://yasgui.example"}
    preflight = client.options(
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    answer = client.post("/sparql", data={"query": TRIAL_IDS}, headers=origin)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = answer.headers["access-control-expose-headers"].lower()
    assert {"link", "warning", "x-graphbuild-truncated"} <= set(exposed.replace(" ", "").split(","))


# --------------------------------------------------------------------------------------------
# FROM and FROM NAMED in the query text
# --------------------------------------------------------------------------------------------


def test_from_in_the_query_counts_only_that_graph(client: httpx.Client) -> None:
    trial = GRAPH + "002_2917b9526c9dc599"
    store = _store()
    in_graph = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(trial))))
    everything = len(list(store))
    assert 0 < in_graph < everything

    def count(query: str, **params: str) -> int:
        response = client.get("/sparql", params={"query": query, "format": "json", **params})
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert count(f"SELECT (COUNT(*) AS ?n) FROM <{trial}> WHERE {{ ?s ?p ?o }}") == in_graph
    # without FROM the default graph is the union of all graphs (the whole store)
    assert count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == everything
    # FROM NAMED offers only the graphs it names to GRAPH
    named = client.get(
        "/sparql",
        params={
            "query": f"SELECT DISTINCT ?g FROM NAMED <{trial}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            "format": "json",
        },
    )
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [trial]
    # the protocol's default-graph-uri overrides the query's FROM (SPARQL 1.1 Protocol 2.1.4)
    other = GRAPH + "NCT90000001"
    in_other = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(other))))
    assert in_other != in_graph
    overridden = count(
        f"SELECT (COUNT(*) AS ?n) FROM <{trial}> WHERE {{ ?s ?p ?o }}",
        **{"default-graph-uri": other},
    )
    assert overridden == in_other


# --------------------------------------------------------------------------------------------
# SERVICE in every spelling: refused, and nobody is contacted
# --------------------------------------------------------------------------------------------


class Listener:
    """A real TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def service_queries(port: int) -> list[str]:
    """Every spelling of a SERVICE call to 127.0.0.1:port we know of."""
    base = f"http://127.0.0.1:{port}/"
    return [
        f"PREFIX : <{base}> SELECT * WHERE {{ SERVICE:bypass1 {{?s ?p ?o}} }}",
        f"PREFIX s: <{base}> SELECT * WHERE {{ SERVICEs:x {{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ SERVICE <{base}sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{base}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z . SeRvIcE\n<{base}>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{base}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{base}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{base}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{base}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{base}> {{ ?a ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{base}> {{ ?a ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{base}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ SERVICE <{base}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT WHERE {{ SERVICE <{base}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{base}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER(?a<?b)SERVICE<{base}>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{base}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{base}> SELECT * WHERE {{ SERVICE:bypass1{{?s ?p ?o}} }}",
    ]


def test_the_listener_hears_oxigraph_when_nothing_guards_it() -> None:
    """The control: run unguarded, Oxigraph does call out for the forms the issue found, so a
    silent listener below means the endpoint refused them, not that the listener is deaf."""
    listener = Listener()
    try:
        for query in service_queries(listener.port)[:3]:
            before = listener.connections
            with pytest.raises(OSError):
                list(ox.Store().query(query))
            assert listener.connections > before, query
    finally:
        listener.close()


def test_every_service_form_is_refused_by_the_parsed_query_check() -> None:
    for query in service_queries(9):
        with pytest.raises(serve.Refused) as refused:
            serve.check_query(query)
        assert refused.value.status == 400, query
    # names that merely contain the word are data
    assert (
        serve.check_query(
            "PREFIX service: <http://e/> SELECT ?service WHERE { ?s service:p ?service }"
        ).form
        == "SELECT"
    )


def test_every_service_form_gets_400_and_nothing_reaches_a_local_listener(
    client: httpx.Client,
) -> None:
    listener = Listener()
    try:
        for query in service_queries(listener.port):
            for response in (
                client.get("/sparql", params={"query": query}),
                client.post("/sparql", data={"query": query}),
                client.post(
                    "/sparql",
                    content=query.encode(),
                    headers={"Content-Type": "application/sparql-query"},
                ),
            ):
                assert response.status_code == 400, (query, response.text)
                assert "SERVICE" in response.text or "syntax" in response.text, response.text
        time.sleep(0.3)  # a stray request would have arrived by now
        assert listener.connections == 0
    finally:
        listener.close()


def _federate_from_a_sandbox(port: int, out: multiprocessing.Queue) -> None:
    isolated = drop_network()
    try:
        list(
            ox.Store().query(
                f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
            )
        )
        out.put((isolated, "answered"))
    except OSError as exc:
        out.put((isolated, f"{type(exc).__name__}: {exc}"))


def test_workers_are_off_the_network_where_the_system_allows() -> None:
    """Defence in depth: even a query that reached a worker could not call out."""
    listener = Listener()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    try:
        process = context.Process(target=_federate_from_a_sandbox, args=(listener.port, out))
        process.start()
        isolated, outcome = out.get(timeout=60)
        process.join(timeout=10)
        if not isolated:
            pytest.skip("this system does not allow unprivileged network namespaces")
        assert outcome != "answered"
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


# --------------------------------------------------------------------------------------------
# Fairness
# --------------------------------------------------------------------------------------------


def test_the_line_serves_clients_in_turn() -> None:
    line = _RoundRobin()
    for n in range(4):
        line.push(_Ticket("busy"))
    late = _Ticket("late")
    line.push(late)
    first = line.pop()
    assert first is not None and first.client == "busy"
    assert line.pop() is late  # the late client's only query comes next, not after the burst
    assert [t.client for t in iter(line.pop, None)] == ["busy"] * 3


def test_a_simple_query_answers_within_a_second_while_five_slow_ones_run() -> None:
    srv, thread = _start(serve.ServeConfig(port=0, timeout=20, workers=4))
    try:

        def slow() -> int:
            with httpx.Client(base_url=srv.url, timeout=60) as c:
                return c.get("/sparql", params={"query": SLOW}).status_code

        with ThreadPoolExecutor(max_workers=5) as pool:
            futures = [pool.submit(slow) for _ in range(5)]
            # wait (not timed) until all five are under way: slow in a slot or paused in line,
            # and the pool has a worker ready again
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                stats = srv.pool.stats()
                if stats.slow_running + stats.paused == 5 and stats.idle >= 1:
                    break
                time.sleep(0.05)
            stats = srv.pool.stats()
            slots = srv.pool.slow_slots  # half the workers: two of four
            assert stats.slow_running == slots and stats.paused == 5 - slots, stats
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                for _ in range(3):
                    started = time.monotonic()
                    response = c.get("/sparql", params={"query": TRIAL_IDS, "format": "json"})
                    seconds = time.monotonic() - started
                    assert response.status_code == 200, response.text
                    ids = [b["id"]["value"] for b in response.json()["results"]["bindings"]]
                    assert ids == TRIALS
                    assert seconds < 1.0, f"a simple query took {seconds:.2f} s"
            assert not any(f.done() for f in futures), "the slow queries should still run"
            srv.close()  # ends the slow queries now rather than at their limit
            assert [f.result(timeout=30) for f in futures] == [503] * 5  # shutting down
    finally:
        srv.close()
        thread.join(timeout=10)


def test_a_worker_is_discarded_once_when_close_and_its_query_race() -> None:
    """`close()` and a query thread whose worker died may discard the same worker at once;
    each worker's pipe is closed exactly once and neither side raises (a double close failed
    CI once with EBADF, and could close a descriptor another file had just been given)."""
    pool = WorkerPool(functools.partial(open_graph, FIXTURE), size=1)
    workers = list(pool._state.workers)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def discard(worker: object) -> None:
        barrier.wait()
        try:
            pool._discard(worker)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    for worker in workers:
        threads = [threading.Thread(target=discard, args=(worker,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        barrier.reset()
    pool.close()
    assert errors == []
    assert all(w.discarded and w.conn.closed and not w.process.is_alive() for w in workers)
    with pytest.raises(Refused) as refused:
        pool.run(Job(query=TRIAL_IDS, format="json", max_rows=10), timeout=5)
    assert refused.value.status == 503


def test_a_paused_slow_query_resumes_and_finishes() -> None:
    """Pausing loses no work: with one slow slot, a second slow-ish query waits paused and
    then completes with the right answer."""
    srv, thread = _start(serve.ServeConfig(port=0, timeout=30, workers=2, slow_after=0.05))
    medium = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g <http://www.w3.org/2000/01/"
        "rdf-schema#label> ?i }"
    )
    store = _store()
    expected = int(next(iter(store.query(medium, use_default_graph_as_union=True)))["n"].value)
    try:

        def ask() -> int:
            with httpx.Client(base_url=srv.url, timeout=60) as c:
                response = c.get("/sparql", params={"query": medium, "format": "json"})
                assert response.status_code == 200, response.text
                return int(response.json()["results"]["bindings"][0]["n"]["value"])

        with ThreadPoolExecutor(max_workers=3) as pool:
            answers = list(pool.map(lambda _: ask(), range(3)))
        assert answers == [expected] * 3
        assert srv.pool.stats().paused_total >= 1
    finally:
        srv.close()
        thread.join(timeout=10)


def test_limits_document(client: httpx.Client) -> None:
    limits = json.loads(client.get("/limits").text)
    assert limits["max_rows"] == 1000 and limits["timeout_seconds"] == 10


def test_the_guard_reads_queries_from_many_threads_at_once() -> None:
    """rdflib's parser is not thread-safe; the guard serializes it, so concurrent requests
    never get a spurious syntax error."""
    from graphbuild.queries import list_queries

    texts = [f"{info.text}\n# copy {n}" for n in range(2) for info in list_queries()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        forms = list(pool.map(lambda text: serve.check_query(text).form, texts))
    assert forms == ["SELECT"] * len(texts)
