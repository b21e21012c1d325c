"""Starting and stopping the endpoint: the worker pool, the Starlette app, and Uvicorn serving
it on a socket bound here (so `port=0` picks a free port and `url` knows which)."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import threading
from pathlib import Path

import uvicorn

from graphbuild.endpoint.app import SparqlApp
from graphbuild.endpoint.config import ServeConfig, StoreOpener
from graphbuild.endpoint.workers import WorkerPool
from graphbuild.sparql.graphs import open_graph


class _Uvicorn(uvicorn.Server):
    """Uvicorn that stops the query workers as its shutdown begins (Ctrl-C or `close`), so a
    query still running ends with 503 now, rather than being cancelled with 500 once Uvicorn's
    graceful timeout passes."""

    def __init__(self, config: uvicorn.Config, pool: WorkerPool) -> None:
        super().__init__(config)
        self._pool = pool

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await asyncio.to_thread(self._pool.close)
        await super().shutdown(sockets)


class SparqlServer:
    """The endpoint, bound and with its workers up: `serve_forever` (in a thread if need be)
    serves until `close`, or until Ctrl-C when run in the main thread."""

    def __init__(
        self, config: ServeConfig, pool: WorkerPool, queries_directory: Path | None = None
    ) -> None:
        self.config = config
        self.pool = pool
        self.queries_directory = queries_directory
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((config.host, config.port))
            self.socket.listen(128)  # connections queue from now on, before serving starts
        except OSError:
            self.socket.close()
            raise
        self.app = SparqlApp(config, pool, queries_directory).starlette()
        self._uvicorn = _Uvicorn(
            uvicorn.Config(
                self.app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
            ),
            pool,
        )
        self._stopped = threading.Event()

    @property
    def server_address(self) -> tuple[str, int]:
        host, port = self.socket.getsockname()[:2]
        return host, port

    @property
    def url(self) -> str:
        host, port = self.server_address
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        try:
            self._uvicorn.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def close(self) -> None:
        """Stop serving (when serve_forever runs in another thread), release the port and
        stop the workers."""
        self._uvicorn.should_exit = True
        self.pool.close()  # queries still running end now (their clients get 503); when
        # serving, Uvicorn's shutdown does the same (a second close finds nothing left)
        if self._uvicorn.started:
            self._stopped.wait(timeout=10)
        self.socket.close()


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine (the CLI warns when it is not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(
    graph: str | Path | None = None,
    config: ServeConfig = ServeConfig(),  # noqa: B008 - frozen, so one shared default is safe
    *,
    opener: StoreOpener | None = None,
    queries_directory: Path | None = None,
) -> SparqlServer:
    """A server, bound and with its workers up, not yet serving (call `serve_forever`, in a
    thread if need be, and `close` when done). The store comes from `graph` (a build folder
    or an RDF dataset file, see `queries.open_graph`) or from `opener`, a picklable callable
    each worker process calls once."""
    if opener is None:
        if graph is None:
            raise ValueError("give a graph folder or an opener")
        opener = functools.partial(open_graph, Path(graph))
    pool = WorkerPool(
        opener, config.workers, slow_after=config.slow_after, max_wait=config.max_wait
    )
    try:
        return SparqlServer(config, pool, queries_directory)
    except BaseException:
        pool.close()
        raise
