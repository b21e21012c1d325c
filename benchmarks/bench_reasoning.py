#!/usr/bin/env python3
"""How reasoning cost grows with the number of trials, HermiT against plain SPARQL rules.

For N synthetic trials in the compact shape the reasoner reads (typing, hasIntervention,
modality, interventionRole, targetsAntigen, studiesDisease, plus a MeSH-like disease tree in
the vocabulary graph), in one run:

1. ``hermit``: `materialize(engine="hermit")`, owlready2 + HermiT realizing the compact view in
   chunks of `--chunk-size` trials (each chunk one JVM);
2. ``sparql``: `materialize(engine="sparql")`, the same axioms compiled to SPARQL CONSTRUCT
   rules run in Oxigraph;

checks that both wrote the same inferred graph, and prints seconds and the ratio. The HermiT
classification of the ontology alone (shared by both, cached per process) is timed once.

With `--validate`, also times SHACL + violation queries on copies of tests/data/mini_graph.trig
(full trial graphs, not compact ones) to show validation cost per trial.

    python benchmarks/bench_reasoning.py [--sizes 100 1000 10000] [--chunk-size 500]
                                         [--hermit-max 10000] [--validate 100 1000]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

import pyoxigraph as ox

from graphbuild import reason, validate
from graphbuild.rdf.namespaces import GB_IRI, GBR_IRI, VOCABULARY_GRAPH

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
BROADER = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
MESH = "http://id.nlm.nih.gov/mesh/"
MINI = Path(__file__).resolve().parents[1] / "tests" / "data" / "mini_graph.trig"
MODALITIES = [
    "CarT",
    "CarNK",
    "TcrT",
    "MonoclonalAntibody",
    "BispecificAntibody",
    "Chemotherapy",
    "SmallMolecule",
    "StemCellTransplant",
]
ROLES = ["Investigational", "Investigational", "Lymphodepletion", "Supportive", "Comparator"]


def gb(name: str) -> ox.NamedNode:
    return ox.NamedNode(GB_IRI + name)


def disease_tree(depth: int = 5, fanout: int = 3) -> list[tuple[str, str]]:
    """(child, parent) descriptor ids of a balanced tree: 3 + 9 + ... + 243 = 363 nodes."""
    edges, level, counter = [], ["D900000"], 1
    for _ in range(depth):
        nxt = []
        for parent in level:
            for _ in range(fanout):
                child = f"D9{counter:05d}"
                counter += 1
                edges.append((child, parent))
                nxt.append(child)
        level = nxt
    return edges


def synthesize(n: int, seed: int = 4) -> ox.Store:
    """N compact trials, each in its own trial graph, and the disease tree."""
    rnd = random.Random(seed)
    store = ox.Store()
    vocab = ox.NamedNode(str(VOCABULARY_GRAPH))
    edges = disease_tree()
    leaves = sorted({c for c, _ in edges} - {p for _, p in edges})
    quads = [
        ox.Quad(ox.NamedNode(MESH + c), BROADER, ox.NamedNode(MESH + p), vocab) for c, p in edges
    ]
    for i in range(n):
        g = ox.NamedNode(f"{GBR_IRI}graph/trial/SYN{i:06d}")
        trial = ox.NamedNode(f"{GBR_IRI}trial/SYN{i:06d}")
        quads.append(ox.Quad(trial, RDF_TYPE, gb("Trial"), g))
        quads.append(
            ox.Quad(trial, gb("studiesDisease"), ox.NamedNode(MESH + rnd.choice(leaves)), g)
        )
        for j in range(rnd.randint(1, 3)):
            node = ox.NamedNode(f"{GBR_IRI}trial/SYN{i:06d}/intervention/{j}")
            quads += [
                ox.Quad(trial, gb("hasIntervention"), node, g),
                ox.Quad(node, RDF_TYPE, gb("Intervention"), g),
                ox.Quad(node, gb("modality"), gb(rnd.choice(MODALITIES)), g),
                ox.Quad(node, gb("interventionRole"), gb(rnd.choice(ROLES)), g),
            ]
            if rnd.random() < 0.6:
                antigen = ox.NamedNode(f"https://identifiers.org/hgnc:{rnd.randint(1, 60)}")
                quads.append(ox.Quad(node, gb("targetsAntigen"), antigen, g))
    store.bulk_extend(quads)
    return store


def replicate_mini(copies: int) -> ox.Store:
    """`copies` x the 4 trials of the mini graph, ids renamed (full, valid trial graphs)."""
    text = MINI.read_text(encoding="utf-8")
    body, _, _ = text.partition("<graph/trial/")
    head = body[: body.rindex("<graph/vocabulary>")]
    vocabulary = body[len(head) :]
    trials = text[len(body) :]
    parts = [head, vocabulary]
    for k in range(copies):  # NCT900001xx -> NCT9kkkkkxx keeps eight digits
        renamed = re.sub(r"NCT900001(\d\d)", rf"NCT9{k:05d}\g<1>", trials)
        parts.append(renamed.replace("local_record_7", f"local_record_7_{k}"))
    store = ox.Store()
    store.load("".join(parts).encode(), format=ox.RdfFormat.TRIG)
    return store


def bench_reasoning(sizes: list[int], chunk_size: int, hermit_max: int) -> None:
    started = time.perf_counter()
    reason.classify()
    print(
        f"HermiT classification of the ontology (once per process): {time.perf_counter() - started:.2f} s\n"
    )
    print(
        f"{'trials':>8} {'compact':>9} {'facts':>8} {'sparql s':>9} {'hermit s':>9} {'chunks':>6}"
        f" {'hermit ms/trial':>15} {'ratio':>7}  same"
    )
    for n in sizes:
        store = synthesize(n)
        sparql = reason.materialize(store, engine="sparql")
        by_sparql = reason.inferred_facts(store)
        line = (
            f"{n:>8,} {sparql.compact_triples:>9,} {sparql.total:>8,}"
            f" {sparql.seconds['infer'] + sparql.seconds['compact view']:>9.3f}"
        )
        if n <= hermit_max:
            hermit = reason.materialize(store, engine="hermit", chunk_size=chunk_size)
            same = reason.inferred_facts(store) == by_sparql
            hermit_s = hermit.seconds["infer"] + hermit.seconds["compact view"]
            sparql_s = sparql.seconds["infer"] + sparql.seconds["compact view"]
            line += (
                f" {hermit_s:>9.2f} {hermit.chunks:>6} {1000 * hermit_s / n:>15.1f}"
                f" {hermit_s / max(sparql_s, 1e-9):>6.0f}x  {'yes' if same else 'NO'}"
            )
        else:
            line += f" {'skipped':>9}"
        print(line, flush=True)


def bench_validation(copies_list: list[int]) -> None:
    print(
        f"\n{'trials':>8} {'triples':>9} {'shacl s':>8} {'queries s':>9} {'ms/trial':>9}  conforms"
    )
    for copies in copies_list:
        store = replicate_mini(copies)
        report = validate.validate(store)
        trials = 4 * copies
        print(
            f"{trials:>8,} {len(store):>9,} {report.seconds['shacl']:>8.2f} {report.seconds['queries']:>9.3f}"
            f" {1000 * report.seconds['total'] / trials:>9.1f}  {report.conforms}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--chunk-size", type=int, default=reason.DEFAULT_CHUNK_SIZE)
    parser.add_argument("--hermit-max", type=int, default=10000, help="skip HermiT above this N")
    parser.add_argument(
        "--validate",
        type=int,
        nargs="*",
        default=None,
        metavar="COPIES",
        help="also time validation on COPIES x 4 mini-graph trials",
    )
    args = parser.parse_args()
    bench_reasoning(args.sizes, args.chunk_size, args.hermit_max)
    if args.validate is not None:
        bench_validation(args.validate or [25, 250])


if __name__ == "__main__":
    main()
