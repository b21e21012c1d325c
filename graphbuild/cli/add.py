"""`graphbuild add INPUT... --graph DIR`: put changed or new trial records into a build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from graphbuild.cli.options import add_graph_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "add",
        help="replace (or add) the named graphs of the given trials in an existing build",
        description="Read trial records and put each into the build in DIR: its trial's named "
        "graph is replaced by exactly the new record's triples, other trials are untouched; "
        "the vocabulary and inferred graphs, validation and report.json / report.md are brought "
        "up to date for the changed trials only, in a new build made current atomically. "
        "graph.nq (graph.ttl) is rewritten only with --dumps (it holds every trial); "
        "`graphbuild export nquads` writes the dataset from the store at any time.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, archives or -")
    add_graph_option(parser, datasets=False)
    parser.add_argument("--no-reason", dest="reason", action="store_false", help="skip re-running the inferences")
    parser.add_argument("--no-validate", dest="validate", action="store_false", help="skip validating the changed trials")
    parser.add_argument(
        "--dumps", action="store_true", help="also rewrite graph.nq (and graph.ttl): proportional to the build, not the change"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print only rejects and errors")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild.build.add import add  # the stages load only when the command runs
    from graphbuild.build.commit import BuildLocked

    try:
        report = add(args.inputs, Path(args.graph), reason=args.reason, validate=args.validate, dumps=args.dumps)
    except (FileNotFoundError, BuildLocked) as exc:
        print(f"graphbuild add: {exc}", file=sys.stderr)
        return 1
    for reject in report.rejects:
        print(f"  rejected: {reject}", file=sys.stderr)
    if not args.quiet:
        print(report.summary())
    return 1 if report.rejects else 0
