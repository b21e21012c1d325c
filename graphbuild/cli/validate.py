"""`graphbuild validate --graph DIR`: SHACL shapes and every `*-violation.rq` on a built graph.

Prints one line per violation (trial, node, rule, message) and a summary. Exit status: 0 when
the graph conforms (warnings allowed), 1 when it does not, 2 when the graph cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from graphbuild.cli.options import add_graph_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a built graph against the SHACL shapes and the violation queries",
        description="Validate a built graph, opened read-only: SHACL shapes (ontology/shapes.ttl) "
        "per chunk of trial graphs, then every queries/*-violation.rq over the whole graph. "
        "Exit status 1 when it does not conform.",
    )
    add_graph_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="N",
        help="trial graphs per SHACL run (default: the engine's, 10 for rudof, 100 for pyshacl)",
    )
    parser.add_argument(
        "--no-shacl",
        dest="shacl",
        action="store_false",
        help="run only the violation queries (fast on large graphs)",
    )
    parser.add_argument(
        "--shacl-engine",
        choices=("rudof", "pyshacl"),  # graphbuild.validate.SHACL_ENGINES (a test checks they agree)
        default="rudof",
        help="SHACL engine: pyrudof (Rust, default) or pyshacl (a cross-check) (default: %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild.queries import open_graph
    from graphbuild.validate import validate

    try:
        store = open_graph(args.graph)
    except (OSError, ValueError) as exc:
        print(f"graphbuild validate: {exc}", file=sys.stderr)
        return 2
    chunk_size = args.chunk_size  # None: the SHACL engine's own default
    if chunk_size is not None and chunk_size < 1:
        print("graphbuild validate: --chunk-size must be at least 1", file=sys.stderr)
        return 2
    report = validate(store, chunk_size=chunk_size, shacl=args.shacl, engine=args.shacl_engine)
    if args.format == "json":
        payload = {
            "conforms": report.conforms,
            "trials": report.trials,
            "violations": [asdict(v) for v in report.violations],
            "query_rows": report.query_rows,
            "seconds": report.seconds,
        }
        json.dump(payload, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(report)
    return 0 if report.conforms else 1
