"""Graph-scoped violation checks (`# scope: graph`): run graph by graph, in a build's workers or
on the graphs they did not check, they find what they find over the whole store."""

from __future__ import annotations

import pytest
from test_validate import BREAKAGES, BROKEN, load_mini

import pyoxigraph as ox
from graphbuild.build import process
from graphbuild.build.stream import read
from graphbuild.validate.queries import query_violations, run_violation_query
from graphbuild.validate.scoped import graph_scoped_queries, query_scope, violation_queries

GRAPH_SCOPED = {
    "dangling-link-violation", "empty-evidence-quote-violation", "evidence-offsets-violation",
    "link-basis-violation", "link-without-evidence-violation", "reasoner-term-asserted-violation",
    "timeframe-bounds-violation", "trial-without-title-violation", "unreified-link-violation",
}


def _sorted(rows: list[dict[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted(row.items())) for row in rows)


def test_the_graph_scoped_checks_are_those_whose_patterns_all_sit_in_one_graph() -> None:
    assert {name for name, _text in graph_scoped_queries()} == GRAPH_SCOPED
    assert {p.stem for p in violation_queries() if query_scope(p) == "store"} == {
        "antigen-without-hgnc-violation", "disease-without-mesh-violation",
        "shared-node-in-trial-graph-violation", "trial-id-violation", "undescribed-node-violation",
    }


UPDATES = [p.values[1] for p in BREAKAGES] + [update for update in BROKEN]


def test_each_graph_scoped_check_graph_by_graph_equals_the_whole_store() -> None:
    """Every breakage of the validation tests (trial graphs and the vocabulary): each
    graph-scoped check run on each graph alone gives the whole store's rows."""
    found = 0
    for update in UPDATES:
        store = load_mini(update)
        graphs = [g.value for g in store.named_graphs()]
        for path in violation_queries():
            if query_scope(path) == "graph":
                whole = run_violation_query(store, path)
                assert _sorted(run_violation_query(store, path, graphs)) == _sorted(whole), (path.stem, update)
                found += len(whole)
    assert found >= 15  # the breakages are seen, graph by graph as over the store


def test_rows_checked_in_the_workers_plus_the_rest_equal_the_whole_store(
    examples_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed records through a worker's task, one trial graph broken on the way (an
    evidence quote blanked, an extracted link's basis dropped): the rows the workers give the
    trials, with one trial graph left to the validation step, are the whole store's rows."""
    real_quads = process.trial_quads

    def broken_quads(trial):  # the first trial's first quote emptied, its first basis dropped
        quads = list(real_quads(trial))
        if trial.trial_id.startswith("001_"):
            quote = next(q for q in quads if q.predicate.value.endswith("#quote"))
            basis = next(q for q in quads if q.predicate.value.endswith("#basis"))
            quads = [q for q in quads if q is not basis and q is not quote]
            quads.append(ox.Quad(quote.subject, quote.predicate, ox.Literal("  "), quote.graph_name))
        return quads

    monkeypatch.setattr(process, "trial_quads", broken_quads)
    records = list(read([examples_dir]))
    done = process.check_queries(*_with_quads(records))
    store = ox.Store()
    for item in done:
        store.load(item.nquads, format=ox.RdfFormat.N_QUADS)
    checked = {}
    from graphbuild.rdf.iris import trial_graph_iri

    for item in done:
        assert item.violations is not None, item.trial_id
        if not item.trial_id.startswith("002_"):  # that one left to the validation step
            checked[trial_graph_iri(item.trial_id)] = [(name, dict(row)) for name, row in item.violations]
    broken = [item for item in done if item.trial_id.startswith("001_")][0]
    # the blank quote no longer spans its offsets either
    assert {name for name, _row in broken.violations} == {
        "empty-evidence-quote-violation", "evidence-offsets-violation", "link-basis-violation"
    }
    with_workers, rows_with = query_violations(store, checked=checked)
    alone, rows_alone = query_violations(store)
    assert sorted(map(str, with_workers)) == sorted(map(str, alone))
    assert {k: _sorted(v) for k, v in rows_with.items()} == {k: _sorted(v) for k, v in rows_alone.items()}
    assert len([v for v in alone if v.rule in GRAPH_SCOPED]) == 3


def _with_quads(records):
    pairs = [process._process(record, False, None) for record in records]
    return [item for item, _quads in pairs], [quads for _item, quads in pairs]


def test_the_pool_checks_each_trial_graph_and_the_step_finds_what_the_store_gives(
    examples_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the build's process pool (two workers), a validating stream: every trial graph
    comes back checked by the graph-scoped queries; the validation step with the workers' rows
    reports what the queries give over the whole store."""
    from dataclasses import replace

    from graphbuild.build import stream
    from graphbuild.build.run import _shacl_spec
    from graphbuild.rdf.iris import trial_graph_iri

    records = list(read([examples_dir]))
    many = [replace(r, trial_id=f"{r.trial_id}-{i}") for i in range(30) for r in records]
    monkeypatch.setattr(stream, "POOL_THRESHOLD", 50)
    results = list(stream.process_stream(many, workers=2, shacl=_shacl_spec()))
    assert [p.trial_id for p in results] == [r.trial_id for r in many]
    assert all(p.violations == () and p.violations_seconds > 0 for p in results)
    store = ox.Store()
    store.bulk_load(b"".join(p.nquads for p in results), format=ox.RdfFormat.N_QUADS)
    checked = {trial_graph_iri(p.trial_id): [] for p in results}
    assert query_violations(store, checked=checked)[1] == query_violations(store)[1]
