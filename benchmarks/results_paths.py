"""Rows/s of the output paths alone, on a query whose evaluation costs little (one index scan),
so what is timed is the writing: CPU seconds of this process, best of `--runs`.

    python benchmarks/results_paths.py BUILD_DIR [--rows 20000] [--runs 3]

Paths (each reads the same `--rows` rows of `SELECT ?s ?p ?o WHERE { ?s gb:role ?o }`-like
scans, then writes them in the format named):

* `engine only`: the solutions iterated by pyoxigraph's serializer into /dev/null as TSV, the
  floor every path pays;
* `cli csv (Python rows)`: what `graphbuild query --format csv` did before: every solution
  read into Python, each cell turned into text, written by `csv.writer`;
* `cli csv|json (pyoxigraph)`: what it does now, `sparql.results.write_results`;
* `endpoint json (Python rows)`: what the endpoint's workers did before to cut a result at the
  row cap: the first rows read into Python, written as TSV text, parsed back by pyoxigraph and
  serialized as JSON;
* `endpoint json (capped TSV)`: what they do now, `endpoint.jobs.capped_solutions` (pyoxigraph
  writes TSV into a line-counting sink that stops the query at the cap) then JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from graphbuild.endpoint.jobs import capped_solutions
from graphbuild.sparql.graphs import open_graph
from graphbuild.sparql.results import write_results
from graphbuild.sparql.terms import term_text

SCAN = """PREFIX gb: <https://w3id.org/graphbuild/vocab#>
SELECT ?endpoint ?role ?text WHERE { ?endpoint gb:role ?role ; gb:measure ?text } LIMIT {n}"""


def _python_csv(store: ox.Store, text: str, out: io.StringIO) -> None:
    results = store.query(text, use_default_graph_as_union=True)
    columns = [v.value for v in results.variables]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for solution in results:
        writer.writerow([term_text(solution[c]) for c in columns])


def _python_capped_json(store: ox.Store, text: str, cap: int) -> bytes:
    results = store.query(text, use_default_graph_as_union=True)
    columns = [v.value for v in results.variables]
    rows = [tuple(s[c] for c in columns) for s in islice(results, cap + 1)][:cap]
    lines = ["\t".join(f"?{c}" for c in columns)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    solutions = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions.serialize(format=ox.QueryResultsFormat.JSON) or b""


def _capped_json(store: ox.Store, text: str, cap: int) -> bytes:
    results = store.query(text, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    solutions, _cut = capped_solutions(results, cap)
    return solutions.serialize(format=ox.QueryResultsFormat.JSON) or b""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    store = open_graph(args.build)
    text = SCAN.replace("{n}", str(args.rows))
    cap = args.rows - 1  # the endpoint paths cut one row short, as at the row cap

    def devnull(fmt: str) -> Callable[[], object]:
        def run() -> None:
            with open("/dev/null", "wb") as sink:
                write_results(store, text, fmt, sink)
        return run

    def engine_only() -> None:
        with open("/dev/null", "wb") as sink:
            store.query(text, use_default_graph_as_union=True).serialize(
                sink, ox.QueryResultsFormat.TSV)

    paths: list[tuple[str, Callable[[], object]]] = [
        ("engine only", engine_only),
        ("cli csv (Python rows, before)", lambda: _python_csv(store, text, io.StringIO())),
        ("cli csv (pyoxigraph, now)", devnull("csv")),
        ("cli json (pyoxigraph, now)", devnull("json")),
        ("endpoint json (Python rows, before)", lambda: _python_capped_json(store, text, cap)),
        ("endpoint json (capped TSV, now)", lambda: _capped_json(store, text, cap)),
    ]
    for label, run in paths:
        best = float("inf")
        for _ in range(args.runs):
            started = time.process_time()
            run()
            best = min(best, time.process_time() - started)
        print(f"  {label:<38} {best * 1000:8.1f} ms CPU  {args.rows / best:>10,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
