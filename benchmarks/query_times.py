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
        [--plans graph_summary antigen_disease_matrix ...] [--cli NAME... --cli-formats csv json]
        [--endpoint NAME... --endpoint-formats csv json --endpoint-max-rows 20000]

--cli runs `graphbuild query NAME --format F` in a fresh process (imports and store opening
included) and reads its output as it comes; --endpoint starts `graphbuild serve` on the build
(one worker, in a fresh process) and asks `/queries/NAME?format=F` with httpx, reading the
body as it arrives: time to the first byte of the first row, to the end, rows (at most the
endpoint's row cap) and rows/s.
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


def cli_times(
    build_dir: Path, name: str, trial: str, fmt: str = "csv", max_rows: int = 0
) -> tuple[float, float, int]:
    """`graphbuild query NAME --format FMT` in a fresh process, read as it comes: (seconds to
    the first data row, to the end, data rows); process start and imports included. A CSV row
    is a line after the header; a JSON row is a binding (counted by its `{"` openings at the
    top of the bindings array, so the first-row time is that of the first chunk holding one).
    With `max_rows`, reading stops (and the process is ended) once that many rows came."""
    info = get_query(name)
    argv = [sys.executable, "-m", "graphbuild", "query", name, "--graph", str(build_dir),
            "--format", fmt]
    for key, value in params_for(info, trial).items():
        argv += ["--param", f"{key}={value}"]
    started = time.perf_counter()
    first = None
    with subprocess.Popen(argv, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        counter = _RowCounter(fmt)
        while chunk := proc.stdout.read1(1 << 16):
            if counter.feed(chunk) and first is None:
                first = time.perf_counter() - started
            if max_rows and counter.rows >= max_rows:
                whole = time.perf_counter() - started
                proc.kill()
                return (first if first is not None else whole), whole, counter.rows
    whole = time.perf_counter() - started
    return (first if first is not None else whole), whole, counter.rows


class _RowCounter:
    """Rows in a results document read chunk by chunk: CSV/TSV lines after the header, or JSON
    bindings (the first opens `"bindings":[{`, each next one follows a `},{`; a literal holding
    `},{` would count twice, which these answers' texts do not)."""

    def __init__(self, fmt: str) -> None:
        self.fmt, self.lines, self.tail = fmt, 0, b""
        self.started, self.between = False, 0

    def feed(self, chunk: bytes) -> bool:
        """Take one chunk; True once a row has been seen."""
        if self.fmt in ("csv", "tsv"):
            self.lines += chunk.count(b"\n")
            return self.lines > 1
        data = self.tail + chunk  # a 3-byte mark across two chunks is counted once
        if not self.started and b'"bindings":[{' in data:
            self.started = True
        self.between += data.count(b"},{")
        self.tail = data[-2:]
        return self.started

    @property
    def rows(self) -> int:
        if self.fmt in ("csv", "tsv"):
            return max(self.lines - 1, 0)
        return self.between + 1 if self.started else 0


def endpoint_times(
    build_dir: Path, names: list[str], trial: str, formats: list[str], max_rows: int
) -> list[tuple[str, str, float, float, int]]:
    """(name, format, seconds to the first row, to the end, rows) of `/queries/NAME` on a
    `graphbuild serve` of the build (a fresh process, one worker, row cap `max_rows`), each
    asked once with httpx and read as it arrives."""
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [sys.executable, "-m", "graphbuild", "serve", "--graph", str(build_dir),
            "--port", str(port), "--workers", "1", "--timeout", "600",
            "--max-rows", str(max_rows)]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/limits", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=900) as client:
            for name in names:
                params = params_for(get_query(name), trial)
                for fmt in formats:
                    started = time.perf_counter()
                    first = None
                    counter = _RowCounter(fmt)
                    with client.stream("GET", f"/queries/{name}",
                                       params={**params, "format": fmt}) as response:
                        response.raise_for_status()
                        for chunk in response.iter_raw():
                            if counter.feed(chunk) and first is None:
                                first = time.perf_counter() - started
                    whole = time.perf_counter() - started
                    out.append((name, fmt, first if first is not None else whole, whole,
                                counter.rows))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


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
    parser.add_argument("--cli-formats", nargs="*", default=["csv"], choices=["csv", "json"])
    parser.add_argument("--endpoint", nargs="*", default=[], metavar="NAME",
                        help="also ask these of `graphbuild serve` over HTTP (httpx)")
    parser.add_argument("--endpoint-formats", nargs="*", default=["csv", "json"],
                        choices=["csv", "json", "tsv"])
    parser.add_argument("--endpoint-max-rows", type=int, default=20_000)
    parser.add_argument("--plans", nargs="*", default=[], metavar="NAME",
                        help="print Oxigraph's plan (with --stats) of these stored queries")
    args = parser.parse_args(argv)
    rows = query_times(args.build, args.trial, args.runs, args.violations, args.previous,
                       args.previous_runs, set(args.only), args.max_rows)
    print_times(rows)
    trial = args.trial or ""
    if (args.cli or args.endpoint) and not trial:
        store = GraphStore.from_build(args.build, read_only=True)
        trial = default_trial(store.ox)
        store.close()
    for name in args.cli:
        for fmt in args.cli_formats:
            first, whole, count = cli_times(args.build, name, trial, fmt, args.max_rows)
            print(f"  {name + f' (CLI, {fmt})':<40} "
                  f"{'listing' if name in LISTING else 'bounded':<8} "
                  f"{whole * 1000:9.1f} ms  first row {first * 1000:8.1f} ms  {count:>7} rows"
                  f"  {count / whole:>9,.0f} rows/s")
    if args.endpoint:
        for name, fmt, first, whole, count in endpoint_times(
            args.build, args.endpoint, trial, args.endpoint_formats, args.endpoint_max_rows
        ):
            print(f"  {name + f' (HTTP, {fmt})':<40} "
                  f"{'listing' if name in LISTING else 'bounded':<8} "
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
