"""`graphbuild convert --to flat INPUT... -o DIR`: records from any format -> flat text files.

One file per record, named from its trial id (`NCT01234567.txt`; a second record with the
same id, say the same trial read from another format, gets `NCT01234567.xml.txt`). DIR is
written atomically: it holds the previous conversion or the new one, never a mix, and a DIR
holding anything but `.txt` files is refused rather than replaced. Rejects and a summary go to
stderr as `graphbuild parse` writes them; the exit status is 1 when anything was rejected.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from graphbuild.cli.parse import write_summary
from graphbuild.model import Record, Reject
from graphbuild.readers import read_inputs

TARGETS = ("flat",)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "convert",
        help="write trial records (any input format) as flat text files, one per record",
        description=(
            "Read trial records from files, folders, globs, archives or '-' (stdin) and write "
            "each as a flat text file (the seed layout) into DIR, named from its trial id."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="file, folder, glob, archive, or - for stdin"
    )
    parser.add_argument("--to", choices=TARGETS, default="flat", help="output layout (flat)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="folder for the written files"
    )
    parser.set_defaults(handler=run)


def file_name(record: Record, taken: set[str]) -> str:
    """`<trial id>.txt`, or `<trial id>.<format>[.<n>].txt` when that name is taken."""
    base = _UNSAFE.sub("_", record.trial_id).strip("._") or "record"
    candidates = [f"{base}.txt", f"{base}.{record.format}.txt"]
    name = next((c for c in candidates if c not in taken), None)
    n = 2
    while name is None:
        if (c := f"{base}.{record.format}.{n}.txt") not in taken:
            name = c
        n += 1
    taken.add(name)
    return name


def _refuse(out: Path) -> str | None:
    if out.exists() and not out.is_dir():
        return f"{out} exists and is not a folder"
    if out.is_dir() and out.resolve() == Path.cwd().resolve():
        return f"{out} is the current folder; name a folder for the converted files"
    if out.is_dir():
        stray = next((p for p in out.iterdir() if not (p.is_file() and p.suffix == ".txt")), None)
        if stray is not None:
            return f"{out} holds {stray.name}, which is not a converted record; not replacing it"
    return None


def run(args: argparse.Namespace) -> int:
    from graphbuild.export.atomic import atomic_directory
    from graphbuild.writers.flat import NoTitle, flat_fields, read_back, to_flat

    out = Path(args.output)
    problem = _refuse(out)
    if problem:
        print(f"graphbuild convert: {problem}", file=sys.stderr)
        return 2
    per_format: Counter[str] = Counter()
    rejects: list[Reject] = []
    taken: set[str] = set()
    differ: list[str] = []
    with atomic_directory(out) as staging:
        for item in read_inputs(args.inputs, stdin=sys.stdin.buffer):
            if not isinstance(item, Record):
                rejects.append(item)
                continue
            try:
                text = to_flat(item)
            except NoTitle:
                where = item.source
                rejects.append(
                    Reject(
                        f"{where.file}!{where.member}" if where.member else where.file,
                        where.record,
                        "brief_title",
                        "no title: the flat layout reads its first line with text as the title",
                    )
                )
                continue
            per_format[str(item.format)] += 1
            name = file_name(item, taken)
            (staging / name).write_text(text, encoding="utf-8")
            back = read_back(text, name)
            if back is None or flat_fields(back) != flat_fields(item):
                differ.append(name)
    write_summary(per_format, rejects, sys.stderr)
    total = sum(per_format.values())
    print(
        f"wrote {total} flat files to {out}; {total - len(differ)} read back field for field",
        file=sys.stderr,
    )
    for name in differ:
        print(f"  {name}: reads back with different fields", file=sys.stderr)
    return 1 if rejects else 0
