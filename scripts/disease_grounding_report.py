#!/usr/bin/env python3
"""How well are conditions grounded? A free measurement on the shared corpus.

    python scripts/disease_grounding_report.py [CORPUS] [--samples N] [--ungrounded N]

Prints, per source format:
* coverage: the fraction of conditions that get at least one MeSH link, and the most common
  conditions that get none (what the lexicon could still learn);
* agreement with the source (API v2 JSON and legacy XML carry ClinicalTrials.gov's own MeSH
  terms): the record is grounded again with its MeSH terms removed, lexicon only, and the
  descriptors found are compared with the source's (non-ancestor) terms. "exact" counts the same
  descriptor; "related" also accepts an ancestor or descendant (the source often lists both
  "Leukemia" and "Leukemia, Myeloid, Acute" for one condition; the lexicon keeps the specific
  one). Source terms that are MeSH "attributes" (Acute Disease, Recurrence) are left out of
  the recall side, since the extractor never emits them beside a disease;
* speed: records per second through `extract_diseases`;
* a random sample of CSV groundings to read by eye (precision spot check).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time
from collections import Counter
from pathlib import Path

from graphbuild.extract.diseases.grounding import (
    extract_diseases,
    ground_conditions,
    is_attribute,
    read_text,
    source_terms,
)
from graphbuild.model import Record, SourceFormat
from graphbuild.readers.inputs import read_inputs
from graphbuild.vocab import mesh

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def related(a: str, b: str) -> bool:
    return a == b or a in mesh.ancestors(b) or b in mesh.ancestors(a)


def coverage(records: list[Record], top: int) -> None:
    total = grounded = 0
    missing: Counter[str] = Counter()
    for record in records:
        result = ground_conditions(record)
        total += len(record.conditions)
        grounded += len(record.conditions) - len(result.ungrounded)
        missing.update(result.ungrounded)
    share = grounded / total if total else 0.0
    print(f"  conditions grounded: {grounded}/{total} = {share:.1%}")
    if missing and top:
        print(f"  most common ungrounded ({len(missing)} distinct):")
        for text, n in missing.most_common(top):
            print(f"    {n:4d}  {text}")


def agreement(records: list[Record]) -> None:
    ours_n = ours_exact = ours_related = 0
    src_n = src_exact = src_related = 0
    for record in records:
        source = {ui for ui in source_terms(record) if not is_attribute(ui)}
        if not source:
            continue
        bare = dataclasses.replace(record, condition_mesh=())
        ours = {link.mesh_id for link in extract_diseases(bare)}
        ours_n += len(ours)
        ours_exact += len(ours & source)
        ours_related += sum(1 for o in ours if any(related(o, s) for s in source))
        src_n += len(source)
        src_exact += len(source & ours)
        src_related += sum(1 for s in source if any(related(s, o) for o in ours))
    if not src_n:
        print("  no source MeSH terms")
        return
    print(
        f"  lexicon-only links in the source's terms: exact {ours_exact}/{ours_n} = "
        f"{ours_exact / max(ours_n, 1):.1%}, related {ours_related / max(ours_n, 1):.1%}"
    )
    print(
        f"  source terms found by the lexicon:        exact {src_exact}/{src_n} = "
        f"{src_exact / src_n:.1%}, related {src_related / src_n:.1%}"
    )


def speed(records: list[Record]) -> None:
    extract_diseases(records[0])  # build the matcher outside the timing
    read_text.cache_clear()  # but time every text as if seen for the first time
    start, cpu = time.perf_counter(), time.process_time()
    for record in records:
        extract_diseases(record)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"speed: {len(records)} records in {elapsed:.2f} s = "
        f"{len(records) / elapsed:,.0f} records/s "
        f"({len(records) / cpu:,.0f} per CPU second)"
    )


def samples(records: list[Record], n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for record in rng.sample(records, min(n, len(records))):
        print(f"  {record.trial_id}: {' | '.join(record.conditions)}")
        for link in extract_diseases(record):
            where = ", ".join(f"{e.field}:{e.text!r}" for e in link.evidence)
            quals = f" [{', '.join(link.qualifiers)}]" if link.qualifiers else ""
            print(f"      -> {link.mesh_id} {link.label}{quals} ({link.basis}; {where})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--ungrounded", type=int, default=30)
    args = parser.parse_args(argv)

    records = [r for r in read_inputs([args.corpus]) if isinstance(r, Record)]
    for fmt in SourceFormat:
        subset = [r for r in records if r.format is fmt]
        if not subset:
            continue
        print(f"{fmt} ({len(subset)} records)")
        coverage(subset, args.ungrounded)
        if fmt in (SourceFormat.JSON, SourceFormat.XML):
            agreement(subset)
    speed(records)
    csv_records = [r for r in records if r.format is SourceFormat.CSV]
    if csv_records and args.samples:
        print("sample of CSV groundings (read them: is each link right?)")
        samples(csv_records, args.samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
