"""Median in-process time of every stored query on a build, and for the listing queries the
time to the first row and the rows per second (used by bench_scale.py; also runnable alone).

    python benchmarks/query_times.py BUILD_DIR [--runs 3] [--trial NCT...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from graphbuild.sparql.binding import prepare
from graphbuild.sparql.catalog import list_queries
from graphbuild.store import GraphStore

# Queries whose answer grows with the graph (every endpoint of every trial, ...): timed to the
# first row and in rows/s, as well as whole.
LISTING = {
    "trial_endpoints", "trial_conditions", "trial_antigens", "pk_measures", "long_time_frames",
    "shared_endpoint_concepts", "crs_neurotoxicity_monitoring", "dlt_windows",
    "unspecified_target_trials", "multi_antigen_products", "product_antigens",
    "trials_by_modality", "phase_by_antigen", "co_targeted_antigens",
    "primary_endpoint_categories_by_phase", "trials_under_disease",
}
SAMPLE_PARAMS = {"antigen": "CD19", "disease": "D009101", "concept": "DLT"}


def params_for(info, trial: str) -> dict[str, str]:
    out = {}
    for p in info.params:
        if p.name == "trial":
            out["trial"] = trial
        elif p.name in SAMPLE_PARAMS and (p.required or p.name == "concept"):
            out[p.name] = SAMPLE_PARAMS[p.name]
    return out


def time_query(store: ox.Store, text: str, runs: int) -> tuple[float, float, int]:
    """(median whole seconds, median seconds to the first row, rows)."""
    whole, first, rows = [], [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        solutions = store.query(text, use_default_graph_as_union=True)
        n = 0
        t_first = None
        for _row in solutions:
            if t_first is None:
                t_first = time.perf_counter() - t0
            n += 1
        whole.append(time.perf_counter() - t0)
        first.append(t_first if t_first is not None else whole[-1])
        rows = n
    return statistics.median(whole), statistics.median(first), rows


def query_times(build_dir: Path, trial: str | None = None, runs: int = 3,
                include_violations: bool = False) -> list[tuple[str, float, float, int]]:
    store = GraphStore.from_build(build_dir, read_only=True)
    try:
        if trial is None:
            row = next(iter(store.ox.query(
                "SELECT ?id WHERE { ?t <https://w3id.org/graphbuild/vocab#trialId> ?id } LIMIT 1",
                use_default_graph_as_union=True)))
            trial = row["id"].value
        out = []
        for info in list_queries():
            if info.name.endswith("-violation") and not include_violations:
                continue
            _info, text = prepare(info, params_for(info, trial))
            whole, first, rows = time_query(store.ox, text, runs)
            out.append((info.name, whole, first, rows))
        return out
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trial")
    parser.add_argument("--violations", action="store_true")
    args = parser.parse_args(argv)
    for name, whole, first, rows in query_times(args.build, args.trial, args.runs, args.violations):
        kind = "listing" if name in LISTING else "bounded"
        rate = f"{rows / whole:,.0f} rows/s" if kind == "listing" and whole > 0 else ""
        print(f"  {name:<40} {kind:<8} {whole * 1000:9.1f} ms  first row {first * 1000:8.1f} ms"
              f"  {rows:>7} rows  {rate}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
