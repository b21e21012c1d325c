#!/usr/bin/env python3
"""Records per second of each extractor and of the whole `extract_trial`, and the warm-up.

What a pipeline worker sees is measured: the vocabularies are compiled once (the warm-up,
timed in fresh interpreters), then the corpus is read once, each text for the first time. So
before every timed pass the per-text caches of `graphbuild.extract` (time frames, disease
readings, modality readings, ...) are emptied; the vocabulary caches are kept. One core, CPU
time, records in memory (no disk I/O in the loop); each figure is the best of `--repeat`
passes, because a shared machine only ever adds time.

Beside each figure stands the plain alternative, run in the same process:

* reading: `read_inputs` over the same files, the stage before extraction (`extract/read` is
  how many times longer extraction takes than reading);
* the endpoint matcher: the tree-shaped alternation `vocab_matcher` compiles against one flat
  alternation of the same names, longest first (compile time, and scan of every 20th outcome
  text: the flat one needs minutes for all).
  Skipped when the tree under test has no `vocab_matcher` (an older checkout).

    python benchmarks/bench_extract.py [--corpus DIR ...] [--repeat 3] [--warmups 3]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", REPO.parent / "shared"))
DEFAULT_INPUTS = [SHARED / "corpus", REPO / "examples"]

# Timed in a fresh interpreter: import the extraction stage, then extract one record that
# touches every vocabulary (interventions, conditions, outcomes).
_WARMUP = """
import sys, time
from graphbuild.readers.inputs import read_inputs
from graphbuild.model import Record
records = [r for r in read_inputs(sys.argv[1:]) if isinstance(r, Record)]
record = next(r for r in records if r.interventions and r.conditions and r.outcomes)
start = time.process_time()
from graphbuild.extract.trial import extract_trial
imported = time.process_time()
extract_trial(record)
done = time.process_time()
print(imported - start, done - imported)
"""


def _per_text_caches() -> list[Callable[[], None]]:
    """`cache_clear` of every bounded cache in graphbuild.extract and graphbuild.vocab
    (per-text memos); the
    unbounded and single-entry caches hold vocabularies and stay."""
    clears = []
    for name, module in list(sys.modules.items()):
        if not name.startswith(("graphbuild.extract", "graphbuild.vocab")) or module is None:
            continue
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if info is not None and info().maxsize not in (None, 1):
                clears.append(value.cache_clear)
    return clears


def _best(
    run: Callable[[], object], repeat: int, reset: Callable[[], None] = lambda: None
) -> float:
    """Least CPU seconds of `repeat` runs, `reset` called before each (not timed)."""
    best = float("inf")
    for _ in range(repeat):
        reset()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def warmup(inputs: list[str], times: int) -> tuple[float, float]:
    """(import, first record) CPU seconds of the extraction stage in a fresh interpreter,
    the best of `times`."""
    import graphbuild  # the tree under test, wherever it was imported from

    here = str(Path(graphbuild.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    best = (float("inf"), float("inf"))
    for _ in range(times):
        out = subprocess.run(
            [sys.executable, "-c", _WARMUP, *inputs],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.split()
        imported, first = float(out[0]), float(out[1])
        if imported + first < sum(best):
            best = (imported, first)
    return best


def _head(alternative: object) -> str:
    """A name's literal head as the flat alternation writes it (case-insensitive for phrases)."""
    head = re.escape(alternative.head)  # type: ignore[attr-defined]
    return f"(?i:{head})" if alternative.fold else head  # type: ignore[attr-defined]


def _flat_matcher_comparison(records: list, repeat: int) -> list[tuple[str, float, float]] | None:
    """(what, tree, flat) seconds for compiling the endpoint vocabulary and scanning every
    20th outcome text with it; None for a tree without `vocab_matcher`."""
    try:
        from graphbuild.extract.endpoints import patterns as concept_patterns
        from graphbuild.extract.text import vocab_matcher
        from graphbuild.extract.text.synonyms import _BEFORE
    except ImportError:
        return None
    alternatives = concept_patterns._alternatives()
    names = sorted(alternatives, key=lambda a: -a.weight)
    flat_pattern = (
        _BEFORE
        + "(?:"
        + "|".join(f"(?P<g{n}>{_head(a)}{a.pattern})" for n, a in enumerate(names))
        + ")"
    )

    def compile_tree() -> object:
        re.purge()
        return vocab_matcher._compile(alternatives).regex

    def compile_flat() -> object:
        re.purge()
        return re.compile(flat_pattern)

    tree, flat = compile_tree(), compile_flat()
    # every 20th outcome text: the flat alternation needs minutes for all of them
    texts = [t for r in records for o in r.outcomes for t in (o.measure, o.description) if t][::20]

    def scan(regex: re.Pattern[str]) -> Callable[[], None]:
        def run() -> None:
            for text in texts:
                for _ in regex.finditer(text):
                    pass

        return run

    return [
        ("compile", _best(compile_tree, repeat), _best(compile_flat, repeat)),
        (f"scan {len(texts)} texts", _best(scan(tree), repeat), _best(scan(flat), repeat)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", action="append", type=Path, help="inputs (default: shared corpus + examples)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed passes per figure (best counts)"
    )
    parser.add_argument("--warmups", type=int, default=3, help="fresh interpreters for the warm-up")
    args = parser.parse_args(argv)
    inputs = [str(p) for p in (args.corpus or DEFAULT_INPUTS) if p.exists()]
    if not inputs:
        print("no inputs: pass --corpus DIR", file=sys.stderr)
        return 2

    from graphbuild.model import Record
    from graphbuild.readers.inputs import read_inputs

    read_seconds = _best(lambda: sum(1 for _ in read_inputs(inputs)), args.repeat)
    records = [r for r in read_inputs(inputs) if isinstance(r, Record)]
    n = len(records)

    imported, first = warmup(inputs, args.warmups)
    print(f"records: {n}  (from {', '.join(inputs)})")
    total = imported + first
    print(f"warm-up: import {imported:.2f} s + first record {first:.2f} s = {total:.2f} s CPU")

    from graphbuild.extract.antigens.targets import extract_targets
    from graphbuild.extract.design import extract_design
    from graphbuild.extract.diseases.grounding import extract_diseases
    from graphbuild.extract.endpoints.outcomes import extract_endpoints
    from graphbuild.extract.interventions.info import extract_interventions
    from graphbuild.extract.trial import extract_trial

    for record in records:  # compile every vocabulary, so that only text work is timed
        extract_trial(record)
    clears = _per_text_caches()

    def reset() -> None:
        for clear in clears:
            clear()

    interventions = [extract_interventions(r) for r in records]
    stages: list[tuple[str, Callable[[], object]]] = [
        ("interventions", lambda: [extract_interventions(r) for r in records]),
        ("targets", lambda: [extract_targets(r, i) for r, i in zip(records, interventions)]),
        ("diseases", lambda: [extract_diseases(r) for r in records]),
        ("endpoints", lambda: [extract_endpoints(r) for r in records]),
        ("design", lambda: [extract_design(r) for r in records]),
        ("extract_trial", lambda: [extract_trial(r) for r in records]),
    ]
    print(f"\n{'stage':14} {'rec/s':>8} {'ms':>7}  {'extract/read':>12}")
    print(f"{'read_inputs':14} {n / read_seconds:8,.0f} {read_seconds * 1000:7.0f}  {'1.00':>12}")
    for name, run in stages:
        seconds = _best(run, args.repeat, reset)
        print(
            f"{name:14} {n / seconds:8,.0f} {seconds * 1000:7.0f}  {seconds / read_seconds:12.2f}"
        )

    comparison = _flat_matcher_comparison(records, args.repeat)
    if comparison is not None:
        print(f"\nendpoint matcher  {'tree s':>7} {'flat s':>7}  flat/tree")
        for what, tree, flat in comparison:
            print(f"{what:17} {tree:7.3f} {flat:7.3f}  {flat / tree:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
