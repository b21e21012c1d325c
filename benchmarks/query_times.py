"""Median in-process time of every stored query on a build, and for the listing queries the
time to the first row and the rows per second (used by bench_scale.py; also runnable alone).

Wall time and CPU time of this process are both given: on a shared machine the wall time of a
query can be several times its CPU time. With --previous, each query that was rewritten for
speed (its earlier formulation is kept in tests/data/previous_queries/, where a test checks
both give the same rows) is also timed in its previous form, in the same run, with the ratio.
With --plans NAME..., Oxigraph's own plan of each named query (the `oxigraph` CLI from PyPI:
`oxigraph query --explain-file ... --stats`) is printed as an indented tree of operators with
the rows each produced and its time (the figures that explain the medians).

    python benchmarks/query_times.py BUILD_DIR [--runs 3] [--trial NCT...] [--previous]
        [--plans graph_summary antigen_disease_matrix ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from graphbuild.sparql.binding import prepare
from graphbuild.sparql.catalog import get_query, list_queries
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
PREVIOUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "previous_queries"


def params_for(info, trial: str) -> dict[str, str]:
    out = {}
    for p in info.params:
        if p.name == "trial":
            out["trial"] = trial
        elif p.name in SAMPLE_PARAMS and (p.required or p.name == "concept"):
            out[p.name] = SAMPLE_PARAMS[p.name]
    return out


def time_query(
    store: ox.Store, text: str, runs: int, max_rows: int = 0
) -> tuple[float, float, int, float]:
    """(median whole seconds, median seconds to the first row, rows, median CPU seconds); with
    `max_rows`, reading stops after that many rows (rows/s of a long listing, measured on its
    first rows)."""
    whole, first, cpu, rows = [], [], [], 0
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        solutions = store.query(text, use_default_graph_as_union=True)
        n = 0
        t_first = None
        for _row in solutions:
            if t_first is None:
                t_first = time.perf_counter() - t0
            n += 1
            if n == max_rows:
                break
        whole.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        first.append(t_first if t_first is not None else whole[-1])
        rows = n
    return statistics.median(whole), statistics.median(first), rows, statistics.median(cpu)


def default_trial(store: ox.Store) -> str:
    row = next(iter(store.query(
        "SELECT ?id WHERE { ?t <https://w3id.org/graphbuild/vocab#trialId> ?id } LIMIT 1",
        use_default_graph_as_union=True)))
    return row["id"].value


def query_times(build_dir: Path, trial: str | None = None, runs: int = 3,
                include_violations: bool = False, previous: bool = False,
                previous_runs: int = 1, only: set[str] | None = None, max_rows: int = 0,
                ) -> list[tuple[str, float, float, int, float]]:
    """(name, wall s, first-row s, rows, CPU s) of every stored query; with `previous`, also
    ("NAME (previous)", ...) right after each query that has a previous formulation."""
    store = GraphStore.from_build(build_dir, read_only=True)
    try:
        trial = trial or default_trial(store.ox)
        out = []
        for info in list_queries():
            if info.name.endswith("-violation") and not include_violations:
                continue
            if only and info.name not in only:
                continue
            _info, text = prepare(info, params_for(info, trial))
            out.append((info.name, *time_query(store.ox, text, runs, max_rows)))
            if previous and (PREVIOUS / f"{info.name}.rq").is_file():
                old = get_query(info.name, PREVIOUS)
                _info, text = prepare(old, params_for(old, trial))
                out.append((f"{info.name} (previous)",
                            *time_query(store.ox, text, previous_runs, max_rows)))
        return out
    finally:
        store.close()


def plan_lines(store_dir: Path, name: str, trial: str, directory: Path | None = None) -> list[str]:
    """Oxigraph's plan of a stored query with --stats, as indented lines: operator, rows, ms."""
    exe = shutil.which("oxigraph")
    if exe is None:
        return ["(no `oxigraph` CLI: pip install oxigraph)"]
    info = get_query(name, directory) if directory else get_query(name)
    _info, text = prepare(info, params_for(info, trial))
    with tempfile.TemporaryDirectory() as tmp:
        query, plan = Path(tmp) / "q.rq", Path(tmp) / "plan.json"
        query.write_text(text, encoding="utf-8")
        done = subprocess.run(
            [exe, "query", "--location", str(store_dir), "--query-file", str(query),
             "--explain-file", str(plan), "--stats", "--union-default-graph",
             "--results-file", str(Path(tmp) / "out.tsv")],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            return [f"(oxigraph query failed: {done.stderr.strip()[:200]})"]
        tree = json.loads(plan.read_text(encoding="utf-8"))
    lines: list[str] = []

    def walk(node: dict, depth: int) -> None:
        label = " ".join(str(node.get("name", "?")).split())
        rows, seconds = node.get("number of results"), node.get("duration in seconds")
        figures = f"  [{rows} rows, {seconds * 1000:.1f} ms]" if seconds is not None else ""
        lines.append("  " * depth + (label if len(label) <= 110 else label[:109] + "…") + figures)
        for child in node.get("children", []):
            walk(child, depth + 1)

    walk(tree.get("plan", tree), 0)
    return lines


def cli_times(build_dir: Path, name: str, trial: str) -> tuple[float, float, int]:
    """`graphbuild query NAME --format csv` in a fresh process, read line by line: (seconds to
    the first data row, to the end, data rows); process start and imports included."""
    info = get_query(name)
    argv = [sys.executable, "-m", "graphbuild", "query", name, "--graph", str(build_dir),
            "--format", "csv"]
    for key, value in params_for(info, trial).items():
        argv += ["--param", f"{key}={value}"]
    started = time.perf_counter()
    first, rows = None, -1  # the header is not a row
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for _line in proc.stdout:
            rows += 1
            if rows == 1:
                first = time.perf_counter() - started
    whole = time.perf_counter() - started
    return (first if first is not None else whole), whole, max(rows, 0)


def print_times(rows: list[tuple[str, float, float, int, float]], indent: str = "  ") -> None:
    by_name = {name: whole for name, whole, *_ in rows}
    for name, whole, first, count, cpu in rows:
        base = name.removesuffix(" (previous)")
        kind = "listing" if base in LISTING else "bounded"
        rate = f"  {count / whole:>9,.0f} rows/s" if kind == "listing" and whole > 0 else ""
        ratio = ""
        if name.endswith(" (previous)") and by_name.get(base):
            r = whole / by_name[base]
            ratio = f"  previous/new {r:,.1f}x" if r < 10 else f"  previous/new {r:,.0f}x"
        print(f"{indent}{name:<40} {kind:<8} {whole * 1000:9.1f} ms (CPU {cpu * 1000:8.1f})"
              f"  first row {first * 1000:8.1f} ms  {count:>7} rows{rate}{ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--previous-runs", type=int, default=1,
                        help="runs of each previous formulation (slow at scale)")
    parser.add_argument("--trial")
    parser.add_argument("--violations", action="store_true")
    parser.add_argument("--previous", action="store_true",
                        help="also time the previous formulation of each rewritten query")
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME",
                        help="time only these stored queries (default: every one)")
    parser.add_argument("--max-rows", type=int, default=0,
                        help="stop reading a result after this many rows (0: read it all)")
    parser.add_argument("--cli", nargs="*", default=[], metavar="NAME",
                        help="also run these through `graphbuild query --format csv` (a fresh "
                        "process): time to the first row, to the end, rows/s")
    parser.add_argument("--plans", nargs="*", default=[], metavar="NAME",
                        help="print Oxigraph's plan (with --stats) of these stored queries")
    args = parser.parse_args(argv)
    rows = query_times(args.build, args.trial, args.runs, args.violations, args.previous,
                       args.previous_runs, set(args.only), args.max_rows)
    print_times(rows)
    for name in args.cli:
        first, whole, count = cli_times(args.build, name, args.trial or "")
        print(f"  {name + ' (CLI, csv)':<40} {'listing' if name in LISTING else 'bounded':<8} "
              f"{whole * 1000:9.1f} ms  first row {first * 1000:8.1f} ms  {count:>7} rows"
              f"  {count / whole:>9,.0f} rows/s")
    if args.plans:
        store = GraphStore.from_build(args.build, read_only=True)
        trial = args.trial or default_trial(store.ox)
        store_dir = store.path
        store.close()
        for name in args.plans:
            for label, directory in ((name, None), (f"{name} (previous)", PREVIOUS)):
                if directory is not None and not (directory / f"{name}.rq").is_file():
                    continue
                print(f"  plan of {label}:")
                for line in plan_lines(store_dir, name, trial, directory):
                    print("    " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
