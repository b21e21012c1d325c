#!/usr/bin/env python3
"""Records per second for each reader, against the plain parse of the same bytes.

For each format the corpus files are loaded into memory once, then read repeatedly through the
graphbuild reader and through the bare standard-library parse (`json.loads`, `csv.DictReader`,
`xml.etree.ElementTree.fromstring`, splitting lines) so the ratio shows what the typed mapping,
normalization and outcome splitting cost on top of parsing. One core, no I/O in the loop.

    python benchmarks/bench_readers.py [--corpus DIR] [--seconds 1.0]
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
from pathlib import Path
from typing import Callable

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


PLAIN: dict[str, tuple[str, Callable[[bytes], int]]] = {
    "json": ("json.loads", _json_plain),
    "csv": ("csv.DictReader", _csv_plain),
    "xml": ("ElementTree.fromstring", _xml_plain),
    "flat": ("str.split lines", _flat_plain),
}
SOURCES = {
    "json": ("corpus/ctgov_api_v2_json", "*.json"),
    "csv": ("corpus/ctgov_csv_export", "*.csv"),
    "xml": ("corpus/ctgov_xml_2018", "*.xml"),
}


def _files(fmt: str) -> list[tuple[str, bytes]]:
    if fmt == "flat":
        paths = sorted((REPO / "examples").glob("*.txt"))
    else:
        folder, pattern = SOURCES[fmt]
        paths = sorted((SHARED / folder).glob(pattern))
    return [(str(p), p.read_bytes()) for p in paths]


def _rate(run: Callable[[], int], seconds: float) -> tuple[float, int]:
    """Records per second of `run` (which returns the records it read), repeated for ~seconds."""
    count = run()  # warm up (regex compilation, caches)
    start = time.perf_counter()
    loops = 0
    while True:
        count = run()
        loops += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count * loops / elapsed, count


def bench(fmt: str, seconds: float) -> tuple[float, float, int, int] | None:
    files = _files(fmt)
    if not files:
        return None
    read = registry.get(fmt).read
    size = sum(len(d) for _, d in files)

    def ours() -> int:
        n = 0
        for name, data in files:
            for item in read(io.BytesIO(data), name):
                if isinstance(item, Reject):
                    raise SystemExit(f"unexpected reject in benchmark data: {item}")
                n += 1
        return n

    plain_fn = PLAIN[fmt][1]

    def plain() -> int:
        return sum(plain_fn(data) for _, data in files)

    ours_rate, records = _rate(ours, seconds)
    plain_rate, _ = _rate(plain, seconds)
    return ours_rate, plain_rate, records, size


def main(argv: list[str] | None = None) -> int:
    global SHARED
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("formats", nargs="*", default=["json", "csv", "xml", "flat"])
    args = parser.parse_args(argv)
    SHARED = args.shared
    print(f"{'format':6} {'records':>8} {'MB':>6} {'graphbuild rec/s':>17} {'plain rec/s':>12}  ratio  (plain = ...)")
    for fmt in args.formats:
        result = bench(fmt, args.seconds)
        if result is None:
            print(f"{fmt:6} no data")
            continue
        ours, plain, records, size = result
        print(
            f"{fmt:6} {records:8d} {size / 1e6:6.2f} {ours:17,.0f} {plain:12,.0f}  "
            f"{ours / plain:5.2f}  ({PLAIN[fmt][0]})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
