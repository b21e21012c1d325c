"""One record -> its trial graph, serialized (and, when the build validates, checked against
the SHACL shapes and the graph-scoped violation queries right here, while its triples are at
hand: nothing is read back out of the store for that later). Runs in the pool's workers: pure,
picklable in and out, and never raises (a failure is that record's `Reject`).

The shapes are checked with their compiled form (`graphbuild.validate.compiled`: ~0.6 ms of
CPU a trial graph, on the quads in hand; pyrudof took ~3 ms, 40% of a worker's time). Should
the shapes use SHACL the compiler does not translate, or a check fail, the graph is left
unchecked here and the validation step checks it out of the store with pyrudof."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pyoxigraph as ox

from graphbuild.model import Record, Reject, SourceRef, Trial
from graphbuild.rdf.iris import PREFIXES
from graphbuild.rdf.triples import trial_quads
from graphbuild.store import without_prefixes
from graphbuild.validate.compiled import compiled_shapes
from graphbuild.validate.rudof import RawResult, ShaclSpec
from graphbuild.validate.scoped import graph_scoped_queries, query_rows

__all__ = [
    "Processed", "file_of", "process_chunk", "process_record", "shapes_results",
]


@dataclass(frozen=True, slots=True)
class Processed:
    """One record, extracted and serialized: what a worker sends back."""

    trial_id: str
    source: SourceRef
    format: str
    nquads: bytes  # the trial graph, for the store and graph.nq
    turtle: bytes  # the same triples as Turtle without @prefix lines, for graph.ttl (b"" unless asked)
    ungrounded: tuple[str, ...]
    extract_seconds: float
    triples_seconds: float
    # for the report's worklist: interventions with no modality, outcomes with no concept
    unmatched: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    # the SHACL results for the trial graph, in pyrudof's raw form (None: not checked here,
    # the validation step checks it out of the store)
    shacl: tuple[RawResult, ...] | None = None
    shacl_seconds: float = 0.0
    # the graph-scoped violation queries' rows for the trial graph, (query name, row items)
    # pairs (None: not checked here, the validation step runs them on the store)
    violations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] | None = None
    violations_seconds: float = 0.0


def _extract(record: Record) -> Trial:
    from graphbuild.extract.trial import (
        extract_trial,  # lazy: loads lexicons on first use
    )

    return extract_trial(record)


def process_record(
    record: Record, turtle: bool = False, shacl: ShaclSpec | None = None
) -> Processed | Reject:
    """Extract one record and serialize its trial graph (N-Quads; Turtle too when `turtle`,
    for a build that writes graph.ttl); check it against `shacl` when given. Never raises: a
    failure becomes a Reject naming the record and the exception, so one bad record cannot
    stop the batch (a failure of the SHACL check only leaves the graph unchecked here)."""
    processed, _quads = _process(record, turtle, shacl)
    return processed


def _process(
    record: Record, turtle: bool, shacl: ShaclSpec | None
) -> tuple[Processed | Reject, list[ox.Quad]]:
    """`process_record`, and the trial graph's quads (for `check_queries`)."""
    stage = "extraction"
    try:
        t0 = time.perf_counter()
        trial = _extract(record)
        ungrounded = trial.ungrounded_conditions
        t1 = time.perf_counter()
        stage = "triples"
        quads = list(trial_quads(trial))
        nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        nquads = b"".join(sorted(nquads.splitlines(keepends=True)))  # canonical graph.nq
        ttl = b""
        if turtle:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            ttl = without_prefixes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        t2 = time.perf_counter()
        checked = shapes_results(shacl, quads) if shacl is not None else None
        return Processed(
            trial.trial_id, record.source, str(record.format), nquads, ttl, ungrounded,
            t1 - t0, t2 - t1,
            (trial.interventions_without_modality, trial.outcomes_without_concept),
            checked, time.perf_counter() - t2 if shacl is not None else 0.0,
        ), quads
    except Exception as exc:  # noqa: BLE001 - any failure of one record is that record's reject
        return Reject(
            file=file_of(record.source),
            record=f"{record.source.record} ({record.trial_id})",
            field=f"({stage})",
            reason=f"{type(exc).__name__}: {exc}",
        ), []


def process_chunk(
    items: Sequence[Record | Reject], turtle: bool = False, shacl: ShaclSpec | None = None
) -> list[Processed | Reject]:
    """A worker's task: each record processed, each reader reject passed through; with
    `shacl` (a validating build), each trial graph checked against the shapes and, a task's
    graphs together, by the graph-scoped violation queries (`check_queries`)."""
    pairs = [(item, []) if isinstance(item, Reject) else _process(item, turtle, shacl) for item in items]
    done: list[Processed | Reject] = [item for item, _quads in pairs]
    if shacl is None:
        return done
    return check_queries(done, [quads for _item, quads in pairs])


def check_queries(
    items: list[Processed | Reject], quads: Sequence[Sequence[ox.Quad]]
) -> list[Processed | Reject]:
    """`items` with the graph-scoped violation queries' rows for each trial graph: the
    graphs of distinct trials loaded together into one in-memory store (a task's 32 records:
    ~0.3 ms a trial to load, ~0.3 ms for the nine queries, against ~2 ms a trial over the
    whole on-disk store at 100,000 trials), each row given to the trial it names. A row naming
    a trial outside the batch, or a failed query, leaves the batch unchecked (the validation
    step then runs the queries on those graphs)."""
    out = list(items)
    _in_batches(out, len(out), lambda batch: _query_batch(out, batch, quads))
    return out


def _in_batches(out: list[Processed | Reject], size: int, run: Callable[[list[int]], None]) -> None:
    """`run` on the indexes of `out`'s trial graphs, at most `size` and each trial id once
    (two records of one trial would be one graph in a batch) per call."""
    batch: list[int] = []
    for index, item in enumerate(out):
        if isinstance(item, Reject):
            continue
        if len(batch) == size or any(out[i].trial_id == item.trial_id for i in batch):
            run(batch)
            batch = []
        batch.append(index)
    if batch:
        run(batch)


def _query_batch(out: list[Processed | Reject], batch: list[int], quads: Sequence[Sequence[ox.Quad]]) -> None:
    items: list[Processed] = [out[i] for i in batch]  # type: ignore[misc]
    t0 = time.perf_counter()
    found: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] | None = {p.trial_id: [] for p in items}
    try:
        store = ox.Store()
        store.extend([quad for i in batch for quad in quads[i]])
        for name, text in graph_scoped_queries():
            for row in query_rows(store, text):
                owner = found.get(row.get("trial_id", ""))  # type: ignore[union-attr]
                if owner is None:
                    found = None
                    break
                owner.append((name, tuple(sorted(row.items()))))
            if found is None:
                break
    except BaseException as exc:  # noqa: BLE001 - left to the validation step
        _reraise_exit(exc)
        found = None
    seconds = (time.perf_counter() - t0) / len(items)
    for index, item in zip(batch, items, strict=True):
        rows = None if found is None else tuple(found[item.trial_id])
        out[index] = replace(item, violations=rows, violations_seconds=seconds)


def shapes_results(spec: ShaclSpec, quads: Sequence[ox.Quad]) -> tuple[RawResult, ...] | None:
    """The shapes' results for one trial graph's quads, or None when they could not be checked
    here (shapes the compiler does not translate, or a failure): the validation step then
    checks that graph out of the store, where a failure is the validation's, never the
    record's."""
    try:
        return tuple(compiled_shapes(spec).check(quads))
    except Exception:  # noqa: BLE001 - the graph is fine; only this early check is lost
        return None


def _reraise_exit(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc


def file_of(source: SourceRef) -> str:
    """The file a reject names: `archive!member` for a record read from an archive."""
    return f"{source.file}!{source.member}" if source.member else source.file
