"""Starting the endpoint: the threaded HTTP server that owns the worker pool, and
`make_server`, which brings the workers up (each opening the store) before binding the port."""

from __future__ import annotations

import functools
import ipaddress
from http.server import ThreadingHTTPServer
from pathlib import Path

from graphbuild.endpoint.config import ServeConfig, StoreOpener
from graphbuild.endpoint.handler import SparqlHandler
from graphbuild.endpoint.workers import WorkerPool
from graphbuild.sparql.graphs import open_graph


class SparqlServer(ThreadingHTTPServer):
    """One thread per connection; queries go to the worker pool."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, config: ServeConfig, pool: WorkerPool, queries_directory: Path | None = None
    ) -> None:
        self.config = config
        self.pool = pool
        self.queries_directory = queries_directory
        super().__init__((config.host, config.port), SparqlHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def close(self) -> None:
        """Stop serving (when serve_forever runs in another thread), release the port and
        stop the workers."""
        self.shutdown()
        self.server_close()
        self.pool.close()


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
    pool = WorkerPool(opener, config.workers)
    try:
        return SparqlServer(config, pool, queries_directory)
    except BaseException:
        pool.close()
        raise
