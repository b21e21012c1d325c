"""The endpoint's settings and their defaults: where it listens, and the limits (time per query,
rows per answer, worker processes, request body size, the wait in line) that keep it safe to
leave running."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 4
DEFAULT_SLOW_AFTER = 0.25  # a query running longer is slow: it may not take the last worker
DEFAULT_MAX_WAIT = 30.0  # seconds a query may wait in line before it is answered 503
MAX_BODY = 1 << 20  # a query larger than 1 MiB is not a query

# Opens the store inside a worker process; it crosses a process boundary, so it must pickle
# (a module-level function or a functools.partial of one).
StoreOpener = Callable[[], ox.Store]


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """Where to listen and the per-query limits; the CLI fills it from its flags."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    workers: int = DEFAULT_WORKERS
    slow_after: float = DEFAULT_SLOW_AFTER
    max_wait: float = DEFAULT_MAX_WAIT
