"""`graphbuild build INPUT... -o DIR`: build the graph, print a summary and the rejects.

Exit status: 0 when every record landed, 1 when some were rejected (everything valid still
landed and the outputs were written), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

MAX_LISTED_REJECTS = 20


class ProgressLine:
    """A one-line progress display on a stream (stderr), redrawn at most a few times a second.
    Only used when the stream is a terminal or the user asked for it."""

    def __init__(self, stream: TextIO, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False
        self.state: tuple[int, int] | None = None

    def __call__(self, done: int, rejected: int) -> None:
        self.state = (done, rejected)
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        done, rejected = self.state
        rate = done / max(now - self.started, 1e-9)
        self.stream.write(f"\r  {done} records read, {rejected} rejected, {rate:.0f} records/s ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Draw the final count and end the line."""
        if self.state is not None:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build the graph from record files, folders or archives",
        description="Read trial records, extract, and build the RDF graph into DIR: an Oxigraph "
        "store (store/), graph.nq, report.json and report.md; graph.ttl (merged graph) with --turtle.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, archives or -")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="build directory")
    parser.add_argument("--memory", action="store_true", help="keep the store in memory (no store/ in DIR)")
    parser.add_argument("--no-reason", dest="reason", action="store_false", help="skip reasoning")
    parser.add_argument("--no-validate", dest="validate", action="store_false", help="skip SHACL validation")
    parser.add_argument("--turtle", action="store_true", help="also write graph.ttl (the merged graph as Turtle)")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="extraction processes (default: CPUs)")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--quiet", "-q", action="store_true", help="print only rejects and errors")
    progress.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from graphbuild.build import build  # the stages load only when the command runs
    from graphbuild.build.commit import BuildLocked

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        args.parser.error(f"-o {out}: exists and is not a directory")  # exits 2
    if args.workers is not None and args.workers < 1:
        args.parser.error("--workers must be at least 1")

    show_progress = not args.quiet and (args.progress or sys.stderr.isatty())
    progress = ProgressLine(sys.stderr) if show_progress else None
    try:
        report = build(
            args.inputs,
            out,
            memory=args.memory,
            reason=args.reason,
            validate=args.validate,
            workers=args.workers,
            progress=progress,
            turtle=args.turtle,
        )
    except BuildLocked as exc:  # another build is writing into the same folder
        print(f"graphbuild build: {exc}", file=sys.stderr)
        return 3
    finally:
        if progress is not None:
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
