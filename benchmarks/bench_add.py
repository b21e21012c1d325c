#!/usr/bin/env python3
"""Re-ingest at scale (issue 13): `graphbuild add` of one changed trial and of one new trial
into builds of 1,000 / 10,000 real-text trials, the whole command, wall and CPU.

For each size it builds (or reuses, `--reuse DIR` holding `build-<n>` and `records-<n>`) a
default build of copies of the corpus records (benchmarks/make_trials.py), then runs
`graphbuild add` `--runs` times each for: the first trial with its title amended (changed),
and the same record under a fresh NCT id (new), one after the other on the same build, and
prints the median wall and CPU seconds (CPU of the process tree: the machine is shared, wall
times are noisy) and the add's own step timings. Then one add under cProfile with a CPU clock,
its top lines by cumulative and by own time. `--before DIR` also times the same adds with
another checkout's code (e.g. `git archive <commit> | tar -x -C DIR`), on a copy of the build.

    nice -n 5 python benchmarks/bench_add.py --sizes 1000 10000 [--reuse /tmp/builds]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import changed_record, run_measured  # noqa: E402
from make_trials import SHARED, generate  # noqa: E402

PROFILE = r"""
import cProfile, pstats, sys, time
sys.argv = ["graphbuild", *sys.argv[2:]]
profile = cProfile.Profile(time.process_time)
profile.enable()
from graphbuild.cli import main
status = main(sys.argv[1:])
profile.disable()
profile.dump_stats(PROF)
"""


STEPS = r"""
import json, sys, time
import graphbuild.cli
import graphbuild.build.add as add_module

started = time.process_time()  # after interpreter start and the imports above
spent = {}
for name in ("_read", "_add_into", "_replace_graphs", "_refresh_inferred", "_revalidate", "_write_outputs", "commit"):
    real = getattr(add_module, name)
    def timed(*args, _real=real, _name=name, **kwargs):
        t = time.process_time()
        try:
            return _real(*args, **kwargs)
        finally:
            spent[_name] = spent.get(_name, 0.0) + time.process_time() - t
    setattr(add_module, name, timed)
graphbuild.cli.main(["add", sys.argv[1], "--graph", sys.argv[2], "-q"])
total = time.process_time()
inner = sum(spent.get(k, 0.0) for k in ("_replace_graphs", "_refresh_inferred", "_revalidate", "_write_outputs"))
print(json.dumps({
    "start, imports": started,
    "read, extract": spent["_read"],
    "store copy, open, flush, close": spent["_add_into"] - inner,
    "replace graphs, vocabulary": spent["_replace_graphs"],
    "reasoning": spent.get("_refresh_inferred", 0.0),
    "validation": spent.get("_revalidate", 0.0),
    "report files": spent["_write_outputs"],
    "commit": spent["commit"],
    "total (CPU of the process)": total,
}))
"""


def cpu_by_step(record: Path, out: Path) -> dict[str, float]:
    """CPU seconds of one add, step by step, without a profiler (whose overhead falls mostly
    on pure-Python code such as the regex compiler, and inflates it 3-5x)."""
    done = subprocess.run([sys.executable, "-c", STEPS, str(record), str(out)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def new_record(changed: Path, trial_id: str) -> Path:
    """The changed record under a fresh NCT id: a trial the build does not hold."""
    csv.field_size_limit(1 << 30)
    with open(changed, newline="", encoding="utf-8") as handle:
        header, row = list(csv.reader(handle))
    old_id = row[0]
    out = changed.with_name(f"new-{trial_id}.csv")
    with open(out, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, [cell.replace(old_id, trial_id) for cell in row]])
    return out


def ensure_nquads(build: Path) -> None:
    """graph.nq in the build's canonical order (trial graphs by id, then the others by IRI,
    lines sorted), written from the store when an earlier add left none."""
    if (build / "graph.nq").is_file():
        return
    from graphbuild.store import GraphStore

    trial = "https://w3id.org/graphbuild/id/graph/trial/"
    with GraphStore.read_only(build / "store") as store, open(build / "graph.nq", "wb") as handle:
        graphs = sorted(store.graphs(), key=lambda g: (not g.value.startswith(trial), g.value))
        for graph in graphs:
            buffer = io.BytesIO()
            store.write_quads(buffer, [graph])
            handle.writelines(sorted(buffer.getvalue().splitlines(keepends=True)))


def timed_adds(python: list[str], record: Path, out: Path, runs: int) -> tuple[float, float, dict]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, _, status = run_measured([*python, "add", str(record), "--graph", str(out), "-q"])
        if status != 0:
            raise SystemExit(f"graphbuild add exited {status}")
        walls.append(wall)
        cpus.append(cpu)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    steps = (report.get("changes") or [{}])[-1].get("timings", {})
    return statistics.median(walls), statistics.median(cpus), steps


def profile_add(record: Path, out: Path, tmp: Path, lines: int) -> str:
    prof = tmp / "add.prof"
    code = PROFILE.replace("PROF", repr(str(prof)))
    subprocess.run([sys.executable, "-c", code, "x", "add", str(record), "--graph", str(out), "-q"], check=True)
    text = []
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(str(prof), stream=buffer).strip_dirs().sort_stats(order).print_stats(lines)
        body = buffer.getvalue()
        text.append(f"by {order}:\n" + body[body.index("   ncalls"):] if "   ncalls" in body else body)
    return "\n".join(text)


def bench(n: int, tmp: Path, args: argparse.Namespace) -> None:
    base = args.reuse or tmp
    records, out = base / f"records-{n}", base / f"build-{n}"
    if not (out / "current").exists():
        generate(n, records, args.corpus)
        wall, cpu, _, status = run_measured([sys.executable, "-m", "graphbuild", "build", str(records), "-o", str(out), "-q"])
        print(f"  (built {n:,} trials in {wall:.0f} s, exit {status})")
    changed = changed_record(records)
    new = new_record(changed, f"NCT99{time.time_ns() // 1000 % 10**6:06d}")  # new on every run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    print(f"\n== {report['trials_loaded']:,} trials, {report['quads']:,} quads; "
          f"load average {os.getloadavg()[0]:.1f}")
    runs_of = {"changed trial": args.runs, "new trial": 1}  # a new trial is new only once
    if args.before is not None:  # first, on a copy: the old add needs graph.nq, ours leaves it out
        work = tmp / f"before-{n}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(out, work, symlinks=True)
        ensure_nquads((work / "current").resolve())
        # from its own folder: `python -m` puts the working directory first on the path
        python = ["env", "-C", str(args.before), f"PYTHONPATH={args.before}", sys.executable, "-m", "graphbuild"]
        for kind, record in (("changed trial", changed), ("new trial", new)):
            wall, cpu, _ = timed_adds(python, record, work, runs_of[kind])
            print(f"  before add one {kind:<13}: {wall:6.2f} s wall, {cpu:5.2f} s CPU (median of {runs_of[kind]})")
        shutil.rmtree(work, ignore_errors=True)
    for kind, record in (("changed trial", changed), ("new trial", new)):
        wall, cpu, steps = timed_adds([sys.executable, "-m", "graphbuild"], record, out, runs_of[kind])
        detail = ", ".join(f"{k} {v:.3f}" for k, v in steps.items())
        print(f"  after  add one {kind:<13}: {wall:6.2f} s wall, {cpu:5.2f} s CPU (median of {runs_of[kind]})  [{detail}]")
    steps = cpu_by_step(changed, out)
    print("  CPU by step, one changed trial (no profiler): "
          + ", ".join(f"{k} {v:.3f} s" for k, v in steps.items()))
    print(f"  profile of one add (changed trial; cProfile, CPU clock, top {args.lines}; the profiler"
          " inflates pure-Python code such as the regex compiler 3-5x):")
    print("    " + profile_add(changed, out, tmp, args.lines).replace("\n", "\n    ").rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=15, help="profile lines")
    parser.add_argument("--reuse", type=Path, default=None, help="folder keeping builds between runs")
    parser.add_argument("--before", type=Path, default=None, help="another checkout to time as 'before'")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    args = parser.parse_args(argv)
    # as an installed graphbuild runs: from cached bytecode (this machine's environment sets
    # PYTHONDONTWRITEBYTECODE, which makes every run compile ~90 modules from source, ~0.12 s)
    bytecode = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if bytecode is not None:
        print("bench_add: PYTHONDONTWRITEBYTECODE unset for the runs (bytecode cached as installed)")
    print(f"bench_add: sizes {args.sizes}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            bench(n, Path(tmp), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
