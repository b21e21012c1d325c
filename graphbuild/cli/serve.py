"""`graphbuild serve --graph DIR`: the read-only SPARQL 1.1 Protocol endpoint."""

from __future__ import annotations

import argparse
import sys

from graphbuild.endpoint import config as endpoint  # the defaults; the server loads in run
from graphbuild.cli.options import add_graph_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a built graph over the SPARQL 1.1 Protocol (read-only)",
        description="Serve a built graph as a read-only SPARQL endpoint: /sparql for queries, "
        "/queries/NAME for stored queries, / for a page listing them.",
    )
    add_graph_option(parser)
    parser.add_argument(
        "--host",
        default=endpoint.DEFAULT_HOST,
        help="address to listen on (default %(default)s: this machine only)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=endpoint.DEFAULT_PORT,
        help="port (default %(default)s; 0 picks a free one)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=endpoint.DEFAULT_TIMEOUT,
        help="seconds a query may run before it is stopped (default %(default)s)",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=endpoint.DEFAULT_MAX_ROWS,
        help="most rows (or triples) one answer carries (default %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=endpoint.DEFAULT_WORKERS,
        help="queries that can run at once (default %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild import serve as endpoint  # noqa: F811 - the server, only when it runs

    if args.timeout <= 0 or args.max_rows < 1 or args.workers < 1:
        print(
            "graphbuild serve: --timeout, --max-rows and --workers must be positive",
            file=sys.stderr,
        )
        return 2
    if not endpoint.is_loopback(args.host):
        print(
            f"graphbuild serve: warning: listening on {args.host}, reachable from other machines",
            file=sys.stderr,
        )
    config = endpoint.ServeConfig(
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
    )
    try:
        server = endpoint.make_server(args.graph, config)
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"graphbuild serve: {exc}", file=sys.stderr)
        return 1
    print(
        f"graphbuild: SPARQL endpoint on {server.url}sparql (stored queries at {server.url})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
