"""The landscape's endpoint charts and product network are drawn from GROUP BY queries
(`graphbuild.landscape.aggregates`) instead of every row of the listings `trial_endpoints`,
`trial_conditions` and `trial_antigens`. Here the counts are checked against the listings
themselves: each is folded from the listings' rows the way the page folded them before
(the reference below), on the seeds, on the corpus, and on any build named by
GRAPHBUILD_LANDSCAPE_GRAPH (e.g. a 10,000-trial build: `GRAPHBUILD_LANDSCAPE_GRAPH=/tmp/b10k
python -m pytest -q tests/test_landscape_aggregates.py`)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graphbuild.landscape.data import collect, trial_ids
from graphbuild.landscape.network import MAX_NODES, product_graph
from graphbuild.queries import open_graph, run_query

WINDOW_CATEGORIES = ("safety", "efficacy")


def listing_concepts(endpoints: list[dict[str, Any]]) -> dict:
    """(category, concept) -> role -> (endpoint rows, distinct trials), as the page counted
    the rows of `trial_endpoints`."""
    counts: dict = defaultdict(Counter)
    trials: dict = defaultdict(set)
    for row in endpoints:
        if not row.get("concept"):
            continue
        key = (str(row.get("category") or "other"), str(row["concept"]))
        role = str(row.get("role") or "other")
        counts[key][role] += 1
        trials[(*key, role)].add(str(row["trial_id"]))
    return {
        key: {role: (n, len(trials[(*key, role)])) for role, n in roles.items()}
        for key, roles in counts.items()
    }


def listing_windows(endpoints: list[dict[str, Any]], antigens: list[dict[str, Any]]) -> dict:
    """(antigen, category) -> (window ends ascending, trials), as the page folded
    `trial_endpoints` joined with `trial_antigens` on the trial id."""
    antigens_of: dict[str, set[str]] = defaultdict(set)
    for row in antigens:
        if row.get("antigen_symbol"):
            antigens_of[str(row["trial_id"])].add(str(row["antigen_symbol"]))
    ends: dict = defaultdict(list)
    trials: dict = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for row in endpoints:
        category = row.get("category")
        if category not in WINDOW_CATEGORIES or row.get("max_days") is None:
            continue
        if (str(row["endpoint"]), str(category)) in seen:
            continue
        seen.add((str(row["endpoint"]), str(category)))
        for antigen in antigens_of.get(str(row["trial_id"]), ()):
            ends[antigen, str(category)].append(max(float(row["max_days"]), 1.0))
            trials[antigen, str(category)].add(str(row["trial_id"]))
    return {key: (tuple(sorted(values)), len(trials[key])) for key, values in ends.items()}


def listing_network(
    products: list[dict[str, Any]],
    conditions: list[dict[str, Any]],
    endpoints: list[dict[str, Any]],
    max_nodes: int,
) -> tuple[nx.Graph, int, int]:
    """The product network (graph, products linked, products shown) as the page built it by
    joining `product_antigens` with `trial_conditions` and `trial_endpoints` per trial id."""
    trials_of: dict[str, set[str]] = defaultdict(set)
    antigens_of: dict[str, set[str]] = defaultdict(set)
    for row in products:
        trials_of[str(row["product_code"])].update(trial_ids(row["trials"]))
        if row.get("antigen_symbol"):
            antigens_of[str(row["product_code"])].add(str(row["antigen_symbol"]))
    diseases: dict[str, set[str]] = defaultdict(set)
    for row in conditions:
        diseases[str(row["trial_id"])].add(str(row["condition_label"]))
    concepts: dict[str, set[str]] = defaultdict(set)
    for row in endpoints:
        if row.get("concept"):
            concepts[str(row["trial_id"])].add(str(row["concept"]))
    graph = nx.Graph()
    ranked = sorted(trials_of, key=lambda p: (-len(trials_of[p]), p))
    shown = 0
    for product in ranked:
        edges: dict[tuple[str, str], set[str]] = defaultdict(set)
        for antigen in sorted(antigens_of[product]):
            edges["antigen", antigen] |= trials_of[product]
        for trial in sorted(trials_of[product]):
            for disease in sorted(diseases.get(trial, ())):
                edges["disease", disease].add(trial)
            for concept in sorted(concepts.get(trial, ())):
                edges["endpoint concept", concept].add(trial)
        if not edges:
            continue
        if graph.number_of_nodes() + 1 + sum(1 for n in edges if n not in graph) > max_nodes:
            if shown:
                continue
        graph.add_node(("product", product))
        for other, ids in edges.items():
            graph.add_edge(("product", product), other, weight=len(ids))
        shown += 1
    linked = sum(
        1
        for p in ranked
        if antigens_of[p] or any(diseases.get(t) or concepts.get(t) for t in trials_of[p])
    )
    return graph, linked, shown


def assert_same_as_listings(store: Any) -> None:
    """What the page draws from equals what the listings' rows give."""
    endpoints = run_query(store, "trial_endpoints")
    conditions = run_query(store, "trial_conditions")
    data = collect(store)

    concepts = {
        key: {role: (c.endpoints, c.trials) for role, c in roles.items()}
        for key, roles in data.concepts.items()
    }
    assert concepts and concepts == listing_concepts(endpoints)

    windows = {key: (w.ends, w.trials) for key, w in data.windows.items()}
    assert windows and windows == listing_windows(endpoints, run_query(store, "trial_antigens"))

    for max_nodes in (MAX_NODES, 200, 10**9):
        net = product_graph(data, max_nodes)
        graph, linked, shown = listing_network(
            data["product_antigens"], conditions, endpoints, max_nodes
        )
        assert net.graph.number_of_nodes() > 1
        assert (net.products_total, net.products_shown) == (linked, shown)
        # the same nodes and weighted edges in the same order (the layout follows the order)
        assert list(net.graph.nodes) == list(graph.nodes)
        assert list(net.graph.edges(data="weight")) == list(graph.edges(data="weight"))


def test_seed_figures_count_what_the_listings_hold(seed_store: Any) -> None:
    assert_same_as_listings(seed_store)


@pytest.mark.corpus
def test_corpus_figures_count_what_the_listings_hold(corpus_graph: Path) -> None:
    assert_same_as_listings(open_graph(corpus_graph))


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("GRAPHBUILD_LANDSCAPE_GRAPH"),
    reason="set GRAPHBUILD_LANDSCAPE_GRAPH to a build folder (e.g. 10,000 trials) to check it",
)
def test_named_build_figures_count_what_the_listings_hold() -> None:
    assert_same_as_listings(open_graph(os.environ["GRAPHBUILD_LANDSCAPE_GRAPH"]))
