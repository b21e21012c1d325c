"""read -> extract -> triples -> store -> vocabulary -> reason -> validate -> outputs.

`build` streams: records are read lazily, extracted in a process pool in chunks (results come
back in input order, with a bounded number of chunks in flight so memory stays flat), and each
worker hands back its trial already serialized as N-Quads, which Oxigraph's own parser loads
in bulk. A record that cannot be read or extracted becomes a `Reject` naming it; the rest of
the batch lands.

Everything is built in a staging folder inside the output directory and moved into place only
when the whole build succeeded (`os.replace`, same file system), so a build that fails midway
leaves the previous good build untouched.

The outputs are written from the bytes the workers already produced (`_Spool`): reading an
on-disk store back would cost as much as loading it. A trial id read twice keeps one record,
chosen by format and then path (`_preference`), never by input order, so two builds of the
same inputs give the same graph (only the build graph's times differ).

`ingest` is the other entry point: re-ingesting changed trials into an existing store replaces
exactly their named graphs, then rebuilds the shared vocabulary and inferred graphs.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import multiprocessing
import os
import queue
import shutil
import tarfile
import tempfile
import threading
import time
import zipfile
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence

import pyoxigraph as ox

from graphbuild import __version__
from graphbuild.model import Record, Reject, SourceRef, Trial
from graphbuild.rdf.iris import PREFIXES, trial_graph_iri
from graphbuild.rdf.namespaces import (
    BUILD_GRAPH,
    GBR_IRI,
    INFERRED_GRAPH,
    VOCABULARY_GRAPH,
)
from graphbuild.rdf.triples import SourceFile, build_quads, trial_quads, vocabulary_quads
from graphbuild.reason import materialize
from graphbuild.report import BuildReport, Duplicate, Ungrounded, worklist
from graphbuild.store import GraphStore, turtle_header, without_prefixes
from graphbuild.validate import validate as validate_graph

__all__ = ["build", "ingest", "process_record", "refresh_vocabulary", "refresh_inferred"]

Progress = Callable[[int, int], None]  # (records done, records rejected)

STORE_DIR = "store"
OUTPUT_FILES = ("graph.nq", "graph.ttl", "report.md", "report.json")  # report.json last
CHUNK_SIZE = 32  # records per task sent to a worker
POOL_THRESHOLD = 200  # fewer records than this are extracted in-process (no pool start-up)
FLUSH_BYTES = 32 << 20  # N-Quads buffered before a bulk load
_STAGING_PREFIX = ".graphbuild-staging-"
_log = logging.getLogger(__name__)
_TRIAL_GRAPH_PREFIX = f"{GBR_IRI}graph/trial/"


# --------------------------------------------------------------------------------------------
# Per record (runs in workers: pure, picklable in and out)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Processed:
    """One record, extracted and serialized: what a worker sends back."""

    trial_id: str
    source: SourceRef
    format: str
    nquads: bytes  # the trial graph, for the store and graph.nq
    turtle: bytes  # the same triples as Turtle without @prefix lines, for graph.ttl
    ungrounded: tuple[str, ...]
    extract_seconds: float
    triples_seconds: float
    unmatched: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # worklist: interventions, outcomes


def _extract(record: Record) -> Trial:
    from graphbuild.extract.trial import extract_trial  # lazy: loads lexicons on first use

    return extract_trial(record)


def process_record(record: Record) -> Processed | Reject:
    """Extract one record and serialize its trial graph. Never raises: a failure becomes a
    Reject naming the record and the exception, so one bad record cannot stop the batch."""
    stage = "extraction"
    try:
        t0 = time.perf_counter()
        trial = _extract(record)
        ungrounded = trial.ungrounded_conditions
        t1 = time.perf_counter()
        stage = "triples"
        quads = list(trial_quads(trial))
        nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        turtle = without_prefixes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        t2 = time.perf_counter()
        return Processed(
            trial.trial_id, record.source, str(record.format), nquads, turtle, ungrounded,
            t1 - t0, t2 - t1, (trial.interventions_without_modality, trial.outcomes_without_concept),
        )
    except Exception as exc:  # noqa: BLE001 - any failure of one record is that record's reject
        return Reject(
            file=_file_of(record.source),
            record=f"{record.source.record} ({record.trial_id})",
            field=f"({stage})",
            reason=f"{type(exc).__name__}: {exc}",
        )


def _process_chunk(items: Sequence[Record | Reject]) -> list[Processed | Reject]:
    return [item if isinstance(item, Reject) else process_record(item) for item in items]


def _file_of(source: SourceRef) -> str:
    return f"{source.file}!{source.member}" if source.member else source.file


# --------------------------------------------------------------------------------------------
# Streaming through a pool, in order
# --------------------------------------------------------------------------------------------


def _read(inputs: Sequence[str | os.PathLike[str]]) -> Iterator[Record | Reject]:
    from graphbuild.readers.inputs import read_inputs

    return read_inputs([str(i) for i in inputs])


def _outside(items: Iterable[Record | Reject], out: Path) -> Iterator[Record | Reject]:
    """Items not read from the build directory itself (`graphbuild build . -o output` must not
    read the previous build's report.json as a trial record)."""
    out = out.resolve()
    inside: dict[str, bool] = {}
    for item in items:
        file = item.source.file if isinstance(item, Record) else item.file.partition("!")[0]
        if file not in inside:
            path = Path(file)
            inside[file] = path.exists() and out in path.resolve().parents
        if not inside[file]:
            yield item


def _chunks(items: Iterable[Record | Reject], size: int) -> Iterator[list[Record | Reject]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _pool(workers: int) -> Executor:
    """A process pool started from a clean process (forkserver where the OS has it): forking
    the main process would copy the open store's background threads and locks."""
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # workers fork from the forkserver, so what it preloads (compiled lexicons) they share
        context.set_forkserver_preload(["graphbuild.pipeline", "graphbuild.extract.warm"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def process_stream(
    items: Iterable[Record | Reject], workers: int
) -> Iterator[Processed | Reject]:
    """Every item processed, in input order. Few records run in-process; many go to a pool
    with at most `4 * workers` chunks in flight."""
    iterator = iter(items)
    head = list(itertools.islice(iterator, POOL_THRESHOLD))
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for item in itertools.chain(head, iterator):
            yield item if isinstance(item, Reject) else process_record(item)
        return
    with _pool(workers) as pool:
        pending: deque = deque()
        for chunk in _chunks(itertools.chain(head, iterator), CHUNK_SIZE):
            pending.append(pool.submit(_process_chunk, chunk))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


# --------------------------------------------------------------------------------------------
# Store-level steps (shared by build and ingest)
# --------------------------------------------------------------------------------------------


# The edges from a trial's own nodes to the shared nodes the vocabulary graph describes.
SHARED_EDGES = ("studiesDisease", "targetsAntigen", "directedAt", "measuresConcept")


def referenced_nodes(store: GraphStore) -> list[ox.NamedNode]:
    """Antigen, disease and concept nodes that some trial graph points at."""
    values = " ".join(f"gb:{name}" for name in SHARED_EDGES)
    result = store.query(
        f"""
        SELECT DISTINCT ?x WHERE {{
          VALUES ?p {{ {values} }}
          GRAPH ?g {{ ?s ?p ?x }}
          FILTER(STRSTARTS(STR(?g), "{_TRIAL_GRAPH_PREFIX}"))
        }}"""
    )
    return sorted((row["x"] for row in result), key=lambda n: n.value)


def refresh_vocabulary(store: GraphStore) -> int:
    """Rebuild the vocabulary graph from what the trial graphs now reference."""
    quads = list(vocabulary_quads(referenced_nodes(store)))
    store.replace_graph(VOCABULARY_GRAPH, quads)
    return len(quads)


def refresh_inferred(store: GraphStore) -> dict[str, object]:
    """Clear and re-materialize the inferred graph with `graphbuild.reason`, when present."""
    store.remove_graph(INFERRED_GRAPH)
    result = materialize(store)
    info: dict[str, object] = {"ran": True, "inferred_quads": store.count(INFERRED_GRAPH)}
    engine = getattr(result, "engine", None)
    if engine:
        info["engine"] = str(engine)
    return info


# SHACL costs 30-75 ms per trial (pyshacl), the violation queries a few ms per thousand. A
# build runs both up to this many trials; above it only the queries, and the report says so:
# `graphbuild validate --graph DIR` runs the full SHACL check on any size.
SHACL_TRIAL_LIMIT = 5000


def run_validation(store: GraphStore, trials: int) -> dict[str, object]:
    """The violation queries always, SHACL too when the build is small enough to afford it."""
    shacl = trials <= SHACL_TRIAL_LIMIT
    result = validate_graph(store, shacl=shacl)
    info: dict[str, object] = {
        "ran": True,
        "shacl": shacl,
        "conforms": result.conforms,
        "violations": len(result.violations),
        "text": str(result),
    }
    if not shacl:
        info["note"] = (
            f"SHACL skipped: {trials} trials > {SHACL_TRIAL_LIMIT}; "
            "run `graphbuild validate --graph DIR` for the full check"
        )
    return info


# Node kinds a trial graph holds (counted by type), and shared node kinds (counted as the
# distinct objects of the edge that reaches them from the trial graphs).
OWN_KINDS = {
    "trials": "Trial",
    "interventions": "Intervention",
    "endpoints": "Endpoint",
    "time frames": "TimeFrame",
    "extracted links": "ExtractedLink",
    "evidence": "Evidence",
}
SHARED_KINDS = {
    "antigens": ("targetsAntigen", "directedAt"),
    "diseases": ("studiesDisease",),
    "endpoint concepts": ("measuresConcept",),
}


def node_counts(store: GraphStore) -> dict[str, int]:
    """Distinct nodes of each kind the trial graphs hold or point at (MeSH ancestors that only
    the hierarchy holds are not counted)."""
    only_trials = f'FILTER(STRSTARTS(STR(?g), "{_TRIAL_GRAPH_PREFIX}"))'
    values = " ".join(f"gb:{cls}" for cls in OWN_KINDS.values())
    rows = store.query(
        f"""SELECT ?type (COUNT(DISTINCT ?x) AS ?n) WHERE {{
          VALUES ?type {{ {values} }} GRAPH ?g {{ ?x a ?type }} {only_trials}
        }} GROUP BY ?type"""
    )
    own = {row["type"].value.rsplit("#", 1)[1]: int(row["n"].value) for row in rows}
    counts = {kind: own.get(cls, 0) for kind, cls in OWN_KINDS.items()}
    for kind, edges in SHARED_KINDS.items():
        values = " ".join(f"gb:{edge}" for edge in edges)
        (row,) = store.query(
            f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?x }} {only_trials}
            }}"""
        )
        counts[kind] = int(row["n"].value)
    return counts


def link_counts(store: GraphStore) -> dict[str, int]:
    """Extracted links by predicate and basis ("targetsAntigen stated" -> n)."""
    result = store.query(
        """
        SELECT ?p ?basis (COUNT(?link) AS ?n) WHERE {
          GRAPH ?g { ?link a gb:ExtractedLink ; rdf:predicate ?p ; gb:basis ?basis }
        } GROUP BY ?p ?basis ORDER BY ?p ?basis"""
    )
    return {
        f"{row['p'].value.rsplit('#', 1)[-1]} {row['basis'].value}": int(row["n"].value)
        for row in result
    }


def ingest(store: GraphStore, trials: Iterable[Trial], *, reason: bool = True) -> list[str]:
    """Re-ingest trials into an existing store: each trial's graph is replaced by exactly its
    new quads (other trials untouched), then the vocabulary and inferred graphs are rebuilt.
    It changes the store only: the build graph keeps describing the original build, and a build
    directory's graph.nq / graph.ttl the last full build. Returns the trial ids replaced."""
    replaced = []
    for trial in trials:
        store.replace_graph(trial_graph_iri(trial.trial_id), trial_quads(trial))
        replaced.append(trial.trial_id)
    refresh_vocabulary(store)
    if reason:
        refresh_inferred(store)
    return replaced


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# Which record of a trial read twice is kept: the richest, most current format first, then the
# smallest (file, member, record), so the choice never depends on the order of the inputs.
FORMAT_PREFERENCE = {"json": 0, "csv": 1, "xml": 2, "flat": 3}


def _preference(item: "Processed") -> tuple[int, str, str, str]:
    source = item.source
    return (FORMAT_PREFERENCE.get(item.format, 9), source.file, source.member or "", source.record)


class _BackgroundLoad:
    """Bulk loads on a thread: pyoxigraph releases the GIL while it loads, so reading and
    dispatching the next records overlaps loading the last ones. At most `depth` buffers wait;
    a load error is raised in the main thread at the next put, wait or close."""

    def __init__(self, store: GraphStore, depth: int = 2) -> None:
        self.store = store
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run, name="graphbuild-load", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            data = self.queue.get()
            try:
                if data is None:
                    return
                if self.error is None:
                    t0 = time.perf_counter()
                    self.store.bulk_load(data)
                    self.seconds += time.perf_counter() - t0
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self.error = exc
            finally:
                self.queue.task_done()

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, data: bytes) -> None:
        self._check()
        self.queue.put(data)

    def wait(self) -> None:
        """Until every buffer handed over is in the store."""
        self.queue.join()
        self._check()

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


class _Spool:
    """The trial graphs as the workers serialized them, appended to `graph.nq` / `graph.ttl`
    part files as they stream by, so the outputs need no second pass over the store (reading
    an on-disk Oxigraph store back runs at ~140k quads/s; writing these bytes is free). A trial
    whose record is replaced by a preferred duplicate has its old byte ranges skipped when the
    parts become the outputs."""

    def __init__(self, staging: Path) -> None:
        self.nq_path = staging / "trials.nq.part"
        self.ttl_path = staging / "trials.ttl.part"
        self.nq = open(self.nq_path, "wb")
        self.ttl = open(self.ttl_path, "wb")
        self.stale_nq: list[tuple[int, int]] = []
        self.stale_ttl: list[tuple[int, int]] = []

    def write(self, item: Processed) -> tuple[int, int, int, int]:
        """Append one trial; returns its (nq offset, nq length, ttl offset, ttl length)."""
        at_nq, at_ttl = self.nq.tell(), self.ttl.tell()
        self.nq.write(item.nquads)
        self.ttl.write(item.turtle)
        return at_nq, len(item.nquads), at_ttl, len(item.turtle)

    def drop(self, ranges: tuple[int, int, int, int]) -> None:
        self.stale_nq.append((ranges[0], ranges[1]))
        self.stale_ttl.append((ranges[2], ranges[3]))

    def close(self) -> None:
        self.nq.close()
        self.ttl.close()

    def finish(self, store: GraphStore, nq_out: Path, ttl_out: Path) -> None:
        """Write graph.nq (trial parts + every other graph from the store) and graph.ttl
        (prefixes + trial parts + the other graphs merged, each triple once)."""
        self.close()
        with open(nq_out, "wb") as handle:
            _copy_skipping(self.nq_path, handle, self.stale_nq)
            others = [g for g in store.graphs() if not g.value.startswith(_TRIAL_GRAPH_PREFIX)]
            store.write_quads(handle, others)
        with open(ttl_out, "wb") as handle:
            handle.write(turtle_header())
            _copy_skipping(self.ttl_path, handle, self.stale_ttl)
            store.write_merged(handle, ox.RdfFormat.TURTLE, trial_graphs=False, header=False)
        self.nq_path.unlink()
        self.ttl_path.unlink()


def _copy_skipping(path: Path, out: BinaryIO, skip: list[tuple[int, int]]) -> None:
    """Copy `path` to `out` minus the given (offset, length) ranges."""
    with open(path, "rb") as handle:
        position = 0
        for start, length in sorted(skip) + [(os.path.getsize(path), 0)]:
            handle.seek(position)
            remaining = start - position
            while remaining > 0:
                block = handle.read(min(remaining, 1 << 24))
                if not block:
                    break
                out.write(block)
                remaining -= len(block)
            position = start + length


class _Loader:
    """Buffers N-Quads and bulk-loads them (in the background); keeps one record per trial id
    (see `_preference`, so the winner does not depend on the input order)."""

    def __init__(self, store: GraphStore, report: BuildReport, spool: _Spool) -> None:
        self.store = store
        self.report = report
        self.spool = spool
        self.buffer = bytearray()
        self.background = _BackgroundLoad(store)
        # trial id -> (preference key, source, byte ranges in the spool)
        self.kept: dict[str, tuple[tuple[int, str, str, str], SourceRef, tuple[int, int, int, int]]] = {}
        self.sources: dict[tuple[str, str | None], int] = {}
        self.ungrounded: dict[str, tuple[str, ...]] = {}
        self.unmatched: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.replace_seconds = 0.0

    @property
    def load_seconds(self) -> float:
        return self.background.seconds + self.replace_seconds

    def add(self, item: Processed) -> None:
        source = item.source
        where = (source.file, source.member)
        self.sources[where] = self.sources.get(where, 0) + 1
        key = _preference(item)
        previous = self.kept.get(item.trial_id)
        if previous is None:
            self.kept[item.trial_id] = (key, source, self.spool.write(item))
            self.ungrounded[item.trial_id], self.unmatched[item.trial_id] = item.ungrounded, item.unmatched
            self.buffer += item.nquads
            if len(self.buffer) >= FLUSH_BYTES:
                self.background.put(bytes(self.buffer))
                self.buffer.clear()
            return
        if key < previous[0]:  # the new record wins: replace what was loaded
            self.flush()
            t0 = time.perf_counter()
            self.store.replace_graph(trial_graph_iri(item.trial_id), item.nquads)
            self.replace_seconds += time.perf_counter() - t0
            self.spool.drop(previous[2])
            self.kept[item.trial_id] = (key, source, self.spool.write(item))
            self.ungrounded[item.trial_id], self.unmatched[item.trial_id] = item.ungrounded, item.unmatched
            kept, dropped = source, previous[1]
        else:
            kept, dropped = previous[1], source
        self.report.duplicates.append(Duplicate(item.trial_id, str(kept), str(dropped)))

    def flush(self) -> None:
        """Everything added so far is in the store when this returns."""
        if self.buffer:
            self.background.put(bytes(self.buffer))
            self.buffer.clear()
        self.background.wait()

    def close(self) -> None:
        self.background.close()


def build(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    memory: bool = False,
    reason: bool = True,
    validate: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the graph of `inputs` into `out_dir`: `store/` (Oxigraph, unless `memory`),
    `graph.nq`, `graph.ttl` (merged graph), `report.json`, `report.md`. Returns the report.

    Rejected records are listed in the report and never stop the build. Any other failure
    raises, and leaves whatever `out_dir` held before untouched."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=out))
    try:
        report = _build_into(
            staging, inputs, out, memory=memory, reason=reason, validate=validate,
            workers=workers or os.cpu_count() or 1, progress=progress,
        )
        _commit(staging, out, memory=memory)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build_into(
    staging: Path,
    inputs: Sequence[str | os.PathLike[str]],
    out: Path,
    *,
    memory: bool,
    reason: bool,
    validate: bool,
    workers: int,
    progress: Progress | None,
) -> BuildReport:
    report = BuildReport(
        inputs=[str(i) for i in inputs], out_dir=str(out), version=__version__, memory=memory,
        workers=workers,
    )
    report.started = _now()
    timings = report.timings
    store = GraphStore.in_memory() if memory else GraphStore.open(staging / STORE_DIR)
    spool = _Spool(staging)
    loader = _Loader(store, report, spool)
    try:
        extract_s = triples_s = 0.0
        t0 = time.perf_counter()
        for item in process_stream(_outside(_read(inputs), out), workers):
            report.records_read += 1
            if isinstance(item, Reject):
                report.rejects.append(item)
            else:
                extract_s += item.extract_seconds
                triples_s += item.triples_seconds
                loader.add(item)
            if progress is not None:
                progress(report.records_read, len(report.rejects))
        loader.flush()
        timings["read, extract, triples, load"] = time.perf_counter() - t0
        report.worker_seconds = {
            "extract": extract_s, "triples": triples_s, "store load": loader.load_seconds
        }
        report.trials_loaded = len(loader.kept)
        report.ungrounded = [
            Ungrounded(tid, text)
            for tid in sorted(loader.ungrounded)
            for text in loader.ungrounded[tid]
        ]
        report.worklist = {
            "conditions": worklist(loader.ungrounded),
            "interventions": worklist({t: u[0] for t, u in loader.unmatched.items()}),
            "outcomes": worklist({t: u[1] for t, u in loader.unmatched.items()}),
        }

        t = time.perf_counter()
        refresh_vocabulary(store)
        timings["vocabulary"] = time.perf_counter() - t

        if reason:
            t = time.perf_counter()
            report.reasoning = _guarded(refresh_inferred, store)
            timings["reasoning"] = time.perf_counter() - t
        else:
            report.reasoning = {"ran": False, "reason": "disabled (--no-reason)"}
        if validate:
            t = time.perf_counter()
            report.validation = _guarded(run_validation, store, report.trials_loaded)
            timings["validation"] = time.perf_counter() - t
        else:
            report.validation = {"ran": False, "reason": "disabled (--no-validate)"}

        t = time.perf_counter()
        sources = _source_files(loader.sources, report.rejects)
        report.sources = [
            {"path": s.path, "member": s.member, "records": s.records, "sha256": s.sha256}
            for s in sources
        ]
        report.ended = _now()
        store.replace_graph(
            BUILD_GRAPH,
            build_quads(started=report.started, ended=report.ended, version=__version__, sources=sources),
        )
        report.node_counts = node_counts(store)
        report.link_counts = link_counts(store)
        report.quads = store.count()
        report.graphs = len(store.graphs())
        spool.finish(store, staging / "graph.nq", staging / "graph.ttl")
        report.outputs = ([] if memory else [f"{STORE_DIR}/"]) + list(OUTPUT_FILES)
        timings["write outputs"] = time.perf_counter() - t
        (staging / "report.md").write_text(report.to_markdown(), encoding="utf-8")
        (staging / "report.json").write_text(report.to_json(), encoding="utf-8")
    finally:
        loader.close()
        spool.close()
        store.close()
    return report


def _guarded(
    step: Callable[..., dict[str, object]], store: GraphStore, *args: object
) -> dict[str, object]:
    """Run reasoning or validation; their failure is reported, not fatal: the extracted graph
    is still worth having, and the report says plainly what did not run."""
    try:
        return step(store, *args)
    except Exception as exc:  # noqa: BLE001
        _log.warning("%s failed: %s: %s", step.__name__, type(exc).__name__, exc)
        return {"ran": False, "error": f"{type(exc).__name__}: {exc}"}


# --------------------------------------------------------------------------------------------
# Sources and their checksums (build provenance)
# --------------------------------------------------------------------------------------------


def _source_files(
    counts: dict[tuple[str, str | None], int], rejects: Iterable[Reject]
) -> list[SourceFile]:
    """Every input file (or archive member) records came from, with its SHA-256."""
    keys = dict(counts)
    for reject in rejects:
        path, _, member = reject.file.partition("!")
        keys.setdefault((path, member or None), 0)
    files = []
    for (path, member), records in sorted(keys.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        digest = _sha256(path, member)
        if digest:
            files.append(SourceFile(path=path, member=member, sha256=digest, records=records))
    return files


def _sha256(path: str, member: str | None) -> str | None:
    digest = hashlib.sha256()
    try:
        if member is None:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                handle = archive.extractfile(member)
                if handle is None:
                    return None
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            return None
    except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError):
        return None
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Committing a staged build
# --------------------------------------------------------------------------------------------


def _commit(staging: Path, out: Path, *, memory: bool) -> None:
    """Move the staged build into `out`: the store directory swapped by two renames, each
    file by `os.replace` (atomic on one file system), `report.json` last so that its presence
    marks a complete build. Files of `out` that graphbuild does not write are left alone."""
    target = out / STORE_DIR
    trash = staging / "previous-store"
    if target.exists():
        os.replace(target, trash)  # a memory build supersedes an older on-disk store too
    if not memory:
        try:
            os.replace(staging / STORE_DIR, target)
        except OSError:
            if trash.exists():
                os.replace(trash, target)
            raise
    for name in OUTPUT_FILES:
        os.replace(staging / name, out / name)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders left by builds that died (their process is gone) are garbage."""
    for path in out.glob(f"{_STAGING_PREFIX}*"):
        pid_text = path.name[len(_STAGING_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
