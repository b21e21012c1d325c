"""Independent store reads on every core: Oxigraph evaluates SPARQL and loads data without
holding the GIL, so threads running queries side by side use both cores of a 2-core machine
(two threads each scanning a 10,000-trial store: the same wall time as one, twice the CPU).
The steps after a build's stream (reasoning, validation, the report) run on one process,
and this is how they use more than one core."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["MAX_THREADS", "map_on_cores", "threads_for"]

T = TypeVar("T")
R = TypeVar("R")

MAX_THREADS = 4  # beyond this the store's own background threads and I/O are the limit


def threads_for(tasks: int) -> int:
    """Threads for `tasks` independent tasks: one per core, at most `MAX_THREADS`, at least 1."""
    return max(1, min(tasks, os.cpu_count() or 1, MAX_THREADS))


def map_on_cores(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`[function(item) for item in items]`, in that order, the calls run side by side on a
    thread per core. The first exception raised by a call is raised here (after the calls
    already started have ended); one task or one core: plain calls, no thread."""
    work = list(items)
    threads = threads_for(len(work))
    if threads == 1:
        return [function(item) for item in work]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, work))
