"""Fuzz the readers with the mutation corpus: prints inputs tried, rejects, crashes, hangs and
records lost (the figures the README quotes), and every failure.

    python scripts/fuzz_inputs.py [--seed 9] [--flips 40] [--xml-files 20] [--timeout 120] [--no-extract]

Mutants are made from the shared corpus and the bundled examples (tests/mutations.py); each is
read beside untouched good files, every record it gives is extracted, and the outcome judged:
only records and rejects that name file, record and field, in bounded time, no good record lost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import mutations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--flips", type=int, default=40, help="byte flips per real record file")
    parser.add_argument("--xml-files", type=int, default=20, help="legacy XML files mutated")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per input before it counts as a hang")
    parser.add_argument("--no-extract", action="store_true", help="read only, do not extract")
    args = parser.parse_args()

    start = time.perf_counter()
    all_mutants = list(mutations.mutants(args.shared / "corpus", REPO / "examples", seed=args.seed, flips=args.flips, xml_files=args.xml_files))
    with tempfile.TemporaryDirectory() as tmp:
        good, good_ids = mutations.good_batch(args.shared / "corpus", REPO / "examples", Path(tmp) / "good")
        work = Path(tmp) / "work"
        work.mkdir()
        results = mutations.run(all_mutants, str(work), good, good_ids, args.timeout, not args.no_extract)
    kinds = Counter(m.name.split("/")[0] for m in all_mutants)
    print(f"mutation kinds: {dict(sorted(kinds.items()))}")
    for name, value in mutations.figures(all_mutants, results).items():
        print(f"{name:>26}: {value:,}")
    for r in sorted(results, key=lambda r: -r.seconds)[:3]:
        print(f"{'slow input':>26}: {r.seconds:.1f} s ({r.name})")
    print(f"{'wall time':>26}: {time.perf_counter() - start:.0f} s")
    bad = [r for r in results if not r.ok]
    for r in bad:
        print(f"FAIL {r.name}: crash={r.crash!r} hang={r.hang} lost={r.lost} unnamed={r.unnamed[:2]}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
