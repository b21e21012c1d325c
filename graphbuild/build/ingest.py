"""Re-ingest: changed trials into an existing store, replacing exactly their named graphs."""

from __future__ import annotations

from collections.abc import Iterable

from graphbuild.build.steps import refresh_inferred, refresh_vocabulary
from graphbuild.model import Trial
from graphbuild.rdf.iris import trial_graph_iri
from graphbuild.rdf.triples import trial_quads
from graphbuild.store import GraphStore

__all__ = ["ingest"]


def ingest(store: GraphStore, trials: Iterable[Trial], *, reason: bool = True) -> list[str]:
    """Re-ingest trials into an existing store: each trial's graph is replaced by exactly its
    new quads (other trials untouched), then the vocabulary and inferred graphs are rebuilt.
    It changes the store only: the build graph keeps describing the original build, and a build
    directory's graph.nq / graph.ttl the last full build. Returns the trial ids replaced."""
    replaced = []
    for trial in trials:
        store.replace_graph(trial_graph_iri(trial.trial_id), trial_quads(trial))
        replaced.append(trial.trial_id)
    refresh_vocabulary(store)
    if reason:
        refresh_inferred(store)
    return replaced
