"""`graphbuild push --graph DIR (--sparql-gsp URL | --sparql-update URL)`: load a build into a
server triplestore, one named graph per trial.

Exit status: 0 when every graph was sent, 1 when the server refused or kept failing (the
position is saved: the same command continues there), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from graphbuild.cli.options import add_graph_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "push",
        help="push a build into a server triplestore (Graph Store Protocol or SPARQL Update)",
        description="Send the named graphs of a build (one per trial, plus the vocabulary, "
        "inferred and build graphs) to a server store; each graph replaces the server's graph "
        "of the same IRI, so pushing again is idempotent. The position and the hash of every "
        "graph sent are kept in DIR/push-state.json. Credentials: GRAPHBUILD_PUSH_USER and "
        "GRAPHBUILD_PUSH_PASSWORD, else the netrc entry of the server's host ($NETRC or "
        "~/.netrc); Basic or Digest, as the server asks.",
    )
    add_graph_option(parser, datasets=False)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sparql-gsp", metavar="URL", help="Graph Store HTTP Protocol endpoint (PUT URL?graph=IRI)")
    where.add_argument("--sparql-update", metavar="URL", help="SPARQL 1.1 Update endpoint (DROP SILENT GRAPH + INSERT DATA)")
    parser.add_argument("--only-changed", action="store_true", help="send only graphs whose hash differs from the last push to this URL")
    parser.add_argument("--restart", action="store_true", help="start over instead of continuing an unfinished push")
    parser.add_argument("--batch", type=int, default=100, metavar="N", help="graphs per batch (the position is saved after each)")
    parser.add_argument("--retries", type=int, default=5, metavar="N", help="retries of a failed request, with backoff")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from graphbuild.push import push
    from graphbuild.push.http import PushError

    folder = Path(args.graph)
    if not folder.is_dir():
        args.parser.error(f"--graph {folder}: not a build folder")
    if args.batch < 1 or args.retries < 0:
        args.parser.error("--batch must be at least 1 and --retries at least 0")
    try:
        report = push(
            folder, gsp=args.sparql_gsp, update=args.sparql_update, only_changed=args.only_changed,
            batch=args.batch, retries=args.retries, restart=args.restart,
        )
    except (PushError, FileNotFoundError, ValueError) as exc:
        print(f"graphbuild push: {exc}", file=sys.stderr)
        print("the position is saved in push-state.json: run the same command to continue", file=sys.stderr)
        return 1
    if not args.quiet:
        print(report.summary())
    return 0
