"""Real triplestore servers for the push tests, each started in a temporary folder on a free
loopback port and stopped after the test: Oxigraph's own server (`oxigraph serve`, from the
`oxigraph` package) and Virtuoso (`virtuoso-t`, Debian's `virtuoso-opensource`)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a fresh Virtuoso database's administrator
START_SECONDS = 90.0  # Virtuoso answers ~5 s after start on an idle machine; CI machines are not


class ServerDidNotStart(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    query: str  # SPARQL query endpoint (its default graph: the union of the named graphs)
    gsp: str  # Graph Store HTTP Protocol endpoint
    update: str  # SPARQL Update endpoint


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"exited with {process.returncode}: {_tail(log)}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise ServerDidNotStart(f"no answer at {url} after {START_SECONDS:.0f} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-1500:] if log.is_file() else "(no log)"


@contextmanager
def _running(command: list[str], url: str, folder: Path) -> Iterator[None]:
    log = folder / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        _wait(url, process, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oxigraph_command() -> list[str]:
    """The `oxigraph` CLI of this environment (installed next to this Python)."""
    local = Path(sys.executable).with_name("oxigraph")
    found = str(local) if local.is_file() else shutil.which("oxigraph")
    if found is None:
        raise ServerDidNotStart("the oxigraph CLI is not installed (pip install oxigraph)")
    return [found]


@contextmanager
def oxigraph_server(folder: Path, port: int | None = None) -> Iterator[Server]:
    """`oxigraph serve` on a store in `folder`, queries over the union of the named graphs
    (as graphbuild's own store answers them)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        *oxigraph_command(), "serve", "--location", str(folder / "data"),
        "--bind", f"127.0.0.1:{port}", "--union-default-graph",
    ]
    with _running(command, f"{base}/query", folder):
        yield Server(query=f"{base}/query", gsp=f"{base}/store", update=f"{base}/update")


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 0
DirsAllowed        = {d}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {d}/www
ServerThreads      = 4
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryExecutionTime      = 300
MaxQueryCostEstimationTime = 1000
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[Server]:
    """Virtuoso with every file in `folder`, its SQL and HTTP ports on loopback. Pushes go to
    its authenticated endpoints (Digest, as `dba`); queries to the public /sparql, whose
    default graph is every graph."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise ServerDidNotStart("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    http_port, sql_port = free_port(), free_port()
    (folder / "www").mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    with _running([binary, "-f", "-c", str(ini)], f"{base}/sparql", folder):
        yield Server(
            query=f"{base}/sparql",
            gsp=f"{base}/sparql-graph-crud-auth",
            update=f"{base}/sparql-auth",
        )
