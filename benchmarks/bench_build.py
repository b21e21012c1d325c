#!/usr/bin/env python3
"""How fast the build stages go, and why the store is Oxigraph and not an rdflib Graph.

Measures, on the shared corpus (1-3 in one process, so the figures are per core):

1. extract: `extract_trial` records/s;
2. quads: `trial_quads` + N-Quads serialization, records/s and quads/s;
3. store load: Oxigraph bulk load (in memory and on disk) of every quad, quads/s;
4. the whole build (`graphbuild.build.build`, reasoning and SHACL off), records/s;

then scales the corpus up to `--trials` synthetic trials (the corpus repeated with renamed ids:
the same text, distinct graphs) and compares, for the same quads,

5. loading: Oxigraph `bulk_extend` vs rdflib's in-memory `Graph.add`, triple by triple;
6. one cross-trial aggregate query (`queries/antigen_disease_matrix.rq`) on Oxigraph vs
   rdflib's own SPARQL engine. rdflib runs in a child process capped by `--timeout` seconds
   (issue #4 measured 391 s vs 0.04 s).

    python benchmarks/bench_build.py [--corpus DIR] [--trials 10000] [--timeout 120] [--workers N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from graphbuild.model import Record, Trial
from graphbuild.rdf.triples import trial_quads, vocabulary_quads

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", Path(__file__).resolve().parents[2] / "shared"))

FALLBACK_QUERY = """
PREFIX gb: <https://w3id.org/graphbuild/vocab#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?disease_label ?category (COUNT(DISTINCT ?trial) AS ?n_trials) WHERE {
  ?trial gb:studiesDisease ?disease ; gb:hasEndpoint ?endpoint .
  ?disease rdfs:label ?disease_label .
  ?endpoint gb:measuresConcept ?concept . ?concept gb:category ?category .
} GROUP BY ?disease_label ?category ORDER BY DESC(?n_trials)
"""


def _rate(n: float, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s" if seconds > 0 else "inf"


def _line(label: str, n: int, unit: str, seconds: float) -> None:
    print(f"  {label:<44} {n:>10,} {unit:<8} {seconds:8.2f} s  {_rate(n, seconds):>14}")


def aggregate_query() -> tuple[str, str]:
    try:
        from graphbuild.resources import queries_dir

        path = queries_dir() / "antigen_disease_matrix.rq"
        return path.name, path.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return "fallback disease x category", FALLBACK_QUERY


def renamed(trial: Trial, copy: int) -> Trial:
    """The same trial under another id: a distinct graph with the same text."""
    new_id = f"{trial.trial_id}-x{copy}"
    record: Record = replace(trial.record, trial_id=new_id)
    return replace(trial, trial_id=new_id, record=record)


# -- rdflib in a child process (so a slow query can be cut off) ---------------------------------


def _to_rdflib(term):  # pyoxigraph term -> rdflib term
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # rdflib tells "x"^^xsd:string from "x"; RDF 1.1 does not
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _rdflib_child(nquads_path: str, query: str, results: multiprocessing.Queue) -> None:
    import rdflib

    triples = [
        (_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object))
        for q in ox.parse(path=nquads_path, format=ox.RdfFormat.N_QUADS)
    ]
    graph = rdflib.Graph()
    t0 = time.perf_counter()
    for triple in triples:
        graph.add(triple)
    results.put(("load", len(triples), time.perf_counter() - t0))
    t0 = time.perf_counter()
    rows = len(list(graph.query(query)))
    results.put(("query", rows, time.perf_counter() - t0))


def run_rdflib(nquads_path: str, query: str, timeout: float) -> dict[str, tuple[int, float] | None]:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_rdflib_child, args=(nquads_path, query, results), daemon=True)
    child.start()
    found: dict[str, tuple[int, float] | None] = {"load": None, "query": None}
    deadline = time.monotonic() + timeout
    try:
        while None in found.values():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                stage, n, seconds = results.get(timeout=remaining)
            except queue.Empty:
                break
            found[stage] = (n, seconds)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
    return found


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--trials", type=int, default=10_000, help="synthetic scale-up size")
    parser.add_argument("--timeout", type=float, default=120.0, help="cap on rdflib (load + query), s")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="for the end-to-end build")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2

    from graphbuild.extract.trial import extract_trial
    from graphbuild.readers.inputs import read_inputs

    print(f"corpus: {args.corpus}")
    t0 = time.perf_counter()
    records = [r for r in read_inputs([args.corpus]) if isinstance(r, Record)]
    read_s = time.perf_counter() - t0
    extract_trial(records[0])  # load the lexicons outside the timing

    print("\nper stage, one core:")
    _line("read (readers)", len(records), "records", read_s)
    t0 = time.perf_counter()
    trials = {}
    for record in records:
        trials.setdefault(record.trial_id, extract_trial(record))  # one per id, like the build
    extract_s = time.perf_counter() - t0
    _line("extract (extract_trial)", len(records), "records", extract_s)

    t0 = time.perf_counter()
    per_trial = [list(trial_quads(t)) for t in trials.values()]
    quads_s = time.perf_counter() - t0
    n_quads = sum(len(q) for q in per_trial)
    _line("quads (trial_quads)", len(trials), "trials", quads_s)
    _line("  same, per quad", n_quads, "quads", quads_s)
    t0 = time.perf_counter()
    blobs = [ox.serialize(q, format=ox.RdfFormat.N_QUADS) for q in per_trial]
    _line("serialize to N-Quads (what workers send)", n_quads, "quads", time.perf_counter() - t0)
    corpus_nquads = b"".join(blobs)

    for where in ("memory", "disk"):
        with tempfile.TemporaryDirectory() as tmp:
            store = ox.Store() if where == "memory" else ox.Store(os.path.join(tmp, "store"))
            t0 = time.perf_counter()
            store.bulk_load(corpus_nquads, ox.RdfFormat.N_QUADS)
            _line(f"Oxigraph bulk_load N-Quads ({where})", n_quads, "quads", time.perf_counter() - t0)
            del store

    print(f"\nend to end, graphbuild.build.build (no reasoning, no SHACL), {args.workers} worker(s):")
    from graphbuild.build import build

    for memory in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            report = build([args.corpus], tmp, memory=memory, reason=False, validate=False, workers=args.workers)
            label = "in memory" if memory else "on disk, store/ + graph.nq + graph.ttl"
            _line(f"build ({label})", report.records_read, "records", time.perf_counter() - t0)

    # -- scale up ------------------------------------------------------------------------------
    base = list(trials.values())
    copies = -(-args.trials // len(base))
    print(f"\nsynthetic scale-up: {args.trials:,} trials (the corpus x{copies}, ids renamed)")
    t0 = time.perf_counter()
    scaled = [renamed(t, k) for k in range(copies) for t in base][: args.trials]
    quads = [q for t in scaled for q in trial_quads(t)]
    quads += list(vocabulary_quads(scaled))
    _line("quads for the scaled graph", len(quads), "quads", time.perf_counter() - t0)

    name, query = aggregate_query()
    print(f"\nOxigraph vs rdflib, same {len(quads):,} quads; query: {name}")
    store = ox.Store()
    t0 = time.perf_counter()
    store.bulk_extend(quads)
    ox_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    ox_rows = len(list(store.query(query, use_default_graph_as_union=True)))
    ox_query = time.perf_counter() - t0
    _line("Oxigraph bulk_extend (memory)", len(quads), "quads", ox_load)
    print(f"  {'Oxigraph SPARQL':<44} {ox_rows:>10,} rows     {ox_query:8.3f} s")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scaled.nq")
        with open(path, "wb") as handle:
            ox.serialize(quads, handle, format=ox.RdfFormat.N_QUADS)
        found = run_rdflib(path, query, args.timeout)
    load, answered = found["load"], found["query"]
    if load is None:
        print(f"  rdflib Graph.add: did not finish within {args.timeout:.0f} s")
        return 0
    _line("rdflib Graph.add (memory)", load[0], "triples", load[1])
    print(f"  {'load ratio (rdflib / Oxigraph)':<44} {load[1] / ox_load:>10.1f} x")
    if answered is None:
        print(f"  rdflib SPARQL: no answer within the {args.timeout:.0f} s cap "
              f"(>= {args.timeout - load[1]:.0f} s; Oxigraph took {ox_query:.3f} s)")
        return 0
    print(f"  {'rdflib SPARQL':<44} {answered[0]:>10,} rows     {answered[1]:8.3f} s")
    print(f"  {'query ratio (rdflib / Oxigraph)':<44} {answered[1] / max(ox_query, 1e-9):>10.0f} x")
    if answered[0] != ox_rows:
        print(f"  note: row counts differ (rdflib {answered[0]}, Oxigraph {ox_rows})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
