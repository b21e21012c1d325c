#!/usr/bin/env python3
"""The SPARQL endpoint under load: many clients at once, a few of them sending slow queries.

Starts `graphbuild serve` on 127.0.0.1 (a free port; loopback only) over a build folder, runs
`--clients` client threads for `--seconds` seconds, and prints, for the quick and the slow
clients apart: requests served, latency percentiles and errors by status. `--slow` of the
clients send a query that cannot finish (a five-way cross product of every quad), so each of
those runs into the endpoint's time limit and answers 503; every other client cycles through
quick questions (one trial's facts as SELECT and as CONSTRUCT, a page of ids, an ASK). The
run stops by itself: clients send no new request after the deadline (a slow query already
in line is still answered, at most the wait cap plus the time limit later), and the server is
stopped at the end.

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


def quick_requests(trial_ids: list[str]) -> list[tuple[str, dict[str, str]]]:
    """Questions a person asks and expects at once: one trial's facts, a page of ids, a small
    graph, a yes/no. Each answers in milliseconds on the corpus when the endpoint is idle."""
    asks: list[tuple[str, dict[str, str]]] = [
        (
            "sparql",
            {"query": f"PREFIX gb: <{GB}> SELECT ?id WHERE {{ ?t gb:trialId ?id }} LIMIT 20"},
        ),
        ("sparql", {"query": "ASK { ?s ?p ?o }", "format": "json"}),
    ]
    for trial in trial_ids:
        asks.append(
            (
                "sparql",
                {
                    "query": f'PREFIX gb: <{GB}> SELECT ?p ?o WHERE {{ ?t gb:trialId "{trial}" ; ?p ?o }}',
                    "format": "json",
                },
            )
        )
        asks.append(
            (
                "sparql",
                {
                    "query": f"PREFIX gb: <{GB}> CONSTRUCT {{ ?t ?p ?o }} "
                    f'WHERE {{ ?t gb:trialId "{trial}" ; ?p ?o }}',
                    "format": "turtle",
                },
            )
        )
    return asks


def trial_ids(url: str, limit: int = 50) -> list[str]:
    response = httpx.get(
        url + "sparql",
        params={
            "query": f"PREFIX gb: <{GB}> SELECT ?id WHERE {{ ?t gb:trialId ?id }} "
            f"ORDER BY ?id LIMIT {limit}",
            "format": "json",
        },
        timeout=60,
    )
    response.raise_for_status()
    return [b["id"]["value"] for b in response.json()["results"]["bindings"]]


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


def client_loop(
    url: str,
    asks: list[tuple[str, dict[str, str]]],
    slow: bool,
    deadline: float,
    tally: Tally,
    index: int,
) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        n = index * 7
        while time.monotonic() < deadline:
            path, params = ("sparql", {"query": SLOW}) if slow else asks[n % len(asks)]
            n += 1
            started = time.monotonic()
            try:
                status = str(client.get(path, params=params).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            tally.add(time.monotonic() - started, status)


def build_seed(out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "graphbuild",
            "build",
            str(REPO / "examples"),
            "-o",
            str(out),
            "--workers",
            "1",
            "--no-validate",
            "--quiet",
        ],
        check=True,
    )
    return out


def start_server(graph: Path, workers: int, timeout: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graphbuild",
            "serve",
            "--graph",
            str(graph),
            "--port",
            "0",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
        ],
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
        f"{name:6} requests {len(lat):5d}  ok {ok:5d}  ({ok / seconds:6.1f} ok/s)  "
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
            asks = quick_requests(trial_ids(url))
            quick, slow = Tally(), Tally()
            deadline = time.monotonic() + args.seconds
            started = time.monotonic()
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(url, asks, i < args.slow, deadline, slow if i < args.slow else quick, i),
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
        f"(last answer at {elapsed:.1f} s), {args.workers} workers, {args.timeout:g} s limit"
    )
    report("quick", quick, args.seconds)  # rates over the window in which requests were sent
    report("slow", slow, args.seconds)


if __name__ == "__main__":
    main()
