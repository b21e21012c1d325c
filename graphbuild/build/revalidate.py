"""Validation of the trials a re-ingest changed, merged into the build's validation result.

A build validates every trial (SHACL in chunks, then the violation queries over the whole
store: ~65 s at 10,000 trials). After `graphbuild add` only the changed trial graphs can have
new violations of their own, so they are validated alone: their graphs, the vocabulary
descriptions of the nodes they point at and the inferred facts about their nodes are copied
into in-memory stores (a few hundred quads) and checked with `graphbuild.validate` (SHACL of
the trial graphs, every violation query). Their violations replace the ones the build's report
lists for the same trials; violations of other trials and of vocabulary nodes (those name no
trial) are kept as the build found them. A check that compares trials with each other
(`trial-id-violation`: one id on two trial nodes) sees only the changed trials here.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyoxigraph as ox

from graphbuild.build.steps import SHARED_EDGES
from graphbuild.rdf.iris import trial_graph_iri
from graphbuild.rdf.namespaces import GB_IRI, INFERRED_GRAPH, VOCABULARY_GRAPH
from graphbuild.store import GraphStore

__all__ = ["revalidate_trials"]

_SHARED = {f"{GB_IRI}{name}" for name in SHARED_EDGES}
_LINE = re.compile(r"^\[(?P<severity>\w+)\] (?:trial (?P<trial>.+?)|vocabulary): ")


def _subsets(store: ox.Store, trial_ids: list[str]) -> tuple[ox.Store, ox.Store]:
    """In memory: the changed trial graphs alone (what SHACL checks, as a build's trial
    chunks hold trial graphs only), and the same with what the violation queries read of the
    shared graphs: the vocabulary descriptions of the nodes they point at, the inferred facts
    about their nodes."""
    trials, shared = ox.Store(), ox.Store()
    vocabulary = ox.NamedNode(str(VOCABULARY_GRAPH))
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    for trial_id in trial_ids:
        quads = list(store.quads_for_pattern(None, None, None, ox.NamedNode(trial_graph_iri(trial_id))))
        trials.extend(quads)
        shared.extend(quads)
        nodes = {q.object for q in quads if q.predicate.value in _SHARED}
        subjects = {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}
        for node in nodes:
            shared.extend(store.quads_for_pattern(node, None, None, vocabulary))
        for subject in subjects:
            shared.extend(store.quads_for_pattern(subject, None, None, inferred))
    return trials, shared


def revalidate_trials(store: GraphStore, trial_ids: list[str], previous: dict[str, Any]) -> dict[str, Any]:
    """The build's validation result (report.json's `validation`) with the violations of
    `trial_ids` replaced by what validating those trials finds now."""
    from graphbuild.build.process import shapes_results
    from graphbuild.validate import query_violations, shacl_spec, shacl_violations

    changed = set(trial_ids)
    started = time.perf_counter()
    trials, shared = _subsets(store.ox, trial_ids)
    # each trial graph checked with the compiled shapes, as a build's workers do (pyrudof,
    # which pays ~80 ms for a session's first read, only for a graph they could not check)
    spec = shacl_spec()
    checked = {}
    for graph in trials.named_graphs():
        quads = list(trials.quads_for_pattern(None, None, None, graph))
        raw = shapes_results(spec, quads)
        if raw is not None:
            checked[graph.value] = (raw, len(quads))
    found, *_ = shacl_violations(trials, trials_only=True, checked=checked)
    seconds = {"shacl": time.perf_counter() - started}
    mark = time.perf_counter()
    rows, _ = query_violations(shared)
    seconds["queries"] = time.perf_counter() - mark
    violations = [v for v in (*found, *rows) if v.trial_id in changed]
    fresh = sorted(str(v) for v in violations)
    fresh_severities = [v.severity for v in violations]
    text = str(previous.get("text", ""))
    lines = text.splitlines()
    kept: list[str] = []
    kept_severities: list[str] = []
    rest: list[str] = []
    for line in lines[1:]:
        match = _LINE.match(line)
        if match is None:
            rest.append(line)
        elif match.group("trial") not in changed:
            kept.append(line)
            kept_severities.append(match.group("severity"))
    severities = kept_severities + fresh_severities
    counts = {s: severities.count(s) for s in ("Violation", "Warning")}
    conforms = counts["Violation"] == 0
    header = re.sub(
        r"^validation: (?:conforms|does not conform): \d+ violation\(s\), \d+ warning\(s\)",
        f"validation: {'conforms' if conforms else 'does not conform'}: {counts['Violation']} violation(s), "
        f"{counts['Warning']} warning(s)",
        lines[0] if lines else "",
    )
    merged = sorted([*kept, *fresh], key=_line_key)
    updated = dict(previous)
    updated.update(
        conforms=conforms,
        violations=len(severities),
        text="\n".join([header, *merged, *rest]),
        revalidated={"trials": sorted(changed), "seconds": {k: round(v, 3) for k, v in seconds.items()}},
    )
    return updated


def _line_key(line: str) -> tuple[str, str]:
    """Vocabulary lines first, then by trial (as `graphbuild.validate` sorts violations)."""
    match = _LINE.match(line)
    trial = match.group("trial") if match and match.group("trial") else ""
    return (trial, line[match.end() :] if match else line)
