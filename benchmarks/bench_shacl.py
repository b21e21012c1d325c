#!/usr/bin/env python3
"""SHACL of trial graphs, as a build's workers check them: the compiled shapes
(`graphbuild.validate.compiled`, on the quads in hand) against pyrudof (a kept session, 8 graphs
per run, as the workers did before), on the trial graphs of a build, in the same run.

    python benchmarks/bench_shacl.py BUILD [--trials 640] [--runs 3]

Prints CPU milliseconds a trial graph for each (best of the runs), their ratio, and how many
results each gave (0 on a build that conforms), then the same on the graphs damaged at random
(one triple each, seeded), where both must find the same damage.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphbuild.validate import shacl_spec  # noqa: E402
from graphbuild.validate.compiled import compiled_shapes  # noqa: E402
from graphbuild.validate.rudof import Checker  # noqa: E402

PYRUDOF_BATCH = 8  # what the workers ran per pyrudof call before the compiled shapes


def _graphs(build: Path, count: int) -> list[list[ox.Triple]]:
    store = ox.Store.read_only(str(build / "store"))
    names = sorted((g for g in store.named_graphs() if "/graph/trial/" in g.value), key=lambda g: g.value)
    picked = random.Random(7).sample(names, min(count, len(names)))
    return [
        [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, g)]
        for g in picked
    ]


def _damage(graph: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    out = list(graph)
    k = rng.randrange(len(out))
    if rng.random() < 0.5:
        del out[k]
    else:
        out[k] = ox.Triple(out[k].subject, out[k].predicate, ox.Literal(""))
    return out


def _best(run, runs: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(runs):
        start = time.process_time()
        found = run()
        times.append(time.process_time() - start)
    return min(times), found


def compare(graphs: list[list[ox.Triple]], runs: int, label: str) -> None:
    spec = shacl_spec()
    shapes = compiled_shapes(spec)
    rudof = Checker(spec)
    data = [ox.serialize(g, format=ox.RdfFormat.N_TRIPLES) or b"" for g in graphs]
    batches = [b"".join(data[i : i + PYRUDOF_BATCH]) for i in range(0, len(data), PYRUDOF_BATCH)]
    rudof.check(batches[0])  # the session's first read costs ~80 ms whatever the size
    compiled_s, compiled_n = _best(lambda: sum(len(shapes.check(g)) for g in graphs), runs)
    rudof_s, rudof_n = _best(lambda: sum(len(rudof.check(b)) for b in batches), runs)
    n = len(graphs)
    print(
        f"{label}: {n} trial graphs, {sum(map(len, graphs)) / n:.0f} triples each\n"
        f"  compiled shapes  {compiled_s / n * 1000:6.3f} ms a graph   results {compiled_n}\n"
        f"  pyrudof (x{PYRUDOF_BATCH})     {rudof_s / n * 1000:6.3f} ms a graph   results {rudof_n}\n"
        f"  ratio            {rudof_s / compiled_s:6.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="a build folder (with store/)")
    parser.add_argument("--trials", type=int, default=640)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    graphs = _graphs(args.build, args.trials)
    compare(graphs, args.runs, "as built")
    rng = random.Random(20261207)
    compare([_damage(g, rng) for g in graphs], args.runs, "each damaged once")


if __name__ == "__main__":
    main()
