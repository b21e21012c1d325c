"""Records read lazily and processed in input order: few in-process, many through a process
pool in chunks, with a bounded number of chunks in flight so memory stays flat."""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from graphbuild.build import process
from graphbuild.build.process import Processed
from graphbuild.model import Record, Reject

__all__ = ["CHUNK_SIZE", "POOL_THRESHOLD", "outside", "process_stream", "read"]

CHUNK_SIZE = 32  # records per task sent to a worker
POOL_THRESHOLD = 200  # fewer records than this are extracted in-process (no pool start-up)
_PR_SET_PDEATHSIG = 1


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
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent)


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this worker when its parent dies (Linux `PR_SET_PDEATHSIG`),
    so a build killed with SIGKILL leaves no worker running on. The forkserver, the workers'
    parent, exits as soon as the build's end of its pipe closes; elsewhere this is a no-op and
    the workers end when their task queue closes."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def process_stream(
    items: Iterable[Record | Reject], workers: int, turtle: bool = False
) -> Iterator[Processed | Reject]:
    """Every item processed, in input order. Few records run in-process; many go to a pool
    with at most `4 * workers` chunks in flight."""
    iterator = iter(items)
    head = list(itertools.islice(iterator, POOL_THRESHOLD))
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for item in itertools.chain(head, iterator):
            yield item if isinstance(item, Reject) else process.process_record(item, turtle)
        return
    with _pool(workers) as pool:
        pending: deque = deque()
        for chunk in _chunks(itertools.chain(head, iterator), CHUNK_SIZE):
            pending.append(pool.submit(process.process_chunk, chunk, turtle))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
