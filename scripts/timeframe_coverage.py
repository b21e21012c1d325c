"""Coverage of time-frame parsing and endpoint concepts over the shared corpus, per format.

Prints, for the JSON, CSV and XML records (and the seeds when present): how many outcomes there
are, the share of non-empty time frames that get bounds, the share of outcomes with at least
one concept, and records per second. `--samples N` also prints N time frames left without
bounds and N outcomes left without a concept, to read by eye (precision is checked that way,
and by the gold set).

    python scripts/timeframe_coverage.py [CORPUS_DIR ...] [--samples 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from graphbuild.extract.endpoints.outcomes import extract_endpoints, find_concepts
from graphbuild.model import Record
from graphbuild.readers.inputs import read_inputs

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUTS = [REPO.parent / "shared" / "corpus", REPO.parent / "shared" / "seeds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path, default=DEFAULT_INPUTS)
    parser.add_argument("--samples", type=int, default=0, help="print this many misses of each kind")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the samples")
    args = parser.parse_args(argv)

    inputs = [p for p in args.inputs if p.exists()]
    if not inputs:
        print("no input found", file=sys.stderr)
        return 2
    records = [r for r in read_inputs(inputs) if isinstance(r, Record)]

    start = time.perf_counter()
    find_concepts("compile the vocabularies once")
    compiled = time.perf_counter() - start
    start = time.perf_counter()
    results = [(record, extract_endpoints(record)) for record in records]
    elapsed = time.perf_counter() - start

    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unparsed: list[str] = []
    unnamed: list[str] = []
    for record, endpoints in results:
        row = stats[record.format.value]
        row["records"] += 1
        for endpoint in endpoints:
            row["outcomes"] += 1
            if endpoint.time_frame.text.strip():
                row["frames"] += 1
                row["bounded"] += endpoint.time_frame.parsed
                if not endpoint.time_frame.parsed:
                    unparsed.append(endpoint.time_frame.text)
            row["with_concept"] += bool(endpoint.concepts)
            if not endpoint.concepts:
                unnamed.append(f"{endpoint.measure[:100]} | {endpoint.description[:100]}")

    print(f"{'format':8} {'records':>8} {'outcomes':>9} {'time frames':>12} {'with bounds':>12} {'with concept':>13}")
    total: dict[str, int] = defaultdict(int)
    for fmt in sorted(stats):
        row = stats[fmt]
        for key, value in row.items():
            total[key] += value
        _print_row(fmt, row)
    _print_row("all", total)
    print(f"\nendpoint extraction: {len(records)} records in {elapsed:.2f} s "
          f"({len(records) / max(elapsed, 1e-9):.0f} records/s; vocabularies compiled once in {compiled:.2f} s)")

    if args.samples:
        rng = random.Random(args.seed)
        for title, misses in (("time frames without bounds", unparsed), ("outcomes without a concept", unnamed)):
            print(f"\n{title} ({len(misses)}), a sample:")
            for text in rng.sample(misses, min(args.samples, len(misses))):
                print("  ", text.replace("\n", " "))
    return 0


def _print_row(fmt: str, row: dict[str, int]) -> None:
    frames, outcomes = max(row["frames"], 1), max(row["outcomes"], 1)
    print(
        f"{fmt:8} {row['records']:>8} {row['outcomes']:>9} {row['frames']:>12} "
        f"{row['bounded'] / frames:>12.1%} {row['with_concept'] / outcomes:>13.1%}"
    )


if __name__ == "__main__":
    sys.exit(main())
