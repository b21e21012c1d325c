#!/usr/bin/env python3
"""Real-text trial records at any scale, for benchmarks: the corpus records (CSV rows, API v2
JSON studies, legacy XML files) copied round-robin, each copy under a fresh NCT id (every
occurrence of the original id in the record's text replaced), written to a folder the caller
names (a temporary one: the copies never enter the repository).

    python benchmarks/make_trials.py 10000 /tmp/trials [--corpus DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from pathlib import Path

SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", Path(__file__).resolve().parents[2] / "shared"))
NCT = re.compile(r"NCT\d{8}")
FIRST_ID = 90_000_000  # fresh ids NCT90000000, NCT90000001, ...: no real trial has them yet
CSV_ROWS_PER_FILE = 1000
JSON_STUDIES_PER_FILE = 500


def corpus_units(corpus: Path) -> list[tuple[str, object, str]]:
    """(format, record, its NCT id) for every corpus record that names one."""
    units: list[tuple[str, object, str]] = []
    header: list[str] | None = None
    csv.field_size_limit(1 << 30)
    for path in sorted((corpus / "ctgov_csv_export").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows = csv.reader(handle)
            file_header = next(rows)
            header = header or file_header
            if file_header != header:
                continue
            for row in rows:
                found = NCT.search(row[0]) if row else None
                if found:
                    units.append(("csv", row, found.group()))
    for path in sorted((corpus / "ctgov_api_v2_json").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        studies = data if isinstance(data, list) else data.get("studies", [data])
        for study in studies:
            text = json.dumps(study, ensure_ascii=False)
            found = NCT.search(text)
            if found:
                units.append(("json", text, found.group()))
    for path in sorted((corpus / "ctgov_xml_2018").glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        found = NCT.search(text)
        if found:
            units.append(("xml", text, found.group()))
    units.append(("header", header, ""))
    return units


def generate(n: int, out: Path, corpus: Path) -> int:
    """Write `n` records under fresh ids into `out`; returns how many were written."""
    units = corpus_units(corpus)
    header = units.pop()[1]
    out.mkdir(parents=True, exist_ok=True)
    (out / "xml").mkdir(exist_ok=True)
    csv_rows: list[list[str]] = []
    json_studies: list[str] = []
    files = {"csv": 0, "json": 0}

    def flush_csv() -> None:
        with open(out / f"copies-{files['csv']:05d}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(csv_rows)
        files["csv"] += 1
        csv_rows.clear()

    def flush_json() -> None:
        (out / f"copies-{files['json']:05d}.json").write_text(
            "[" + ",\n".join(json_studies) + "]", encoding="utf-8"
        )
        files["json"] += 1
        json_studies.clear()

    for i in range(n):
        kind, record, original = units[i % len(units)]
        fresh = f"NCT{FIRST_ID + i:08d}"
        if kind == "csv":
            csv_rows.append([cell.replace(original, fresh) for cell in record])  # type: ignore[union-attr]
            if len(csv_rows) >= CSV_ROWS_PER_FILE:
                flush_csv()
        elif kind == "json":
            json_studies.append(str(record).replace(original, fresh))
            if len(json_studies) >= JSON_STUDIES_PER_FILE:
                flush_json()
        else:
            (out / "xml" / f"{fresh}.xml").write_text(str(record).replace(original, fresh), encoding="utf-8")
    if csv_rows:
        flush_csv()
    if json_studies:
        flush_json()
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="records to write")
    parser.add_argument("out", type=Path, help="folder to write them into (a temporary one)")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    generate(args.n, args.out, args.corpus)
    print(f"{args.n} records in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
