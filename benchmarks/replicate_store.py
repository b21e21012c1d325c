#!/usr/bin/env python3
"""A large store for the query benchmarks without a long build: a build's trial graphs copied
k times under fresh trial ids, then the shared graphs recomputed by the project's own code.

How the store is made, exactly:

1. The base is a real `graphbuild build` of `make_trials.py` copies (ids NCT90000000 ...
   NCT9000nnnn, at most 10,000 trials so every id starts with `NCT9000`). Its `graph.nq` is
   read line by line.
2. Copy 0 is every line of the base except the inferred graph. Copy c (1 .. k-1) is every line
   of a trial graph (`.../graph/trial/...`) with the bytes `NCT9000` replaced by `NCT900{c}`:
   trial NCT90001234 becomes NCT900c1234 in every IRI (trial, graph name, interventions,
   endpoints, links, evidence) and every literal (trialId, nctId, the ClinicalTrials.gov link).
   No real NCT id starts with NCT9, so nothing else changes. Link and evidence IRIs keep the
   base's hash suffix (a fresh build would hash the new trial IRI): same shape, same counts,
   still unique (the trial id is in their path).
3. All copies stream into one fresh on-disk Oxigraph store with `Store.bulk_load` (N-Quads).
4. The vocabulary graph is rebuilt (`build.steps.refresh_vocabulary`; the copies reference the
   same antigens, diseases and concepts, so it comes out as before) and the inferred graph is
   re-materialized (`build.steps.refresh_inferred`: the compiled rules, shortcuts and
   statistics over all k x n trials).

No SHACL, no report, no graph.nq: the result is `OUT/store`, which `query_times.py OUT` opens.

    python benchmarks/replicate_store.py BASE_BUILD OUT [--copies 10]
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

TRIAL_GRAPH = b"<https://w3id.org/graphbuild/id/graph/trial/"
INFERRED_GRAPH = b"<https://w3id.org/graphbuild/id/graph/inferred>"
BASE_PREFIX = b"NCT9000"
BLOCK = 1 << 24  # bytes read from graph.nq at a time


def _blocks(nquads: Path) -> Iterator[list[bytes]]:
    with open(nquads, "rb") as handle:
        while lines := handle.readlines(BLOCK):
            yield lines


def copy_stream(nquads: Path, copies: int) -> Iterator[bytes]:
    """The N-Quads of all copies, block by block (see the module docstring, step 2)."""
    for copy in range(copies):
        fresh = b"NCT900" + str(copy).encode()
        for lines in _blocks(nquads):
            if copy == 0:
                kept = [line for line in lines if INFERRED_GRAPH not in line]
                yield b"".join(kept)
            else:
                kept = [line for line in lines if TRIAL_GRAPH in line]
                yield b"".join(kept).replace(BASE_PREFIX, fresh)


class _Reader(io.RawIOBase):
    """A file-like view of an iterator of byte blocks, for `Store.bulk_load(input=...)`."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self.blocks, self.pending = blocks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while not self.pending:
            block = next(self.blocks, None)
            if block is None:
                return 0
            self.pending = block
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def base_trial_ids(nquads: Path) -> int:
    """How many trial graphs the base holds; refuses a base whose ids do not all start with
    NCT9000 (the rewrite would then not give fresh ids)."""
    graphs: set[bytes] = set()
    for lines in _blocks(nquads):
        for line in lines:
            at = line.rfind(TRIAL_GRAPH)
            if at >= 0:
                graphs.add(line[at:])
    if not all(g[len(TRIAL_GRAPH) :].startswith(BASE_PREFIX) for g in graphs):
        raise SystemExit(
            "the base build's trial ids must all start with NCT9000 (make_trials.py, <= 10,000)"
        )
    return len(graphs)


def replicate(base: Path, out: Path, copies: int) -> dict[str, float]:
    """Make `out/store` from `base` (a build folder); returns timings and sizes."""
    from graphbuild.build.steps import refresh_inferred, refresh_vocabulary
    from graphbuild.store import GraphStore

    if (base / "current").is_symlink():
        base = (base / "current").resolve()
    nquads = base / "graph.nq"
    if not 1 <= copies <= 10:
        raise SystemExit("--copies must be 1 .. 10 (one digit of the id is rewritten)")
    trials = base_trial_ids(nquads)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    figures: dict[str, float] = {"trials": trials * copies}
    started = time.perf_counter()
    store = GraphStore.open(out / "store")
    try:
        store.ox.bulk_load(io.BufferedReader(_Reader(copy_stream(nquads, copies)), BLOCK),
                           format=ox.RdfFormat.N_QUADS)
        figures["bulk load s"] = time.perf_counter() - started
        mark = time.perf_counter()
        refresh_vocabulary(store)
        figures["vocabulary s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        refresh_inferred(store)
        figures["inferred s"] = time.perf_counter() - mark
        figures["quads"] = len(store.ox)
        store.ox.flush()
        store.ox.optimize()
    finally:
        store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="a build folder of make_trials.py copies")
    parser.add_argument("out", type=Path, help="where the store goes (OUT/store; replaced)")
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args(argv)
    figures = replicate(args.base, args.out, args.copies)
    print(", ".join(
        f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items()
    ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
