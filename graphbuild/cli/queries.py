"""`graphbuild queries`: list the stored queries, their descriptions and parameters."""

from __future__ import annotations

import argparse
import sys
import textwrap



def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "queries",
        help="list the stored queries",
        description="List the stored SPARQL queries (queries/*.rq) with what they answer and "
        "the parameters they take; run one with `graphbuild query NAME --graph DIR`.",
    )
    parser.add_argument("--names", action="store_true", help="print the names only")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild.queries import QueryError, list_queries

    try:
        infos = list_queries()
    except QueryError as exc:
        print(f"graphbuild queries: {exc}", file=sys.stderr)
        return 1
    if args.names:
        print("\n".join(q.name for q in infos))
        return 0
    for q in infos:
        print(f"{q.name}  —  {q.title}")
        print(
            textwrap.fill(q.description, width=96, initial_indent="    ", subsequent_indent="    ")
        )
        for p in q.params:
            print(f"    --param {p}")
        print()
    return 0
