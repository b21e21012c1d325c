"""Where a push sends graphs, by protocol. Both replace a graph whole, so sending a graph
twice (a retry, a resumed push) leaves the server as sending it once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from graphbuild.push.http import Sender

__all__ = ["UPDATE_BATCH_BYTES", "GraphStoreTarget", "Target", "UpdateTarget"]

UPDATE_BATCH_BYTES = 4 << 20  # N-Triples per SPARQL Update request, at most (one graph may exceed)


class Target(Protocol):
    url: str

    def replace(self, graphs: Sequence[tuple[str, bytes]]) -> None:
        """Make each (graph IRI, N-Triples) the whole content of that graph on the server."""

    def drop(self, iris: Sequence[str]) -> None:
        """Remove these graphs from the server (absent ones are no error)."""


class GraphStoreTarget:
    """SPARQL 1.1 Graph Store HTTP Protocol: `PUT URL?graph=IRI` per graph (N-Triples, which
    every Turtle parser reads), `DELETE` to drop one."""

    def __init__(self, url: str, sender: Sender) -> None:
        self.url = url
        self.sender = sender

    def replace(self, graphs: Sequence[tuple[str, bytes]]) -> None:
        for iri, data in graphs:
            self.sender.send(
                "PUT", self.url, params={"graph": iri}, content=data,
                headers={"Content-Type": "application/n-triples"},
            )

    def drop(self, iris: Sequence[str]) -> None:
        for iri in iris:  # a graph already gone answers 404
            self.sender.send("DELETE", self.url, params={"graph": iri}, allow=frozenset({404}))


class UpdateTarget:
    """SPARQL 1.1 Update: `DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }` for
    several graphs per request (up to `UPDATE_BATCH_BYTES`); N-Triples lines are valid
    SPARQL triples, so the graph's bytes go in as they are."""

    def __init__(self, url: str, sender: Sender, batch_bytes: int = UPDATE_BATCH_BYTES) -> None:
        self.url = url
        self.sender = sender
        self.batch_bytes = batch_bytes

    def replace(self, graphs: Sequence[tuple[str, bytes]]) -> None:
        parts: list[bytes] = []
        size = 0
        for iri, data in graphs:
            part = b"DROP SILENT GRAPH <%s> ;\n" % iri.encode()
            if data:
                part += b"INSERT DATA { GRAPH <%s> {\n%s} } ;\n" % (iri.encode(), data)
            if parts and size + len(part) > self.batch_bytes:
                self._update(parts)
                parts, size = [], 0
            parts.append(part)
            size += len(part)
        if parts:
            self._update(parts)

    def drop(self, iris: Sequence[str]) -> None:
        if iris:
            self._update([b"DROP SILENT GRAPH <%s> ;\n" % iri.encode() for iri in iris])

    def _update(self, parts: list[bytes]) -> None:
        body = b"".join(parts).rstrip().removesuffix(b";")
        self.sender.send(
            "POST", self.url, content=body,
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
