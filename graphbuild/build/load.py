"""Loading: the trial graphs the workers serialized are bulk-loaded into the store on a
background thread and spooled to part files for graph.nq / graph.ttl; a trial id read twice
keeps one record, chosen by format and then path, never by input order."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from graphbuild.build.process import Processed
from graphbuild.build.steps import TRIAL_GRAPH_PREFIX
from graphbuild.model import SourceRef
from graphbuild.rdf.iris import trial_graph_iri
from graphbuild.report import BuildReport, Duplicate
from graphbuild.store import GraphStore, turtle_header
from graphbuild.validate.rudof import RawResult, ShaclSpec

__all__ = ["FLUSH_BYTES", "FORMAT_PREFERENCE", "Loader", "Spool"]

FLUSH_BYTES = 32 << 20  # N-Quads buffered before a bulk load


# Which record of a trial read twice is kept: the richest, most current format first, then the
# smallest (file, member, record), so the choice never depends on the order of the inputs.
FORMAT_PREFERENCE = {"json": 0, "csv": 1, "xml": 2, "flat": 3}


def _preference(item: Processed) -> tuple[int, str, str, str]:
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


class Spool:
    """The trial graphs as the workers serialized them, appended to `graph.nq` / `graph.ttl`
    part files as they stream by, so the outputs need no second pass over the store (reading
    an on-disk Oxigraph store back runs at ~140k quads/s; writing these bytes is free).

    The outputs are written in a canonical order, whatever the order of the inputs: trial
    graphs by trial id (each trial's lines already sorted by its worker), then every other
    graph by IRI, its lines sorted. Only the kept record of a trial read twice is copied."""

    def __init__(self, staging: Path, turtle: bool = False) -> None:
        self.nq_path = staging / "trials.nq.part"
        self.ttl_path = staging / "trials.ttl.part"
        self.turtle = turtle  # graph.ttl is written only when asked (`build --turtle`)
        self.nq = open(self.nq_path, "wb")  # noqa: SIM115 - open while the trials stream by
        self.ttl = open(self.ttl_path, "wb") if turtle else None  # noqa: SIM115

    def write(self, item: Processed) -> tuple[int, int, int, int]:
        """Append one trial; returns its (nq offset, nq length, ttl offset, ttl length)."""
        at_nq = self.nq.tell()
        self.nq.write(item.nquads)
        if self.ttl is None:
            return at_nq, len(item.nquads), 0, 0
        at_ttl = self.ttl.tell()
        self.ttl.write(item.turtle)
        return at_nq, len(item.nquads), at_ttl, len(item.turtle)

    def close(self) -> None:
        self.nq.close()
        if self.ttl is not None:
            self.ttl.close()

    def finish(
        self, store: GraphStore, nq_out: Path, ttl_out: Path, ranges: list[tuple[int, int, int, int]]
    ) -> None:
        """Write graph.nq (the trials' `ranges` in that order + every other graph from the
        store, sorted) and, when asked, graph.ttl (prefixes + the same trials + the other
        graphs merged, each triple once)."""
        self.close()
        with open(nq_out, "wb") as handle:
            _copy_ranges(self.nq_path, handle, [(r[0], r[1]) for r in ranges])
            others = sorted(
                (g for g in store.graphs() if not g.value.startswith(TRIAL_GRAPH_PREFIX)),
                key=lambda g: g.value,
            )
            for graph in others:
                store.write_sorted_quads(handle, graph, nq_out.parent)
        self.nq_path.unlink()
        if self.ttl is None:
            return
        with open(ttl_out, "wb") as handle:
            handle.write(turtle_header())
            _copy_ranges(self.ttl_path, handle, [(r[2], r[3]) for r in ranges])
            store.write_merged(handle, ox.RdfFormat.TURTLE, trial_graphs=False, header=False)
        self.ttl_path.unlink()


def _copy_ranges(path: Path, out: BinaryIO, ranges: list[tuple[int, int]]) -> None:
    """Copy the given (offset, length) ranges of `path` to `out`, in the order given."""
    with open(path, "rb") as handle:
        for start, length in ranges:
            handle.seek(start)
            remaining = length
            while remaining > 0:
                block = handle.read(min(remaining, 1 << 24))
                if not block:
                    break
                out.write(block)
                remaining -= len(block)


class Loader:
    """Buffers N-Quads and bulk-loads them (in the background); keeps one record per trial id
    (see `_preference`, so the winner does not depend on the input order), and the SHACL
    results of the kept record's trial graph when the build validates (`shacl`): checked by
    the worker (an item that comes unchecked is checked by the validation step)."""

    def __init__(
        self, store: GraphStore, report: BuildReport, spool: Spool, shacl: ShaclSpec | None = None
    ) -> None:
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
        self.shacl = shacl
        # trial graph IRI -> (SHACL results, pyrudof's raw form; triples checked): `validate(checked=...)`
        self.checked: dict[str, tuple[tuple[RawResult, ...], int]] = {}
        # trial graph IRI -> the graph-scoped violation queries' rows: `validate(checked_rows=...)`
        self.checked_rows: dict[str, tuple[tuple[str, dict[str, str]], ...]] = {}

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
            self.ungrounded[item.trial_id] = item.ungrounded
            self.unmatched[item.trial_id] = item.unmatched
            self._check(item)
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
            self.kept[item.trial_id] = (key, source, self.spool.write(item))
            self.ungrounded[item.trial_id] = item.ungrounded
            self.unmatched[item.trial_id] = item.unmatched
            self._check(item)
            kept, dropped = source, previous[1]
        else:
            kept, dropped = previous[1], source
        self.report.duplicates.append(Duplicate(item.trial_id, str(kept), str(dropped)))

    def _check(self, item: Processed) -> None:
        """Keep the kept record's SHACL results and violation-query rows. A graph nobody
        checked (a Dask shard, a failed early check) is left to the validation step, which
        reads it out of the store and checks it in a pool of processes: never one by one in
        this, the serial, process."""
        if self.shacl is None:
            return
        graph = trial_graph_iri(item.trial_id)
        if item.shacl is None:
            self.checked.pop(graph, None)
        else:
            self.checked[graph] = (item.shacl, item.nquads.count(b"\n"))
        if item.violations is None:
            self.checked_rows.pop(graph, None)
        else:
            self.checked_rows[graph] = tuple((name, dict(row)) for name, row in item.violations)

    def ranges_by_trial(self) -> list[tuple[int, int, int, int]]:
        """The spool ranges of the kept trials, in trial id order (the outputs' order)."""
        return [self.kept[trial_id][2] for trial_id in sorted(self.kept)]

    def flush(self) -> None:
        """Everything added so far is in the store when this returns."""
        if self.buffer:
            self.background.put(bytes(self.buffer))
            self.buffer.clear()
        self.background.wait()

    def close(self) -> None:
        self.background.close()
