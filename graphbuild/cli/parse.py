"""`graphbuild parse INPUT... [--format jsonl|summary]`: read records, print them typed.

JSON lines of Records go to stdout; a summary (records per format, every reject with file,
record, field and reason) goes to stderr, or to stdout with `--format summary`. The exit
status is 1 when anything was rejected, so scripts can gate on clean input.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import TextIO

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphbuild.model import Reject


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "parse",
        help="read trial records (flat text, CSV export, API v2 JSON, legacy XML) and print them typed",
        description=(
            "Read trial records from files, folders, globs, zip/gzip archives or '-' (stdin) and "
            "print each as one JSON line; the summary and rejects go to stderr."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="file, folder, glob, archive, or - for stdin"
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "summary"),
        default="jsonl",
        help="jsonl: records as JSON lines on stdout (default); summary: only the summary, on stdout",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild.model import Record  # the readers load only when the command runs
    from graphbuild.readers import dumps, read_inputs

    out = sys.stdout
    per_format: Counter[str] = Counter()
    rejects: list[Reject] = []
    for item in read_inputs(args.inputs, stdin=sys.stdin.buffer):
        if isinstance(item, Record):
            per_format[str(item.format)] += 1
            if args.format == "jsonl":
                out.write(dumps(item))
                out.write("\n")
        else:
            rejects.append(item)
    write_summary(per_format, rejects, out if args.format == "summary" else sys.stderr)
    return 1 if rejects else 0


def write_summary(per_format: Counter[str], rejects: list[Reject], stream: TextIO) -> None:
    """`records: 1562 (csv 1245, json 113, ...)`, then one line per reject."""
    total = sum(per_format.values())
    formats = ", ".join(f"{name} {count}" for name, count in sorted(per_format.items()))
    stream.write(f"records: {total}" + (f" ({formats})" if formats else "") + "\n")
    stream.write(f"rejects: {len(rejects)}\n")
    stream.writelines(f"  {reject}\n" for reject in rejects)
