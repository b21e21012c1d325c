"""`graphbuild build INPUT... -o DIR`: build the graph, print a summary and the rejects.

Exit status: 0 when every record landed, 1 when some were rejected (everything valid still
landed and the outputs were written), 2 on usage errors, 4 when a Dask shard failed on every
attempt (`--scheduler`; nothing was committed).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

MAX_LISTED_REJECTS = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build the graph from record files, folders or archives",
        description="Read trial records, extract, and build the RDF graph into DIR: an Oxigraph "
        "store (store/), graph.nq, report.json, report.md and report.html (the landscape page, "
        "see `graphbuild report`); graph.ttl (merged graph) with --turtle.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, archives or -")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="build directory")
    parser.add_argument("--memory", action="store_true", help="keep the store in memory (no store/ in DIR)")
    parser.add_argument("--no-reason", dest="reason", action="store_false", help="skip reasoning")
    parser.add_argument("--no-validate", dest="validate", action="store_false", help="skip SHACL validation")
    parser.add_argument("--turtle", action="store_true", help="also write graph.ttl (the merged graph as Turtle)")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="extraction processes (default: CPUs)")
    parser.add_argument(
        "--no-report-html", dest="report_html", action="store_false",
        help="do not write report.html (the landscape page)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="read and extract as Dask tasks over file shards: tcp://HOST:PORT (a running Dask "
        "scheduler) or local:N (a LocalCluster of N worker processes); every INPUT must be a "
        "path each worker can read (a shared folder), and the workers need graphbuild installed "
        "(pip install 'graphbuild[dask]')",
    )
    parser.add_argument(
        "--shard-dir", metavar="DIR",
        help="with --scheduler: where the workers write their N-Quads shards, a folder both the "
        "workers and this machine can read (default: inside -o DIR); removed after the build",
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--quiet", "-q", action="store_true", help="print only rejects and errors")
    progress.add_argument("--progress", action="store_true", help="show progress bars even when stderr is not a terminal")
    parser.add_argument("-v", "--verbose", action="store_true", help="say how long each stage took")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from graphbuild.build import build  # the stages load only when the command runs
    from graphbuild.build.commit import BuildLocked

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        args.parser.error(f"-o {out}: exists and is not a directory")  # exits 2
    if args.workers is not None and args.workers < 1:
        args.parser.error("--workers must be at least 1")

    if args.shard_dir is not None and args.scheduler is None:
        args.parser.error("--shard-dir goes with --scheduler")
    source: contextlib.AbstractContextManager = contextlib.nullcontext()
    failures: tuple[type[Exception], ...] = ()  # what ends the build with exit status 4
    if args.scheduler is not None:
        from graphbuild.build.cluster import DaskSource, DaskUnavailable, ShardFailed

        try:
            source = DaskSource(args.scheduler, args.shard_dir, turtle=args.turtle)
            failures = (ShardFailed,)
        except (DaskUnavailable, ValueError) as exc:
            args.parser.error(str(exc))  # exits 2

    from graphbuild.cli.progress import StageBars

    bars = not args.quiet and (args.progress or sys.stderr.isatty())
    progress = StageBars(sys.stderr, bars=bars, verbose=args.verbose)
    try:
        with source as executor:
            report = build(
                args.inputs,
                out,
                memory=args.memory,
                reason=args.reason,
                validate=args.validate,
                workers=args.workers,
                progress=progress,
                report_html=args.report_html,
                turtle=args.turtle,
                source=executor,
            )
    except BuildLocked as exc:  # another build is writing into the same folder
        print(f"graphbuild build: {exc}", file=sys.stderr)
        return 3
    except failures as exc:
        print(f"graphbuild build: {exc}; nothing was committed to {out}", file=sys.stderr)
        return 4
    finally:
        progress.close()

    if report.rejects:
        print(f"{len(report.rejects)} rejected record(s):", file=sys.stderr)
        for reject in report.rejects[:MAX_LISTED_REJECTS]:
            print(f"  {reject}", file=sys.stderr)
        if len(report.rejects) > MAX_LISTED_REJECTS:
            more = len(report.rejects) - MAX_LISTED_REJECTS
            print(f"  ... and {more} more: see {out / 'report.md'}", file=sys.stderr)
    if not args.quiet:
        print(report.summary())
    return report.exit_code
