"""Records read lazily and processed in input order: few in-process, many through a process
pool in chunks, with a bounded number of chunks in flight so memory stays flat."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from graphbuild.build import process
from graphbuild.build.process import Processed
from graphbuild.model import Record, Reject
from graphbuild.validate.rudof import ShaclSpec

__all__ = ["CHUNK_SIZE", "POOL_THRESHOLD", "outside", "process_stream", "read"]

CHUNK_SIZE = 32  # records per task sent to a worker
POOL_THRESHOLD = 200  # fewer records than this are extracted in-process (no pool start-up)
WATCH_SECONDS = 0.5  # how soon a worker notices that the build is gone


def read(inputs: Sequence[str | os.PathLike[str]]) -> Iterator[Record | Reject]:
    """Every record (or reader reject) of the inputs, lazily."""
    from graphbuild.readers.inputs import read_inputs

    return read_inputs([str(i) for i in inputs])


def outside(items: Iterable[Record | Reject], out: Path) -> Iterator[Record | Reject]:
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
        context.set_forkserver_preload(["graphbuild.build.process", "graphbuild.extract.warm"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=watch_build, initargs=(os.getpid(),))


def watch_build(build_pid: int) -> None:
    """A worker's initializer: a daemon thread ends the worker as soon as the build process is
    gone. A worker cannot wait for its task queue to close (it holds a copy of the queue's
    write end), and with forkserver its parent is the forkserver, which in turn lives as long
    as any worker does; so a build killed with SIGKILL would leave them all running."""
    thread = threading.Thread(target=_watch, args=(build_pid,), name="graphbuild-watch", daemon=True)
    thread.start()


def _watch(build_pid: int) -> None:
    while _running(build_pid):
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _running(pid: int) -> bool:
    """Does `pid` run (a zombie, dead but not yet reaped, does not)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: kill(0) is all there is
    return stat[stat.rindex(")") + 2 :][:1] != "Z"


def process_stream(
    items: Iterable[Record | Reject],
    workers: int,
    turtle: bool = False,
    shacl: ShaclSpec | None = None,
) -> Iterator[Processed | Reject]:
    """Every item processed (its trial graph checked against `shacl` when given), in input
    order. Few records run in-process; many go to a pool with at most `4 * workers` chunks in
    flight."""
    iterator = iter(items)
    head = list(itertools.islice(iterator, POOL_THRESHOLD))
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for item in itertools.chain(head, iterator):
            yield item if isinstance(item, Reject) else process.process_record(item, turtle, shacl)
        return
    with _pool(workers) as pool:
        pending: deque = deque()
        for chunk in _chunks(itertools.chain(head, iterator), CHUNK_SIZE):
            pending.append(pool.submit(process.process_chunk, chunk, turtle, shacl))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
