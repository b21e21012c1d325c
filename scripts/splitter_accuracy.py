#!/usr/bin/env python3
"""How often the outcome splitter recovers measure, description and time frame exactly.

Known answers come from the API v2 JSON corpus, which keeps the three parts apart: each outcome
is joined the way the CSV export joins it, split back, and compared. Usage:

    python scripts/splitter_accuracy.py [JSON_DIR_OR_FILE ...] [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from graphbuild.readers.outcomes import splitter_accuracy

DEFAULT = Path(os.environ.get("GRAPHBUILD_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEFAULT_DIR = DEFAULT / "corpus" / "ctgov_api_v2_json"
_ROLES = ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")


def known_outcomes(paths: list[Path]) -> list[tuple[str, str, str]]:
    """Every (measure, description, timeFrame) of every study in the given JSON files."""
    out: list[tuple[str, str, str]] = []
    files = sorted(
        p for path in paths for p in ([path] if path.is_file() else path.rglob("*.json"))
    )
    for file in files:
        data = json.loads(file.read_bytes())
        studies = data if isinstance(data, list) else data.get("studies", [data])
        for study in studies:
            module = study.get("protocolSection", {}).get("outcomesModule", {})
            for role in _ROLES:
                for o in module.get(role, ()):
                    out.append(
                        (o.get("measure", ""), o.get("description", ""), o.get("timeFrame", ""))
                    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_DIR])
    parser.add_argument("--show", type=int, default=0, help="print the first N misses")
    args = parser.parse_args(argv)
    outcomes = known_outcomes(args.paths)
    if not outcomes:
        print("no outcomes found", file=sys.stderr)
        return 1
    hits, misses = splitter_accuracy(outcomes)
    with_commas = sum(", " in t for _, _, t in outcomes)
    no_description = sum(not d for _, d, _ in outcomes)
    print(
        f"outcomes: {len(outcomes)} ({with_commas} with ', ' in the time frame, "
        f"{no_description} without description)"
    )
    print(f"exact 3-part recoveries: {hits}/{len(outcomes)} = {hits / len(outcomes):.4f}")
    for expected, got in misses[: args.show]:
        print("\nexpected:", expected, "\n     got:", got)
    return 0


if __name__ == "__main__":
    sys.exit(main())
