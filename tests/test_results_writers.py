"""Results written by pyoxigraph without passing rows through Python: `graphbuild query --format
csv|json` (`sparql.results.write_results`) and the endpoint's cut at the row cap
(`endpoint.jobs.capped_tsv`), on the hand-written fixture and on values built to break a
line-based cut (tabs, line breaks, quotes, language tags, datatypes, unbound cells)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphbuild import queries as q
from graphbuild.cli import main
from graphbuild.endpoint.jobs import Job, capped_solutions, capped_tsv, execute_job

FIXTURE = Path(__file__).parent / "data" / "query_fixture.trig"
EX = "http://example.org/"
AWKWARD = [
    ox.Literal("two\nlines"),
    ox.Literal("a\ttab and \"quotes\""),
    ox.Literal("trailing backslash \\"),
    ox.Literal("Lymphome", language="fr"),
    ox.Literal("1.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
    ox.Literal("\r\n"),
    ox.NamedNode(EX + "node"),
]
ROWS = "SELECT ?s ?o ?missing WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def fixture_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def awkward() -> ox.Store:
    store = ox.Store()
    for i, value in enumerate(AWKWARD):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), value))
    return store


def as_rows(solutions: ox.QuerySolutions) -> list[tuple[object, ...]]:
    columns = [v.value for v in solutions.variables]
    return [tuple(s[c] for c in columns) for s in solutions]


@pytest.mark.parametrize("cap", [0, 1, 3, len(AWKWARD) - 1, len(AWKWARD), len(AWKWARD) + 5])
def test_the_cap_cuts_after_whole_rows_and_says_so(awkward: ox.Store, cap: int) -> None:
    everything = as_rows(awkward.query(ROWS))
    body, cut = capped_tsv(awkward.query(ROWS), cap)
    assert cut == (len(everything) > cap)
    assert body.count(b"\n") == 1 + min(cap, len(everything))  # the header, then one line a row
    solutions, cut_again = capped_solutions(awkward.query(ROWS), cap)
    assert cut_again == cut
    assert [v.value for v in solutions.variables] == ["s", "o", "missing"]
    assert as_rows(solutions) == everything[:cap]  # every term back exactly, unbound as None


def test_the_endpoint_answers_every_format_from_the_cut_rows(awkward: ox.Store) -> None:
    everything = as_rows(awkward.query(ROWS))
    for fmt, results_format in [("json", ox.QueryResultsFormat.JSON),
                                ("xml", ox.QueryResultsFormat.XML),
                                ("tsv", ox.QueryResultsFormat.TSV)]:
        answer = execute_job(awkward, Job(query=ROWS, format=fmt, max_rows=4))
        assert answer.status == 200 and answer.truncated, (fmt, answer.body[:200])
        reread = ox.parse_query_results(answer.body, results_format)
        assert isinstance(reread, ox.QuerySolutions)
        assert as_rows(reread) == everything[:4], fmt
    answer = execute_job(awkward, Job(query=ROWS, format="csv", max_rows=100))
    assert not answer.truncated
    parsed = list(csv.reader(io.StringIO(answer.body.decode("utf-8"), newline="")))
    assert parsed[0] == ["s", "o", "missing"] and len(parsed) == 1 + len(AWKWARD)
    assert parsed[1][1] == "two\nlines" and parsed[1][2] == ""


def test_the_cli_writes_the_rows_pyoxigraph_yields(
    fixture_store: ox.Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--format csv` and `--format json` carry exactly the stored query's rows (a streaming
    listing, so compared as sets), as SPARQL 1.1 CSV and JSON."""
    result = q.execute_query(fixture_store, "trial_conditions")
    assert main(["query", "trial_conditions", "--graph", str(FIXTURE), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["head"]["vars"] == list(result.columns)
    reread = ox.parse_query_results(json.dumps(document), ox.QueryResultsFormat.JSON)
    assert isinstance(reread, ox.QuerySolutions)
    assert sorted(as_rows(reread), key=repr) == sorted(result.rows, key=repr)
    assert len(result.rows) >= 6
    assert main(["query", "trial_conditions", "--graph", str(FIXTURE), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\r\n")  # SPARQL 1.1 CSV lines end in CRLF
    lines = list(csv.reader(io.StringIO(out, newline="")))
    expected = list(csv.reader(io.StringIO(q.format_csv(result), newline="")))
    assert lines[0] == list(result.columns) == expected[0]
    assert sorted(lines[1:]) == sorted(expected[1:])
    myeloma = [row for row in lines if row[0] == "000_9c2a9c0863e88fc2" and "D009101" in row[2]]
    assert myeloma and set(myeloma[0][4].split(", ")) == {"relapsed", "refractory"}


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_a_reader_that_stops_early_is_no_error(corpus_graph: Path, fmt: str) -> None:
    """`graphbuild query ... | head -1` on a long listing: the pipe closes while rows are still
    written; the command ends with status 0 and says nothing, whichever way it writes rows."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "graphbuild", "query", "trial_endpoints",
               "--graph", str(corpus_graph), "--format", fmt]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"trial_id")
    process.stdout.close()  # what `head -1` does once it has its line
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, errors
    assert errors == ""
