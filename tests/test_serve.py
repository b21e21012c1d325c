"""The SPARQL 1.1 Protocol endpoint, tested over real HTTP (httpx) against a server on
127.0.0.1 and a free port, serving the hand-written graph `tests/data/query_fixture.trig`."""

from __future__ import annotations

import csv
import functools
import io
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest

from graphbuild import serve
from graphbuild.queries import open_graph

FIXTURE = Path(__file__).parent / "data" / "query_fixture.trig"
REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 1.5  # the server's per-query limit in these tests
MAX_ROWS = 50
TRIALS = [
    "000_9c2a9c0863e88fc2",
    "001_5b0f834bc6f69eca",
    "002_2917b9526c9dc599",
    "NCT90000001",
    "NCT90000002",
]
TRIAL_IDS = (
    "PREFIX gb: <https://w3id.org/graphbuild/vocab#>\n"
    "SELECT ?id WHERE { ?t gb:trialId ?id } ORDER BY ?id"
)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
SRJ = "application/sparql-results+json"


@pytest.fixture(scope="module")
def server() -> Iterator[serve.SparqlServer]:
    config = serve.ServeConfig(port=0, timeout=TIMEOUT, max_rows=MAX_ROWS, workers=3)
    srv = serve.make_server(config=config, opener=functools.partial(open_graph, FIXTURE))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.close()
        thread.join(timeout=5)


@pytest.fixture()
def client(server: serve.SparqlServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def ids_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [b["id"]["value"] for b in response.json()["results"]["bindings"]]


def test_it_listens_on_loopback_by_default(server: serve.SparqlServer) -> None:
    assert serve.ServeConfig().host == "127.0.0.1"
    assert server.server_address[0] == "127.0.0.1"


# --------------------------------------------------------------------------------------------
# Protocol operations
# --------------------------------------------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(client: httpx.Client) -> None:
    accept = {"Accept": SRJ}
    by_get = client.get("/sparql", params={"query": TRIAL_IDS}, headers=accept)
    by_form = client.post("/sparql", data={"query": TRIAL_IDS}, headers=accept)
    by_body = client.post(
        "/sparql",
        content=TRIAL_IDS.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
    )
    assert ids_of(by_get) == ids_of(by_form) == ids_of(by_body) == TRIALS
    assert by_get.headers["content-type"].startswith(SRJ)


def test_select_results_in_json_xml_csv_and_tsv(client: httpx.Client) -> None:
    def fetch(accept: str) -> httpx.Response:
        response = client.get("/sparql", params={"query": TRIAL_IDS}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        return response

    as_json = fetch("application/sparql-results+json")
    assert as_json.json()["head"]["vars"] == ["id"]

    as_xml = fetch("application/sparql-results+xml")
    assert as_xml.headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(as_xml.content)
    assert [e.text for e in root.findall(".//r:binding/r:literal", ns)] == TRIALS

    as_csv = fetch("text/csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(as_csv.text))) == [["id"], *[[t] for t in TRIALS]]
    assert "\r\n" in as_csv.text

    as_tsv = fetch("text/tab-separated-values")
    assert as_tsv.text.splitlines() == ["?id", *[f'"{t}"' for t in TRIALS]]

    # each serialization reads back, in pyoxigraph's own parsers, as the same solutions
    for response, fmt in (
        (as_json, ox.QueryResultsFormat.JSON),
        (as_xml, ox.QueryResultsFormat.XML),
        (as_tsv, ox.QueryResultsFormat.TSV),
    ):
        assert [s["id"].value for s in ox.parse_query_results(response.content, fmt)] == TRIALS


def test_accept_with_quality_values_wildcards_and_the_format_parameter(
    client: httpx.Client,
) -> None:
    def media(accept: str | None, **params: str) -> str:
        headers = {"Accept": accept} if accept else {}
        response = client.get("/sparql", params={"query": TRIAL_IDS, **params}, headers=headers)
        assert response.status_code == 200, response.text
        return response.headers["content-type"].split(";")[0]

    assert (
        media("text/csv;q=0.5, application/sparql-results+xml;q=0.9")
        == "application/sparql-results+xml"
    )
    assert media("*/*") == SRJ
    assert media(None) == SRJ
    assert media("text/*") == "text/csv"
    assert media("application/json") == SRJ
    assert media("text/csv", format="tsv") == "text/tab-separated-values"
    refused = client.get("/sparql", params={"query": TRIAL_IDS}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "offered" in refused.text


def test_construct_answers_in_turtle_and_ntriples(client: httpx.Client) -> None:
    query = (
        "PREFIX gb: <https://w3id.org/graphbuild/vocab#>\n"
        "CONSTRUCT { ?t gb:trialId ?id } WHERE { ?t gb:trialId ?id }"
    )
    turtle = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert "@prefix gb:" in turtle.text
    triples = list(ox.parse(turtle.content, ox.RdfFormat.TURTLE))
    assert sorted(t.object.value for t in triples) == TRIALS
    default = client.get("/sparql", params={"query": query})  # no Accept: Turtle for graphs
    assert default.headers["content-type"].startswith("text/turtle")
    nt = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(nt.content, ox.RdfFormat.N_TRIPLES))) == 5
    wrong = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert wrong.status_code == 406


def test_ask_and_describe(client: httpx.Client) -> None:
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": SRJ})
    assert ask.json() == {"head": {}, "boolean": True}
    describe = client.get(
        "/sparql",
        params={"query": "DESCRIBE <https://w3id.org/graphbuild/id/trial/NCT90000002>"},
        headers={"Accept": "application/n-triples"},
    )
    assert describe.status_code == 200
    assert '"NCT90000002"' in describe.text


def test_default_and_named_graph_uris_choose_the_dataset(client: httpx.Client) -> None:
    graph = "https://w3id.org/graphbuild/id/graph/trial/002_2917b9526c9dc599"
    only = client.get("/sparql", params={"query": TRIAL_IDS, "default-graph-uri": graph})
    assert ids_of(only) == ["002_2917b9526c9dc599"]
    named = client.get(
        "/sparql",
        params={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            "named-graph-uri": graph,
        },
        headers={"Accept": SRJ},
    )
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [graph]
    bad = client.get("/sparql", params={"query": TRIAL_IDS, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400


def test_the_row_cap_truncates_and_says_so(client: httpx.Client) -> None:
    capped = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": SRJ}
    )
    assert len(capped.json()["results"]["bindings"]) == MAX_ROWS
    assert capped.headers["x-graphbuild-truncated"] == "true"
    # said in the body where the format has a place (SPARQL JSON head.link, XML <link>) ...
    limits_url = capped.json()["head"]["link"][0]
    assert limits_url.endswith("/limits")
    assert client.get(limits_url).json()["max_rows"] == MAX_ROWS
    as_xml = client.get(
        "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(as_xml.content)
    assert root.find("r:head/r:link", ns).get("href") == limits_url
    assert len(root.findall("r:results/r:result", ns)) == MAX_ROWS
    # ... and in headers for every format (CSV has no place for it in the body)
    as_csv = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert as_csv.headers["link"] == f'<{limits_url}>; rel="describedby"'
    assert as_csv.headers["warning"].startswith(f'199 graphbuild "result cut at {MAX_ROWS} rows')
    assert len(as_csv.text.strip().splitlines()) == MAX_ROWS + 1
    # ... and on the web form's page
    page = client.post(
        "/sparql",
        data={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "html"},
        headers={"Accept": "text/html"},
    )
    assert page.headers["content-type"].startswith("text/html")
    assert f"only the first {MAX_ROWS} rows are shown" in page.text
    assert page.text.count("<tr>") == MAX_ROWS + 1  # header row and the rows
    uncut = client.get("/sparql", params={"query": TRIAL_IDS, "format": "json"})
    assert "link" not in uncut.json()["head"] and "warning" not in uncut.headers
    assert (
        "x-graphbuild-truncated" not in client.get("/sparql", params={"query": TRIAL_IDS}).headers
    )
    triples = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(triples.text.strip().splitlines()) == MAX_ROWS
    assert triples.headers["x-graphbuild-truncated"] == "true"


# --------------------------------------------------------------------------------------------
# Read-only: updates, SERVICE and LOAD refused
# --------------------------------------------------------------------------------------------


def test_updates_are_refused_and_change_nothing(client: httpx.Client) -> None:
    insert = (
        "INSERT DATA { GRAPH <http://x/g> { "
        '<http://x/s> <https://w3id.org/graphbuild/vocab#trialId> "EVIL" } }'
    )
    responses = [
        client.post("/sparql", data={"update": insert}),
        client.post(
            "/sparql",
            content=insert.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        client.post("/sparql", data={"query": insert}),
        client.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"}),
        client.get("/sparql", params={"update": "CLEAR ALL"}),
        client.post("/sparql", data={"query": "DROP ALL"}),
    ]
    for response in responses:
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
    assert ids_of(client.get("/sparql", params={"query": TRIAL_IDS})) == TRIALS


def test_load_is_refused_as_read_only(client: httpx.Client) -> None:
    load = client.post("/sparql", data={"query": "LOAD <http://127.0.0.1:9/data.ttl>"})
    assert load.status_code == 403 and "LOAD" in load.text


def test_keywords_inside_strings_and_names_are_data(client: httpx.Client) -> None:
    query = (
        "PREFIX ex: <http://example.org/service#>\n"
        'SELECT ?service WHERE { BIND("SERVICE <http://x/> INSERT LOAD" AS ?service) '
        "OPTIONAL { ?s ex:load ?o } } # SERVICE in a comment"
    )
    response = client.get("/sparql", params={"query": query}, headers={"Accept": SRJ})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["service"]["value"].startswith("SERVICE")


def test_bad_requests_get_clear_statuses(client: httpx.Client) -> None:
    assert client.get("/sparql").status_code == 400
    syntax = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert syntax.status_code == 400 and "syntax" in syntax.text.lower()
    other = TRIAL_IDS.replace("?id", "?x")
    assert client.get("/sparql", params=[("query", TRIAL_IDS), ("query", other)]).status_code == 400
    # the same query twice is the same request
    assert (
        ids_of(client.get("/sparql", params=[("query", TRIAL_IDS), ("query", TRIAL_IDS)])) == TRIALS
    )
    assert (
        client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    put = client.put("/sparql", content=b"x")
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    unparsed = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } garbage"})
    assert unparsed.status_code == 400 and "syntax" in unparsed.text.lower()
    assert client.get("/nowhere").status_code == 404
    huge = client.post(
        "/sparql",
        content=b" " * (serve.MAX_BODY + 1),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert huge.status_code == 413


# --------------------------------------------------------------------------------------------
# Time limit and concurrency
# --------------------------------------------------------------------------------------------


def test_a_slow_query_times_out_while_another_client_is_answered_promptly(
    server: serve.SparqlServer,
) -> None:
    def slow() -> tuple[int, float]:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            t0 = time.monotonic()
            response = c.get("/sparql", params={"query": SLOW})
            return response.status_code, time.monotonic() - t0

    with ThreadPoolExecutor(max_workers=1) as pool:
        slow_future = pool.submit(slow)
        time.sleep(0.2)  # the slow query is running now
        with httpx.Client(base_url=server.url, timeout=30) as fast_client:
            t0 = time.monotonic()
            fast = fast_client.get("/sparql", params={"query": TRIAL_IDS})
            fast_seconds = time.monotonic() - t0
        assert ids_of(fast) == TRIALS
        assert fast_seconds < 1.0
        assert not slow_future.done(), "the slow query should still be running"
        status, slow_seconds = slow_future.result(timeout=30)
    assert status == 503
    assert TIMEOUT <= slow_seconds < TIMEOUT + 5
    # the killed worker is replaced: the endpoint keeps answering
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for _ in range(5):
            assert ids_of(c.get("/sparql", params={"query": TRIAL_IDS})) == TRIALS


def test_several_clients_at_once(server: serve.SparqlServer) -> None:
    queries = {
        trial: f"PREFIX gb: <https://w3id.org/graphbuild/vocab#>\n"
        f'SELECT ?id WHERE {{ ?t gb:trialId ?id FILTER(?id = "{trial}") }}'
        for trial in TRIALS
    }

    def ask(trial: str) -> list[str]:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            return ids_of(c.get("/sparql", params={"query": queries[trial]}))

    with ThreadPoolExecutor(max_workers=len(TRIALS)) as pool:
        answers = dict(zip(TRIALS, pool.map(ask, TRIALS)))
    assert answers == {trial: [trial] for trial in TRIALS}


# --------------------------------------------------------------------------------------------
# Stored queries and the index page
# --------------------------------------------------------------------------------------------


def test_stored_queries_over_http(client: httpx.Client) -> None:
    response = client.get(
        "/queries/trials_for_antigen", params={"antigen": "BCMA", "format": "csv"}
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["trial_id"], r["antigen_symbol"], r["basis"]) for r in rows] == [
        ("001_5b0f834bc6f69eca", "TNFRSF17", "inferred")
    ]
    injected = client.get(
        "/queries/trials_for_antigen", params={"antigen": 'CD7" } UNION { ?s ?p ?o } #'}
    )
    assert injected.status_code == 200 and injected.json()["results"]["bindings"] == []
    missing = client.get("/queries/trials_for_antigen")
    assert missing.status_code == 400 and "needs antigen" in missing.text
    unknown = client.get("/queries/nope")
    assert unknown.status_code == 404 and "trial_antigens" in unknown.text
    listing = client.get("/queries").json()
    assert {"trial_antigens", "trials_for_antigen"} <= {q["name"] for q in listing}


def test_index_page_lists_every_stored_query(client: httpx.Client) -> None:
    from graphbuild.queries import list_queries

    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for info in list_queries():
        assert f"/queries/{info.name}" in page.text


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


@contextmanager
def _serve_command(*options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`graphbuild serve --graph FIXTURE --port 0 OPTIONS` started as a user starts it, with the
    base URL it printed once its workers are up; killed on the way out if still running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "graphbuild", "serve", "--graph", str(FIXTURE), "--port", "0",
         *options],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()  # printed once the workers are up
        match = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_graphbuild_serve_command_starts_answers_and_stops() -> None:
    with _serve_command("--workers", "1", "--timeout", "5") as (process, base):
        response = httpx.get(base + "sparql", params={"query": TRIAL_IDS}, timeout=30)
        assert ids_of(response) == TRIALS
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


def test_ctrl_c_ends_a_running_query_with_503_not_a_cancelled_500() -> None:
    """Ctrl-C while a query runs: the workers stop as Uvicorn's shutdown begins, so the client
    hears 503 and the server exits cleanly, with no traceback of a cancelled request."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    with _serve_command("--workers", "2", "--timeout", "30") as (process, base):
        with ThreadPoolExecutor(max_workers=1) as pool:
            answer = pool.submit(httpx.get, base + "sparql", params={"query": slow}, timeout=60)
            time.sleep(1.5)  # the query is running (it runs to the 30 s limit otherwise)
            assert not answer.done()
            process.send_signal(signal.SIGINT)
            response = answer.result(timeout=30)
        assert response.status_code == 503, response.text
        assert "shutting down" in response.text
        assert process.wait(timeout=15) == 0
        errors = process.stderr.read()
        assert "Traceback" not in errors and "CancelledError" not in errors, errors


def test_check_query_and_negotiate_units() -> None:
    checked = serve.check_query("PREFIX s: <http://service/> SELECT * { ?s s:service ?o }")
    assert checked == serve.CheckedQuery(form="SELECT", has_dataset=False)
    assert serve.check_query("SELECT * FROM NAMED <http://g> { ?s ?p ?o }").has_dataset
    assert serve.check_query("CONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    with pytest.raises(serve.Refused) as refused:
        serve.check_query("SELECT * WHERE { FILTER(?a<?b)SERVICE<x>{?s ?p ?o} }")
    assert refused.value.status == 400
    assert serve.negotiate("results", "text/csv;q=0, application/xml").name == "xml"
    assert serve.negotiate("graph", "application/xml").name == "rdfxml"
    assert serve.parse_accept("a/b;q=0.2, c/d, e/f;q=0.9") == ["c/d", "e/f", "a/b"]
    # short names as clients send them, per kind; a browser gets the page, */* never does
    assert serve.negotiate("graph", None, ["xml"]).name == "rdfxml"
    assert serve.negotiate("results", None, ["xml"]).name == "xml"
    assert serve.negotiate("graph", None, ["json"]).name == "jsonld"
    assert serve.negotiate("graph", None, ["ttl"]).name == "turtle"
    assert serve.negotiate("graph", None, ["nquads"]).name == "nquads"
    assert serve.negotiate("results", None, ["tsv", "text/tab-separated-values"]).name == "tsv"
    assert (
        serve.negotiate(
            "graph", None, ["json-ld", "application/ld+json,application/x-json+ld"]
        ).name
        == "jsonld"
    )
    assert serve.negotiate("results", "text/html,application/xml;q=0.9,*/*;q=0.8").name == "html"
    assert serve.negotiate("results", "*/*").name == "json"
    with pytest.raises(serve.Refused) as mixed:
        serve.negotiate("results", None, ["csv", "json"])
    assert mixed.value.status == 400
