"""The reasoning step of a build: rebuild the inferred graph whole (the entailments by either
engine, then the shortcuts, the statistics and the aggregates) and say what was done."""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphbuild.cores import map_on_cores
from graphbuild.rdf.namespaces import INFERRED_GRAPH
from graphbuild.reason.aggregates import aggregate_quads, trial_id_index_rules
from graphbuild.reason.engines import compact_view, infer_with_hermit, infer_with_sparql
from graphbuild.reason.group_summaries import group_summary_quads
from graphbuild.reason.ontology import classify
from graphbuild.reason.rules import compact_signature, compile_rules
from graphbuild.reason.target_summaries import target_summary_quads
from graphbuild.reason.terms import (
    INFERRED,
    RDF_TYPE,
    TRIAL_GRAPH_PREFIX,
    Rule,
    Triple,
    oxigraph_store,
    short,
)
from graphbuild.reason.views import shortcut_rules, statistics_rule

ENGINES = ("sparql", "hermit")
DEFAULT_ENGINE = "sparql"
DEFAULT_CHUNK_SIZE = 500  # HermiT: the cheapest trials/second measured (100: 27 ms, 500: 12 ms)


@dataclass
class ReasoningReport:
    """What a reasoning run did: counts per rule head, sizes, time per phase."""

    engine: str
    trials: int = 0
    compact_triples: int = 0
    chunks: int = 0
    rounds: int = 0
    inferred: dict[str, int] = field(default_factory=dict)
    already_asserted: int = 0
    statistics: int = 0  # VoID triples (class and property partitions) written
    aggregates: int = 0  # triples of the cells, antigen pairs and trial-id index written
    tbox_inferences: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.inferred.values())

    def __str__(self) -> str:
        lines = [
            f"reasoning ({self.engine}): {self.total} facts inferred into {INFERRED_GRAPH}",
            f"  trials: {self.trials}; "
            + (
                f"compact view: {self.compact_triples} triples; {self.chunks} HermiT run(s)"
                if self.engine == "hermit"
                else f"{self.rounds} round(s)"
            ),
        ]
        lines += [f"  {name}: {count}" for name, count in sorted(self.inferred.items())]
        lines.append(f"  already asserted (not repeated): {self.already_asserted}")
        lines.append(f"  statistics (VoID counts for graph_summary): {self.statistics} triples")
        lines.append(
            f"  aggregates (antigen x disease cells, antigen pairs, trial-id index, "
            f"trial-antigen summaries, phase/antigen/modality/product/category groups): "
            f"{self.aggregates} triples"
        )
        lines += [f"  terminology: {axiom}" for axiom in self.tbox_inferences]
        lines.append("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.seconds.items()))
        return "\n".join(lines)


def _is_asserted(store: ox.Store, fact: Triple) -> bool:
    s, p, o = (ox.NamedNode(x) for x in fact)
    return any(q.graph_name != INFERRED for q in store.quads_for_pattern(s, p, o, None))


# The whole inferred graph is written with Oxigraph's bulk loader (sorted files handed to RocksDB,
# no transaction). Written through transactions, the 1.8 million inferred quads of a
# 100,000-trial build grew the process by ~2 GB of RocksDB write buffers and took twice as long
# (reachDays 50 -> 21 s, quoteList 30 -> 16 s). Nothing else writes the store meanwhile: a build
# commits its folder atomically, and `graphbuild reason` rewrites the graph whole (an
# interrupted run is run again).


def _constructed_file(store: ox.Store, sparql: str, scratch: Path) -> Path:
    """What the CONSTRUCT `sparql` yields over the union of the graphs, serialized by Oxigraph
    into a new N-Triples file in `scratch`: no Python object per triple (a rule of a
    100,000-trial build yields up to a million), and no more memory than a file's buffer."""
    handle, name = tempfile.mkstemp(suffix=".nt", dir=scratch)
    os.close(handle)
    store.query(sparql, use_default_graph_as_union=True).serialize(name, ox.RdfFormat.N_TRIPLES)
    return Path(name)


def _load_inferred(store: ox.Store, path: Path) -> None:
    """The triples of an N-Triples file into the inferred graph (the bulk loader: a store is a
    set, so a triple the union of the graphs yielded twice is there once)."""
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=INFERRED)
    path.unlink()


def _write_constructed(store: ox.Store, rule: Rule, scratch: Path) -> int:
    """Write what `rule` constructs into the inferred graph and return how many distinct facts
    it added (the query reads a snapshot of the store: its own writes change nothing it
    reads)."""
    count = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED.value}> {{ ?s <{rule.head}> ?o }} }}"
    )

    def written() -> int:
        return int(next(iter(store.query(count)))["n"].value)

    before = written()
    _load_inferred(store, _constructed_file(store, rule.sparql, scratch))
    return written() - before


def write_shortcuts(store: ox.Store, rules: list[Rule], scratch: Path) -> dict[str, int]:
    """Every shortcut rule's facts written (`_write_constructed`), rule name -> facts added.
    One rule at a time: the per-node rules group every node of a kind in memory, and side by
    side they saved little (10,000 trials: 5.0 -> 4.9 s)."""
    return {rule.name: _write_constructed(store, rule, scratch) for rule in rules}


def write_aggregates(store: ox.Store, scratch: Path) -> int:
    """The cells, pairs, trial-antigen and group summaries (computed here) and the trial-id
    index (constructed by Oxigraph), all read from the store as it is before any of them is
    written, side by side on a thread per core; returns how many triples were written."""
    summaries = (aggregate_quads, target_summary_quads, group_summary_quads)
    tasks: list[Callable[[], list[ox.Quad] | Path]] = [
        *(functools.partial(make, store) for make in summaries),
        *(functools.partial(_constructed_file, store, sparql, scratch) for sparql in trial_id_index_rules()),
    ]
    made = map_on_cores(lambda task: task(), tasks)
    quads = [quad for part in made if isinstance(part, list) for quad in part]
    store.bulk_extend(quads)
    written = len(quads)
    for path in (part for part in made if isinstance(part, Path)):
        written += _lines(path)
        _load_inferred(store, path)
    return written


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def materialize(
    store: Any,
    *,
    engine: str = DEFAULT_ENGINE,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    ontology: Path | None = None,
) -> ReasoningReport:
    """Rebuild `INFERRED_GRAPH` of `store` (a GraphStore or a pyoxigraph.Store) from the
    ontology's rules; returns what was done. `engine` is "sparql" (default) or "hermit"."""
    if engine not in ENGINES:
        raise ValueError(f"unknown reasoning engine {engine!r}; known: {', '.join(ENGINES)}")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    ox_store = oxigraph_store(store)
    report = ReasoningReport(engine)
    started = time.perf_counter()
    terminology = classify(ontology)
    rules = compile_rules(terminology)
    report.tbox_inferences = tuple(
        f"{short(a)} ⊑ {short(b)}" for a, b in terminology.inferred_subsumptions
    )
    report.seconds["classify"] = time.perf_counter() - started

    mark = time.perf_counter()
    if ox_store.contains_named_graph(INFERRED):
        ox_store.remove_graph(INFERRED)  # rebuilt whole: stale facts must not feed new ones
    # HermiT reads a compact copy of what the rules read, trial by trial; the SPARQL rules read
    # the store itself, so the copy (a Python tuple per triple: 20 MB and 1.2-2.7 s at 10,000
    # trials) is made for HermiT only
    per_trial: dict[str, list[Triple]] = {}
    shared: list[Triple] = []
    if engine == "hermit":
        predicates, classes = compact_signature(rules)
        per_trial, shared = compact_view(ox_store, predicates, classes)
        report.trials = len(per_trial)
        report.compact_triples = len(shared) + sum(len(v) for v in per_trial.values())
        report.seconds["compact view"] = time.perf_counter() - mark
    else:
        report.trials = sum(
            1 for graph in ox_store.named_graphs() if graph.value.startswith(TRIAL_GRAPH_PREFIX)
        )

    mark = time.perf_counter()
    written: set[Triple] = set()

    def write(facts: set[Triple]) -> None:
        fresh = {f for f in facts if not _is_asserted(ox_store, f)}
        report.already_asserted += len(facts) - len(fresh)
        ox_store.bulk_extend(
            [ox.Quad(*(ox.NamedNode(x) for x in f), INFERRED) for f in sorted(fresh)]
        )
        written.update(fresh)

    if engine == "sparql":
        _, report.rounds = infer_with_sparql(ox_store, rules, write)
        report.chunks = 1
    else:
        facts, report.chunks = infer_with_hermit(per_trial, shared, rules, terminology, chunk_size)
        write(facts)
        report.rounds = 1
    report.seconds["infer"] = time.perf_counter() - mark

    # the shortcuts' and the index's triples pass through N-Triples files (`_constructed_file`),
    # beside the store when it is on disk (a /tmp in memory would hold them in RAM)
    beside = getattr(store, "path", None)
    with tempfile.TemporaryDirectory(
        prefix="graphbuild-inferred-", dir=beside.parent if beside is not None else None
    ) as scratch:
        mark = time.perf_counter()  # after either engine: they read only asserted facts
        shortcuts = write_shortcuts(ox_store, shortcut_rules(), Path(scratch))  # never asserted elsewhere
        report.seconds["shortcuts"] = time.perf_counter() - mark

        mark = time.perf_counter()  # last, so the counts include every inferred type
        statistics = statistics_rule()
        triples = list(ox_store.query(statistics.sparql, use_default_graph_as_union=True))
        ox_store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in triples)
        report.statistics = len(triples)
        report.seconds["statistics"] = time.perf_counter() - mark

        mark = time.perf_counter()  # from the shortcut edges; untyped, so not in the counts above
        report.aggregates = write_aggregates(ox_store, Path(scratch))
        report.seconds["aggregates"] = time.perf_counter() - mark

    names = {rule.head: rule.name for rule in rules}
    for s, p, o in written:
        key = names[o] if p == RDF_TYPE else names.get(p, short(p))
        report.inferred[key] = report.inferred.get(key, 0) + 1
    report.inferred.update({name: n for name, n in shortcuts.items() if n})
    report.seconds["total"] = time.perf_counter() - started
    return report


def inferred_facts(store: Any) -> set[Triple]:
    """The facts now in `INFERRED_GRAPH`, as IRI triples (for tests and comparisons)."""
    return {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in oxigraph_store(store).quads_for_pattern(None, None, None, INFERRED)
    }


def rule_texts() -> Iterator[tuple[str, str]]:
    """(name, SPARQL) of every rule the reasoning step runs, in order (the compiled axioms,
    the shortcuts, the statistics): what `graphbuild reason --show-rules` prints."""
    for rule in [*compile_rules(), *shortcut_rules(), statistics_rule()]:
        yield rule.name, rule.sparql
