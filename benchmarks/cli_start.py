#!/usr/bin/env python3
"""How long `graphbuild` takes to start and answer, against the plain alternative in the same
run (a bare interpreter, and one that imports pyoxigraph and opens the same store).

    python benchmarks/cli_start.py BUILD_DIR [--runs 9]

Prints the median wall time and CPU time (user + system of the child) of each command line;
CPU is the fair figure on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", help="a build folder (graphbuild build ... -o BUILD)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    py = sys.executable
    store = f"{args.build}/store"
    plain = (
        "import pyoxigraph as ox; s = ox.Store.read_only({!r}); "
        "list(s.query('SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}'))"
    ).format(store)
    lines = {
        "python -c pass": [py, "-c", "pass"],
        "plain: pyoxigraph, open, one query": [py, "-c", plain],
        "graphbuild --help": [py, "-m", "graphbuild", "--help"],
        "graphbuild query --help": [py, "-m", "graphbuild", "query", "--help"],
        "graphbuild query graph_summary": [
            py,
            "-m",
            "graphbuild",
            "query",
            "graph_summary",
            "--graph",
            args.build,
        ],
    }
    results = {name: timed(cmd, args.runs) for name, cmd in lines.items()}
    base = results["plain: pyoxigraph, open, one query"][1]
    print(f"{'command':40} {'wall ms':>8} {'CPU ms':>8} {'CPU / plain':>12}")
    for name, (wall, cpu) in results.items():
        print(f"{name:40} {wall * 1000:8.0f} {cpu * 1000:8.0f} {cpu / base:12.1f}")


if __name__ == "__main__":
    main()
