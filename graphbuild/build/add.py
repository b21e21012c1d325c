"""`add`: records into an existing build, each replacing exactly its trial's named graph, then
the vocabulary and inferred graphs refreshed and graph.nq (graph.ttl when the build has one)
rewritten to match, under the output folder's lock.

graph.nq is rewritten without reading the store back: the build wrote it as the trial graphs
in trial-id order, each a contiguous block, then every other graph. The new file is the old
one's blocks copied around the replaced trials (found with `mmap.find`, at disk speed),
their new N-Quads spliced in at their sorted place, then the other graphs from the store.
"""

from __future__ import annotations

import io
import mmap
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graphbuild.build.commit import current_build, locked
from graphbuild.build.load import FORMAT_PREFERENCE
from graphbuild.build.process import Processed, process_record
from graphbuild.build.steps import TRIAL_GRAPH_PREFIX, refresh_inferred, refresh_vocabulary
from graphbuild.build.stream import read
from graphbuild.model import Reject
from graphbuild.rdf.iris import trial_graph_iri
from graphbuild.store import GraphStore

__all__ = ["AddReport", "add"]


@dataclass
class AddReport:
    """What `add` did: trials replaced or new, rejects, and where the time went."""

    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items())
        return (
            f"{len(self.replaced)} trial(s) replaced, {len(self.added)} added, "
            f"{len(self.rejects)} rejected ({steps})"
        )


def add(
    inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *, reason: bool = True
) -> AddReport:
    """Read `inputs` and put each trial into the current build of `out_dir`: its named graph
    replaced by exactly the new record's quads (other trials untouched), vocabulary and
    inferred graphs refreshed, graph.nq rewritten. A trial read twice keeps one record, chosen
    as the build chooses. Raises FileNotFoundError when `out_dir` holds no build."""
    out = Path(out_dir)
    report = AddReport()
    if current_build(out) is None:  # checked before the lock, which would create the folder
        raise FileNotFoundError(f"{out} holds no build (graphbuild build -o {out})")
    with locked(out):
        build_dir = current_build(out)
        if build_dir is None or not (build_dir / "store").is_dir():
            raise FileNotFoundError(f"{out} holds no build with a store (graphbuild build -o {out})")
        t0 = time.perf_counter()
        chosen: dict[str, Processed] = {}
        for item in read(inputs):
            result = item if isinstance(item, Reject) else process_record(item)
            if isinstance(result, Reject):
                report.rejects.append(result)
                continue
            previous = chosen.get(result.trial_id)
            if previous is None or _preference(result) < _preference(previous):
                chosen[result.trial_id] = result
        report.timings["read, extract"] = time.perf_counter() - t0

        store = GraphStore.open(build_dir / "store")
        try:
            t = time.perf_counter()
            existing = {g.value for g in store.graphs()}
            for trial_id in sorted(chosen):
                graph = trial_graph_iri(trial_id)
                (report.replaced if graph in existing else report.added).append(trial_id)
                store.replace_graph(graph, chosen[trial_id].nquads)
            report.timings["replace graphs"] = time.perf_counter() - t
            t = time.perf_counter()
            refresh_vocabulary(store)
            report.timings["vocabulary"] = time.perf_counter() - t
            if reason:
                t = time.perf_counter()
                refresh_inferred(store)
                report.timings["reasoning"] = time.perf_counter() - t
            t = time.perf_counter()
            new_blocks = {tid: item.nquads for tid, item in chosen.items()}
            _rewrite_nquads(build_dir / "graph.nq", store, new_blocks)
            if (build_dir / "graph.ttl").is_file():  # only builds made with --turtle have one
                _replace_file(build_dir / "graph.ttl", lambda handle: store.write_merged(handle, ox.RdfFormat.TURTLE))
            report.timings["write outputs"] = time.perf_counter() - t
        finally:
            store.close()
    return report


def _preference(item: Processed) -> tuple[int, str, str, str]:
    source = item.source
    return (FORMAT_PREFERENCE.get(item.format, 9), source.file, source.member or "", source.record)


def _rewrite_nquads(path: Path, store: GraphStore, new_blocks: dict[str, bytes]) -> None:
    """graph.nq with the trials of `new_blocks` replaced (or inserted at their sorted place)
    and every non-trial graph written afresh from the store, in the build's canonical order."""
    others = sorted(
        (g for g in store.graphs() if not g.value.startswith(TRIAL_GRAPH_PREFIX)), key=lambda g: g.value
    )
    trial_ids = sorted({*new_blocks, *_trial_ids(store)})
    order = {tid: n for n, tid in enumerate(trial_ids)}

    def write(handle: io.BufferedWriter) -> None:
        with open(path, "rb") as old_file:
            size = os.fstat(old_file.fileno()).st_size
            old = mmap.mmap(old_file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            try:
                trials_end = _trials_end(old, others)
                position = 0
                for trial_id in sorted(new_blocks, key=order.__getitem__):
                    start, end = _block(old, trial_id, position, trials_end)
                    if start is None:  # a new trial: before the next trial the file holds
                        start = end = _next_block_start(old, trial_ids, order[trial_id], position, trials_end)
                    handle.write(old[position:start])
                    handle.write(new_blocks[trial_id])
                    position = end
                handle.write(old[position:trials_end])
            finally:
                if size:
                    old.close()
        for graph in others:
            buffer = io.BytesIO()
            store.write_quads(buffer, [graph])
            handle.writelines(sorted(buffer.getvalue().splitlines(keepends=True)))

    _replace_file(path, write)


def _trial_ids(store: GraphStore) -> list[str]:
    rows = store.query("SELECT ?id WHERE { ?t a gb:Trial ; gb:trialId ?id }")
    return [row["id"].value for row in rows]


def _marker(trial_id: str) -> bytes:
    return f"<{trial_graph_iri(trial_id)}> .\n".encode()


def _trials_end(data: mmap.mmap | bytes, others: list[ox.NamedNode]) -> int:
    """Where the trial graphs of graph.nq end: the first line of any other graph (they come
    after the trials), else the end of the file."""
    starts = [data.find(f"<{graph.value}> .\n".encode()) for graph in others]
    found = [at for at in starts if at >= 0]
    if not found:
        return len(data)
    return data.rfind(b"\n", 0, min(found)) + 1


def _block(data: mmap.mmap | bytes, trial_id: str, start: int, end: int) -> tuple[int | None, int]:
    """(start, end) of the trial's contiguous lines in graph.nq, or (None, start) if absent."""
    marker = _marker(trial_id)
    first = data.find(marker, start, end)
    if first < 0:
        return None, start
    last = data.rfind(marker, first, end)
    begin = data.rfind(b"\n", 0, first) + 1
    return begin, last + len(marker)


def _next_block_start(data, trial_ids: list[str], index: int, start: int, end: int) -> int:
    """Where the first trial after `trial_ids[index]` that graph.nq holds begins (else `end`)."""
    for trial_id in trial_ids[index + 1 :]:
        begin, _ = _block(data, trial_id, start, end)
        if begin is not None:
            return begin
    return end


def _replace_file(path: Path, write) -> None:
    """Write `path` through a temporary file and one rename: readers see the old or the new."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
