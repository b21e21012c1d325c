"""Draw the gold-set sample (issue 8): a seeded random sample of corpus records, not a choice.

Every record of ../shared/corpus is listed with its format, start year and whether its
interventions look like a cell or antibody therapy (a coarse keyword test used only to
stratify the draw so at least half the sample is such a therapy). Records already in the v1
gold set are left out. The draw is stratified by format x therapy class, seeded, and each drawn
record is assigned to the development or the frozen test half by a second seeded draw.

    python scripts/sample_gold.py --out tests/gold/sample.jsonl

Run once; the output is committed, and re-running with the same seed and corpus gives the
same file byte for byte.

    python scripts/sample_gold.py --supplement --out tests/gold/sample_dev2.jsonl

draws a second, smaller sample (seed + 1) for the development half alone, leaving out every
trial already in the gold set (either half, any format). It was drawn after the split, so its
records are measured once before any tuning on them: a second figure on records never tuned on.

    python scripts/sample_gold.py --supplement 2 --out tests/gold/sample_dev3.jsonl
    python scripts/sample_gold.py --supplement 3 --out tests/gold/sample_dev4.jsonl
    python scripts/sample_gold.py --supplement 4 --out tests/gold/sample_dev5.jsonl
    python scripts/sample_gold.py --supplement 5 --out tests/gold/sample_dev6.jsonl

draw the third (seed + 2) to the sixth (seed + 5) the same way, each after the one before joined
the development half: each leaves out the first draw, the v1 records and every earlier
supplement's draw.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

from graphbuild.model import Record
from graphbuild.readers.inputs import read_inputs

SEED = 20261206
ROOT = Path(__file__).resolve().parent.parent
# Per source format: how many records to draw, and how many of them from the therapy stratum.
DRAW = {"json": (50, 30), "xml": (80, 52), "csv": (130, 80)}
# Per supplement: the draw plan (the JSON pool was nearly spent by the second).
SUPPLEMENT_DRAW = {
    1: {"json": (25, 15), "xml": (40, 26), "csv": (55, 34)},
    2: {"json": (10, 5), "xml": (40, 20), "csv": (40, 20)},
    # the therapy-like pool was spent but for 18 XML records: the fourth takes them all, and the
    # rest from what the corpus still holds (mostly other studies: time frames, concepts, diseases
    # and targets that must not be invented)
    3: {"json": (15, 0), "xml": (18, 18), "csv": (47, 0)},
    # what the corpus still holds is other studies alone (27 JSON, 936 CSV records)
    4: {"json": (10, 0), "csv": (70, 0)},
    # the same pools, less the fifth's draw (17 JSON, 866 CSV records)
    5: {"json": (10, 0), "csv": (70, 0)},
}
THERAPY = re.compile(
    r"\bCAR[- ]?T\b|\bCAR\b|chimeric antigen|\bT[- ]cells?\b|\bNK\b|natural killer|TCR|"
    r"\bcell therapy|mab\b|antibod|bispecific|\bBiTE\b|immunotoxin|conjugate",
    re.IGNORECASE,
)


def therapy_like(record: Record) -> bool:
    text = " ".join(
        [record.brief_title, record.official_title]
        + [f"{i.name} {i.description} {' '.join(i.other_names)}" for i in record.interventions]
    )
    return bool(THERAPY.search(text))


def corpus_records(corpus: Path) -> list[dict]:
    """Every corpus record as a row, in a fixed order (format, file, record), which the seeded
    draw depends on."""
    rows = []
    for item in read_inputs([corpus]):
        if not isinstance(item, Record):
            continue
        rel = Path(item.source.file).resolve().relative_to(corpus.resolve()).as_posix()
        rows.append(
            {
                "file": rel,
                "record": item.source.record,
                "trial_id": item.trial_id,
                "format": str(item.format),
                "year": (item.start_date or "")[:4],
                "therapy": therapy_like(item),
            }
        )
    rows.sort(key=lambda r: (r["format"], r["file"], r["record"].zfill(6)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    # The v1 records (origin "v1" in the development half) are left out of the draw.
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "dev.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "gold" / "sample.jsonl")
    parser.add_argument("--supplement", type=int, nargs="?", const=1, default=0, metavar="N",
                        help="draw the N-th development supplement (default 1; every trial "
                        "of the gold as it stood before it left out)")
    args = parser.parse_args()
    if args.supplement:
        supplement(args.corpus, args.out, args.supplement)
        return

    lines = [json.loads(line) for line in args.gold.read_text().splitlines() if line]
    taken = {g["trial_id"] for g in lines if g.get("origin", "v1") == "v1"}
    rows = [r for r in corpus_records(args.corpus) if r["trial_id"] not in taken]
    rng = random.Random(SEED)
    drawn = _stratified(rows, DRAW, rng)
    # The v1 records were tuned on, so they belong to the development half; the test half is
    # drawn from the new sample alone and is half of the whole gold (v1 + new).
    n_test = (len(drawn) + len(taken)) // 2
    halves = ["test"] * n_test + ["dev"] * (len(drawn) - n_test)
    rng.shuffle(halves)
    for row, half in zip(drawn, halves):
        row["half"] = half
    write_sample(drawn, args.out)


def _stratified(
    rows: list[dict], plan: dict[str, tuple[int, int]], rng: random.Random
) -> list[dict]:
    """Per format, `therapy_n` records from the therapy stratum and the rest from the other,
    one copy of a trial across formats."""
    seen: set[str] = set()
    drawn: list[dict] = []
    for fmt, (total, therapy_n) in plan.items():
        for stratum, n in ((True, therapy_n), (False, total - therapy_n)):
            pool = [r for r in rows if r["format"] == fmt and r["therapy"] is stratum
                    and r["trial_id"] not in seen]
            pick = rng.sample(pool, min(n, len(pool)))
            seen.update(r["trial_id"] for r in pick)
            drawn.extend(pick)
    drawn.sort(key=lambda r: (r["format"], r["file"], r["record"].zfill(6)))
    return drawn


def supplement(corpus: Path, out: Path, n: int) -> None:
    # the gold as it stood before this supplement: the v1 records, the first draw (both halves)
    # and the earlier supplements' draws, read from the draw files rather than from dev.jsonl,
    # so re-running after the supplement joined dev.jsonl draws the same records
    gold = ROOT / "tests" / "gold"
    drawn_before = ["sample.jsonl"] + [f"sample_dev{k + 1}.jsonl" for k in range(1, n)]
    v1 = [json.loads(line) for line in (gold / "dev.jsonl").read_text().splitlines() if line]
    taken = {g["trial_id"] for g in v1 if g.get("origin", "v1") == "v1"}
    for name in drawn_before:
        taken |= {json.loads(line)["trial_id"]
                  for line in (gold / name).read_text().splitlines() if line}
    rows = [r for r in corpus_records(corpus) if r["trial_id"] not in taken]
    drawn = _stratified(rows, SUPPLEMENT_DRAW[n], random.Random(SEED + n))
    for row in drawn:
        row["half"] = "dev"
    write_sample(drawn, out)


def write_sample(drawn: list[dict], out: Path) -> None:
    out.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in drawn))
    print(f"{len(drawn)} records -> {out}")
    print("by format:", dict(Counter(r["format"] for r in drawn)))
    print("therapy-like:", sum(r["therapy"] for r in drawn))
    print("halves:", dict(Counter(r["half"] for r in drawn)))
    print("years:", dict(sorted(Counter(r["year"] for r in drawn).items())))


if __name__ == "__main__":
    main()
