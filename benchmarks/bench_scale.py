#!/usr/bin/env python3
"""Scale on one machine (issue 13): `graphbuild build` at 1,000 / 10,000 (/ 100,000) real-text
trials, with the default settings, then every stored query on the result and one re-ingest.

For each size it prints: build trials/s (wall) and CPU seconds of the process tree, quads per
trial and the share of them that is reified links and evidence, peak RSS of the process tree,
store size, where the build's time went (report.json timings), the median of every stored
query (listing queries also: time to the first row and rows/s), the time of `graphbuild add`
re-ingesting one changed record, and the top lines of a cProfile of the build's main process
(the serial part: reading, dispatch, load, store-level steps). At the smallest size it also
runs plain rdflib (parse graph.nq into a Graph, then `antigen_disease_matrix`) in a child
capped by --rdflib-timeout.

The records are copies of the corpus records under fresh NCT ids (benchmarks/make_trials.py),
written to a temporary folder and deleted afterwards. Figures on a shared machine are noisy:
compare CPU seconds as well as wall time.

    python benchmarks/bench_scale.py [--sizes 1000 10000] [--runs 3] [--rdflib-timeout 300]
        [--build-only] [--no-profile] [--replicate 100000] [--max-rows 50000]

With --replicate 100000 the queries are also timed on 100,000 trials: the 10,000-trial build's
trial graphs copied ten times under fresh ids (benchmarks/replicate_store.py says exactly how),
which takes minutes where building 100,000 trials takes most of an hour here.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_trials import FIRST_ID, SHARED, generate  # noqa: E402
from query_times import plan_lines, print_times, query_times  # noqa: E402
from replicate_store import replicate  # noqa: E402

PROFILE_LINES = 15


def _tree_rss_kib(root: int, cpu: dict[int, float] | None = None) -> int:
    """Resident memory of `root` and all its descendants, KiB (from /proc); `cpu` gets each
    one's CPU seconds so far (user + system)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            ticks[int(entry)] = int(fields[11]) + int(fields[12])
            with open(f"/proc/{entry}/status") as handle:
                kib = next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kib
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        if cpu is not None and pid in ticks:
            cpu[pid] = max(cpu.get(pid, 0.0), ticks[pid] / _TICKS)
        stack.extend(children.get(pid, ()))
    return total


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def run_measured(argv: list[str]) -> tuple[float, float, int, int]:
    """Run a command; (wall s, CPU s of its process tree, peak tree RSS KiB, exit status).

    CPU is summed over every process of the tree as last seen in /proc (every 0.25 s), or
    the reaped children's times when larger: a forkserver's workers are not the command's
    children, so `os.times()` alone misses their CPU."""
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()
    seen: dict[int, float] = {}

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid, seen))
            done.wait(0.25)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    done.set()
    watcher.join()
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    cpu = max(cpu, sum(seen.values()))
    if proc.returncode not in (0, 1):  # 1: some records rejected
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    return wall, cpu, peak, proc.returncode


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def reified_share(build: Path) -> tuple[int, int, int]:
    """(quads in trial graphs, of which about ExtractedLink nodes, of which about Evidence nodes)."""
    from graphbuild.store import GraphStore

    store = GraphStore.read_only(build / "store")
    try:
        def count(where: str) -> int:
            (row,) = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {where} }} "
                                 'FILTER(STRSTARTS(STR(?g), "https://w3id.org/graphbuild/id/graph/trial/")) }')
            return int(row["n"].value)

        return (count("?s ?p ?o"), count("?s a gb:ExtractedLink . ?s ?p ?o"),
                count("?s a gb:Evidence . ?s ?p ?o"))
    finally:
        store.close()


def changed_record(folder: Path) -> Path:
    """One generated CSV row (the first trial, NCT90000000) with its title amended."""
    source = sorted(folder.glob("copies-*.csv"))[0]
    csv.field_size_limit(1 << 30)
    with open(source, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        header, first = next(rows), next(rows)
    first[1] += " (amended)"
    out = folder.parent / "changed.csv"
    with open(out, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, first])
    return out


def profile_lines(path: Path, n: int = PROFILE_LINES) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer)
    stats.strip_dirs().sort_stats("tottime").print_stats(n)
    text = buffer.getvalue()
    return text[text.index("   ncalls"):] if "   ncalls" in text else text


def rdflib_matrix(nquads: Path, timeout: float) -> str:
    from bench_build import run_rdflib

    from graphbuild.resources import queries_dir

    query = (queries_dir() / "antigen_disease_matrix.rq").read_text(encoding="utf-8")
    found = run_rdflib(str(nquads), query, timeout)
    load, answered = found["load"], found["query"]
    if load is None:
        return f"rdflib: graph.nq not loaded within {timeout:.0f} s"
    text = f"rdflib Graph.add {load[0]:,} triples {load[1]:.1f} s"
    if answered is None:
        return text + f"; antigen_disease_matrix: no answer within the {timeout:.0f} s cap"
    return text + f"; antigen_disease_matrix {answered[1]:.2f} s ({answered[0]} rows)"


def bench(n: int, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    records, out = tmp / f"records-{n}", tmp / f"build-{n}"
    generate(n, records, args.corpus)
    prof = tmp / f"build-{n}.prof"
    profiler = ["-m", "cProfile", "-o", str(prof)] if args.profile else []
    cmd = [sys.executable, *profiler, "-m", "graphbuild", "build", str(records), "-o", str(out), "-q"]
    wall, cpu, peak, status = run_measured(cmd)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    trials = report["trials_loaded"]
    build = (out / "current").resolve()
    in_trials, links, evidence = reified_share(build)
    print(f"\n== {n:,} trials ({trials:,} loaded, {len(report.get('rejects', []))} rejected, exit {status})"
          + ("; main process under cProfile: its Python code runs ~2-2.5x slower (reading: 0.3 -> 0.7 ms a record)" if args.profile else ""))
    print(f"  build: {wall:.1f} s wall = {trials / wall:,.0f} trials/s; CPU of the process tree {cpu:.1f} s "
          f"= {trials / max(cpu, 1e-9):,.0f} trials per CPU-second (load average {os.getloadavg()[0]:.1f})")
    print(f"  peak RSS (process tree) {peak / 1024:,.0f} MiB; store {du(build / 'store') / 2**20:,.0f} MiB; "
          f"graph.nq {(build / 'graph.nq').stat().st_size / 2**20:,.0f} MiB")
    print(f"  quads {report['quads']:,} = {report['quads'] / trials:,.0f} per trial; in trial graphs "
          f"{in_trials / trials:,.0f} per trial, of which reified links {links / in_trials:.0%} "
          f"and evidence {evidence / in_trials:.0%}")
    print("  timings (main process): " + ", ".join(f"{k} {v:.1f} s" for k, v in report["timings"].items()))
    print("  worker seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.get("worker_seconds", {}).items()))
    validation = report.get("validation", {})
    print(f"  validation: shacl={validation.get('shacl')} conforms={validation.get('conforms')} "
          f"violations={validation.get('violations')} seconds={validation.get('seconds')}")
    if args.build_only:
        if args.profile:
            print(f"  profile of the build's main process (cProfile, top {PROFILE_LINES} by own time):")
            print("    " + profile_lines(prof).replace("\n", "\n    ").rstrip())
        shutil.rmtree(records, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        return {"n": n, "wall": wall, "cpu": cpu}

    queries_at(build, f"stored queries at {trials:,} trials", args)

    changed = changed_record(records)
    add_wall, add_cpu, _, add_status = run_measured(
        [sys.executable, "-m", "graphbuild", "add", str(changed), "--graph", str(out), "-q"]
    )
    print(f"  re-ingest one changed trial (graphbuild add, whole command): {add_wall:.2f} s wall, "
          f"{add_cpu:.2f} s CPU (exit {add_status})")
    if n == min(args.sizes) and args.rdflib_timeout > 0:
        print("  " + rdflib_matrix(build / "graph.nq", args.rdflib_timeout))
    if args.profile:
        print(f"  profile of the build's main process (cProfile, top {PROFILE_LINES} by own time):")
        print("    " + profile_lines(prof).replace("\n", "\n    ").rstrip())
    if args.replicate and n == max(args.sizes):
        copies = args.replicate // trials
        big = tmp / f"replicated-{args.replicate}"
        figures = replicate(out, big, copies)
        print(f"\n== {int(figures['trials']):,} trials: the {trials:,}-trial build's trial graphs copied "
              f"{copies} times under fresh ids (benchmarks/replicate_store.py), shared graphs recomputed")
        print("  " + ", ".join(f"{k} {v:,.1f}" for k, v in figures.items()))
        queries_at(big, f"stored queries at {int(figures['trials']):,} trials", args)
        shutil.rmtree(big, ignore_errors=True)
    shutil.rmtree(records, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return {"n": n, "wall": wall, "cpu": cpu}


# The queries rewritten for issue 13 whose plans explain the figures.
PLANS = ("antigen_disease_matrix", "trials_for_antigen", "trial_endpoints")


def queries_at(build: Path, title: str, args: argparse.Namespace) -> None:
    """Every stored query (median of --runs; wall and CPU), each rewritten one also in its
    previous formulation with the ratio, then Oxigraph's plan of the rewritten ones."""
    print(f"  {title}, median of {args.runs} (previous formulations: {args.previous_runs} run; "
          f"listing queries read at most {args.max_rows:,} rows):")
    trial = f"NCT{FIRST_ID + 7:08d}"
    print_times(query_times(build, trial, args.runs, previous=True,
                            previous_runs=args.previous_runs, max_rows=args.max_rows), "    ")
    store_dir = build / "store" if (build / "store").is_dir() else (build / "current" / "store")
    for name in PLANS:
        print(f"    plan of {name} (oxigraph query --explain-file --stats):")
        for line in plan_lines(store_dir.resolve(), name, trial):
            print("      " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per query (median)")
    parser.add_argument("--rdflib-timeout", type=float, default=300.0, help="cap on rdflib, s (0: skip)")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--tmp", type=Path, default=None, help="where the copies go (default: a temp folder)")
    parser.add_argument("--build-only", action="store_true", help="time the build alone: no queries, add or rdflib")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="time the build without cProfile on its main process (which slows its Python code 2-2.5x)")
    parser.add_argument("--replicate", type=int, default=0, metavar="N",
                        help="also time the queries on N trials made by copying the largest "
                        "build's trial graphs (benchmarks/replicate_store.py; N a multiple of it, "
                        "at most 10x)")
    parser.add_argument("--previous-runs", type=int, default=1,
                        help="runs of each previous query formulation (slow at scale)")
    parser.add_argument("--max-rows", type=int, default=0,
                        help="stop reading a listing after this many rows (0: read it all)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    print(f"bench_scale: sizes {args.sizes}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          "(a shared machine: wall times are noisy, CPU seconds less so)")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for n in args.sizes:
            bench(n, Path(tmp), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
