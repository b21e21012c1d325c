"""`graphbuild query NAME --graph DIR [--param key=value]... [--format table|csv|json]`."""

from __future__ import annotations

import argparse
import sys
from graphbuild.cli.options import add_graph_option

# the formats of graphbuild.sparql.results.FORMATTERS, named here so `--help` imports nothing
FORMATS = ("csv", "json", "table")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a stored query on a built graph",
        description="Run a stored SPARQL query (see `graphbuild queries`) on a built graph, "
        "opened read-only. Parameters are bound as RDF terms, never pasted into the query.",
    )
    parser.add_argument("name", help="the stored query (file stem in queries/)")
    add_graph_option(parser)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a query parameter; repeat for several",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.set_defaults(handler=run)


def parse_params(pairs: list[str]) -> dict[str, str]:
    """`["months=12", "antigen=CD19"]` -> a dict; the value is everything after the first `=`."""
    from graphbuild.queries import QueryError

    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param needs KEY=VALUE, got {pair!r}")
        params[key.strip()] = value
    return params


def run(args: argparse.Namespace) -> int:
    from graphbuild.queries import QueryError, execute_sparql, format_result, open_graph, prepare

    try:
        params = parse_params(args.param)
        store = open_graph(args.graph)
        _info, text = prepare(args.name, params)
        if args.format in ("csv", "json"):  # written by pyoxigraph as the rows come
            from graphbuild.sparql.results import write_results

            sys.stdout.flush()
            write_results(store, text, args.format, sys.stdout.buffer)
            if args.format == "json":
                sys.stdout.buffer.write(b"\n")
            sys.stdout.buffer.flush()
            return 0
        result = execute_sparql(store, text)  # a table is aligned: every row first
    except BrokenPipeError:
        raise  # an OSError, but not a failure: `graphbuild.cli.main` ends quietly on it
    except (QueryError, OSError, ValueError) as exc:
        print(f"graphbuild query: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, QueryError) else 1
    sys.stdout.write(format_result(result, args.format))
    return 0
