"""The worker processes that run queries, and the pool that hands them out.

pyoxigraph cannot interrupt a query from Python, so a time limit can only be kept by running
each query in a separate *process* and killing it when the limit passes. Each worker opens the
store once (read-only) and answers one job at a time; a slow query occupies one worker while
other clients' queries run on the others, and a killed worker is replaced in the background.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from graphbuild.endpoint.config import DEFAULT_WORKERS, StoreOpener
from graphbuild.endpoint.errors import QueryTimeout
from graphbuild.endpoint.jobs import Answer, Job, execute_job, text_answer

# Every module logs as "graphbuild.serve", the name the endpoint has always logged under.
log = logging.getLogger("graphbuild.serve")


def _worker_main(conn: Connection, opener: StoreOpener) -> None:
    """A worker process: open the store once, then answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store = opener()
    except BaseException as exc:  # noqa: BLE001 - reported to the pool, which raises it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            answer = execute_job(store, job)
        except Exception as exc:  # noqa: BLE001 - this query's failure, not the worker's
            answer = text_answer(500, f"the query failed: {type(exc).__name__}: {exc}")
        conn.send(answer)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class WorkerPool:
    """Processes that each hold the store open and run one query at a time. A query past its
    time limit is abandoned by killing its process; a fresh one replaces it in the background."""

    def __init__(
        self, opener: StoreOpener, size: int = DEFAULT_WORKERS, *, start_timeout: float = 300.0
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self._opener = opener
        self._start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(size)]
        try:
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self._opener), name="graphbuild-sparql", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(self._start_timeout):
            self._discard(worker)
            raise RuntimeError(
                f"a query worker did not open the store within {self._start_timeout:g} s"
            )
        try:
            status, detail = worker.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", "the worker exited"
        if status != "ready":
            self._discard(worker)
            raise RuntimeError(f"a query worker could not open the store: {detail}")
        if self._closed:
            self._discard(worker)
            return
        self._idle.put(worker)

    def _replace(self) -> None:
        def start() -> None:
            if self._closed:
                return
            try:
                self._await_ready(self._start())
            except Exception as exc:  # noqa: BLE001 - logged; the pool runs on one short
                log.error("could not replace a query worker: %s", exc)

        threading.Thread(target=start, name="graphbuild-sparql-respawn", daemon=True).start()

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def run(self, job: Job, timeout: float) -> Answer:
        """The answer to `job`, or QueryTimeout when it takes more than `timeout` seconds
        (waiting for a free worker included)."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {timeout:g} s") from None
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError) as exc:
            self._discard(worker)
            self._replace()
            raise RuntimeError(f"the query worker stopped: {exc}") from None
        self._discard(worker)  # still running; nothing short of killing it stops the query
        self._replace()
        raise QueryTimeout(f"the query took longer than the limit of {timeout:g} s")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.process.join(timeout=2)
            self._discard(worker)
