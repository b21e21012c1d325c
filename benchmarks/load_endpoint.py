#!/usr/bin/env python3
"""The SPARQL endpoint under load: many clients at once, a few of them sending slow queries.

Starts `graphbuild serve` on 127.0.0.1 (a free port; loopback only) over a build folder, runs
`--clients` client threads for `--seconds` seconds, and prints, for the quick and the slow
clients apart: requests served, latency percentiles and errors by status. `--slow` of the
clients send a query that cannot finish (a five-way cross product of every quad), so each of
those runs into the endpoint's time limit and answers 503; every other client cycles through
quick questions (stored queries, a SELECT, a CONSTRUCT). The run stops by itself: clients
send no new request after the deadline, and the server is stopped at the end.

Without `--graph`, the three bundled seed records (examples/) are built into a temporary
folder first; `--graph DIR` uses a build you made (`graphbuild build CORPUS -o DIR`).

    python benchmarks/load_endpoint.py [--graph DIR] [--clients 20] [--slow 5] [--seconds 30]
                                       [--workers 4] [--timeout 10]
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
GB = "https://w3id.org/graphbuild/vocab#"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
QUICK: list[tuple[str, dict[str, str]]] = [
    ("sparql", {"query": f"PREFIX gb: <{GB}> SELECT ?id WHERE {{ ?t gb:trialId ?id }} LIMIT 20"}),
    ("queries/trial_antigens", {"format": "json"}),
    ("queries/trials_for_antigen", {"antigen": "CD19", "format": "csv"}),
    (
        "sparql",
        {
            "query": f"PREFIX gb: <{GB}> CONSTRUCT {{ ?t gb:trialId ?id }} "
            "WHERE { ?t gb:trialId ?id } LIMIT 50",
            "format": "turtle",
        },
    ),
    ("sparql", {"query": "ASK { ?s ?p ?o }", "format": "json"}),
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def client_loop(url: str, slow: bool, deadline: float, tally: Tally, index: int) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        n = index
        while time.monotonic() < deadline:
            path, params = ("sparql", {"query": SLOW}) if slow else QUICK[n % len(QUICK)]
            n += 1
            started = time.monotonic()
            try:
                status = str(client.get(path, params=params).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            tally.add(time.monotonic() - started, status)


def build_seed(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "graphbuild", "build", str(REPO / "examples"), "-o", str(out),
         "--workers", "1", "--no-validate", "--quiet"],
        check=True,
    )
    return out


def start_server(graph: Path, workers: int, timeout: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "graphbuild", "serve", "--graph", str(graph), "--port", "0",
         "--workers", str(workers), "--timeout", str(timeout)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, match.group(1)


def report(name: str, tally: Tally, seconds: float) -> None:
    ok = tally.statuses.get("200", 0)
    errors = {k: v for k, v in sorted(tally.statuses.items()) if k != "200"}
    lat = tally.latencies
    print(
        f"{name:6} requests {len(lat):5d}  ok {ok:5d}  ({len(lat) / seconds:6.1f}/s)  "
        f"p50 {percentile(lat, 50) * 1000:7.0f} ms  p90 {percentile(lat, 90) * 1000:7.0f} ms  "
        f"p99 {percentile(lat, 99) * 1000:7.0f} ms  max {max(lat, default=0) * 1000:7.0f} ms  "
        f"other statuses {errors or 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, help="a build folder (default: build the seeds)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--slow", type=int, default=5, help="clients sending slow queries")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    if not 0 <= args.slow <= args.clients or args.seconds > 600:
        raise SystemExit("need 0 <= --slow <= --clients and at most 600 seconds")

    with tempfile.TemporaryDirectory(prefix="graphbuild-load-") as tmp:
        graph = args.graph or build_seed(Path(tmp) / "seed")
        process, url = start_server(graph, args.workers, args.timeout)
        try:
            quick, slow = Tally(), Tally()
            deadline = time.monotonic() + args.seconds
            started = time.monotonic()
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(url, i < args.slow, deadline, slow if i < args.slow else quick, i),
                    daemon=True,
                )
                for i in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=args.seconds + 3 * args.timeout + 60)
            elapsed = time.monotonic() - started
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    print(
        f"graph {graph}; {args.clients} clients ({args.slow} slow) for {args.seconds:g} s "
        f"(ran {elapsed:.1f} s), {args.workers} workers, {args.timeout:g} s limit"
    )
    report("quick", quick, elapsed)
    report("slow", slow, elapsed)


if __name__ == "__main__":
    main()
