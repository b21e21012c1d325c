#!/usr/bin/env python3
"""Records per second for each reader, against the plain parse of the same bytes.

For each data set the files are loaded into memory once, then read repeatedly through the
graphbuild reader and through the bare standard-library parse (`json.loads`, `csv.DictReader`,
`xml.etree.ElementTree.fromstring`, splitting lines), so the ratio shows what typing,
normalization and outcome splitting cost on top of parsing. One core, CPU time, no disk I/O in
the loop. `json-download` is the website download of 100 leukemia studies (typical record
size); `json` is the whole JSON corpus, whose two studies with posted results weigh 1.6 MB.

    python benchmarks/bench_readers.py [--shared DIR] [--seconds 1.0] [SET ...]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from graphbuild.model import Reject
from graphbuild.readers import registry

SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REPO = Path(__file__).resolve().parents[1]
csv.field_size_limit(1 << 30)


def _json_plain(data: bytes) -> int:
    value = json.loads(data)
    return len(value) if isinstance(value, list) else len(value.get("studies", [value]))


def _csv_plain(data: bytes) -> int:
    return sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xml_plain(data: bytes) -> int:
    ET.fromstring(data)
    return 1


def _flat_plain(data: bytes) -> int:
    data.decode("utf-8").split("\n")
    return 1


# data set -> (reader, folder, glob, plain parse name, plain parse)
SETS: dict[str, tuple[str, str, str, str, Callable[[bytes], int]]] = {
    "json": ("json", "corpus/ctgov_api_v2_json", "*.json", "json.loads", _json_plain),
    "json-download": (
        "json",
        "corpus/ctgov_api_v2_json",
        "dgg32_graph_bigquery_leukemia_ctg-studies.json",
        "json.loads",
        _json_plain,
    ),
    "csv": ("csv", "corpus/ctgov_csv_export", "*.csv", "csv.DictReader", _csv_plain),
    "xml": ("xml", "corpus/ctgov_xml_2018", "*.xml", "ET.fromstring", _xml_plain),
    "flat": ("flat", "", "*.txt", "split lines", _flat_plain),
}


def _files(folder: str, pattern: str) -> list[tuple[str, bytes]]:
    base = SHARED / folder if folder else REPO / "examples"
    return [(str(p), p.read_bytes()) for p in sorted(base.glob(pattern))]


def _rate(run: Callable[[], int], seconds: float) -> tuple[float, int]:
    """Records per CPU second of `run` (which returns the records it read)."""
    count = run()  # warm up (regex compilation, caches)
    start = time.process_time()
    loops = 0
    while True:
        count = run()
        loops += 1
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return count * loops / elapsed, count


def bench(name: str, seconds: float) -> tuple[float, float, int, int] | None:
    """(graphbuild rec/s, plain rec/s, records, bytes) for one data set."""
    reader, folder, pattern, _, plain_fn = SETS[name]
    files = _files(folder, pattern)
    if not files:
        return None
    read = registry.get(reader).read

    def ours() -> int:
        n = 0
        for file, data in files:
            for item in read(io.BytesIO(data), file):
                if isinstance(item, Reject):
                    raise SystemExit(f"unexpected reject in benchmark data: {item}")
                n += 1
        return n

    def plain() -> int:
        return sum(plain_fn(data) for _, data in files)

    ours_rate, records = _rate(ours, seconds)
    plain_rate, _ = _rate(plain, seconds)
    return ours_rate, plain_rate, records, sum(len(d) for _, d in files)


def main(argv: list[str] | None = None) -> int:
    global SHARED
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU time per measurement")
    parser.add_argument("sets", nargs="*", default=list(SETS), metavar="SET", help=", ".join(SETS))
    args = parser.parse_args(argv)
    unknown = set(args.sets) - set(SETS)
    if unknown:
        parser.error(f"unknown set(s) {sorted(unknown)}; choose from {', '.join(SETS)}")
    SHARED = args.shared
    print(
        f"{'set':14} {'records':>7} {'MB':>5} {'rec/s':>8} {'MB/s':>6} {'plain rec/s':>11}  ratio  plain"
    )
    for name in args.sets:
        result = bench(name, args.seconds)
        if result is None:
            print(f"{name:14} no data")
            continue
        ours, plain, records, size = result
        mb = size / 1e6
        print(
            f"{name:14} {records:7d} {mb:5.2f} {ours:8,.0f} {ours * mb / records:6.1f} "
            f"{plain:11,.0f}  {ours / plain:5.2f}  {SETS[name][3]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
