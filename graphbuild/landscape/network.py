"""The network view: each investigational product with its antigens, the diseases its trials
study and the endpoint concepts they measure, laid out by networkx and drawn by plotly.

Products are taken by number of trials until the view holds `MAX_NODES` nodes, so a large
graph gives a view that still pans and hovers smoothly; the title says what was left out. A
product picked in the page's selector lights up its neighbourhood (`page.NETWORK_SCRIPT`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
import plotly.graph_objects as go

from graphbuild.landscape.charts import TEMPLATE
from graphbuild.landscape.data import Landscape, trial_ids

MAX_NODES = 1200
LAYOUT_ITERATIONS = 30
KINDS = (  # node kind, colour, size
    ("product", "#1f77b4", 11),
    ("antigen", "#d62728", 14),
    ("disease", "#2ca02c", 8),
    ("endpoint concept", "#9467bd", 9),
)


@dataclass
class ProductNet:
    """The product graph and, per product, the trials that use it."""

    graph: nx.Graph
    trials_of: dict[str, set[str]] = field(default_factory=dict)
    products_total: int = 0  # products with at least one link
    products_shown: int = 0


def _node(kind: str, name: str) -> tuple[str, str]:
    return (kind, name)


def product_graph(data: Landscape, max_nodes: int = MAX_NODES) -> ProductNet:
    """Products (`product_antigens`) with their antigens, and the diseases (`trial_conditions`)
    and endpoint concepts (`trial_endpoints`) of their trials (`data.links`); edges weighted by
    trials."""
    trials_of: dict[str, set[str]] = defaultdict(set)
    antigens_of: dict[str, set[str]] = defaultdict(set)
    for row in data["product_antigens"]:
        product = str(row["product_code"])
        trials_of[product].update(trial_ids(row["trials"]))
        if row.get("antigen_symbol"):
            antigens_of[product].add(str(row["antigen_symbol"]))

    graph = nx.Graph()
    ranked = sorted(trials_of, key=lambda p: (-len(trials_of[p]), p))
    shown = 0
    for product in ranked:
        # the order nodes are added decides the layout: the antigens by name, then the links in
        # the order of their first trial (`aggregates.product_links`); sorted, because set order
        # changes with the interpreter's string hash seed (the same input, the same page)
        edges: dict[tuple[str, str], int] = {
            _node("antigen", antigen): len(trials_of[product])
            for antigen in sorted(antigens_of[product])
        }
        for link in data.links.get(product, ()):
            edges.setdefault(_node(link.kind, link.name), link.trials)
        if not edges:
            continue  # a product whose trials name no antigen, disease or concept: no links
        new = 1 + sum(1 for n in edges if n not in graph)
        if graph.number_of_nodes() + new > max_nodes and shown:
            continue
        hub = _node("product", product)
        graph.add_node(hub)
        for other, weight in edges.items():
            graph.add_edge(hub, other, weight=weight)
        shown += 1
    linked = sum(1 for p in ranked if antigens_of[p] or data.links.get(p))
    return ProductNet(graph, dict(trials_of), linked, shown)


def network_figure(data: Landscape, max_nodes: int = MAX_NODES) -> tuple[go.Figure, list[dict]]:
    """The figure, and per product the node indices (per trace) and edges of its
    neighbourhood, for the page's selector."""
    net = product_graph(data, max_nodes)
    graph = net.graph
    n = graph.number_of_nodes()
    # spread wider than networkx's default (k = 1/sqrt(n)): the endpoint concepts most
    # products share would otherwise pull every node into one ball
    pos = (
        nx.spring_layout(graph, seed=7, iterations=LAYOUT_ITERATIONS, k=3 / n**0.5, weight=None)
        if n
        else {}
    )
    fig = go.Figure()
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for a, b in graph.edges():
        edge_x += [pos[a][0], pos[b][0], None]
        edge_y += [pos[a][1], pos[b][1], None]
    fig.add_scatter(
        x=edge_x,
        y=edge_y,
        mode="lines",
        line={"width": 0.5, "color": "rgba(120,120,120,0.35)"},
        hoverinfo="skip",
        name="links",
        showlegend=False,
    )
    fig.add_scatter(  # the picked product's links, filled in by the page's script
        x=[],
        y=[],
        mode="lines",
        line={"width": 1.6, "color": "rgba(31,119,180,0.9)"},
        hoverinfo="skip",
        name="selected product",
        showlegend=False,
    )
    index: dict[tuple[str, str], tuple[int, int]] = {}
    for trace, (kind, color, size) in enumerate(KINDS, start=2):
        nodes = sorted(n for n in graph if n[0] == kind)
        for i, node in enumerate(nodes):
            index[node] = (trace, i)
        hover = []
        for node in nodes:
            neighbours = sorted(graph[node], key=lambda n: (-graph[node][n]["weight"], n))
            names = ", ".join(n[1] for n in neighbours[:12])
            more = f" and {len(neighbours) - 12} more" if len(neighbours) > 12 else ""
            extra = f"{len(net.trials_of[node[1]])} trial(s)<br>" if kind == "product" else ""
            hover.append(
                f"<b>{node[1]}</b> ({kind})<br>{extra}{len(neighbours)} link(s): {names}{more}"
            )
        fig.add_scatter(
            x=[pos[n][0] for n in nodes],
            y=[pos[n][1] for n in nodes],
            mode="markers",
            name=f"{kind} ({len(nodes)})",
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            marker={"size": size, "color": color, "line": {"width": 0.5, "color": "white"}},
        )
    neighbourhoods = []
    for node in sorted(n for n in graph if n[0] == "product"):
        members = [node, *graph[node]]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for other in graph[node]:
            xs += [pos[node][0], pos[other][0], None]
            ys += [pos[node][1], pos[other][1], None]
        neighbourhoods.append(
            {"name": node[1], "nodes": [index[m] for m in members], "x": xs, "y": ys}
        )
    title = "Products, their antigens, diseases and endpoint concepts"
    if net.products_shown < net.products_total:
        title += f" (the {net.products_shown} products with most trials of {net.products_total})"
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=720,
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.02},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig, neighbourhoods
