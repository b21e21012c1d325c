"""`push`: a build folder's named graphs sent to a server store, in batches, resumable, and
with `only_changed` just the graphs whose hash differs from what the last push sent there."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graphbuild.push.graphs import graph_hashes, graph_ntriples
from graphbuild.push.http import Sender
from graphbuild.push.state import PushState
from graphbuild.push.targets import GraphStoreTarget, Target, UpdateTarget
from graphbuild.store import GraphStore

__all__ = ["BATCH_GRAPHS", "PushReport", "push"]

BATCH_GRAPHS = 100  # graphs sent between two saves of the position

Progress = Callable[[int, int], None]  # (graphs sent, graphs to send)


@dataclass
class PushReport:
    url: str
    protocol: str  # "gsp" or "update"
    graphs: int  # named graphs in the build
    sent: list[str]  # graph IRIs sent by this run
    unchanged: int  # graphs skipped by only_changed
    dropped: list[str]  # graphs a previous push sent that the build no longer has
    resumed_at: int  # position a previous, unfinished push of this build had reached
    requests: int
    retried: int
    seconds: float

    def summary(self) -> str:
        text = (
            f"pushed {len(self.sent)} of {self.graphs} graphs to {self.url} ({self.protocol}), "
            f"{self.unchanged} unchanged, {len(self.dropped)} dropped; "
            f"{self.requests} requests ({self.retried} retried) in {self.seconds:.1f} s"
        )
        if self.resumed_at:
            text += f"; resumed after graph {self.resumed_at}"
        return text


def push(
    directory: str | os.PathLike[str],
    *,
    gsp: str | None = None,
    update: str | None = None,
    only_changed: bool = False,
    batch: int = BATCH_GRAPHS,
    retries: int = 5,
    restart: bool = False,
    progress: Progress | None = None,
) -> PushReport:
    """Push the build in `directory` to a Graph Store Protocol URL (`gsp`) or a SPARQL Update
    URL (`update`), one named graph per trial plus the vocabulary, inferred and build graphs.

    A push that stops midway (an error after every retry, a kill) saves how far it got; the
    same push run again continues there (`restart` starts over). Graphs a previous push sent
    that the build no longer has are dropped from the server."""
    if (gsp is None) == (update is None):
        raise ValueError("give exactly one of gsp (Graph Store Protocol URL) or update (SPARQL Update URL)")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    url = gsp or update
    assert url is not None
    folder = Path(directory)
    started = time.perf_counter()
    state = PushState.load(folder)
    sender = Sender(url, retries=retries)
    target: Target = GraphStoreTarget(url, sender) if gsp else UpdateTarget(url, sender)
    with GraphStore.from_build(folder) as store:
        hashes = dict(graph_hashes(store))
        key = hashlib.sha256("".join(f"{g} {h}\n" for g, h in hashes.items()).encode()).hexdigest()
        held = state.target(url)
        todo = [g for g in hashes if not only_changed or held.graphs.get(g) != hashes[g]]
        start = 0
        previous = held.run or {}
        if not only_changed and not restart and previous.get("build") == key:
            start = int(previous.get("position", 0))  # type: ignore[arg-type]
        sent: list[str] = []
        try:
            for at in range(start, len(todo), batch):
                chunk = todo[at : at + batch]
                target.replace([(g, graph_ntriples(store, g)) for g in chunk])
                for graph in chunk:
                    held.graphs[graph] = hashes[graph]
                sent.extend(chunk)
                held.run = None if only_changed else {"build": key, "position": at + len(chunk)}
                state.save()
                if progress is not None:
                    progress(start + len(sent), len(todo))
            stale = sorted(set(held.graphs) - set(hashes))
            target.drop(stale)
            for graph in stale:
                del held.graphs[graph]
            held.run = None
            state.save()
        finally:
            sender.close()
    return PushReport(
        url=url, protocol="gsp" if gsp else "update", graphs=len(hashes), sent=sent,
        unchanged=len(hashes) - len(todo), dropped=stale, resumed_at=start,
        requests=sender.requests, retried=sender.retried, seconds=time.perf_counter() - started,
    )
