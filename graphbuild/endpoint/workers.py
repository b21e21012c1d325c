"""The worker processes that run queries, and the fair line in front of them.

pyoxigraph cannot interrupt a query from Python, so a time limit can only be kept by running
each query in a separate *process* and killing it when the limit passes. Each worker opens the
store once (read-only) and answers one job at a time.

Fairness, without knowing in advance which query is slow:

* at most `size` queries run at once. Waiting queries stand in one line per client (its IP
  address) and the lines are served in turn (round robin), so one client's burst cannot push
  everyone else back; a client may keep at most `max_waiting` queries waiting.
* a query still running after `slow_after` seconds is *slow*. At most half the workers (at
  least one) run slow queries at once, so the other half is always left for quick ones. A query that turns slow while that
  many already run is paused where it stands (SIGSTOP; no work is lost) and waits in the slow
  line, served per client in turn, until a slow slot frees; then it continues (SIGCONT). Its
  time limit counts the seconds it runs, not the seconds it waits; the wait is capped by
  `max_wait`.
* a paused query keeps its process, so a fresh worker replaces it in the background; one
  spare worker per slow slot is kept ready, so neither a pause nor the kill of slow queries
  at their time limit leaves a quick query waiting for a new process to start.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from graphbuild.endpoint.config import (
    DEFAULT_MAX_WAIT,
    DEFAULT_SLOW_AFTER,
    DEFAULT_WORKERS,
    StoreOpener,
)
from graphbuild.endpoint.errors import QueryTimeout, Refused, ShuttingDown
from graphbuild.endpoint.jobs import Answer, Job, execute_job, text_answer
from graphbuild.endpoint.sandbox import drop_network

# Every module logs as "graphbuild.serve", the name the endpoint has always logged under.
log = logging.getLogger("graphbuild.serve")

DEFAULT_MAX_WAITING = 32  # queries one client may have waiting in line


def _worker_main(conn: Connection, opener: StoreOpener) -> None:
    """A worker process: leave the network if the system allows it, open the store once, then
    answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    isolated = drop_network()
    try:
        store = opener()
    except BaseException as exc:  # noqa: BLE001 - reported to the pool, which raises it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", "isolated" if isolated else ""))
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
    discarded: bool = False  # claimed by one `_discard` call; set with the pool's lock held


@dataclass(eq=False)
class _Ticket:
    """One query's place: in the quick line until it gets a worker, in the slow line while
    paused."""

    client: str
    worker: _Worker | None = None
    resumed: bool = False
    gone: bool = False  # gave up waiting


@dataclass
class PoolStats:
    """What the pool is doing now (for tests, the load script and logs)."""

    running: int
    slow_running: int
    paused: int
    waiting: int
    idle: int
    starting: int
    isolated: bool
    served: int = 0
    paused_total: int = 0


class _RoundRobin:
    """Queues per client, served one client at a time in turn."""

    def __init__(self) -> None:
        self.lines: dict[str, deque[_Ticket]] = {}
        self.turn: deque[str] = deque()

    def __len__(self) -> int:
        return sum(len(line) for line in self.lines.values())

    def waiting(self, client: str) -> int:
        return len(self.lines.get(client, ()))

    def push(self, ticket: _Ticket) -> None:
        line = self.lines.setdefault(ticket.client, deque())
        if not line:
            self.turn.append(ticket.client)
        line.append(ticket)

    def pop(self) -> _Ticket | None:
        while self.turn:
            client = self.turn.popleft()
            line = self.lines.get(client)
            while line and line[0].gone:
                line.popleft()
            if not line:
                self.lines.pop(client, None)
                continue
            ticket = line.popleft()
            if line:
                self.turn.append(client)
            else:
                del self.lines[client]
            return ticket
        return None

    def remove(self, ticket: _Ticket) -> None:
        ticket.gone = True


@dataclass
class _State:
    idle: list[_Worker] = field(default_factory=list)
    workers: set[_Worker] = field(default_factory=set)
    starting: int = 0
    running: int = 0
    slow_running: int = 0
    quick: _RoundRobin = field(default_factory=_RoundRobin)
    slow: _RoundRobin = field(default_factory=_RoundRobin)
    paused: int = 0
    served: int = 0
    paused_total: int = 0
    isolated: bool = True


class WorkerPool:
    """Processes that each hold the store open and run one query at a time, behind a fair
    line (see the module docstring). A query past its time limit is abandoned by killing its
    process; a fresh one replaces it in the background."""

    def __init__(
        self,
        opener: StoreOpener,
        size: int = DEFAULT_WORKERS,
        *,
        slow_after: float = DEFAULT_SLOW_AFTER,
        max_wait: float = DEFAULT_MAX_WAIT,
        max_waiting: int = DEFAULT_MAX_WAITING,
        max_paused: int | None = None,
        start_timeout: float = 300.0,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.size = size
        self.slow_slots = max(1, size // 2)
        self.slow_after = slow_after
        self.max_wait = max_wait
        self.max_waiting = max_waiting
        self.max_paused = size if max_paused is None else max_paused
        self._opener = opener
        self._start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._cond = threading.Condition()
        self._state = _State()
        self._closed = False
        self.spares = self.slow_slots
        started = [self._start() for _ in range(size + self.spares)]
        try:
            for worker in started:
                self._await_ready(worker)
        except BaseException:
            self.close()
            raise

    # -- processes ---------------------------------------------------------------------------

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self._opener), name="graphbuild-sparql", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._cond:
            self._state.workers.add(worker)
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
        with self._cond:
            self._state.isolated = self._state.isolated and detail == "isolated"
            if self._closed:
                self._discard(worker)
                return
            self._state.idle.append(worker)
            self._dispatch()

    def _replenish(self) -> None:
        """Start workers in the background until every free slot has one, plus the spares.
        Called with the lock held."""
        state = self._state
        needed = (self.size - state.running) + self.spares - (len(state.idle) + state.starting)
        for _ in range(max(0, needed)):
            state.starting += 1
            threading.Thread(
                target=self._start_one, name="graphbuild-sparql-start", daemon=True
            ).start()

    def _start_one(self) -> None:
        try:
            if not self._closed:
                self._await_ready(self._start())
        except Exception as exc:  # noqa: BLE001 - logged; the pool runs on with fewer
            log.error("could not start a query worker: %s", exc)
        finally:
            with self._cond:
                self._state.starting -= 1

    def _discard(self, worker: _Worker) -> None:
        """Kill and close one worker, exactly once: `close()` and a query thread that sees its
        worker die may both get here, and closing one pipe twice from two threads can close a
        descriptor number already reused by another file."""
        with self._cond:
            if worker.discarded:
                return
            worker.discarded = True
            self._state.workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def _signal(self, worker: _Worker, sig: int) -> None:
        if worker.process.pid is not None:
            try:
                os.kill(worker.process.pid, sig)
            except ProcessLookupError:
                pass

    # -- the line ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Hand free slots out, slow line first (within its share), then the quick line.
        Called with the lock held."""
        state = self._state
        while state.running < self.size and state.slow_running < self.slow_slots:
            ticket = state.slow.pop()
            if ticket is None:
                break
            assert ticket.worker is not None
            self._signal(ticket.worker, signal.SIGCONT)
            state.paused -= 1
            state.running += 1
            state.slow_running += 1
            ticket.resumed = True
        while state.running < self.size and state.idle:
            ticket = state.quick.pop()
            if ticket is None:
                break
            ticket.worker = state.idle.pop()
            state.running += 1
        # keep no more idle processes than free slots and the spares
        while len(state.idle) > (self.size - state.running) + self.spares:
            extra = state.idle.pop(0)
            threading.Thread(target=self._retire, args=(extra,), daemon=True).start()
        self._cond.notify_all()

    def _retire(self, worker: _Worker) -> None:
        try:
            worker.conn.send(None)
        except (OSError, ValueError):
            pass
        worker.process.join(timeout=2)
        self._discard(worker)

    def stats(self) -> PoolStats:
        with self._cond:
            s = self._state
            return PoolStats(
                running=s.running,
                slow_running=s.slow_running,
                paused=s.paused,
                waiting=len(s.quick),
                idle=len(s.idle),
                starting=s.starting,
                isolated=s.isolated,
                served=s.served,
                paused_total=s.paused_total,
            )

    def _wait_turn(self, ticket: _Ticket, deadline: float, done: str) -> None:
        """Wait (lock held) until the ticket has a worker (`done="worker"`) or was resumed
        (`done="resumed"`), or the deadline passes."""

        def ready() -> bool:
            return ticket.resumed if done == "resumed" else ticket.worker is not None

        while not ready():
            if self._closed:
                raise ShuttingDown()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                ticket.gone = True
                raise QueryTimeout(
                    f"the query waited {self.max_wait:g} s in line behind other queries"
                )
            self._cond.wait(remaining)

    def run(self, job: Job, timeout: float, client: str = "") -> Answer:
        """The answer to `job` for `client`, or QueryTimeout when it runs more than `timeout`
        seconds or waits more than `max_wait` seconds in line."""
        if self._closed:
            raise ShuttingDown()
        ticket = _Ticket(client)
        wait_deadline = time.monotonic() + self.max_wait
        with self._cond:
            if self._state.quick.waiting(client) >= self.max_waiting:
                raise Refused(
                    429, f"{self.max_waiting} of your queries are already waiting; retry later"
                )
            self._state.quick.push(ticket)
            self._dispatch()
            self._wait_turn(ticket, wait_deadline, "worker")
        worker = ticket.worker
        assert worker is not None
        slow = False
        ran = 0.0  # seconds run so far (paused time excluded)
        try:
            worker.conn.send(job)
            while True:
                step_start = time.monotonic()
                limit = timeout - ran if slow else min(timeout, self.slow_after) - ran
                if worker.conn.poll(max(0.0, limit)):
                    answer = worker.conn.recv()
                    self._finish(worker, slow, keep=True)
                    return answer
                ran += time.monotonic() - step_start
                if ran >= timeout:
                    break
                if not slow:
                    slow = self._turn_slow(ticket, worker, wait_deadline + timeout)
        except BaseException as exc:
            self._finish(worker, slow, keep=False)
            if self._closed and isinstance(exc, Exception) and not isinstance(exc, Refused):
                # close() killed the worker or closed its pipe under us (EOFError, OSError or
                # ValueError, depending on the moment): the query ends because we shut down
                raise ShuttingDown() from None
            if isinstance(exc, (EOFError, OSError)):
                raise RuntimeError(f"the query worker stopped: {exc}") from None
            raise
        self._finish(worker, slow, keep=False)  # still running; only killing it stops it
        raise QueryTimeout(f"the query took longer than the limit of {timeout:g} s")

    def _turn_slow(self, ticket: _Ticket, worker: _Worker, deadline: float) -> bool:
        """The query has run `slow_after` seconds: run on in a slow slot, or pause in the slow
        line until one frees. True once it holds a slow slot."""
        with self._cond:
            state = self._state
            if state.slow_running < self.slow_slots:
                state.slow_running += 1
                return True
            if state.paused >= self.max_paused:
                raise Refused(503, "too many slow queries are running or waiting; retry in a while")
            self._signal(worker, signal.SIGSTOP)
            state.running -= 1
            state.paused += 1
            state.paused_total += 1
            state.slow.push(ticket)
            self._replenish()
            self._dispatch()
            try:
                self._wait_turn(ticket, deadline, "resumed")
            except BaseException:
                if not ticket.resumed:  # still paused: count it as running again, so that
                    state.paused -= 1  # finishing it (a kill) balances the books
                    state.running += 1
                raise
            return True

    def _finish(self, worker: _Worker, slow: bool, *, keep: bool) -> None:
        with self._cond:
            state = self._state
            state.running -= 1
            state.served += 1
            if slow:
                state.slow_running -= 1
            if keep and not self._closed:
                state.idle.append(worker)
            self._dispatch()
            if not keep:
                self._replenish()
        if not keep:
            self._discard(worker)

    def close(self) -> None:
        """Stop every worker. Idle ones are asked to exit; busy ones (running or paused) are
        killed at once, so their clients hear 503 before the server's graceful shutdown ends."""
        with self._cond:
            self._closed = True
            workers = list(self._state.workers)
            idle = set(self._state.idle)
            self._cond.notify_all()
        for worker in workers:
            if worker in idle:
                try:
                    worker.conn.send(None)
                except (OSError, ValueError):
                    pass
            else:
                self._discard(worker)
        deadline = time.monotonic() + 2
        for worker in workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            self._discard(worker)
